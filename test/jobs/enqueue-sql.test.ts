import pg from 'pg';
import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueSql, JOBS, JobQueue, unlistedIdsSql, type JobName } from '../../src/jobs/job-queue.js';
import { JOB_WAKE_CHANNEL } from '../../src/jobs/job-wake.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, withClient } from '../support/test-database.js';

/** Every column of a job that says how pg-boss will run it; the ids and clocks apart. */
const JOB_SETTINGS = `SELECT name, data, state, priority, retry_limit, retry_count, retry_delay, retry_backoff, singleton_key,
  singleton_on, expire_in, dead_letter, policy, keep_until - start_after AS kept_for,
  start_after <= now() AS due_now, started_on, completed_on, output
  FROM pgboss.job WHERE id = $1`;

/**
 * The webhook's statement enqueues its planning job by writing pg-boss's job row itself. These
 * compare that row with the one pg-boss's own send() writes, queue by queue: an upgrade of
 * pg-boss that changes what a job row holds fails here, not in production.
 */
describe('enqueueing a job inside a statement', () => {
  let database: { url: string; drop: () => Promise<void> };
  let sequelize: Sequelize;
  let queue: JobQueue;

  beforeAll(async () => {
    database = await createTestDatabase();
    sequelize = new Sequelize(database.url, { dialect: 'postgres', logging: false });
    queue = new JobQueue({ databaseUrl: database.url, jobExpireSeconds: 600, maintenanceSeconds: 300, pollSeconds: 60 }, createLogger('silent'));
    await queue.start();
  }, 60_000);
  afterAll(async () => {
    await queue?.stop({ graceful: false });
    await sequelize?.close();
    await database?.drop();
  });

  const enqueueInStatement = (name: JobName, data: object, condition = 'true') =>
    withClient(database.url, async (client) => {
      const { rows } = await client.query<{ id: string }>(`WITH enqueued AS (${enqueueSql(name, '$1::jsonb', condition)}) SELECT id FROM enqueued`, [
        JSON.stringify(data),
      ]);
      return rows.map((row) => row.id);
    });
  const settingsOf = (id: string) => withClient(database.url, async (client) => (await client.query(JOB_SETTINGS, [id])).rows[0]);

  it('runs on the pg-boss schema it was written for', async () => {
    const { rows } = await withClient(database.url, (client) => client.query<{ version: number }>('SELECT version FROM pgboss.version'));
    expect(
      rows.map((row) => row.version),
      'enqueueSql mirrors the job row of pg-boss schema 24: compare it with pg-boss insertJob',
    ).toEqual([24]);
  });

  for (const name of Object.values(JOBS)) {
    it(`writes the job row pg-boss's send() writes (${name})`, async () => {
      const data = { newUserIds: ['a', 'b'], eventIds: { a: 'event-a' } };
      const sent = await sequelize.transaction((transaction) => queue.send(name, data, transaction));
      const [ours] = await enqueueInStatement(name, data);

      const expected = await settingsOf(sent);
      expect(expected).toMatchObject({ name, data, state: 'created', due_now: true });
      expect(await settingsOf(ours!)).toEqual(expected);
    });
  }

  it('enqueues nothing when its condition does not hold', async () => {
    expect(await enqueueInStatement(JOBS.planInvitations, { newUserIds: [] }, 'false')).toEqual([]);
  });

  it('wakes the listeners of every instance when its statement commits, and only then', async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    try {
      const heard: string[] = [];
      listener.on('notification', (message) => heard.push(`${message.channel} ${message.payload}`));
      await listener.query(`LISTEN ${JOB_WAKE_CHANNEL}`);

      await enqueueInStatement(JOBS.planInvitations, { newUserIds: ['c'] }, 'false');
      await withClient(database.url, async (client) => {
        await client.query('BEGIN');
        await client.query(`WITH enqueued AS (${enqueueSql(JOBS.planInvitations, `'{}'::jsonb`, 'true')}) SELECT id FROM enqueued`);
        await client.query('ROLLBACK');
      });
      await enqueueInStatement(JOBS.planInvitations, { newUserIds: ['d'] });
      // A round trip on the listening connection delivers whatever PostgreSQL queued for it before.
      await listener.query('SELECT 1');

      expect(heard).toEqual([`${JOB_WAKE_CHANNEL} ${JOBS.planInvitations}`]);
    } finally {
      await listener.end();
    }
  });

  it('gives a sweep the ids that no job still to run lists, and only those', async () => {
    const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    await enqueueInStatement(JOBS.planInvitations, { newUserIds: [id(1), id(2)] });
    const [ended] = await enqueueInStatement(JOBS.planInvitations, { newUserIds: [id(3)] });
    await withClient(database.url, (client) => client.query("UPDATE pgboss.job SET state = 'failed' WHERE id = $1", [ended]));
    // Another queue's live job lists id 4 under the same field: it plans nothing of these.
    await enqueueInStatement(JOBS.planRemovals, { newUserIds: [id(4)] });

    const candidates = [1, 2, 3, 4, 5].map((n) => `SELECT '${id(n)}'::text`).join(' UNION ALL ');
    const { rows } = await withClient(database.url, (client) =>
      client.query<{ ids: string[] }>(`SELECT ${unlistedIdsSql(JOBS.planInvitations, 'newUserIds', candidates)} AS ids`),
    );

    expect([...rows[0]!.ids].sort()).toEqual([id(3), id(4), id(5)]);
  });
});
