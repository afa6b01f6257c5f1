import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { REQUEST_NOT_AUTHENTICATED, SESSION_NOT_VERIFIED } from '../../src/entry/api/host-authentication.js';
import {
  ForgeInvocationTokenVerifier,
  ForgeKeysUnavailableError,
  ForgeTokenRejectedError,
  PRODUCTION_JWKS_URL,
  STAGING_JWKS_URL,
  jwksUrlFor,
} from '../../src/entry/forge/forge-invocation-token.js';
import { FORGE_USER_CREATED_PATH } from '../../src/entry/forge/user-created-event.js';
import { countRows, FORGE_APP_ID, forgeTenantRows, startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { ForgeSimulator, readManifestRoutes, type FitOptions } from '../support/simulators/forge-simulator.js';
import { ADMIN, OAUTH, startHarness, WORKSPACE } from '../support/test-app.js';

const OTHER_APP_ID = 'ari:cloud:ecosystem::app/0b1c2d3e-0000-4000-8000-000000000001';
const ATTACKER_APP_TOKEN = 'attacker-supplied-app-token-0123456789';
const EVENT_MODULE = { type: 'core:endpoint', key: 'user-created-event' };

async function post(url: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

describe('Forge Invocation Tokens on every remote request', () => {
  let h: ForgeHarness;
  const userEvent = (accountId: string) => ({
    eventType: 'avi:jira:created:user',
    user: { accountId, displayName: 'Mallory Made-Up', accountType: 'atlassian', emailAddress: 'mallory@example.com' },
  });

  beforeAll(async () => {
    h = await startForgeHarness();
    expect((await h.forge.sendInstalled(h.harness.app.baseUrl)).status).toBe(200);
  });
  afterAll(() => h?.stop());

  describe('refuses with 401, and changes nothing, a request', () => {
    const fit = (options: FitOptions) => () => h.forge.fit(EVENT_MODULE, options).then((t) => `Bearer ${t}`);
    const cases: [string, () => Promise<string | null>][] = [
      ['without an Authorization header', async () => null],
      ['with a bearer token that is not a JWT', async () => 'Bearer not-a-token-at-all'],
      ['with a valid token under another scheme', async () => `JWT ${await h.forge.fit(EVENT_MODULE)}`],
      [
        'signed with a key Forge does not publish',
        async () => `Bearer ${await h.forge.fit(EVENT_MODULE, { key: await ForgeSimulator.foreignKey() })}`,
      ],
      [
        'whose claims were changed after signing',
        async () => {
          const [header, payload, signature] = (await h.forge.fit(EVENT_MODULE)).split('.');
          const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
          claims.app.installationId = 'ari:cloud:ecosystem::installation/forged';
          return `Bearer ${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
        },
      ],
      ['that has expired', fit({ expiresInSeconds: -60 })],
      ['for another app (wrong audience)', fit({ audience: OTHER_APP_ID })],
      ['naming another app in its app claims', fit({ app: { id: OTHER_APP_ID } })],
      ['not issued by Forge', fit({ issuer: 'someone-else' })],
      ['that is unsigned (alg none)', fit({ alg: 'none' })],
      [
        'signed with HS256 instead of RS256',
        async () => {
          const { SignJWT } = await import('jose');
          const claims = JSON.parse(Buffer.from((await h.forge.fit(EVENT_MODULE)).split('.')[1]!, 'base64url').toString());
          return `Bearer ${await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'any' }).sign(new TextEncoder().encode('guessable-secret-0123456789abcdef'))}`;
        },
      ],
    ];

    it.each(cases)('%s', async (_what, authorization) => {
      const header = await authorization();
      const headers: Record<string, string> = { 'x-forge-oauth-system': ATTACKER_APP_TOKEN, ...(header ? { authorization: header } : {}) };
      const tenantsBefore = await forgeTenantRows(h);
      const usersBefore = await countRows(h, 'new_users');

      const event = await post(`${h.harness.app.baseUrl}${FORGE_USER_CREATED_PATH}`, headers, userEvent('mallory-1'));
      const link = await post(`${h.harness.app.baseUrl}/api/linked-accounts`, headers, { workspace: WORKSPACE.slug, credentials: OAUTH });

      // A generic sentence each: the reason is in the log, not in the answer.
      expect(event).toEqual({ status: 401, body: { message: REQUEST_NOT_AUTHENTICATED } });
      expect(link).toEqual({ status: 401, body: { message: SESSION_NOT_VERIFIED } });
      expect(await countRows(h, 'new_users')).toBe(usersBefore);
      expect(await countRows(h, 'linked_accounts')).toBe(0);
      expect(await forgeTenantRows(h)).toEqual(tenantsBefore);
    });
  });

  it('accepts the same request with a valid token (the control for the refusals above)', async () => {
    const answer = await h.forge.sendUserCreated(h.harness.app.baseUrl, { accountId: 'control-1', displayName: 'Carla Control' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ recorded: true });
  });

  it('refuses an admin API call whose token names no user, saying why in the log only', async () => {
    const answer = await h.api('GET', '/api/linked-accounts', undefined, { fit: { principal: '' } });
    expect(answer).toEqual({ status: 401, body: { message: SESSION_NOT_VERIFIED } });
    expect(h.harness.logs.join('')).toContain('the token names no user');
  });

  it("fetches Forge's keys once for many requests, not per request", async () => {
    const before = h.forge.jwksRequests;
    expect(before).toBeGreaterThanOrEqual(1);
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => h.forge.sendUserCreated(h.harness.app.baseUrl, { accountId: `many-${i}`, displayName: `Many ${i}` })),
      ...Array.from({ length: 5 }, () => h.api('GET', '/api/linked-accounts', undefined, { accountId: ADMIN.accountId })),
    ]);
    expect(answers.map((a) => a.status)).toEqual([...Array(20).fill(200), ...Array(5).fill(200)]);
    expect(h.forge.jwksRequests).toBe(before);
  });
});

describe('ForgeInvocationTokenVerifier', () => {
  let forge: ForgeSimulator;
  beforeAll(async () => {
    forge = new ForgeSimulator({ appId: FORGE_APP_ID, routes: await readManifestRoutes() });
    await forge.start();
  });
  afterAll(() => forge?.stop());

  it('returns the claims the app uses from a valid token', async () => {
    const verifier = new ForgeInvocationTokenVerifier({ appId: FORGE_APP_ID, jwksUrl: forge.jwksUrl, apiOrigins: [forge.url] });
    const claims = await verifier.verify(await forge.fit({ type: 'jira:adminPage', key: 'admin' }, { principal: 'admin-1' }));
    expect(claims).toMatchObject({
      app: { id: FORGE_APP_ID, installationId: forge.installationId, apiBaseUrl: forge.apiBaseUrl },
      context: { cloudId: forge.cloudId, siteUrl: forge.siteUrl },
      principal: 'admin-1',
    });
  });

  it('fetches the keys again once when Forge signs with a new key, and not for every unknown key id', async () => {
    const verifier = new ForgeInvocationTokenVerifier({ appId: FORGE_APP_ID, jwksUrl: forge.jwksUrl, apiOrigins: [forge.url], cooldownMs: 0 });
    const start = forge.jwksRequests;
    for (let i = 0; i < 5; i += 1) await verifier.verify(await forge.fit(EVENT_MODULE));
    expect(forge.jwksRequests).toBe(start + 1);

    await forge.rotateSigningKey();
    for (let i = 0; i < 5; i += 1) await verifier.verify(await forge.fit(EVENT_MODULE));
    expect(forge.jwksRequests).toBe(start + 2);

    // Within the cooldown, tokens naming keys nobody publishes cost no fetch at all.
    const guarded = new ForgeInvocationTokenVerifier({ appId: FORGE_APP_ID, jwksUrl: forge.jwksUrl, apiOrigins: [forge.url], cooldownMs: 60_000 });
    await guarded.verify(await forge.fit(EVENT_MODULE));
    const afterFirst = forge.jwksRequests;
    const foreign = await ForgeSimulator.foreignKey();
    for (let i = 0; i < 10; i += 1) {
      await expect(guarded.verify(await forge.fit(EVENT_MODULE, { key: foreign }))).rejects.toBeInstanceOf(ForgeTokenRejectedError);
    }
    expect(forge.jwksRequests).toBe(afterFirst);
  });

  it('says the keys are unavailable (not that the token is bad) when the JWKS cannot be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const verifier = new ForgeInvocationTokenVerifier({ appId: FORGE_APP_ID, jwksUrl: url, apiOrigins: [forge.url] });
    await expect(verifier.verify(await forge.fit(EVENT_MODULE))).rejects.toBeInstanceOf(ForgeKeysUnavailableError);
  });

  it("takes tokens that send Jira calls to Atlassian's production or staging API host, and no look-alike", async () => {
    const { apiOrigins } = loadConfig({}).forge;
    expect(apiOrigins).toEqual(['https://api.atlassian.com', 'https://api.stg.atlassian.com']);
    const verifier = new ForgeInvocationTokenVerifier({ appId: FORGE_APP_ID, jwksUrl: forge.jwksUrl, apiOrigins });
    const tokenFor = (apiBaseUrl: string) => forge.fit(EVENT_MODULE, { app: { apiBaseUrl } });

    for (const accepted of [`https://api.atlassian.com/ex/jira/${forge.cloudId}`, `https://api.stg.atlassian.com/ex/jira/${forge.cloudId}`]) {
      await expect(verifier.verify(await tokenFor(accepted))).resolves.toMatchObject({ app: { apiBaseUrl: accepted } });
    }
    for (const refused of [
      `http://api.atlassian.com/ex/jira/${forge.cloudId}`,
      `https://api.atlassian.com.evil.example/ex/jira/${forge.cloudId}`,
      `https://api.atlassian.com@evil.example/ex/jira/${forge.cloudId}`,
      `https://someone:secret@api.atlassian.com/ex/jira/${forge.cloudId}`,
      `https://api.atlassian.com:8443/ex/jira/${forge.cloudId}`,
      `${forge.url}/ex/jira/${forge.cloudId}`,
    ]) {
      await expect(verifier.verify(await tokenFor(refused)), refused).rejects.toBeInstanceOf(ForgeTokenRejectedError);
    }
  });

  it('takes FORGE_API_HOSTS as comma-separated origins, and refuses anything else at start', () => {
    expect(loadConfig({ FORGE_API_HOSTS: 'http://127.0.0.1:4010, https://api.atlassian.com/' }).forge.apiOrigins).toEqual([
      'http://127.0.0.1:4010',
      'https://api.atlassian.com',
    ]);
    for (const bad of ['api.atlassian.com', 'https://api.atlassian.com/ex/jira', ' , ']) {
      expect(() => loadConfig({ FORGE_API_HOSTS: bad }), bad).toThrow(/FORGE_API_HOSTS: must be comma-separated origins/);
    }
  });

  it("chooses Forge's staging keys for staging tokens and production keys otherwise, as Forge's docs say", () => {
    expect(jwksUrlFor({ app: { apiBaseUrl: 'https://api.stg.atlassian.com/ex/jira/0d1e' } })).toBe(STAGING_JWKS_URL);
    expect(jwksUrlFor({ app: { apiBaseUrl: 'https://api.atlassian.com/ex/jira/0d1e' } })).toBe(PRODUCTION_JWKS_URL);
    expect(jwksUrlFor({})).toBe(PRODUCTION_JWKS_URL);
    expect(PRODUCTION_JWKS_URL).toBe('https://forge.cdn.prod.atlassian-dev.net/.well-known/jwks.json');
    expect(STAGING_JWKS_URL).toBe('https://forge.cdn.stg.atlassian-dev.net/.well-known/jwks.json');
  });
});

describe('a server without FORGE_APP_ID', () => {
  it('serves no Forge routes, and its admin API refuses Forge tokens', async () => {
    const forge = new ForgeSimulator({ appId: FORGE_APP_ID, routes: await readManifestRoutes() });
    await forge.start();
    const harness = await startHarness();
    try {
      const event = await forge.sendUserCreated(harness.app.baseUrl, { accountId: 'nobody-1', displayName: 'No Forge' });
      expect(event.status).toBe(404);
      const api = await forge.invokeRemote(harness.app.baseUrl, { path: '/api/linked-accounts', accountId: ADMIN.accountId });
      expect(api.status).toBe(401);
      expect(forge.jwksRequests).toBe(0);
    } finally {
      await harness.stop();
      await forge.stop();
    }
  });
});
