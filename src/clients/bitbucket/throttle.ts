import { ThrottledError } from '../../domain/errors.js';
import type { BitbucketCredentials } from '../../domain/model.js';
import type { BucketTake, RateBudget, RateRule } from '../../domain/rate-budget.js';
import type { BitbucketRequestKind } from './bitbucket-client.js';

export type BitbucketLimits = { invitationsPerMinute: number; requestsPerHour: number };

export type BitbucketThrottleOptions = {
  /** Longer waits become a ThrottledError, so a job reschedules instead of blocking. */
  maxWaitMs: number;
  /** A keyed one-way hash (HMAC): names a credential's bucket without storing anything that opens it. */
  fingerprint: (text: string) => string;
};

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
 * The Bitbucket client's throttle hook: every instance draws from the same buckets.
 *
 * Bitbucket counts requests per user, so the request budget belongs to (workspace, credential):
 * whoever tries a wrong token on a workspace spends that token's budget, never the one its real
 * credentials deliver invitations with. The credential is named by a keyed hash of all of it,
 * secret included, so a guessed key or email with a wrong secret is a budget of its own too.
 * Invitations stay counted per workspace, the stricter reading of a limit whose scope Bitbucket
 * does not document; only credentials that Bitbucket accepted ever send one.
 */
export function createBitbucketThrottle(budget: RateBudget, limits: BitbucketLimits, options: BitbucketThrottleOptions) {
  const rules = bitbucketRules(limits);
  return async (workspace: string, kind: BitbucketRequestKind, credentials: BitbucketCredentials): Promise<void> => {
    const requests: BucketTake = { bucket: `bitbucket:${workspace}:requests:${options.fingerprint(identity(credentials))}`, rule: rules.requests };
    // An invitation is a request too: both tokens are taken together or not at all.
    const takes = kind === 'invitation' ? [{ bucket: `bitbucket:${workspace}:invitations`, rule: rules.invitations }, requests] : [requests];
    const result = await budget.acquire(takes, options.maxWaitMs);
    if (!result.granted) throw new ThrottledError(result.waitMs);
  };
}

function identity(credentials: BitbucketCredentials): string {
  // JSON keeps ("a:b", "c") and ("a", "b:c") apart.
  return JSON.stringify(
    credentials.type === 'oauth-consumer'
      ? [credentials.type, credentials.key, credentials.secret]
      : [credentials.type, credentials.email, credentials.token],
  );
}
