import { QueryTypes, type Sequelize } from 'sequelize';
import type { Acquisition, BucketTake, RateBudget } from '../domain/rate-budget.js';

type TakenRow = { bucket: string; tokens: number; rate: number; granted: boolean };

/**
 * A token bucket per key, kept in PostgreSQL so that every instance of the app draws from the
 * same bucket. One statement locks every bucket of a take (in key order, so two takes never
 * deadlock), refills them, and takes a token from each only when each has one: a request never
 * spends one bucket's token and is then refused by the other.
 */
export class RateLimiter implements RateBudget {
  constructor(private readonly sequelize: Sequelize) {}

  async tryAcquire(takes: BucketTake[]): Promise<Acquisition> {
    let rows = await this.#take(takes);
    if (rows.length < takes.length) {
      // Every credential ever tried gets buckets, so they are forgotten when new ones are made:
      // a bucket idle for a day is full again (every rule here refills within an hour), which is
      // what a missing bucket means too.
      await this.sequelize.query("DELETE FROM rate_buckets WHERE updated_at < clock_timestamp() - interval '1 day'");
      // A bucket seen for the first time starts full. Created apart from the take because a
      // statement cannot lock the rows it inserts; a concurrent creator makes this a no-op, and
      // the key order keeps two creators of the same buckets from waiting on each other.
      await this.sequelize.query(
        `INSERT INTO rate_buckets (bucket, tokens, granted, updated_at)
         SELECT bucket, burst, false, clock_timestamp()
         FROM unnest(ARRAY[:buckets]::text[], ARRAY[:bursts]::float8[]) AS w(bucket, burst)
         ORDER BY bucket
         ON CONFLICT (bucket) DO NOTHING`,
        { replacements: { buckets: takes.map((t) => t.bucket), bursts: takes.map((t) => t.rule.burst) } },
      );
      rows = await this.#take(takes);
    }
    if (rows.length === takes.length && rows.every((row) => row.granted)) return { granted: true };
    const waits = rows.map((row) => (Number(row.tokens) >= 1 ? 0 : ((1 - Number(row.tokens)) / Number(row.rate)) * 1000));
    return { granted: false, waitMs: Math.max(1, Math.ceil(Math.max(0, ...waits))) };
  }

  async acquire(takes: BucketTake[], maxWaitMs: number): Promise<Acquisition> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const attempt = await this.tryAcquire(takes);
      if (attempt.granted) return attempt;
      const left = deadline - Date.now();
      if (attempt.waitMs > left) return attempt;
      // A little jitter so instances waiting on one bucket do not all retry in the same millisecond.
      await sleep(attempt.waitMs + Math.random() * 10);
    }
  }

  /** Refills the existing buckets of `takes` and, when every one of them has a token, takes one from each. */
  #take(takes: BucketTake[]): Promise<TakenRow[]> {
    return this.sequelize.query<TakenRow>(
      `WITH wanted AS (
         SELECT * FROM unnest(ARRAY[:buckets]::text[], ARRAY[:bursts]::float8[], ARRAY[:rates]::float8[]) AS w(bucket, burst, rate)
       ),
       refilled AS (
         SELECT b.bucket, w.rate, clock_timestamp() AS at,
                LEAST(w.burst, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at) * w.rate) AS tokens
         FROM rate_buckets b JOIN wanted w ON w.bucket = b.bucket
         ORDER BY b.bucket
         FOR UPDATE OF b
       ),
       decision AS (
         SELECT count(*) = :count AND bool_and(tokens >= 1) AS granted FROM refilled
       )
       UPDATE rate_buckets b
       SET tokens = r.tokens - CASE WHEN d.granted THEN 1 ELSE 0 END, granted = d.granted, updated_at = r.at
       FROM refilled r, decision d
       WHERE b.bucket = r.bucket
       RETURNING b.bucket, b.tokens, r.rate, d.granted`,
      {
        replacements: {
          buckets: takes.map((t) => t.bucket),
          bursts: takes.map((t) => t.rule.burst),
          rates: takes.map((t) => t.rule.ratePerSecond),
          count: takes.length,
        },
        type: QueryTypes.SELECT,
      },
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
