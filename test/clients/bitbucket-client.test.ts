import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BitbucketClient, type BitbucketClientOptions } from '../../src/clients/bitbucket/bitbucket-client.js';
import { TargetError } from '../../src/domain/errors.js';
import type { BitbucketCredentials } from '../../src/domain/model.js';
import { ADMIN_MANAGED_MESSAGE, BitbucketSimulator } from '../support/simulators/bitbucket-simulator.js';

const CONSUMER_SECRET = 'consumer-secret-9f2b7c1d';
const API_TOKEN = 'ATATT-api-token-4e8a0b63';

const consumer: BitbucketCredentials = { type: 'oauth-consumer', key: 'acme-key', secret: CONSUMER_SECRET };
const apiToken: BitbucketCredentials = { type: 'api-token', email: 'admin@acme.test', token: API_TOKEN };
const readOnlyConsumer: BitbucketCredentials = { type: 'oauth-consumer', key: 'acme-readonly', secret: 'readonly-secret-77aa' };
const otherConsumer: BitbucketCredentials = { type: 'oauth-consumer', key: 'globex-key', secret: 'globex-secret-31cd' };
const managedConsumer: BitbucketCredentials = { type: 'oauth-consumer', key: 'initech-key', secret: 'initech-secret-08ee' };

const simulator = new BitbucketSimulator();

function newClient(options: Partial<BitbucketClientOptions> = {}): BitbucketClient {
  return new BitbucketClient({ apiUrl: simulator.apiUrl, oauthTokenUrl: simulator.oauthTokenUrl, ...options });
}

function tokenRequests(): number {
  return simulator.received.filter((r) => r.path === '/site/oauth2/access_token').length;
}

async function failure(promise: Promise<unknown>): Promise<TargetError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TargetError);
  return error as TargetError;
}

