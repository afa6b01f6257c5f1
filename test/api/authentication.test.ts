import { randomUUID } from 'node:crypto';
import { encodeSymmetric, SymmetricAlgorithm } from 'atlassian-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_NOT_AUTHENTICATED, SESSION_NOT_VERIFIED } from '../../src/entry/api/host-authentication.js';
import { CONTEXT_TOKEN_CLOCK_SKEW_SECONDS, CONTEXT_TOKEN_LIFETIME_SECONDS, verifyContextToken } from '../../src/entry/connect/context-token.js';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { ADMIN, NON_ADMIN, OAUTH, WORKSPACE, eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const LINK_BODY = { workspace: WORKSPACE.slug, credentials: OAUTH };

/** A context token as AP.context.getToken() yields it, with every claim under the test's control. */
function contextToken(claims: Record<string, unknown>, secret: string): string {
  const iat = Math.floor(Date.now() / 1000);
  return encodeSymmetric({ qsh: 'context-qsh', iat, exp: iat + 900, ...claims }, secret, SymmetricAlgorithm.HS256);
}

async function rawRequest(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

describe('authentication of the admin API', () => {
  let harness: Harness;
  let other: JiraConnectSimulator;

  const linkedAccountRows = () =>
    withClient(harness.databaseUrl, async (client) => Number((await client.query('SELECT count(*) FROM linked_accounts')).rows[0].count));
  const newUserRows = () =>
    withClient(harness.databaseUrl, async (client) => Number((await client.query('SELECT count(*) FROM new_users')).rows[0].count));

  beforeAll(async () => {
    harness = await startHarness();
    other = await harness.addSite();
  });
  afterAll(() => harness?.stop());

  describe('refuses with 401 and a JSON message, and changes nothing, a request', () => {
    const cases: [string, () => string | null][] = [
      ['without an Authorization header', () => null],
      ['with a token that is not a JWT', () => 'JWT not-a-token-at-all'],
      ['with a JWT of another scheme', () => `Bearer ${harness.site.contextToken(ADMIN.accountId)}`],
      ['with an expired token', () => `JWT ${harness.site.contextToken(ADMIN.accountId, { expiresInSeconds: -60 })}`],
      [
        'with a token signed with a wrong secret',
        () => `JWT ${harness.site.contextToken(ADMIN.accountId, { secret: 'a-wrong-shared-secret-0123456789abcdef' })}`,
      ],
      [
        "with a token naming another installed site but signed with this site's secret",
        () =>
          `JWT ${contextToken(
            { iss: other.clientKey, aud: [other.clientKey], sub: ADMIN.accountId, context: { user: { accountId: ADMIN.accountId } } },
            harness.site.sharedSecret,
          )}`,
      ],
      [
        'with a token naming a site that never installed the app',
        () => `JWT ${contextToken({ iss: 'unknown-site', aud: ['unknown-site'], sub: ADMIN.accountId }, harness.site.sharedSecret)}`,
      ],
      [
        'with a token that names no user',
        () => `JWT ${contextToken({ iss: harness.site.clientKey, aud: [harness.site.clientKey] }, harness.site.sharedSecret)}`,
      ],
    ];

    it.each(cases)('%s', async (_what, authorization) => {
      const header = authorization();
      const bitbucketCalls = harness.bitbucket.received.length;
      const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(header ? { Authorization: header } : {}) };

      const link = await rawRequest(`${harness.app.baseUrl}/api/linked-accounts`, { method: 'POST', headers, body: JSON.stringify(LINK_BODY) });
      const list = await rawRequest(`${harness.app.baseUrl}/api/linked-accounts`, { headers });

      for (const answer of [link, list]) {
        expect(answer).toEqual({ status: 401, body: { message: SESSION_NOT_VERIFIED } });
      }
      expect(await linkedAccountRows()).toBe(0);
      expect(harness.bitbucket.received.length).toBe(bitbucketCalls);
    });
  });

  it("accepts the same site's valid context token (the control for the refusals above)", async () => {
    const answer = await harness.api('GET', '/api/linked-accounts');
    expect(answer).toEqual({ status: 200, body: { linkedAccounts: [] } });
  });

  describe('the user_created webhook, which must carry a query string hash', () => {
    const user = { accountId: 'webhook-user', displayName: 'Wanda Webhook', emailAddress: 'wanda@example.com', emailVisible: true };
    const body = () => ({
      timestamp: Date.now(),
      webhookEvent: 'user_created',
      user: { accountId: user.accountId, displayName: user.displayName, emailAddress: user.emailAddress },
    });

    const postWebhook = (token: string) =>
      rawRequest(`${harness.app.baseUrl}${USER_CREATED_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `JWT ${token}`, 'X-Atlassian-Webhook-Identifier': randomUUID() },
        body: JSON.stringify(body()),
      });

    it('refuses a token whose query string hash belongs to another request, and records no user', async () => {
      const wrongQsh = harness.site.signRequest('POST', USER_CREATED_PATH, { qsh: 'a'.repeat(64) });
      const otherPath = harness.site.signRequest('POST', '/webhooks/user-deleted');

      for (const token of [wrongQsh, otherPath]) {
        const answer = await postWebhook(token);
        expect(answer).toEqual({ status: 401, body: { message: REQUEST_NOT_AUTHENTICATED } });
      }
      // The reason is kept for the operator, in the log.
      expect(harness.logs.join('')).toMatch(/query hash does not match/i);
      expect(await newUserRows()).toBe(0);
    });

    it('refuses a page\'s context token (qsh "context-qsh"), and records no user', async () => {
      const answer = await postWebhook(harness.site.contextToken(ADMIN.accountId));
      expect(answer.status).toBe(401);
      expect(answer.body.message).toEqual(expect.any(String));
      expect(await newUserRows()).toBe(0);
    });

    it('refuses a webhook signed with a wrong secret, and records no user', async () => {
      const sent = await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user, {
        secret: 'a-wrong-shared-secret-0123456789abcdef',
      });
      expect(sent.status).toBe(401);
      expect(await newUserRows()).toBe(0);
    });

    it('accepts the correctly signed webhook (the control for the refusals above)', async () => {
      expect((await postWebhook(harness.site.signRequest('POST', USER_CREATED_PATH))).status).toBe(204);
      expect(await newUserRows()).toBe(1);
    });
  });

  describe('a signed-in user who is not a Jira administrator', () => {
    it('gets 403 with a message, and links nothing', async () => {
      const bitbucketCalls = harness.bitbucket.received.length;
      const link = await harness.api('POST', '/api/linked-accounts', LINK_BODY, { accountId: NON_ADMIN.accountId });
      const list = await harness.api('GET', '/api/linked-accounts', undefined, { accountId: NON_ADMIN.accountId });
      const invitations = await harness.api('GET', '/api/invitations', undefined, { accountId: NON_ADMIN.accountId });

      for (const answer of [link, list, invitations]) {
        expect(answer.status).toBe(403);
        expect(answer.body.message).toMatch(/administrator/i);
      }
      expect(await linkedAccountRows()).toBe(0);
      expect(harness.bitbucket.received.length).toBe(bitbucketCalls);
    });

    it('is not let through when Jira cannot answer the permission check: 502, nothing linked, and the next try asks again', async () => {
      const accountId = 'admin-while-jira-is-down';
      harness.site.addUser({ accountId, displayName: 'Dora Down', administrator: true });
      harness.site.failNext(503, 1);

      const refused = await harness.api('POST', '/api/linked-accounts', LINK_BODY, { accountId });

      expect(refused.status).toBe(502);
      expect(refused.body.message).toMatch(/Jira/);
      expect(await linkedAccountRows()).toBe(0);
      // The failure was not remembered as "not an administrator".
      expect((await harness.api('GET', '/api/linked-accounts', undefined, { accountId })).status).toBe(200);
    });

    it('is asked about at Jira, with the permission check', async () => {
      const calls = harness.site.received.filter((c) => c.path === '/rest/api/3/permissions/check').length;
      const answer = await harness.api('GET', '/api/linked-accounts', undefined, { accountId: 'someone-never-asked-before' });
      expect(answer.status).toBe(403);
      expect(harness.site.received.filter((c) => c.path === '/rest/api/3/permissions/check').length).toBe(calls + 1);
    });
  });

  describe("tenant isolation: site B's administrator and site A's data", () => {
    let siteA: JiraConnectSimulator;
    let siteB: JiraConnectSimulator;
    let accountId: string;
    let invitationId: string;

    const asB = (method: string, path: string, body?: unknown) => harness.api(method, path, body, { site: siteB });
    const asA = (method: string, path: string, body?: unknown) => harness.api(method, path, body, { site: siteA });

    beforeAll(async () => {
      siteA = await harness.addSite();
      siteB = await harness.addSite();
      accountId = await linkWorkspace(harness, ['developers'], siteA);
      const user = { accountId: 'a-user', displayName: 'Anna A', emailAddress: 'anna@a.example', emailVisible: true };
      expect((await siteA.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
      invitationId = await eventually(
        async () => {
          const answer = await asA('GET', '/api/invitations?status=sent');
          return answer.body.invitations[0]?.id as string | undefined;
        },
        15_000,
        "site A's invitation",
      );
    });

    it("sees none of site A's linked accounts or invitations in its lists", async () => {
      expect(await asB('GET', '/api/linked-accounts')).toEqual({ status: 200, body: { linkedAccounts: [] } });
      const invitations = await asB('GET', '/api/invitations');
      expect(invitations.status).toBe(200);
      expect(invitations.body.invitations).toEqual([]);
      expect(invitations.body.total).toBe(0);
      const filtered = await asB('GET', `/api/invitations?linkedAccountId=${accountId}`);
      expect(filtered.body.invitations).toEqual([]);
    });

    it("cannot read, change, unlink or retry site A's linked accounts and invitations by id", async () => {
      const attempts: [string, string, unknown?][] = [
        ['GET', `/api/linked-accounts/${accountId}/groups`],
        ['GET', `/api/linked-accounts/${accountId}/groups?refresh=true`],
        ['POST', `/api/linked-accounts/${accountId}/refresh-groups`],
        ['PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: [] }],
        ['PUT', `/api/linked-accounts/${accountId}/credentials`, { credentials: OAUTH }],
        ['DELETE', `/api/linked-accounts/${accountId}`],
        ['POST', `/api/invitations/${invitationId}/retry`],
      ];
      const before = await asA('GET', '/api/linked-accounts');
      const invitationsBefore = await asA('GET', '/api/invitations');
      const bitbucketCalls = harness.bitbucket.received.length;

      for (const [method, path, body] of attempts) {
        const answer = await asB(method, path, body);
        expect(answer.status, `${method} ${path}`).toBe(404);
        expect(answer.body.message).toEqual(expect.any(String));
      }

      expect(await asA('GET', '/api/linked-accounts')).toEqual(before);
      expect(await asA('GET', '/api/invitations')).toEqual(invitationsBefore);
      expect(before.body.linkedAccounts[0].defaultGroups).toEqual([{ slug: 'developers', name: 'Developers' }]);
      expect(harness.bitbucket.received.length).toBe(bitbucketCalls);
    });

    it("site A itself is told why its sent invitation cannot be retried (so B's 404 is about ownership)", async () => {
      const answer = await asA('POST', `/api/invitations/${invitationId}/retry`);
      expect(answer.status).toBe(409);
    });
  });
});

describe('verifyContextToken', () => {
  const secret = 'a-shared-secret-of-some-length-0123456789';
  const installOf = async (clientKey: string) => (clientKey === 'site-1' ? { sharedSecret: secret, baseUrl: 'https://site-1.atlassian.net' } : null);
  const now = Date.UTC(2026, 10, 1);
  const nowSeconds = now / 1000;
  const token = (exp: number | undefined) =>
    encodeSymmetric(
      { iss: 'site-1', sub: 'admin-1', qsh: 'context-qsh', iat: nowSeconds, ...(exp === undefined ? {} : { exp }) },
      secret,
      SymmetricAlgorithm.HS256,
    );
  const latest = nowSeconds + CONTEXT_TOKEN_LIFETIME_SECONDS + CONTEXT_TOKEN_CLOCK_SKEW_SECONDS;

  it('takes a token that lives as long as a context token can, plus the clock skew, and names its site and user', async () => {
    await expect(verifyContextToken(token(latest), installOf, now)).resolves.toEqual({
      clientKey: 'site-1',
      hostBaseUrl: 'https://site-1.atlassian.net',
      userAccountId: 'admin-1',
    });
  });

  it('refuses a token that promises a second more, one that has just expired, and one without an expiry', async () => {
    for (const [exp, reason] of [
      [latest + 1, /later than a context token can/],
      [nowSeconds, /has expired/],
      [undefined, /no expiry/],
    ] as const) {
      await expect(verifyContextToken(token(exp), installOf, now)).rejects.toThrow(reason);
    }
  });
});
