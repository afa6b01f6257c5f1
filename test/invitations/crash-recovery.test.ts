import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { AppProcess } from '../support/app-process.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const USERS = 30;

describe('a worker that crashes in the middle of sending invitations', () => {
  let harness: Harness;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    // This instance takes webhooks only; the invitations are sent by worker processes.
    harness = await startHarness({ app: { workers: false } });
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
    JOB_EXPIRE_SECONDS: '2',
    QUEUE_MAINTENANCE_SECONDS: '1',
    QUEUE_POLL_SECONDS: '0.5',
  });

  it('loses no invitation and sends none twice once a new worker takes over', { timeout: 150_000 }, async () => {
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

    const second = new AppProcess(workerEnv());
    workers.push(second);
    await second.start();
    const rows = await eventually(
      async () => {
        const found = await withClient(harness.databaseUrl, (c) => c.query<{ status: string }>('SELECT status FROM invitations'));
        return found.rows.length === USERS * 2 && found.rows.every((r) => r.status !== 'queued') ? found.rows : undefined;
      },
      // Generous: on a loaded machine the new worker's start and the queue's retry delays add up.
      90_000,
      'every invitation to settle',
    );

    expect(rows.every((r) => r.status === 'sent' || r.status === 'already-invited')).toBe(true);
    const accepted = harness.bitbucket.received.filter((r) => r.method === 'PUT' && r.status === 200);
    const keys = accepted.map((r) => JSON.stringify(r.body));
    expect(new Set(keys).size).toBe(USERS * 2);
    expect(accepted).toHaveLength(USERS * 2);
    expect(harness.bitbucket.invitations('acme')).toHaveLength(USERS * 2);
  });
});
