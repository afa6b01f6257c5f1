import PgBoss from 'pg-boss';
import type { Transaction } from 'sequelize';
import type { Logger } from '../logger.js';
import { NO_METRICS, type AppMetrics, type QueueStats } from '../observability/metrics.js';
import { JOB_WAKE_CHANNEL, JobWakeListener, NOTIFY_SQL } from './job-wake.js';

export const JOBS = {
  /** Decide which invitations a new Jira user gets. */
  planInvitations: 'plan-invitations',
  /** Send one invitation to Bitbucket. */
  deliverInvitation: 'deliver-invitation',
  /** Offboarding: plan the removals of users Jira deleted or deactivated. */
  planRemovals: 'plan-removals',
  /** Offboarding: take one user out of one group the app added them to. */
  removeMember: 'remove-member',
  /** Offboarding: one reconciliation run of a site's users against Jira. */
  checkUsers: 'check-users',
  /** Count or invite one page of a site's existing users (a backfill), on its own queue and workers. */
  backfillStep: 'backfill-step',
} as const;

export type JobName = (typeof JOBS)[keyof typeof JOBS];

/** pg-boss's tables live in this schema. */
const SCHEMA = 'pgboss';

/**
 * How often pg-boss retries a job that throws, per queue. Delivery handles every failure it
 * expects itself (rescheduling, counting attempts); what still throws is unexpected, and after a
 * few quick retries the invitation sweep takes over, counting an attempt each time.
 */
const RETRIES: Record<JobName, { retryLimit: number; retryDelay: number }> = {
  [JOBS.planInvitations]: { retryLimit: 20, retryDelay: 5 },
  [JOBS.deliverInvitation]: { retryLimit: 3, retryDelay: 5 },
  [JOBS.planRemovals]: { retryLimit: 20, retryDelay: 5 },
  [JOBS.removeMember]: { retryLimit: 3, retryDelay: 5 },
  [JOBS.checkUsers]: { retryLimit: 5, retryDelay: 10 },
  [JOBS.backfillStep]: { retryLimit: 5, retryDelay: 5 },
};

/**
 * SQL that is true when `jobIdSql` names a job of `name` that pg-boss will still run (created,
 * waiting for a retry, or active). Completed, failed and cancelled jobs are not, nor are jobs
 * pg-boss has archived or deleted.
 */
export function liveJobSql(name: JobName, jobIdSql: string): string {
  return `EXISTS (SELECT 1 FROM ${SCHEMA}.job j WHERE j.name = '${name}' AND j.id = ${jobIdSql} AND j.state < 'completed')`;
}

/**
 * SQL for an array of the ids that `candidatesSql` (a SELECT of one text column) returns and that
 * no job of `name` still to run lists in its `field` array: what a sweep hands to a new job.
 * PostgreSQL computes it once per statement, as one hashed set difference, whatever its
 * statistics say. Searching each job's array for each candidate instead (`?`, or an anti-join
 * the planner makes a nested loop when a burst has outrun its statistics) took from 9 s to
 * minutes on a backlog of 20,000 new users in 800 live planning jobs, on a core of PostgreSQL the
 * workers needed; this takes about 60 ms.
 */
export function unlistedIdsSql(name: JobName, field: string, candidatesSql: string): string {
  return `ARRAY(${candidatesSql}
    EXCEPT SELECT listed.id FROM ${SCHEMA}.job j CROSS JOIN LATERAL jsonb_array_elements_text(j.data -> '${field}') listed(id)
    WHERE j.name = '${name}' AND j.state < 'completed')`;
}

/**
 * A data-modifying statement, for a `WITH` clause, that enqueues one job of `name` whose data is
 * `dataSql` when `conditionSql` holds, and wakes every instance's workers once the statement
 * commits. It writes the row pg-boss's send() writes for a job of that queue with no options
 * (pg-boss 10, schema 24: the queue's own expiry, retention and retries;
 * test/jobs/enqueue-sql.test.ts compares the two). A statement that records rows and enqueues
 * their job this way needs no transaction and no round trip besides its own, which is what
 * the webhook's hot path is made of. It returns the job's `id`.
 */
export function enqueueSql(name: JobName, dataSql: string, conditionSql: string): string {
  return `INSERT INTO ${SCHEMA}.job (name, data, priority, start_after, dead_letter, expire_in, keep_until, retry_limit, retry_delay, retry_backoff, policy)
    SELECT q.name, ${dataSql}, 0, now(), q.dead_letter,
      COALESCE(q.expire_seconds * interval '1s', interval '15 minutes'),
      now() + CAST(COALESCE((q.retention_minutes * 60)::text, '14 days') AS interval),
      COALESCE(q.retry_limit, 2),
      CASE WHEN COALESCE(q.retry_backoff, false) THEN GREATEST(q.retry_delay, 1) ELSE COALESCE(q.retry_delay, 0) END,
      COALESCE(q.retry_backoff, false),
      q.policy
    FROM ${SCHEMA}.queue q
    WHERE q.name = '${name}' AND (${conditionSql})
    RETURNING id, pg_notify('${JOB_WAKE_CHANNEL}', name)`;
}

