import { describe, expect, it } from 'vitest';
import type { Acquisition, BucketTake, RateBudget } from '../../src/domain/rate-budget.js';
import { countedBudget } from '../../src/observability/counted-budget.js';
import { NO_METRICS, type AppMetrics } from '../../src/observability/metrics.js';

const rule = { burst: 1, ratePerSecond: 1 };
const take = (bucket: string): BucketTake[] => [{ bucket, rule }];

/** A budget that answers the tries it is given, in order; acquire() waits as the real one does, here 20 ms. */
function budgetAnswering(...answers: Acquisition[]): RateBudget & { tries: number } {
  const budget = {
    tries: 0,
    tryAcquire: async () => {
      budget.tries += 1;
      return answers.shift() ?? { granted: true };
    },
    acquire: async (takes: BucketTake[], maxWaitMs: number): Promise<Acquisition> => {
      const first = await budget.tryAcquire();
      if (first.granted || first.waitMs > maxWaitMs) return first;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return budget.tryAcquire();
    },
  };
  return budget;
}

function reports(): { metrics: AppMetrics; seen: [string, string, number][] } {
  const seen: [string, string, number][] = [];
  return { metrics: { ...NO_METRICS, rateLimit: (limit, outcome, seconds) => seen.push([limit, outcome, seconds]) }, seen };
}

describe('the rate budget as counted for the metrics', () => {
  it('reports nothing, and asks nothing more, for a take granted at once', async () => {
    const budget = budgetAnswering({ granted: true });
    const { metrics, seen } = reports();
    expect(await countedBudget(budget, metrics).acquire(take('bitbucket:acme:invitations'), 5_000)).toEqual({ granted: true });
    expect(seen).toEqual([]);
    expect(budget.tries).toBe(1);
  });

  it('reports a wait under the limit named by the bucket, with the time waited', async () => {
    const budget = budgetAnswering({ granted: false, waitMs: 10 }, { granted: false, waitMs: 10 }, { granted: true });
    const { metrics, seen } = reports();
    expect(await countedBudget(budget, metrics).acquire(take('bitbucket:acme:requests:f1ng3rpr1nt'), 5_000)).toEqual({ granted: true });
    expect(seen).toEqual([['bitbucket', 'waited', expect.any(Number)]]);
    expect(seen[0]![2]).toBeGreaterThanOrEqual(0.015);
  });

  it('reports a wait longer than the caller takes as deferred, and a refused try as refused', async () => {
    const { metrics, seen } = reports();
    const deferred = await countedBudget(budgetAnswering({ granted: false, waitMs: 60_000 }), metrics).acquire(
      take('atlassian-admin:org-1:memberships'),
      1_000,
    );
    expect(deferred).toEqual({ granted: false, waitMs: 60_000 });
    const refused = await countedBudget(budgetAnswering({ granted: false, waitMs: 4_000 }), metrics).tryAcquire(take('link-attempts:tenant-1'));
    expect(refused).toEqual({ granted: false, waitMs: 4_000 });
    expect(seen).toEqual([
      ['atlassian-admin', 'deferred', expect.any(Number)],
      ['link-attempts', 'refused', 0],
    ]);
  });
});
