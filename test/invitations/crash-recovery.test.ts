import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { AppProcess } from '../support/app-process.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const USERS = 30;
/** A dead worker's jobs are handed out again after 2 s, checked every second. */
const QUEUE_SETTINGS = { JOB_EXPIRE_SECONDS: '2', QUEUE_MAINTENANCE_SECONDS: '1', QUEUE_POLL_SECONDS: '0.5' };

describe('a worker that crashes in the middle of sending invitations', () => {
  let harness: Harness;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    // This instance takes webhooks only; the invitations are sent by worker processes. Every
    // instance gets the same queue settings, as in a deployment: a job keeps the expiry its
    // queue had when the job was created.
    harness = await startHarness({ app: { workers: false }, env: QUEUE_SETTINGS });
    await linkWorkspace(harness, ['developers', 'qa']);
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await harness?.stop();
  });

  const workerEnv = () => ({
    NODE_ENV: 'test',
    SANDBOX: 'off',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_URL: harness.databaseUrl,
    APP_SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    BITBUCKET_API_URL: harness.bitbucket.apiUrl,
    BITBUCKET_OAUTH_TOKEN_URL: harness.bitbucket.oauthTokenUrl,
    // Slow enough that the kill lands mid-drain.
    BITBUCKET_INVITATIONS_PER_MINUTE: '900',
    ...QUEUE_SETTINGS,
  });

  it('loses no invitation, and sends again only what the dead worker was sending, once a new worker takes over', { timeout: 240_000 }, async () => {
    for (let i = 0; i < USERS; i++) {
      const user = { accountId: `crash-${i}`, displayName: `Crash ${i}`, emailAddress: `crash${i}@example.com`, emailVisible: true };
      expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    }

    const first = new AppProcess(workerEnv());
    workers.push(first);
    await first.start();
    await eventually(async () => harness.bitbucket.invitations('acme').length >= 10, 20_000, 'the first invitations');
    await first.kill();
    const sentBeforeCrash = harness.bitbucket.invitations('acme').length;
    expect(sentBeforeCrash).toBeLessThan(USERS * 2);
    // What the dead worker held: the only invitations Bitbucket may have accepted without the app
    // recording it. Nothing changes them until their leases run out.
    const inFlight = await withClient(harness.databaseUrl, (c) =>
      c.query<{ email: string; group_slug: string }>("SELECT email, group_slug FROM invitations WHERE status = 'queued' AND lease_owner IS NOT NULL"),
    ).then((r) => new Set(r.rows.map((row) => `${row.email}/${row.group_slug}`)));

    const second = new AppProcess(workerEnv());
    workers.push(second);
    await second.start();
    const rows = await eventually(
      async () => {
        const found = await withClient(harness.databaseUrl, (c) => c.query<{ status: string }>('SELECT status FROM invitations'));
        return found.rows.length === USERS * 2 && found.rows.every((r) => r.status !== 'queued') ? found.rows : undefined;
      },
      // Generous: the dead worker's leases last a minute, and on a loaded machine the new worker's
      // start and the queue's retry delays add up.
      150_000,
      'every invitation to settle',
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await queueState(harness.databaseUrl)}\nworker output:\n${second.output.join('').slice(-3000)}`);
    });

    expect(rows.every((r) => r.status === 'sent' || r.status === 'already-invited')).toBe(true);
    const accepted = harness.bitbucket.received.filter((r) => r.method === 'PUT' && r.status === 200);
    const keys = accepted.map((r) => JSON.stringify(r.body));
    expect(new Set(keys).size).toBe(USERS * 2);
    expect(accepted).toHaveLength(USERS * 2);
    expect(harness.bitbucket.invitations('acme')).toHaveLength(USERS * 2);

    // Every request Bitbucket received for an invitation it had already accepted. A SIGKILL between
    // Bitbucket's answer and the app's commit cannot be told from one before the call, so such an
    // invitation is sent once more (Bitbucket's 409 makes it "already invited"). Nothing else is.
    const repeats = harness.bitbucket.repeatedInvitations('acme');
    const repeated = repeats.map((r) => `${r.email}/${r.groupSlug}`);
    expect(repeated.filter((key) => !inFlight.has(key))).toEqual([]);
    expect(new Set(repeated).size).toBe(repeated.length);
    expect(repeats.every((r) => r.status === 409)).toBe(true);
  });
});

/** What is still open, for the failure message: the invitations, the new users and their jobs. */
async function queueState(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (c) => {
    const users = await c.query('SELECT count(*) FILTER (WHERE planned_at IS NULL) AS unplanned, count(*) AS total FROM new_users');
    const open = await c.query(
      `SELECT i.status, i.attempts, i.reason, i.next_attempt_at, j.state, j.retry_count, j.start_after, j.started_on
       FROM invitations i LEFT JOIN pgboss.job j ON j.id = i.job_id WHERE i.status = 'queued'`,
    );
    const jobs = await c.query('SELECT name, state, count(*) FROM pgboss.job GROUP BY name, state ORDER BY name, state');
    return JSON.stringify({ users: users.rows, open: open.rows, jobs: jobs.rows }, null, 1);
  });
}
