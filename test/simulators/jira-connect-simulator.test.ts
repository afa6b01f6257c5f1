import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ace from 'atlassian-connect-express';
import {
  AsymmetricAlgorithm,
  createQueryStringHash,
  decodeAsymmetric,
  decodeSymmetric,
  fromMethodAndUrl,
  getKeyId,
  SymmetricAlgorithm,
} from 'atlassian-jwt';
import express from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signConnectRequest } from '../../src/clients/jira/connect-jwt.js';
import { ConnectInstallKeyServer } from '../support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';

const APP_KEY = 'com.example.automatic-team-invitations';

interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A stand-in app that records what the site sent and answers 204. */
async function startRecordingApp(): Promise<{ url: string; requests: CapturedRequest[]; server: Server }> {
  const requests: CapturedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

function bearerOf(request: CapturedRequest): string {
  const header = request.headers.authorization ?? '';
  expect(header.startsWith('JWT ')).toBe(true);
  return header.slice(4);
}

function last<T>(items: T[]): T {
  const item = items[items.length - 1];
  if (item === undefined) throw new Error('nothing recorded');
  return item;
}

describe('JiraConnectSimulator', () => {
  const keys = new ConnectInstallKeyServer();
  const jira = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  let app: Awaited<ReturnType<typeof startRecordingApp>>;

  beforeAll(async () => {
    await keys.start();
    await jira.start();
    app = await startRecordingApp();
  });

  afterAll(async () => {
    await jira.stop();
    await keys.stop();
    app.server.closeAllConnections();
    await new Promise<void>((resolve) => app.server.close(() => resolve()));
  });

  beforeEach(() => {
    jira.setEmailApi('ok');
  });

  it('signs the installed callback with an RS256 key the key server serves by kid, naming the app as audience', async () => {
    expect(await jira.install(app.url)).toBe(204);

    const request = last(app.requests);
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/installed');
    const token = bearerOf(request);
    expect(getKeyId(token)).toBe(keys.kid);

    const fetchesBefore = keys.requests;
    const keyResponse = await fetch(`${keys.url}/${keys.kid}`);
    expect(keys.requests).toBe(fetchesBefore + 1);
    expect(keyResponse.headers.get('content-type')).toContain('text/plain');
    const claims = decodeAsymmetric(token, await keyResponse.text(), AsymmetricAlgorithm.RS256);
    expect(claims.iss).toBe(jira.clientKey);
    expect(claims.aud).toEqual([app.url]);
    expect(claims.qsh).toBe(createQueryStringHash(fromMethodAndUrl('POST', '/installed')));
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);

    expect(request.body).toMatchObject({
      key: APP_KEY,
      clientKey: jira.clientKey,
      sharedSecret: jira.sharedSecret,
      baseUrl: jira.baseUrl,
      productType: 'jira',
      eventType: 'installed',
    });
    expect(jira.sharedSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses to verify an install token with a key other than its own', async () => {
    await jira.install(app.url);
    const otherKeys = new ConnectInstallKeyServer();
    expect(() => decodeAsymmetric(bearerOf(last(app.requests)), otherKeys.publicKey, AsymmetricAlgorithm.RS256)).toThrow();
  });

  it('answers 404 with an empty body for an unknown key id', async () => {
    const response = await fetch(`${keys.url}/not-a-key`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('');
  });

  it('sends the uninstalled callback without the shared secret, with a qsh for its own path', async () => {
    expect(await jira.uninstall(app.url)).toBe(204);
    const request = last(app.requests);
    expect(request.url).toBe('/uninstalled');
    expect(request.body).toMatchObject({ clientKey: jira.clientKey, eventType: 'uninstalled' });
    expect(request.body).not.toHaveProperty('sharedSecret');
    const claims = decodeAsymmetric(bearerOf(request), keys.publicKey, AsymmetricAlgorithm.RS256);
    expect(claims.qsh).toBe(createQueryStringHash(fromMethodAndUrl('POST', '/uninstalled')));
  });

  it('signs a user_created webhook with the shared secret and a qsh for POST and the webhook path', async () => {
    const user = { accountId: '712020:aaaa-1111', displayName: 'Ada Lovelace', emailAddress: 'ada@example.com' };
    const { status, identifier } = await jira.sendUserCreated(app.url, '/webhooks/user-created', user);
    expect(status).toBe(204);

    const request = last(app.requests);
    expect(request.url).toBe('/webhooks/user-created');
    expect(request.headers['x-atlassian-webhook-identifier']).toBe(identifier);
    expect(request.headers['x-atlassian-webhook-retry']).toBeUndefined();
    const claims = decodeSymmetric(bearerOf(request), jira.sharedSecret, SymmetricAlgorithm.HS256);
    expect(claims.iss).toBe(jira.clientKey);
    expect(claims.qsh).toBe(createQueryStringHash(fromMethodAndUrl('POST', '/webhooks/user-created')));
    expect(request.body).toMatchObject({
      webhookEvent: 'user_created',
      user: { accountId: user.accountId, displayName: 'Ada Lovelace', active: true, accountType: 'atlassian' },
    });
    // Profile visibility hides the address unless the test says otherwise.
    expect(request.body.user).not.toHaveProperty('emailAddress');
  });

  it('keeps the webhook identifier across a retry and counts the retry in a header', async () => {
    const user = { accountId: '712020:bbbb-2222', displayName: 'Grace Hopper', emailAddress: 'grace@example.com', emailVisible: true };
    const first = await jira.sendUserCreated(app.url, '/webhooks/user-created', user);
    await jira.sendUserCreated(app.url, '/webhooks/user-created', user, { identifier: first.identifier, retry: 2 });

    const retry = last(app.requests);
    expect(retry.headers['x-atlassian-webhook-identifier']).toBe(first.identifier);
    expect(retry.headers['x-atlassian-webhook-retry']).toBe('2');
    expect(retry.body.user).toMatchObject({ emailAddress: 'grace@example.com' });
  });

  it('signs a webhook with a wrong secret when a test asks for one', async () => {
    const user = { accountId: '712020:cccc-3333', displayName: 'Mallory' };
    await jira.sendUserCreated(app.url, '/webhooks/user-created', user, { secret: 'not-the-shared-secret-at-all-000000' });
    expect(() => decodeSymmetric(bearerOf(last(app.requests)), jira.sharedSecret, SymmetricAlgorithm.HS256)).toThrow();
  });

  it('issues context tokens with the context-qsh marker, the user, and the site as audience', () => {
    const claims = decodeSymmetric(jira.contextToken('712020:admin'), jira.sharedSecret, SymmetricAlgorithm.HS256);
    expect(claims).toMatchObject({
      iss: jira.clientKey,
      sub: '712020:admin',
      aud: [jira.clientKey],
      qsh: 'context-qsh',
      context: { user: { accountId: '712020:admin' } },
    });
    expect(claims.exp - claims.iat).toBe(900);

    const expired = decodeSymmetric(jira.contextToken('712020:admin', { expiresInSeconds: -60 }), jira.sharedSecret, SymmetricAlgorithm.HS256);
    expect(expired.exp).toBeLessThan(Date.now() / 1000);
  });

  it('signs a page request with a qsh over its method, path and query', () => {
    const token = jira.signRequest('GET', '/admin/config?lic=none&xdm_e=x', { accountId: '712020:admin' });
    const claims = decodeSymmetric(token, jira.sharedSecret, SymmetricAlgorithm.HS256);
    expect(claims.sub).toBe('712020:admin');
    expect(claims.qsh).toBe(createQueryStringHash(fromMethodAndUrl('GET', '/admin/config?lic=none&xdm_e=x')));
  });

  it("refuses an app request whose qsh was computed for another user's address", async () => {
    jira.addUser({ accountId: 'alice', displayName: 'Alice', emailAddress: 'alice@example.com' });
    const token = signConnectRequest({
      method: 'GET',
      url: `${jira.baseUrl}/rest/api/3/user/email?accountId=bob`,
      baseUrl: jira.baseUrl,
      appKey: APP_KEY,
      sharedSecret: jira.sharedSecret,
    });
    const response = await fetch(`${jira.baseUrl}/rest/api/3/user/email?accountId=alice`, {
      headers: { Authorization: `JWT ${token}` },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ errorMessages: ['JWT query string hash does not match the request'] });
    expect(last(jira.received)).toMatchObject({ method: 'GET', path: '/rest/api/3/user/email', status: 401 });
  });

  it('refuses an app request issued by another app key', async () => {
    const url = `${jira.baseUrl}/rest/api/3/user/email?accountId=alice`;
    const token = signConnectRequest({ method: 'GET', url, baseUrl: jira.baseUrl, appKey: 'someone.else', sharedSecret: jira.sharedSecret });
    const response = await fetch(url, { headers: { Authorization: `JWT ${token}` } });
    expect(response.status).toBe(401);
  });

  it('answers a configured 429 burst with Retry-After, then serves normally again', async () => {
    jira.addUser({ accountId: 'alice', displayName: 'Alice', emailAddress: 'alice@example.com' });
    jira.failNext(429, 1, 3);
    const url = `${jira.baseUrl}/rest/api/3/user/email?accountId=alice`;
    const call = () =>
      fetch(url, {
        headers: {
          Authorization: `JWT ${signConnectRequest({ method: 'GET', url, baseUrl: jira.baseUrl, appKey: APP_KEY, sharedSecret: jira.sharedSecret })}`,
        },
      });
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    const served = await call();
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual({ accountId: 'alice', email: 'alice@example.com' });
  });
});

/** Just enough of ACE's store contract to hold installs in memory for one test file. */
function memoryStore(): ace.StoreAdapter {
  const values = new Map<string, unknown>();
  const id = (key: string, clientKey: string) => `${clientKey}:${key}`;
  const store = {
    async get<T>(key: string, clientKey: string) {
      return (values.get(id(key, clientKey)) ?? null) as T;
    },
    async set<T>(key: string, value: T | string, clientKey: string) {
      values.set(id(key, clientKey), value);
      return value as T;
    },
    async del(key: string, clientKey: string) {
      values.delete(id(key, clientKey));
    },
    async saveInstallation(value: ace.ClientInfo, clientKey: string) {
      values.set(id('clientInfo', clientKey), value);
      return value;
    },
    async getAllClientInfos() {
      return [...values.entries()].filter(([k]) => k.endsWith(':clientInfo')).map(([, v]) => v as ace.ClientInfo);
    },
    async getClientSettingsForForgeInstallation() {
      return null;
    },
    async deleteAssociation() {},
    forForgeInstallation(): ace.KVStore {
      throw new Error('not used by these tests');
    },
  };
  return store;
}

const silentLogger = { info() {}, warn() {}, error() {}, debug() {}, log() {} } as unknown as Console;

/**
 * A real ACE app with the routes this project relies on, so the simulator is checked against the
 * library that will verify its requests, not against the simulator's own reading of it.
 */
async function startAceApp() {
  const dir = await mkdtemp(join(tmpdir(), 'ace-sim-'));
  const app = express();
  app.use(express.json());
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const descriptorFilename = join(dir, 'atlassian-connect.json');
  await writeFile(
    descriptorFilename,
    JSON.stringify({
      key: APP_KEY,
      name: 'Simulator check',
      baseUrl: '{{localBaseUrl}}',
      authentication: { type: 'jwt' },
      apiMigrations: { 'signed-install': true },
      lifecycle: { installed: '/installed', uninstalled: '/uninstalled' },
      scopes: ['READ'],
      modules: { webhooks: [{ event: 'user_created', url: '/webhooks/user-created' }] },
    }),
  );
  ace.store.register('simulator-memory', () => memoryStore());
  const webhooks: unknown[] = [];
  const addon = await new Promise<ace.AddOn>((resolve) => {
    const created: ace.AddOn = ace(
      app,
      { config: { development: { localBaseUrl: url, store: { adapter: 'simulator-memory' }, watch: false } } },
      silentLogger,
      { descriptorFilename, configFileName: join(dir, 'no-config.json') },
      () => resolve(created),
    );
  });
  addon.on('user_created', (_event: string, body: unknown) => webhooks.push(body));
  app.post('/uninstalled', addon.authenticateInstall(), (_req, res) => res.status(204).end());
  const who: express.RequestHandler = (_req, res) => {
    res.json({ clientKey: res.locals.clientKey, accountId: res.locals.userAccountId });
  };
  app.get('/api/me', addon.checkValidToken(), who);
  app.get('/page', addon.authenticate(), who);

  return {
    url,
    addon,
    webhooks,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('JiraConnectSimulator against atlassian-connect-express', () => {
  const keys = new ConnectInstallKeyServer();
  const jira = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  const previousKeysUrl = process.env.CONNECT_KEYS_CDN_URL;
  let aceApp: Awaited<ReturnType<typeof startAceApp>>;

  beforeAll(async () => {
    await keys.start();
    await jira.start();
    process.env.CONNECT_KEYS_CDN_URL = keys.url;
    aceApp = await startAceApp();
  });

  afterAll(async () => {
    if (previousKeysUrl === undefined) delete process.env.CONNECT_KEYS_CDN_URL;
    else process.env.CONNECT_KEYS_CDN_URL = previousKeysUrl;
    await aceApp.stop();
    await jira.stop();
    await keys.stop();
  });

  async function getWithJwt(path: string, token: string): Promise<Response> {
    return fetch(`${aceApp.url}${path}`, { headers: { Authorization: `JWT ${token}`, Accept: 'application/json' } });
  }

  it('installs into ACE, which fetches the signing key and stores the shared secret', async () => {
    const fetchesBefore = keys.requests;
    const status = await jira.install(aceApp.url);
    expect(status, jira.lastResponse?.body).toBe(204);
    expect(keys.requests).toBeGreaterThan(fetchesBefore);
    const stored = await aceApp.addon.settings.get<ace.ClientInfo>('clientInfo', jira.clientKey);
    expect(stored.sharedSecret).toBe(jira.sharedSecret);
  });

  it('delivers a user_created webhook that ACE authenticates and hands to the app', async () => {
    await jira.install(aceApp.url);
    const user = { accountId: '712020:dddd-4444', displayName: 'Katherine Johnson' };
    const { status } = await jira.sendUserCreated(aceApp.url, '/webhooks/user-created', user);
    expect(status, jira.lastResponse?.body).toBe(204);
    expect(last(aceApp.webhooks)).toMatchObject({ webhookEvent: 'user_created', user: { accountId: user.accountId } });
  });

  it('has a webhook signed with a wrong secret refused by ACE', async () => {
    await jira.install(aceApp.url);
    const user = { accountId: '712020:eeee-5555', displayName: 'Mallory' };
    const { status } = await jira.sendUserCreated(aceApp.url, '/webhooks/user-created', user, {
      secret: 'not-the-shared-secret-at-all-000000',
    });
    expect(status).toBe(400);
  });

  it('has a context token accepted by checkValidToken and refused by authenticate', async () => {
    await jira.install(aceApp.url);
    const token = jira.contextToken('712020:admin');
    const accepted = await getWithJwt('/api/me', token);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ clientKey: jira.clientKey, accountId: '712020:admin' });
    expect((await getWithJwt('/page', token)).status).toBe(401);
  });

  it('has an expired context token refused by checkValidToken', async () => {
    await jira.install(aceApp.url);
    const response = await getWithJwt('/api/me', jira.contextToken('712020:admin', { expiresInSeconds: -60 }));
    expect(response.status).toBe(401);
  });

  it('has a page request signed for its own URL accepted by authenticate', async () => {
    await jira.install(aceApp.url);
    const response = await getWithJwt('/page?lic=none', jira.signRequest('GET', '/page?lic=none', { accountId: '712020:admin' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ clientKey: jira.clientKey, accountId: '712020:admin' });
  });

  it('uninstalls through authenticateInstall', async () => {
    await jira.install(aceApp.url);
    expect(await jira.uninstall(aceApp.url), jira.lastResponse?.body).toBe(204);
  });
});
