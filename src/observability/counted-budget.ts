import type { BucketTake, RateBudget } from '../domain/rate-budget.js';
import type { AppMetrics } from './metrics.js';

/** The limit a take belongs to, named by its first bucket's prefix (bitbucket, atlassian-admin, link-attempts): never the workspace or credential after it. */
function limitOf(takes: BucketTake[]): string {
  return takes[0]?.bucket.split(':', 1)[0] ?? 'unknown';
}

/**
 * The shared rate budget, reporting every time it holds a caller back. A take granted at once
 * costs nothing more; one that must wait is tried once more by the budget's own waiting loop.
 */
export function countedBudget(budget: RateBudget, metrics: AppMetrics): RateBudget {
  return {
    tryAcquire: async (takes) => {
      const result = await budget.tryAcquire(takes);
      if (!result.granted) metrics.rateLimit(limitOf(takes), 'refused', 0);
      return result;
    },
    acquire: async (takes, maxWaitMs) => {
      const first = await budget.tryAcquire(takes);
      if (first.granted) return first;
      const started = performance.now();
      const result = first.waitMs > maxWaitMs ? first : await budget.acquire(takes, maxWaitMs);
      metrics.rateLimit(limitOf(takes), result.granted ? 'waited' : 'deferred', (performance.now() - started) / 1000);
      return result;
    },
  };
}
