import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { AppProcess } from '../support/app-process.js';
import { APP_SECRET_KEY, eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

/**
 * Workers that poll once an hour: an invitation that arrives within the test's wait reached the
 * worker because the web instance's commit woke it (LISTEN/NOTIFY), not because it polled.
 */
const QUEUE_SETTINGS = { QUEUE_POLL_SECONDS: '3600', QUEUE_MAINTENANCE_SECONDS: '3600' };
const WAIT_MS = 20_000;

describe('a new user recorded on a web-only instance', () => {
  let harness: Harness;
  let worker: AppProcess;

  beforeAll(async () => {
    harness = await startHarness({ app: { workers: false }, env: QUEUE_SETTINGS });
    await linkWorkspace(harness, ['developers', 'qa']);
    worker = new AppProcess({
      NODE_ENV: 'test',
      SANDBOX: 'off',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: harness.databaseUrl,
      APP_SECRET_KEY,
      BITBUCKET_API_URL: harness.bitbucket.apiUrl,
      BITBUCKET_OAUTH_TOKEN_URL: harness.bitbucket.oauthTokenUrl,
      RUN_WORKERS: 'on',
      ...QUEUE_SETTINGS,
    });
    // Started before any user exists: its one poll at start finds nothing, the next is an hour away.
    await worker.start();
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await harness?.stop();
  });

  const sendUser = async (name: string) => {
    const user = { accountId: `wake-${name}`, displayName: `Wake ${name}`, emailAddress: `${name}@example.com`, emailVisible: true };
    expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
  };
  const invited = (email: string) => () =>
    Promise.resolve(harness.bitbucket.invitations('acme').filter((invitation) => invitation.email === email).length === 2);

  it('is invited by a worker on another instance without waiting for its poll', { timeout: 60_000 }, async () => {
    await sendUser('first');
    await eventually(invited('first@example.com'), WAIT_MS, 'both invitations of the first user');
    // And the next one too: the wake-up is not a one-off of the worker's start.
    await sendUser('second');
    await eventually(invited('second@example.com'), WAIT_MS, 'both invitations of the second user');
    const { rows } = await withClient(harness.databaseUrl, (c) =>
      c.query<{ status: string }>("SELECT status FROM invitations WHERE account_id IN ('wake-first', 'wake-second')"),
    );
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
  });

  it('still wakes the worker after its listening connection was cut', { timeout: 60_000 }, async () => {
    const cut = await withClient(harness.databaseUrl, (c) =>
      c.query<{ terminated: boolean }>(
        "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = 'ati-job-wake' AND datname = current_database()",
      ),
    );
    expect(cut.rows.map((r) => r.terminated)).toEqual([true]);
    // The worker listens again on a new connection (it backs off half a second first).
    await eventually(
      async () => {
        const { rows } = await withClient(harness.databaseUrl, (c) =>
          c.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'ati-job-wake' AND datname = current_database() AND query LIKE 'LISTEN%'"),
        );
        return rows.length === 1;
      },
      WAIT_MS,
      'the worker to listen again',
    );
    await sendUser('third');
    await eventually(invited('third@example.com'), WAIT_MS, 'both invitations of the third user');
  });
});