export type JobQueueOptions = {
  databaseUrl: string;
  jobExpireSeconds: number;
  maintenanceSeconds: number;
  pollSeconds: number;
};

export type Job<T> = { id: string; data: T };

/** A job's handler gets the job and a logger whose lines name the job; it may add what it learns (setBindings). */
export type JobHandler<T> = (job: Job<T>, log: Logger) => Promise<void>;

/**
 * pg-boss behind the few operations the app needs. Jobs are only ever created inside the
 * transaction that writes the rows they act on, so a crash can never leave a row without
 * the job that finishes it (nor a job without its row).
 */
export class JobQueue {
  readonly #boss: PgBoss;
  readonly #workers = new Map<JobName, string[]>();
  readonly #repeating: { timer: NodeJS.Timeout; running: () => Promise<void> | null }[] = [];
  /** Listens for jobs any instance commits, once this instance runs workers. */
  #wakeListener: JobWakeListener | null = null;
  /** The queues each open transaction has already announced (one NOTIFY per queue and transaction). */
  readonly #announced = new WeakMap<Transaction, Set<JobName>>();

  constructor(
    private readonly options: JobQueueOptions,
    private readonly log: Logger,
    private readonly metrics: AppMetrics = NO_METRICS,
  ) {
    this.#boss = new PgBoss({
      connectionString: options.databaseUrl,
      schema: SCHEMA,
      max: 4,
      maintenanceIntervalSeconds: options.maintenanceSeconds,
    });
    // pg errors carry their whole client; log what helps, not that.
    this.#boss.on('error', (error: Error & { code?: string }) => this.log.error({ error: error.message, code: error.code }, 'job queue error'));
  }

  async start(): Promise<void> {
    await this.#boss.start();
    for (const name of Object.values(JOBS)) {
      const queueOptions = {
        name,
        // A worker that dies mid-job leaves it active; after this long pg-boss hands it out again.
        expireInSeconds: this.options.jobExpireSeconds,
        ...RETRIES[name],
        retryBackoff: true,
      };
      await this.#boss.createQueue(name, queueOptions);
      await this.#boss.updateQueue(name, queueOptions);
    }
  }

  /**
   * Enqueue within `transaction`: the job exists if and only if the transaction commits. A job due
   * now also NOTIFYs in the same transaction, so that when it commits, the workers of every
   * instance fetch it at once rather than at their next poll (a web-only instance's new user
   * reaches a worker elsewhere in milliseconds). `priority`: higher is fetched first (default 0);
   * a backfill's deliveries go after new users'.
   */
  async send(
    name: JobName,
    data: object,
    transaction: Transaction,
    options: { startAfter?: Date; id?: string; priority?: number } = {},
  ): Promise<string> {
    const db = transactionDb(transaction);
    const id = await this.#boss.send(name, data, {
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
      ...(options.id ? { id: options.id } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      db,
    } as PgBoss.SendOptions);
    if (!id) throw new Error(`The job queue refused a ${name} job`);
    const dueNow = !options.startAfter || options.startAfter.getTime() <= Date.now();
    let announced = this.#announced.get(transaction);
    if (dueNow && !announced?.has(name)) {
      await db.executeSql(NOTIFY_SQL, [name]);
      if (!announced) this.#announced.set(transaction, (announced = new Set()));
      announced.add(name);
    }
    return id;
  }

  /** Wake this instance's workers now instead of at their next poll; `*` wakes every queue's. */
  nudge(name: JobName | '*'): void {
    const ids = name === '*' ? [...this.#workers.values()].flat() : (this.#workers.get(name) ?? []);
    for (const id of ids) this.#boss.notifyWorker(id);
  }

  async work<T extends object>(name: JobName, options: { batchSize: number; loops?: number }, handler: JobHandler<T>): Promise<void> {
    const ids: string[] = [];
    for (let i = 0; i < (options.loops ?? 1); i++) {
      let id = '';
      id = await this.#boss.work<T>(name, { batchSize: options.batchSize, pollingIntervalSeconds: this.options.pollSeconds }, async (jobs) => {
        // One failing job must not fail its batch-mates: settle each on its own.
        const results = await Promise.allSettled(jobs.map((job) => this.#run(name, { id: job.id, data: job.data }, handler)));
        const failed = jobs.filter((_, index) => results[index]!.status === 'rejected');
        // pg-boss completes the whole batch once this resolves; that only touches jobs still
        // active, so the failed ones, moved to retry here, stay failed.
        if (failed.length > 0)
          await this.#boss.fail(
            name,
            failed.map((job) => job.id),
          );
        // A full batch means more is probably waiting: fetch again now rather than after the poll interval.
        if (jobs.length === options.batchSize) this.#boss.notifyWorker(id);
      });
      ids.push(id);
    }
    this.#workers.set(name, ids);
    if (!this.#wakeListener) {
      this.#wakeListener = new JobWakeListener(
        this.options.databaseUrl,
        (queue) => {
          if (queue === '*' || this.#workers.has(queue as JobName)) this.nudge(queue as JobName | '*');
        },
        this.log,
      );
      await this.#wakeListener.start();
    }
  }

  /** One job, timed and counted, with a logger of its own; rejects when the job fails. */
  async #run<T>(name: JobName, job: Job<T>, handler: JobHandler<T>): Promise<void> {
    const log = this.log.child({ job: name, jobId: job.id });
    const started = performance.now();
    try {
      await handler(job, log);
      this.metrics.job(name, 'completed', (performance.now() - started) / 1000);
    } catch (error) {
      this.metrics.job(name, 'failed', (performance.now() - started) / 1000);
      log.warn({ error: describe(error) }, 'job failed; the queue will retry it');
      throw error;
    }
  }

  /**
   * Per queue: jobs due now (waiting for a worker), scheduled for later (retries, rate-limit waits)
   * and active, and how long the oldest due job has waited. Read on the queue's own connections.
   */
  async stats(): Promise<QueueStats[]> {
    const result = await this.#boss.getDb().executeSql(
      `SELECT name,
         count(*) FILTER (WHERE state < 'active' AND start_after <= now()) AS due,
         count(*) FILTER (WHERE state < 'active' AND start_after > now()) AS scheduled,
         count(*) FILTER (WHERE state = 'active') AS active,
         EXTRACT(EPOCH FROM now() - min(start_after) FILTER (WHERE state < 'active' AND start_after <= now())) AS oldest_due_seconds
       FROM ${SCHEMA}.job WHERE name = ANY($1) AND state < 'completed' GROUP BY name`,
      [Object.values(JOBS)],
    );
    if (!result) throw new Error('The job queue is stopped.');
    const rows = result.rows as { name: string; due: string; scheduled: string; active: string; oldest_due_seconds: string | null }[];
    return Object.values(JOBS).map((queue) => {
      const row = rows.find((r) => r.name === queue);
      return {
        queue,
        due: Number(row?.due ?? 0),
        scheduled: Number(row?.scheduled ?? 0),
        active: Number(row?.active ?? 0),
        oldestDueSeconds: row?.oldest_due_seconds ? Number(row.oldest_due_seconds) : null,
      };
    });
  }

  /** Resolves when the queue runs and reaches its tables; the readiness probe's question. */
  async check(): Promise<void> {
    const result = await this.#boss.getDb().executeSql(`SELECT version FROM ${SCHEMA}.version`, []);
    if (!result) throw new Error('The job queue is stopped.');
  }

  /**
   * Runs `task` on this instance every maintenance interval (when pg-boss also fails the jobs of
   * dead workers), until stop(). A run still going when the next is due makes that one skip.
   */
  repeatWithMaintenance(what: string, task: () => Promise<number>): void {
    let running: Promise<void> | null = null;
    const timer = setInterval(() => {
      if (running) return;
      running = task()
        .then((count) => {
          if (count > 0) this.log.info({ task: what, count }, 'periodic task acted');
        })
        .catch((error: unknown) => this.log.error({ task: what, error: describe(error) }, 'periodic task failed'))
        .finally(() => (running = null));
    }, this.options.maintenanceSeconds * 1000);
    timer.unref();
    this.#repeating.push({ timer, running: () => running });
  }

  /**
   * Stops fetching jobs. Graceful: running jobs get up to `timeoutMs` to end, and those still
   * running then are handed back (failed, so the queue retries them on another instance or after
   * a restart). Not graceful: they are handed back at once.
   */
  async stop(options: { graceful: boolean; timeoutMs?: number } = { graceful: true }): Promise<void> {
    await this.#wakeListener?.stop();
    this.#wakeListener = null;
    const repeating = this.#repeating.splice(0);
    for (const { timer } of repeating) clearInterval(timer);
    await Promise.all(repeating.map(({ running }) => running() ?? Promise.resolve()));
    await this.#boss.stop({ graceful: options.graceful, wait: true, timeout: options.timeoutMs ?? 10_000 });
  }
}

/** pg-boss runs its SQL on the connection of a Sequelize transaction, so the job commits with the rows. */
function transactionDb(transaction: Transaction) {
  const connection = (transaction as unknown as { connection: { query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }> } })
    .connection;
  return { executeSql: (text: string, values: unknown[]) => connection.query(text, values) };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
