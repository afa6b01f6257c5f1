import { createHmac } from 'node:crypto';
import { createQueryStringHash, encodeSymmetric, fromMethodAndUrl, SymmetricAlgorithm } from 'atlassian-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_NOT_AUTHENTICATED, SESSION_NOT_VERIFIED } from '../../src/entry/api/host-authentication.js';
import { CONTEXT_TOKEN_LIFETIME_SECONDS } from '../../src/entry/connect/context-token.js';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { FORGE_INSTALLED_PATH } from '../../src/entry/forge/lifecycle-event.js';
import { FORGE_USER_CREATED_PATH } from '../../src/entry/forge/user-created-event.js';
import { startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { ForgeSimulator, readManifestRoutes, type FitOptions } from '../support/simulators/forge-simulator.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { ADMIN, APP_KEY, eventually, linkWorkspace, OAUTH, WORKSPACE } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

type Answer = { status: number; body: any; text: string; headers: Headers };

const TABLES = ['tenants', 'linked_accounts', 'new_users', 'invitations', 'audit_log', '"AddonSettings"'];
const LINK_BODY = { workspace: WORKSPACE.slug, credentials: OAUTH };
const OTHER_APP_ID = 'ari:cloud:ecosystem::app/0b1c2d3e-0000-4000-8000-000000000001';
const ADMIN_PAGE = { type: 'jira:adminPage', key: 'automatic-team-invitations-admin' };

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A JWT with any header, claims and signature an attacker might choose. */
function handMadeJwt(header: object, claims: object, sign: (input: string) => string = () => ''): string {
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${sign(input)}`;
}

/** Claims as AP.context.getToken() yields them for `site`, with the test's changes. */
function contextClaims(site: JiraConnectSimulator, changes: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = nowSeconds();
  return {
    iss: site.clientKey,
    aud: [site.clientKey],
    sub: ADMIN.accountId,
    qsh: 'context-qsh',
    context: { user: { accountId: ADMIN.accountId } },
    iat,
    exp: iat + CONTEXT_TOKEN_LIFETIME_SECONDS,
    ...changes,
  };
}

function signed(claims: Record<string, unknown>, secret: string): string {
  return encodeSymmetric(claims, secret, SymmetricAlgorithm.HS256);
}

function withoutExpiry(claims: Record<string, unknown>): Record<string, unknown> {
  const { exp: _exp, ...rest } = claims;
  return rest;
}

async function send(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

describe('token probes', () => {
  let h: ForgeHarness;
  let base: string;
  let siteA: JiraConnectSimulator;
  let siteB: JiraConnectSimulator;
  /** Site B's linked account and a retryable (skipped) invitation of it. */
  let accountB: string;
  let invitationB: string;
  /** Every token a probe sent: none may show up in an answer or a log line. */
  const probeTokens: string[] = [];

  /** Every row of the app's tables, so a refused request is seen to change nothing at all. */
  const snapshot = (tables = TABLES) =>
    withClient(h.harness.databaseUrl, async (client) => {
      const state: Record<string, string> = {};
      for (const table of tables) {
        const { rows } = await client.query(
          `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${table} t`,
        );
        state[table] = `${rows[0].n}:${rows[0].digest}`;
      }
      return state;
    });

  /** Waits until every recorded user is planned and no invitation is queued: nothing moves by itself. */
  const settled = () =>
    eventually(
      () =>
        withClient(h.harness.databaseUrl, async (client) => {
          const { rows } = await client.query(
            "SELECT (SELECT count(*) FROM new_users WHERE planned_at IS NULL) + (SELECT count(*) FROM invitations WHERE status = 'queued') AS busy",
          );
          return Number(rows[0].busy) === 0;
        }),
      15_000,
      'the background jobs to settle',
    );

  /** The answer must be a bare generic sentence: nothing of the token, nor which sites exist. */
  const expectNothingRevealed = (answer: Answer, sentence: string) => {
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ message: sentence });
    expect(answer.text).not.toMatch(/eyJ/);
    for (const secretish of [siteA.clientKey, siteB.clientKey, 'never-installed-site', h.forge.installationId, h.forge.cloudId]) {
      expect(answer.text).not.toContain(secretish);
    }
    expect(answer.headers.get('x-acpt')).toBeNull();
  };

  const connectCall = (authorization: string, method: string, path: string, body?: unknown) =>
    send(`${base}${path}`, method, { authorization }, body);

  beforeAll(async () => {
    h = await startForgeHarness({ env: { DELIVERY_RETRY_BASE_SECONDS: '0.2' } });
    base = h.harness.app.baseUrl;
    siteA = h.harness.site;
    siteB = await h.harness.addSite();
    expect((await h.forge.sendInstalled(base)).status).toBe(200);
    expect((await h.api('GET', '/api/linked-accounts')).status).toBe(200);

    await linkWorkspace(h.harness, ['developers'], siteA);
    accountB = await linkWorkspace(h.harness, ['developers'], siteB);
    // A user without an address: the invitation is skipped, which its own site could retry.
    siteB.addUser({ accountId: 'b-user-without-email', displayName: 'Bea B' });
    expect((await siteB.sendUserCreated(base, USER_CREATED_PATH, { accountId: 'b-user-without-email', displayName: 'Bea B' })).status).toBe(204);
    invitationB = await eventually(
      async () => {
        const answer = await h.harness.api('GET', '/api/invitations?status=skipped', undefined, { site: siteB });
        return answer.body.invitations[0]?.id as string | undefined;
      },
      15_000,
      "site B's skipped invitation",
    );
    await settled();
  }, 60_000);
  afterAll(() => h?.stop());

  describe('Connect context tokens on the admin API: each refused with a generic 401, changing nothing', () => {
    const cases: [string, () => string][] = [
      [
        'a token whose claims were changed after signing',
        () => {
          const [header, , signature] = siteA.contextToken(ADMIN.accountId).split('.');
          const forged = contextClaims(siteA, { sub: 'someone-else', context: { user: { accountId: 'someone-else' } } });
          return `${header}.${part(forged)}.${signature}`;
        },
      ],
      ['an expired token', () => signed(contextClaims(siteA, { exp: nowSeconds() - 60 }), siteA.sharedSecret)],
      ['a token that expires a year from now', () => signed(contextClaims(siteA, { exp: nowSeconds() + 365 * 24 * 3600 }), siteA.sharedSecret)],
      [
        'a token that expires an hour from now (longer than any context token lives)',
        () => signed(contextClaims(siteA, { exp: nowSeconds() + 3600 }), siteA.sharedSecret),
      ],
      ['a token without an expiry', () => signed(withoutExpiry(contextClaims(siteA)), siteA.sharedSecret)],
      [
        "a page load's token (its qsh is for GET /connect/admin)",
        () => signed(contextClaims(siteA, { qsh: createQueryStringHash(fromMethodAndUrl('GET', '/connect/admin')) }), siteA.sharedSecret),
      ],
      [
        "a webhook's token (its qsh is for the webhook), naming a user",
        () => siteA.signRequest('POST', USER_CREATED_PATH, { accountId: ADMIN.accountId }),
      ],
      [
        "a token for this very request's qsh instead of context-qsh",
        () => signed(contextClaims(siteA, { qsh: createQueryStringHash(fromMethodAndUrl('GET', '/api/linked-accounts')) }), siteA.sharedSecret),
      ],
      ['a token without a qsh', () => signed({ ...contextClaims(siteA), qsh: undefined }, siteA.sharedSecret)],
      ['an unsigned token (alg none)', () => handMadeJwt({ alg: 'none', typ: 'JWT' }, contextClaims(siteA))],
      [
        'a token signed with HS512 instead of HS256',
        () =>
          handMadeJwt({ alg: 'HS512', typ: 'JWT' }, contextClaims(siteA), (input) =>
            createHmac('sha512', siteA.sharedSecret).update(input).digest('base64url'),
          ),
      ],
      ['a token signed with a wrong secret', () => signed(contextClaims(siteA), 'a-wrong-shared-secret-0123456789abcdef')],
      ["a token naming site B, signed with site A's secret", () => signed(contextClaims(siteB), siteA.sharedSecret)],
      [
        'a token naming a site that never installed the app',
        () => signed(contextClaims(siteA, { iss: 'never-installed-site', aud: ['never-installed-site'] }), siteA.sharedSecret),
      ],
      [
        "a session token of ACE's shape (no qsh, issued by the app), as the old X-acpt header carried",
        () => {
          const iat = nowSeconds();
          return signed(
            { iss: APP_KEY, iat, sub: ADMIN.accountId, exp: iat + 900, aud: [siteA.clientKey], context: { user: { accountId: ADMIN.accountId } } },
            siteA.sharedSecret,
          );
        },
      ],
    ];

    it.each(cases)('%s', async (_what, makeToken) => {
      const token = makeToken();
      probeTokens.push(token);
      const before = await snapshot();
      const bitbucketCalls = h.harness.bitbucket.received.length;

      const link = await connectCall(`JWT ${token}`, 'POST', '/api/linked-accounts', LINK_BODY);
      const list = await connectCall(`JWT ${token}`, 'GET', '/api/linked-accounts');
      const unlink = await connectCall(`JWT ${token}`, 'DELETE', `/api/linked-accounts/${accountB}`);

      for (const answer of [link, list, unlink]) expectNothingRevealed(answer, SESSION_NOT_VERIFIED);
      expect(await snapshot()).toEqual(before);
      expect(h.harness.bitbucket.received.length).toBe(bitbucketCalls);
    });

    it("accepts site A's genuine context token (the control for the refusals above), and hands back no session token", async () => {
      const answer = await connectCall(`JWT ${siteA.contextToken(ADMIN.accountId)}`, 'GET', '/api/linked-accounts');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-acpt')).toBeNull();
    });

    it('answers with no session token to copy, and a token copied from an earlier answer does not work', async () => {
      const first = await connectCall(`JWT ${siteA.contextToken(ADMIN.accountId)}`, 'GET', '/api/linked-accounts');
      expect(first.status).toBe(200);
      const copied = first.headers.get('x-acpt');
      expect(copied).toBeNull();
      // Whatever an earlier version of the app handed out, reusing it is refused.
      const reused = copied ? await connectCall(`JWT ${copied}`, 'POST', '/api/linked-accounts', LINK_BODY) : null;
      if (reused) expectNothingRevealed(reused, SESSION_NOT_VERIFIED);
    });

    it('refuses a webhook with a generic 401 that names no site, or whose token never or only far away expires, and answers a signed one with no session token', async () => {
      const before = await snapshot();
      const unknownSite = signed(
        {
          iss: 'never-installed-site',
          iat: nowSeconds(),
          exp: nowSeconds() + 180,
          qsh: createQueryStringHash(fromMethodAndUrl('POST', USER_CREATED_PATH)),
        },
        'whatever-secret-0123456789',
      );
      const wrongSecret = siteA.signRequest('POST', USER_CREATED_PATH, { secret: 'a-wrong-shared-secret-0123456789abcdef' });
      // Correctly signed, but replayable for ever (no exp) or for a year: ACE alone accepts both.
      const webhookQsh = createQueryStringHash(fromMethodAndUrl('POST', USER_CREATED_PATH));
      const noExpiry = signed({ iss: siteA.clientKey, iat: nowSeconds(), qsh: webhookQsh }, siteA.sharedSecret);
      const farExpiry = siteA.signRequest('POST', USER_CREATED_PATH, { expiresInSeconds: 365 * 24 * 3600 });
      const user = { timestamp: Date.now(), webhookEvent: 'user_created', user: { accountId: 'probe-user', displayName: 'Probe' } };
      for (const token of [unknownSite, wrongSecret, noExpiry, farExpiry]) {
        probeTokens.push(token);
        expectNothingRevealed(await send(`${base}${USER_CREATED_PATH}`, 'POST', { authorization: `JWT ${token}` }, user), REQUEST_NOT_AUTHENTICATED);
      }
      expect(await snapshot()).toEqual(before);

      const accepted = await send(
        `${base}${USER_CREATED_PATH}`,
        'POST',
        { authorization: `JWT ${siteA.signRequest('POST', USER_CREATED_PATH)}` },
        user,
      );
      expect(accepted.status).toBe(204);
      expect(accepted.headers.get('x-acpt')).toBeNull();
      await settled();
    });
  });

  describe('Forge Invocation Tokens: each refused with a generic 401, changing nothing', () => {
    const userEvent = {
      eventType: 'avi:jira:created:user',
      user: { accountId: 'injected-1', displayName: 'Mallory Made-Up', emailAddress: 'mallory@example.com' },
    };
    const eventModule = () => h.forge.eventModule('avi:jira:created:user');
    const installedModule = () => h.forge.eventModule('avi:forge:installed:app');
    const foreignApi = () => ({ app: { apiBaseUrl: `https://api.atlassian.com.evil.example/ex/jira/${h.forge.cloudId}` } });

    /** [what, the route, the token's module and changes] */
    const cases: [string, 'event' | 'installed' | 'api', () => Promise<string>][] = [
      [
        'an event token whose claims were changed after signing',
        'event',
        async () => {
          const [header, payload, signature] = (await h.forge.fit(eventModule(), { context: null })).split('.');
          const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
          claims.app.installationId = 'ari:cloud:ecosystem::installation/forged';
          return `${header}.${part(claims)}.${signature}`;
        },
      ],
      ['an expired event token', 'event', () => h.forge.fit(eventModule(), { context: null, expiresInSeconds: -60 })],
      ['an event token for another app (wrong audience)', 'event', () => h.forge.fit(eventModule(), { context: null, audience: OTHER_APP_ID })],
      ['an event token not issued by Forge', 'event', () => h.forge.fit(eventModule(), { context: null, issuer: 'someone-else' })],
      ['an unsigned event token (alg none)', 'event', () => h.forge.fit(eventModule(), { context: null, alg: 'none' })],
      [
        'an event token signed with a key Forge does not publish',
        'event',
        async () => h.forge.fit(eventModule(), { context: null, key: await ForgeSimulator.foreignKey() }),
      ],
      [
        "the admin page's token, posted to the user-created event route (a page's invokeRemote)",
        'event',
        () => h.forge.fit(ADMIN_PAGE, { principal: ADMIN.accountId }),
      ],
      ["the install trigger's token, posted to the user-created event route", 'event', () => h.forge.fit(installedModule(), { context: null })],
      ["the user-created trigger's token, posted to the install route", 'installed', () => h.forge.fit(eventModule(), { context: null })],
      [
        'a token without a module, posted to the user-created event route',
        'event',
        () => h.forge.fit(eventModule(), { context: null, app: { module: undefined } }),
      ],
      ['an event token whose apiBaseUrl is not an Atlassian API host', 'event', () => h.forge.fit(eventModule(), { context: null, ...foreignApi() })],
      [
        'an event token whose apiBaseUrl hides another host behind user info',
        'event',
        () =>
          h.forge.fit(eventModule(), { context: null, app: { apiBaseUrl: `${h.forge.url.replace('://', '://user@')}/ex/jira/${h.forge.cloudId}` } }),
      ],
      ['an expired admin page token', 'api', () => h.forge.fit(ADMIN_PAGE, { principal: ADMIN.accountId, expiresInSeconds: -60 })],
      [
        'an admin page token for another app (wrong audience)',
        'api',
        () => h.forge.fit(ADMIN_PAGE, { principal: ADMIN.accountId, audience: OTHER_APP_ID }),
      ],
      ['an admin page token not issued by Forge', 'api', () => h.forge.fit(ADMIN_PAGE, { principal: ADMIN.accountId, issuer: 'someone-else' })],
      ['an unsigned admin page token (alg none)', 'api', () => h.forge.fit(ADMIN_PAGE, { principal: ADMIN.accountId, alg: 'none' })],
      [
        "the user-created trigger's token, naming an administrator, on the admin API",
        'api',
        () => h.forge.fit(eventModule(), { principal: ADMIN.accountId }),
      ],
      [
        'an admin page token whose apiBaseUrl is not an Atlassian API host',
        'api',
        () => h.forge.fit(ADMIN_PAGE, { principal: ADMIN.accountId, ...foreignApi() }),
      ],
    ];

    it.each(cases)('%s', async (_what, route, makeToken) => {
      const token = await makeToken();
      probeTokens.push(token);
      const headers = { authorization: `Bearer ${token}`, 'x-forge-oauth-system': 'attacker-supplied-app-token-0123456789' };
      const before = await snapshot();
      const bitbucketCalls = h.harness.bitbucket.received.length;

      if (route === 'api') {
        const link = await send(`${base}/api/linked-accounts`, 'POST', headers, LINK_BODY);
        const list = await send(`${base}/api/linked-accounts`, 'GET', headers);
        for (const answer of [link, list]) expectNothingRevealed(answer, SESSION_NOT_VERIFIED);
      } else {
        const path = route === 'event' ? FORGE_USER_CREATED_PATH : FORGE_INSTALLED_PATH;
        expectNothingRevealed(await send(`${base}${path}`, 'POST', headers, userEvent), REQUEST_NOT_AUTHENTICATED);
      }
      expect(await snapshot()).toEqual(before);
      expect(h.harness.bitbucket.received.length).toBe(bitbucketCalls);
    });

    it("refuses the admin page's own invokeRemote aimed at the event route: no user is injected", async () => {
      const before = await snapshot();
      const answer = await h.forge.invokeRemote(base, { path: FORGE_USER_CREATED_PATH, method: 'POST', body: userEvent, accountId: ADMIN.accountId });
      expect(answer).toEqual({ status: 401, body: { message: REQUEST_NOT_AUTHENTICATED } });
      expect(await snapshot()).toEqual(before);
    });

    it('accepts each module on its own route, under both readings of an event token (the control for the refusals above)', async () => {
      const routes = await readManifestRoutes();
      const userCreated = routes.events['avi:jira:created:user']!;
      const installed = routes.events['avi:forge:installed:app']!;
      expect((await h.forge.sendUserCreated(base, { accountId: 'control-endpoint-key', displayName: 'Carla Control' })).status).toBe(200);
      const byTrigger: FitOptions = { app: { module: { type: 'core:endpoint', key: userCreated.trigger } } };
      expect(
        (await h.forge.sendUserCreated(base, { accountId: 'control-trigger-key', displayName: 'Tina Trigger' }, { fit: byTrigger })).status,
      ).toBe(200);
      expect((await h.forge.sendInstalled(base, { fit: { app: { module: { type: 'core:endpoint', key: installed.trigger } } } })).status).toBe(200);
      expect(routes.uiModules.length).toBeGreaterThanOrEqual(2);
      for (const module of routes.uiModules) {
        expect((await h.api('GET', '/api/linked-accounts', undefined, { moduleKey: module.key })).status, module.key).toBe(200);
      }
      await settled();
    });
  });

  describe("cross-site ids on every admin API route: another site's linked account and invitation", () => {
    const attempts = (): [string, string, unknown?][] => [
      ['GET', `/api/linked-accounts/${accountB}/groups`],
      ['GET', `/api/linked-accounts/${accountB}/groups?refresh=true`],
      ['POST', `/api/linked-accounts/${accountB}/refresh-groups`],
      ['PUT', `/api/linked-accounts/${accountB}/default-groups`, { groups: [] }],
      ['PUT', `/api/linked-accounts/${accountB}/credentials`, { credentials: OAUTH }],
      ['DELETE', `/api/linked-accounts/${accountB}`],
      ['POST', `/api/invitations/${invitationB}/retry`],
    ];
    const callers: [string, (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>][] = [
      ["site A's administrator, through Connect", (method, path, body) => h.harness.api(method, path, body, { site: siteA })],
      ["the Forge site's administrator", (method, path, body) => h.api(method, path, body)],
    ];

    // The caller's own tenant row may be refreshed by its valid authentication; the rest may not change.
    const targets = TABLES.filter((table) => table !== 'tenants');

    it.each(callers)('%s gets 404 for each, and nothing changes', async (_who, call) => {
      const before = await snapshot(targets);
      const bitbucketCalls = h.harness.bitbucket.received.length;
      for (const [method, path, body] of attempts()) {
        const answer = await call(method, path, body);
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.body.message).toEqual(expect.any(String));
      }
      const filtered = await call('GET', `/api/invitations?linkedAccountId=${accountB}`);
      expect(filtered.status).toBe(200);
      expect(filtered.body.invitations).toEqual([]);
      expect(await snapshot(targets)).toEqual(before);
      expect(h.harness.bitbucket.received.length).toBe(bitbucketCalls);
    });

    it('site B itself may retry that invitation (so the 404s above are about ownership)', async () => {
      const answer = await h.harness.api('POST', `/api/invitations/${invitationB}/retry`, undefined, { site: siteB });
      expect(answer.status).toBe(200);
    });
  });

  it('writes no probe token to the log, while the log says why each was refused', () => {
    const logs = h.harness.logs.join('');
    expect(probeTokens.length).toBeGreaterThan(30);
    for (const token of probeTokens) {
      const signature = token.split('.').at(-1)!;
      expect(logs.includes(token) || (signature.length > 20 && logs.includes(signature))).toBe(false);
    }
    expect(logs).toContain('the token expires later than a context token can');
    expect(logs).toContain('which this route does not serve');
    expect(logs).toContain('not an Atlassian API host');
  });
});
