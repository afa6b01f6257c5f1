import { QueryTypes, type Sequelize } from 'sequelize';
import type { Acquisition, BucketTake, RateBudget } from '../domain/rate-budget.js';

type TakenRow = { bucket: string; tokens: number; rate: number; granted: boolean };

/**
 * A token bucket per key, kept in PostgreSQL so that every instance of the app draws from the
 * same bucket. One statement locks every bucket of a take (in key order, so two takes never
 * deadlock), refills them, and takes a token from each only when each has one: a request never
 * spends one bucket's token and is then refused by the other.
 *
 * A take that may wait reserves its token instead: the bucket goes below zero by what is reserved,
 * and the taker sleeps until its token has refilled, then goes ahead without asking again. Waiters
 * queue in the bucket itself, in the order they asked. Before, each waiter slept until the next
 * token and asked again, every ask a lock on the same row: with fifty deliveries waiting on a
 * bucket of 50 a second, by that loop's arithmetic up to some fifty asks per token granted.
 */
export class RateLimiter implements RateBudget {
  constructor(private readonly sequelize: Sequelize) {}

  tryAcquire(takes: BucketTake[]): Promise<Acquisition> {
    return this.#acquireWithin(takes, 0).then((attempt) => (attempt.granted ? { granted: true } : attempt));
  }

  async acquire(takes: BucketTake[], maxWaitMs: number): Promise<Acquisition> {
    const attempt = await this.#acquireWithin(takes, maxWaitMs);
    if (!attempt.granted) return attempt;
    if (attempt.waitMs > 0) await sleep(attempt.waitMs);
    return { granted: true };
  }

  /**
   * Takes one token from each bucket, all or none, when each can give one within `maxWaitMs`.
   * Granted, `waitMs` is how long until the last of them has refilled; refused, how long until
   * each bucket has a whole token again (behind the tokens others have reserved).
   */
  async #acquireWithin(takes: BucketTake[], maxWaitMs: number): Promise<{ granted: boolean; waitMs: number }> {
    let rows = await this.#take(takes, maxWaitMs);
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
      rows = await this.#take(takes, maxWaitMs);
    }
    const granted = rows.length === takes.length && rows.every((row) => row.granted);
    // Granted, the tokens left may be below zero: the reserved token comes when they reach zero.
    // Refused, the tokens are unchanged, and a whole token is what is missing.
    const missing = (row: TakenRow) => (granted ? -Number(row.tokens) : 1 - Number(row.tokens));
    const waitMs = Math.max(0, ...rows.map((row) => (missing(row) > 0 ? (missing(row) / Number(row.rate)) * 1000 : 0)));
    return { granted, waitMs: granted ? Math.ceil(waitMs) : Math.max(1, Math.ceil(waitMs)) };
  }

  /**
   * Refills the existing buckets of `takes` and, when every one of them has a token now or will
   * have one within `maxWaitMs` (counting the tokens already reserved), takes one from each.
   */
  #take(takes: BucketTake[], maxWaitMs: number): Promise<TakenRow[]> {
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
         SELECT count(*) = :count AND bool_and(tokens - 1 >= -(rate * :maxWaitSeconds)) AS granted FROM refilled
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
          maxWaitSeconds: maxWaitMs / 1000,
        },
        type: QueryTypes.SELECT,
      },
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
