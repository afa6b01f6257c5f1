import { ThrottledError } from '../../domain/errors.js';
import type { RateBudget, RateRule } from '../../domain/rate-budget.js';
import type { AtlassianAdminRequestKind } from './atlassian-admin-client.js';

export type OrganizationLimits = { membershipsPerSecond: number };

/** One second's worth at once, then an even pace. */
export function organizationRule(limits: OrganizationLimits): RateRule {
  return { burst: Math.max(1, limits.membershipsPerSecond), ratePerSecond: limits.membershipsPerSecond };
}

/**
 * The Atlassian Administration client's throttle hook: membership changes to one organization draw
 * from one bucket that every instance shares, so a burst of new users never turns into a burst of
 * 429s, and each organization has its own pace. Atlassian publishes no limit, so the pace is a
 * setting. Other requests (searches when the admin types, a link check) are left alone: people
 * make them, one at a time.
 *
 * A job waits at most `maxWaitMs` for its token; a longer wait becomes a ThrottledError, so the job
 * reschedules itself instead of holding a worker that another organization's jobs could use. The
 * wait it is given is spread by up to a second, so jobs turned away together do not all return together.
 */
export function createOrganizationThrottle(budget: RateBudget, limits: OrganizationLimits, options: { maxWaitMs: number }) {
  const rule = organizationRule(limits);
  return async (orgId: string, kind: AtlassianAdminRequestKind): Promise<void> => {
    if (kind !== 'membership') return;
    const result = await budget.acquire([{ bucket: `atlassian-admin:${orgId}:memberships`, rule }], options.maxWaitMs);
    if (!result.granted) throw new ThrottledError(result.waitMs + Math.round(Math.random() * 1000));
  };
}
