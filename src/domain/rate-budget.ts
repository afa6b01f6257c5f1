/**
 * Token buckets shared by every instance of the app (PostgreSQL implements it). The Bitbucket
 * throttle and the API's limit on link attempts draw from it without knowing where it is kept.
 */
export type RateRule = {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Most tokens the bucket holds: how big a burst may be. */
  burst: number;
};

export type BucketTake = { bucket: string; rule: RateRule };

export type Acquisition = { granted: true } | { granted: false; waitMs: number };

export interface RateBudget {
  /** Takes one token from each bucket, all or none, without waiting. */
  tryAcquire: (takes: BucketTake[]) => Promise<Acquisition>;
  /** Like tryAcquire, but waits up to `maxWaitMs`; a refusal says how long is still left to wait. */
  acquire: (takes: BucketTake[], maxWaitMs: number) => Promise<Acquisition>;
}
