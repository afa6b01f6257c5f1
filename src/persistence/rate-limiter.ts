import { QueryTypes, type Sequelize } from 'sequelize';

export type RateRule = {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens the bucket holds: how big a burst may be. */
  burst: number;
};

export type Acquisition = { granted: true } | { granted: false; waitMs: number };

/**
 * A token bucket per key, kept in PostgreSQL so that every instance of the app draws from
 * the same bucket. One statement refills and takes a token under the row lock.
 */
export class RateLimiter {
  constructor(private readonly sequelize: Sequelize) {}

  async tryAcquire(bucket: string, rule: RateRule): Promise<Acquisition> {
    const [row] = await this.sequelize.query<{ tokens: number; granted: boolean }>(
      `INSERT INTO rate_buckets AS b (bucket, tokens, granted, updated_at)
       VALUES (:bucket, :burst - 1, true, clock_timestamp())
       ON CONFLICT (bucket) DO UPDATE SET
         granted = LEAST(:burst, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at) * :rate) >= 1,
         tokens = LEAST(:burst, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at) * :rate)
                  - CASE WHEN LEAST(:burst, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at) * :rate) >= 1 THEN 1 ELSE 0 END,
         updated_at = clock_timestamp()
       RETURNING tokens, granted`,
      { replacements: { bucket, burst: rule.burst, rate: rule.ratePerSecond }, type: QueryTypes.SELECT },
    );
    if (row!.granted) return { granted: true };
    return { granted: false, waitMs: Math.ceil(((1 - Number(row!.tokens)) / rule.ratePerSecond) * 1000) };
  }

  /** Waits for a token, up to `maxWaitMs`; answers how long is still left to wait when it gives up. */
  async acquire(bucket: string, rule: RateRule, maxWaitMs: number): Promise<Acquisition> {
    const deadline = Date.now() + maxWaitMs;
    for (;;) {
      const attempt = await this.tryAcquire(bucket, rule);
      if (attempt.granted) return attempt;
      const left = deadline - Date.now();
      if (attempt.waitMs > left) return attempt;
      // A little jitter so instances waiting on one bucket do not all retry in the same millisecond.
      await sleep(attempt.waitMs + Math.random() * 10);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