beforeAll(async () => {
  await simulator.start();
  simulator.addWorkspace({
    slug: 'acme',
    groups: [
      { slug: 'developers', name: 'Developers' },
      { slug: 'administrators', name: 'Administrators' },
      { slug: 'contractors', name: 'Contractors' },
    ],
    oauthConsumers: [
      { key: 'acme-key', secret: CONSUMER_SECRET },
      { key: 'acme-readonly', secret: 'readonly-secret-77aa', admin: false },
    ],
    apiTokens: [{ email: 'admin@acme.test', token: API_TOKEN }],
  });
  simulator.addWorkspace({ slug: 'globex', groups: [], oauthConsumers: [{ key: 'globex-key', secret: 'globex-secret-31cd' }] });
  simulator.addWorkspace({
    slug: 'initech',
    groups: [{ slug: 'developers', name: 'Developers' }],
    oauthConsumers: [{ key: 'initech-key', secret: 'initech-secret-08ee' }],
    adminManaged: true,
  });
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(() => {
  simulator.reset();
});

describe('BitbucketClient listing groups', () => {
  it('lists the groups of a workspace sorted by name with an OAuth consumer', async () => {
    const groups = await newClient().listGroups('acme', consumer);

    expect(groups).toEqual([
      { slug: 'administrators', name: 'Administrators' },
      { slug: 'contractors', name: 'Contractors' },
      { slug: 'developers', name: 'Developers' },
    ]);
  });

  it('lists the groups of a workspace with an Atlassian API token without calling the token endpoint', async () => {
    const groups = await newClient().listGroups('acme', apiToken);

    expect(groups.map((g) => g.slug)).toEqual(['administrators', 'contractors', 'developers']);
    expect(tokenRequests()).toBe(0);
  });

  it('fetches an OAuth token once and reuses it for later requests', async () => {
    const client = newClient();
    await client.listGroups('acme', consumer);
    await client.listGroups('acme', consumer);
    await client.invite('acme', consumer, 'new.user@example.com', 'developers');

    expect(tokenRequests()).toBe(1);
    expect(simulator.received.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /site/oauth2/access_token 200',
      'GET /1.0/groups/acme 200',
      'GET /1.0/groups/acme 200',
      'PUT /1.0/users/acme/invitations 200',
    ]);
  });

  it('shares one token request between concurrent calls for the same consumer', async () => {
    const client = newClient();
    await Promise.all([client.listGroups('acme', consumer), client.listGroups('acme', consumer), client.listGroups('acme', consumer)]);

    expect(tokenRequests()).toBe(1);
  });

  it('replaces a cached token that Bitbucket refuses and retries the request once', async () => {
    const client = newClient();
    await client.listGroups('acme', consumer);
    simulator.revokeTokens();

    const groups = await client.listGroups('acme', consumer);

    expect(groups).toHaveLength(3);
    expect(simulator.received.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /site/oauth2/access_token 200',
      'GET /1.0/groups/acme 200',
      'GET /1.0/groups/acme 401',
      'POST /site/oauth2/access_token 200',
      'GET /1.0/groups/acme 200',
    ]);
  });

  it('reports credentials-rejected when the consumer secret is wrong, without revealing the secret', async () => {
    const wrongSecret = 'wrong-secret-5d1e9a';
    const error = await failure(newClient().listGroups('acme', { type: 'oauth-consumer', key: 'acme-key', secret: wrongSecret }));

    expect(error.kind).toBe('credentials-rejected');
    expect(error.status).toBe(400);
    expect(error.message).toBe('Bitbucket rejected the OAuth consumer key or secret.');
    expect(error.message).not.toContain(wrongSecret);
  });

  it('reports credentials-rejected when the API token is wrong, without revealing the token', async () => {
    const wrongToken = 'ATATT-wrong-token-c0ffee';
    const error = await failure(newClient().listGroups('acme', { type: 'api-token', email: 'admin@acme.test', token: wrongToken }));

    expect(error.kind).toBe('credentials-rejected');
    expect(error.status).toBe(401);
    expect(error.message).toContain('Invalid credentials');
    expect(error.message).not.toContain(wrongToken);
    expect(error.message).not.toContain(Buffer.from(`admin@acme.test:${wrongToken}`).toString('base64'));
  });

  it('reports forbidden when the credentials lack administrator rights on the workspace', async () => {
    const error = await failure(newClient().listGroups('acme', readOnlyConsumer));

    expect(error.kind).toBe('forbidden');
    expect(error.status).toBe(403);
    expect(error.message).toContain('You must be an administrator of this workspace');
    expect(error.message).not.toContain('readonly-secret-77aa');
  });

  it('reports forbidden when the credentials belong to another workspace', async () => {
    const error = await failure(newClient().listGroups('acme', otherConsumer));

    expect(error.kind).toBe('forbidden');
  });

  it("reports not-found with Bitbucket's own message for a workspace managed in Atlassian Administration", async () => {
    const error = await failure(newClient().listGroups('initech', managedConsumer));

    expect(error.kind).toBe('not-found');
    expect(error.status).toBe(404);
    expect(error.message).toContain(ADMIN_MANAGED_MESSAGE);
    expect(error.retryable).toBe(false);
  });

  it('reports rejected when Bitbucket does not answer with a list', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"values": []}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const error = await failure(new BitbucketClient({ apiUrl: url, oauthTokenUrl: `${url}/token` }).listGroups('acme', apiToken));

      expect(error.kind).toBe('rejected');
    } finally {
      await closeServer(server);
    }
  });
});

