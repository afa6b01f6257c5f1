import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { AppProcess } from '../support/app-process.js';
import { BitbucketSimulator } from '../support/simulators/bitbucket-simulator.js';
import { ConnectInstallKeyServer } from '../support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { ADMIN, APP_KEY, APP_SECRET_KEY, eventually, OAUTH, WORKSPACE } from '../support/test-app.js';
import { createTestDatabase, withClient } from '../support/test-database.js';

/*
 * SIGTERM, as a container platform sends it, to the app as a process of its own: it stops taking
 * connections at once, lets the request and the delivery under way finish, and exits 0; a job
 * still running when the grace is over goes back to the queue instead of being lost.
 */

describe('a graceful stop on SIGTERM', () => {
  const keys = new ConnectInstallKeyServer();
  const bitbucket = new BitbucketSimulator();
  const site = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  let database: { url: string; drop: () => Promise<void> };
  let linkedAccountId = '';
  const processes: AppProcess[] = [];

  const start = async (graceSeconds: number) => {
    const app = new AppProcess({
      NODE_ENV: 'test',
      SANDBOX: 'off',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: database.url,
      APP_SECRET_KEY,
      CONNECT_KEYS_CDN_URL: keys.url,
      BITBUCKET_API_URL: bitbucket.apiUrl,
      BITBUCKET_OAUTH_TOKEN_URL: bitbucket.oauthTokenUrl,
      QUEUE_POLL_SECONDS: '0.5',
      SHUTDOWN_GRACE_SECONDS: String(graceSeconds),
    });
    processes.push(app);
    await app.start();
    return app;
  };
  const api = (app: AppProcess, method: string, apiPath: string, body?: unknown) =>
    fetch(`${app.baseUrl}${apiPath}`, {
      method,
      headers: { Authorization: `JWT ${site.contextToken(ADMIN.accountId)}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const newUser = (app: AppProcess, n: number) =>
    site.sendUserCreated(app.baseUrl, USER_CREATED_PATH, {
      accountId: `stopping-${n}`,
      displayName: `Stopping ${n}`,
      emailAddress: `stopping${n}@example.com`,
      emailVisible: true,
    });
  const jobOf = async (accountId: string) =>
    withClient(database.url, async (client) => {
      const { rows } = await client.query(
        `SELECT i.status, j.state, j.output FROM invitations i JOIN pgboss.job j ON j.data->>'invitationId' = i.id::text
         WHERE i.account_id = $1 ORDER BY j.created_on DESC LIMIT 1`,
        [accountId],
      );
      return rows[0] as { status: string; state: string; output: unknown } | undefined;
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    await keys.start();
    await bitbucket.start();
    bitbucket.addWorkspace(structuredClone(WORKSPACE));
    await site.start();
    site.addUser(ADMIN);
  });
  afterAll(async () => {
    for (const app of processes) await app.kill();
    await Promise.all([site.stop(), bitbucket.stop(), keys.stop()]);
    await database?.drop();
  });

  it('refuses new connections at once, finishes the request and the delivery under way, and exits 0', { timeout: 60_000 }, async () => {
    const app = await start(10);
    expect(await site.install(app.baseUrl)).toBe(204);
    const linked = (await (await api(app, 'POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: OAUTH })).json()) as {
      linkedAccount: { id: string };
    };
    linkedAccountId = linked.linkedAccount.id;
    expect((await api(app, 'PUT', `/api/linked-accounts/${linkedAccountId}/default-groups`, { groups: ['developers'] })).status).toBe(200);

    // A delivery waiting for Bitbucket, and an admin's request waiting for it too.
    const invitations = bitbucket.hold('invitations', WORKSPACE.slug);
    expect((await newUser(app, 1)).status).toBe(204);
    await invitations.arrived;
    const groups = bitbucket.hold('groups', WORKSPACE.slug);
    const refresh = api(app, 'POST', `/api/linked-accounts/${linkedAccountId}/refresh-groups`);
    await groups.arrived;

    process.kill(app.pid!, 'SIGTERM');
    await eventually(
      async () =>
        fetch(`${app.baseUrl}/healthz`).then(
          () => false,
          () => true,
        ),
      5_000,
      'new connections to be refused',
    );

    groups.release();
    expect((await refresh).status).toBe(200);
    invitations.release();
    expect(await app.exit(10_000)).toBe(0);

    expect(await jobOf('stopping-1')).toMatchObject({ status: 'sent', state: 'completed' });
    expect(app.output.join('')).toMatch(/"graceful":true,"msg":"app stopped"/);
  });

  it('hands a job still running when the grace is over back to the queue, and still exits 0', { timeout: 60_000 }, async () => {
    const app = await start(1);
    const invitations = bitbucket.hold('invitations', WORKSPACE.slug);
    expect((await newUser(app, 2)).status).toBe(204);
    await invitations.arrived;

    const signalled = Date.now();
    process.kill(app.pid!, 'SIGTERM');
    expect(await app.exit(10_000)).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(6_000);
    invitations.release();

    // Failed by the stop, so the queue runs it again (here or on another instance); the invitation waits for it.
    expect(await jobOf('stopping-2')).toMatchObject({ status: 'queued', state: 'retry', output: { value: 'pg-boss shut down while active' } });
  });
});
