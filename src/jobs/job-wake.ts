import pg from 'pg';
import type { Logger } from '../logger.js';

/**
 * The PostgreSQL channel on which a transaction that enqueues a job says so. NOTIFY is
 * transactional: PostgreSQL delivers it when the transaction commits, and never when it rolls
 * back, so a listener is woken exactly when the job becomes visible to its fetch.
 */
export const JOB_WAKE_CHANNEL = 'ati_jobs';

/** The statement that wakes listeners for a queue once the enqueueing transaction commits. */
export const NOTIFY_SQL = `SELECT pg_notify('${JOB_WAKE_CHANNEL}', $1)`;

/** Longest pause between two attempts to listen again after the connection is lost. */
const MAX_RECONNECT_DELAY_MS = 30_000;

/**
 * Listens on its own connection (LISTEN needs a session that stays open, which a pool does not
 * give) and calls `wake` with the queue's name whenever any instance commits a job for it. When the
 * connection is lost it listens again, backing off up to 30 s; meanwhile the workers' polling is
 * the safety net, so a missed wake-up costs at most a poll interval, never a job.
 */
export class JobWakeListener {
  #client: pg.Client | null = null;
  #stopped = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #failures = 0;

  constructor(
    private readonly databaseUrl: string,
    private readonly wake: (queue: string) => void,
    private readonly log: Logger,
  ) {}

  /** Resolves once listening, or once the first attempt failed (the retries go on in the background). */
  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'ati-job-wake' });
    this.#client = client;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      if (this.#client === client) this.#client = null;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (!this.#stopped) {
        this.log.warn({ error: error?.message }, 'job wake-up listener lost its connection; workers poll meanwhile');
        this.#retry();
      }
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === JOB_WAKE_CHANNEL && message.payload) this.wake(message.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${JOB_WAKE_CHANNEL}`);
      if (this.#failures > 0) this.log.info('job wake-up listener listening again');
      this.#failures = 0;
      // Jobs committed while nobody listened are due now: look for them at once.
      this.wake('*');
    } catch (error) {
      onLost(error as Error);
    }
  }

  #retry(): void {
    this.#failures++;
    const delay = Math.min(MAX_RECONNECT_DELAY_MS, 500 * 2 ** Math.min(this.#failures - 1, 6));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#connect();
    }, delay);
    this.#retryTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = null;
    if (client) {
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }
}
