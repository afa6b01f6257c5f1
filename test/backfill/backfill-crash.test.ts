import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppProcess } from '../support/app-process.js';
import { APP_SECRET_KEY, eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const USERS = 120;
/** A dead worker's jobs are handed out again after 2 s, checked every second. */
const QUEUE_SETTINGS = { JOB_EXPIRE_SECONDS: '2', QUEUE_MAINTENANCE_SECONDS: '1', QUEUE_POLL_SECONDS: '0.5' };
const BACKFILL_SETTINGS = { BACKFILL_PAGE_SIZE: '10', BACKFILL_RETRY_SECONDS: '0.2', BACKFILL_CONFIRM_THRESHOLD: '1000' };

describe('a worker killed in the middle of a backfill', () => {
  let harness: Harness;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    // This instance serves the API only; the backfill runs in worker processes, as in a deployment.
    harness = await startHarness({ app: { workers: false }, env: { ...QUEUE_SETTINGS, ...BACKFILL_SETTINGS } });
    for (let i = 0; i < USERS; i++) {
      harness.site.addUser({
        accountId: `existing-${i}`,
        displayName: `Existing ${i}`,
        emailAddress: `existing${i}@example.com`,
        emailVisible: true,
      });
    }
    await linkWorkspace(harness, ['developers']);
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
    APP_SECRET_KEY,
    BITBUCKET_API_URL: harness.bitbucket.apiUrl,
    BITBUCKET_OAUTH_TOKEN_URL: harness.bitbucket.oauthTokenUrl,
    // Slow enough that the kill lands mid-backfill: each page's invitations are sent before the next page is read.
    BITBUCKET_INVITATIONS_PER_MINUTE: '900',
    ...QUEUE_SETTINGS,
    ...BACKFILL_SETTINGS,
  });

  it('resumes where it stopped once another worker takes over, and invites every existing user once', { timeout: 240_000 }, async () => {
    const accountId = (await harness.api('GET', '/api/linked-accounts')).body.linkedAccounts[0].id as string;
    const started = await harness.api('POST', `/api/linked-accounts/${accountId}/backfills`);
    expect(started.status).toBe(201);
    const id = started.body.backfill.id as string;

    const first = new AppProcess(workerEnv());
    workers.push(first);
    await first.start();
    const created = async () => (await harness.api('GET', `/api/backfills/${id}`)).body.backfill;
    await eventually(async () => (await created()).invitationsCreated >= 30 || undefined, 60_000, 'three pages invited');
    await first.kill();
    const atCrash = await created();
    expect(atCrash.status).toBe('running');
    expect(atCrash.invitationsCreated).toBeLessThan(USERS + 2);

    const second = new AppProcess(workerEnv());
    workers.push(second);
    await second.start();
    const done = await eventually(
      async () => {
        const backfill = await created();
        return backfill.status === 'completed' && backfill.invitations.queued === 0 ? backfill : undefined;
      },
      // Generous: the dead worker's delivery leases last a minute, and the next page waits for them.
      180_000,
      'the backfill to complete',
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${JSON.stringify(await created())}\nworker output:\n${second.output.join('').slice(-3000)}`);
    });

    // The harness's admin and user are existing users too.
    expect(done.invitationsCreated).toBe(USERS + 2);
    expect(done.invitations.sent).toBe(USERS + 2);
    const rows = await withClient(harness.databaseUrl, (c) => c.query('SELECT account_id, group_slug FROM invitations'));
    expect(rows.rows).toHaveLength(USERS + 2);
    const accepted = harness.bitbucket.received.filter((r) => r.method === 'PUT' && r.status === 200);
    expect(accepted).toHaveLength(USERS + 2);
    expect(new Set(accepted.map((r) => JSON.stringify(r.body))).size).toBe(USERS + 2);
    // Only what the dead worker was sending can be sent again, and Bitbucket's 409 makes that "already invited".
    expect(harness.bitbucket.repeatedInvitations('acme').every((r) => r.status === 409)).toBe(true);
  });
});