describe('BitbucketClient inviting', () => {
  it('sends an invitation and Bitbucket records it', async () => {
    const result = await newClient().invite('acme', consumer, 'new.user@example.com', 'developers');

    expect(result).toBe('sent');
    expect(simulator.invitations('acme')).toEqual([{ email: 'new.user@example.com', groupSlug: 'developers', at: expect.any(Number) }]);
    expect(simulator.received.at(-1)?.body).toEqual({ email: 'new.user@example.com', group_slug: 'developers' });
  });

  it('treats a second invitation of the same address to the same group as already invited', async () => {
    const client = newClient();
    await client.invite('acme', apiToken, 'new.user@example.com', 'developers');

    const result = await client.invite('acme', apiToken, 'new.user@example.com', 'developers');

    expect(result).toBe('already-invited');
    expect(simulator.received.at(-1)?.status).toBe(409);
    expect(simulator.invitations('acme')).toHaveLength(1);
  });

  it('reports not-found for a group the workspace does not have', async () => {
    const error = await failure(newClient().invite('acme', consumer, 'new.user@example.com', 'no-such-group'));

    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('Group no-such-group not found');
  });

  it("reports not-found with Bitbucket's own message when a workspace becomes admin-managed", async () => {
    simulator.setAdminManaged('acme', true);
    try {
      const error = await failure(newClient().invite('acme', consumer, 'new.user@example.com', 'developers'));

      expect(error.kind).toBe('not-found');
      expect(error.message).toContain(ADMIN_MANAGED_MESSAGE);
    } finally {
      simulator.setAdminManaged('acme', false);
    }
  });

  it('reports a 503 from Bitbucket as unavailable and retryable', async () => {
    simulator.failInvitations('acme', { status: 503, count: 1 });

    const error = await failure(newClient().invite('acme', consumer, 'new.user@example.com', 'developers'));

    expect(error.kind).toBe('unavailable');
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBeNull();
    expect(simulator.invitations('acme')).toEqual([]);
  });

  it('reports a 429 with Retry-After 3 as rate-limited for 3000 ms', async () => {
    simulator.failInvitations('acme', { status: 429, count: 1, retryAfterSeconds: 3 });

    const error = await failure(newClient().invite('acme', consumer, 'new.user@example.com', 'developers'));

    expect(error.kind).toBe('rate-limited');
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(3000);
    expect(error.message).not.toContain(CONSUMER_SECRET);
  });

  it('sends the invitation once the injected failures are used up', async () => {
    simulator.failInvitations('acme', { status: 500, count: 2 });
    const client = newClient();

    await failure(client.invite('acme', apiToken, 'new.user@example.com', 'developers'));
    await failure(client.invite('acme', apiToken, 'new.user@example.com', 'developers'));
    const result = await client.invite('acme', apiToken, 'new.user@example.com', 'developers');

    expect(result).toBe('sent');
  });

  it('asks the throttle before every API request and never before the token endpoint', async () => {
    const calls: string[] = [];
    const client = newClient({ throttle: async (workspace, kind) => void calls.push(`${workspace}:${kind}`) });

    await client.listGroups('acme', consumer);
    await client.invite('acme', consumer, 'new.user@example.com', 'developers');

    expect(calls).toEqual(['acme:request', 'acme:invitation']);
    expect(tokenRequests()).toBe(1);
  });
});

describe("BitbucketClient against the simulator's rate limits", () => {
  const limited = new BitbucketSimulator({ invitationsPerSecond: 2 });

  beforeAll(async () => {
    await limited.start();
    limited.addWorkspace({
      slug: 'acme',
      groups: [{ slug: 'developers', name: 'Developers' }],
      apiTokens: [{ email: 'admin@acme.test', token: API_TOKEN }],
    });
  });

  afterAll(async () => {
    await limited.stop();
  });

  it("reports rate-limited with the simulator's Retry-After once the invitation burst is spent", async () => {
    const client = new BitbucketClient({ apiUrl: limited.apiUrl, oauthTokenUrl: limited.oauthTokenUrl });
    await client.invite('acme', apiToken, 'one@example.com', 'developers');
    await client.invite('acme', apiToken, 'two@example.com', 'developers');

    const error = await failure(client.invite('acme', apiToken, 'three@example.com', 'developers'));

    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(limited.rateLimitedCount).toBe(1);
    expect(limited.invitations('acme')).toHaveLength(2);
  });
});

describe('BitbucketClient when Bitbucket cannot be reached', () => {
  it('reports a closed port as unavailable without a status', async () => {
    const gone = new BitbucketSimulator();
    await gone.start();
    const client = new BitbucketClient({ apiUrl: gone.apiUrl, oauthTokenUrl: gone.oauthTokenUrl });
    await gone.stop();

    const error = await failure(client.invite('acme', consumer, 'new.user@example.com', 'developers'));

    expect(error.kind).toBe('unavailable');
    expect(error.status).toBeNull();
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('could not reach Bitbucket');
    expect(error.message).not.toContain(CONSUMER_SECRET);
  });

  it('reports a server that never answers as unavailable after the timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const client = new BitbucketClient({ apiUrl: url, oauthTokenUrl: `${url}/token`, timeoutMs: 200 });

      const error = await failure(client.listGroups('acme', apiToken));

      expect(error.kind).toBe('unavailable');
      expect(error.status).toBeNull();
      expect(error.message).toContain('did not answer within 200 ms');
      expect(error.message).not.toContain(API_TOKEN);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  return closed;
}
