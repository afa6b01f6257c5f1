import { ThrottledError } from '../domain/errors.js';
import type { RateLimiter, RateRule } from '../persistence/rate-limiter.js';

export type BitbucketLimits = { invitationsPerMinute: number; requestsPerHour: number };

/**
 * A token bucket with burst B and refill rate r lets B + r·T through in any window T. Bitbucket
 * counts per window, so r = (L − B) / T keeps every window within the limit L.
 */
function withinWindow(limit: number, windowSeconds: number, burstShare: number): RateRule {
  const burst = Math.max(1, limit * burstShare);
  return { burst, ratePerSecond: Math.max(limit - burst, 1) / windowSeconds };
}

export function bitbucketRules(limits: BitbucketLimits): { invitations: RateRule; requests: RateRule } {
  return {
    // Half a second's worth of burst, then an even pace: requests that arrive bunched together
    // (network jitter) still fit a Bitbucket that counts per second.
    invitations: withinWindow(limits.invitationsPerMinute, 60, 1 / 120),
    // A tenth of the hour at once (linking, refreshing groups feel instant), then an even pace.
    requests: withinWindow(limits.requestsPerHour, 3600, 1 / 10),
  };
}

/**
 * The Bitbucket client's throttle hook: every instance draws from the same per-workspace buckets.
 * A wait longer than `maxWaitMs` becomes a ThrottledError, so a job reschedules instead of blocking.
 */
export function createBitbucketThrottle(limiter: RateLimiter, limits: BitbucketLimits, maxWaitMs: number) {
  const rules = bitbucketRules(limits);
  return async (workspace: string, kind: 'invitation' | 'request'): Promise<void> => {
    if (kind === 'invitation') await take(`bitbucket:${workspace}:invitations`, rules.invitations);
    await take(`bitbucket:${workspace}:requests`, rules.requests);
  };

  async function take(bucket: string, rule: RateRule): Promise<void> {
    const result = await limiter.acquire(bucket, rule, maxWaitMs);
    if (!result.granted) throw new ThrottledError(result.waitMs);
  }
}
