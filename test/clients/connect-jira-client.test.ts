import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createQueryStringHash, decodeSymmetric, fromMethodAndUrl, SymmetricAlgorithm } from 'atlassian-jwt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConnectJiraClient, JiraUnavailableError } from '../../src/clients/jira/connect-jira-client.js';
import { signConnectRequest } from '../../src/clients/jira/connect-jwt.js';
import { DomainError } from '../../src/domain/errors.js';
import { ConnectInstallKeyServer } from '../support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';

const APP_KEY = 'com.example.automatic-team-invitations';
const WRONG_SECRET = 'this-is-not-the-shared-secret-0123456789';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('ConnectJiraClient', () => {
  const keys = new ConnectInstallKeyServer();
  const jira = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  let client: ConnectJiraClient;

  beforeAll(async () => {
    await keys.start();
    await jira.start();
    jira.addUser({ accountId: '712020:admin', displayName: 'Site Admin', emailAddress: 'admin@example.com', administrator: true });
    jira.addUser({ accountId: '712020:member', displayName: 'Ordinary Member', emailAddress: 'member@example.com' });
    client = new ConnectJiraClient({ baseUrl: jira.baseUrl, appKey: APP_KEY, sharedSecret: jira.sharedSecret });
  });

  afterAll(async () => {
    await jira.stop();
    await keys.stop();
  });

  beforeEach(() => {
    jira.setEmailApi('ok');
  });

  it("gets a user's email address with a signed request that Jira accepts", async () => {
    expect(await client.getUserEmail('712020:member')).toEqual({ found: true, email: 'member@example.com' });
    expect(jira.received.at(-1)).toMatchObject({ method: 'GET', path: '/rest/api/3/user/email', status: 200 });
  });

  it('reports a missing ACCESS_EMAIL_ADDRESSES approval (403) as not found, with a reason an admin understands', async () => {
    jira.setEmailApi('forbidden');
    expect(await client.getUserEmail('712020:member')).toEqual({
      found: false,
      reason:
        "Jira did not share this user's email address: the app needs Atlassian's approval for the " + 'ACCESS_EMAIL_ADDRESSES scope (HTTP 403).',
    });
  });

  it('reports the documented 400 for an app without approval the same way', async () => {
    jira.setEmailApi('not-approved');
    const lookup = await client.getUserEmail('712020:member');
    expect(lookup.found).toBe(false);
    expect(lookup).toMatchObject({ reason: expect.stringContaining('ACCESS_EMAIL_ADDRESSES scope (HTTP 400)') });
  });

  it('reports an unknown account as not found', async () => {
    expect(await client.getUserEmail('712020:nobody')).toEqual({
      found: false,
      reason: 'Jira has no user with this account ID.',
    });
  });

  it('throws JiraUnavailableError when the email API answers 503, so the job is retried', async () => {
    jira.setEmailApi('unavailable');
    const error = await client.getUserEmail('712020:member').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JiraUnavailableError);
    expect(error).toMatchObject({ status: 503, retryAfterMs: null, kind: 'upstream-unavailable' });
  });

  it('carries the Retry-After of a 429 in the JiraUnavailableError', async () => {
    jira.failNext(429, 1, 7);
    const error = await client.getUserEmail('712020:member').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JiraUnavailableError);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 7000 });
  });

  it('recognises a Jira administrator', async () => {
    expect(await client.isAdministrator('712020:admin')).toBe(true);
    expect(jira.received.at(-1)).toMatchObject({ method: 'POST', path: '/rest/api/3/permissions/check', status: 200 });
  });

  it('does not take an ordinary user or an unknown account for an administrator', async () => {
    expect(await client.isAdministrator('712020:member')).toBe(false);
    expect(await client.isAdministrator('712020:nobody')).toBe(false);
  });

  it('throws JiraUnavailableError when the permission check meets a server error', async () => {
    jira.failNext(502, 1);
    await expect(client.isAdministrator('712020:admin')).rejects.toBeInstanceOf(JiraUnavailableError);
  });

  it('is refused by Jira when built with the wrong shared secret, and never reveals a secret in what it reports', async () => {
    const wrong = new ConnectJiraClient({ baseUrl: jira.baseUrl, appKey: APP_KEY, sharedSecret: WRONG_SECRET });

    // A refused email lookup is a wait for fresh credentials, not an answer about the user.
    const lookup = await wrong.getUserEmail('712020:member').catch((e: unknown) => e);
    expect(lookup).toBeInstanceOf(JiraUnavailableError);
    expect(lookup).toMatchObject({ status: 401, awaiting: 'fresh-credentials', message: expect.stringContaining('HTTP 401') });
    expect(jira.received.at(-1)).toMatchObject({ path: '/rest/api/3/user/email', status: 401 });

    const error = await wrong.isAdministrator('712020:admin').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).not.toBeInstanceOf(JiraUnavailableError);
    expect(error).toMatchObject({ kind: 'upstream-rejected', message: expect.stringContaining('HTTP 401') });
    const reported = `${(lookup as Error).message} ${(error as Error).message} ${JSON.stringify(wrong)}`;
    expect(reported).not.toContain(WRONG_SECRET);
    expect(reported).not.toContain(jira.sharedSecret);
    expect(reported).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/); // no JWT
  });

  it('throws JiraUnavailableError when Jira cannot be reached', async () => {
    const server = createServer();
    const closedUrl = await listen(server);
    await close(server);
    const unreachable = new ConnectJiraClient({ baseUrl: closedUrl, appKey: APP_KEY, sharedSecret: jira.sharedSecret });

    const error = await unreachable.getUserEmail('712020:member').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JiraUnavailableError);
    expect((error as Error).message).toMatch(/connection failed/);
  });

  it('throws JiraUnavailableError when Jira does not answer within the timeout', async () => {
    const silent = createServer(() => {
      /* never answers */
    });
    const silentUrl = await listen(silent);
    try {
      const slow = new ConnectJiraClient({ baseUrl: silentUrl, appKey: APP_KEY, sharedSecret: jira.sharedSecret, timeoutMs: 150 });
      const error = await slow.isAdministrator('712020:admin').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JiraUnavailableError);
      expect((error as Error).message).toContain('no answer within 150 ms');
    } finally {
      await close(silent);
    }
  });
});

describe('signConnectRequest', () => {
  it('hashes the path relative to a site base URL that has a context path, as Jira does', () => {
    const token = signConnectRequest({
      method: 'get',
      url: 'https://example.atlassian.net/jira/rest/api/3/user/email?accountId=712020%3Aabc',
      baseUrl: 'https://example.atlassian.net/jira',
      appKey: APP_KEY,
      sharedSecret: 'a-shared-secret-of-enough-length-000000',
    });
    const claims = decodeSymmetric(token, 'a-shared-secret-of-enough-length-000000', SymmetricAlgorithm.HS256);
    expect(claims.iss).toBe(APP_KEY);
    expect(claims.exp - claims.iat).toBe(180);
    expect(claims.qsh).toBe(createQueryStringHash(fromMethodAndUrl('GET', '/rest/api/3/user/email?accountId=712020:abc')));
  });
});
