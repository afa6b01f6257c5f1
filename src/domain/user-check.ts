import { JiraUnavailableError } from './errors.js';
import type { CheckedUser, CheckProgress, OffboardingStore, UserCheckStore } from './offboarding-stores.js';
import type { JiraGateway, JiraGatewayFactory, JiraUserState } from './ports.js';
import type { RateBudget } from './rate-budget.js';

export type UserCheckDeps = {
  userChecks: Pick<UserCheckStore, 'claim' | 'page' | 'progress' | 'finish'>;
  offboarding: Pick<OffboardingStore, 'recordDeparture' | 'recordReturn'>;
  jira: JiraGatewayFactory;
  /** The shared budget of Jira lookups: `lookupsPerSecond` per site, whatever the number of instances. */
  budget: RateBudget;
  lookupsPerSecond: number;
  pageSize: number;
  /** Lookups in flight at once within a page. */
  concurrency: number;
  leaseMs: number;
  sleep: (ms: number) => Promise<void>;
};

/** How often a lookup Jira rate-limits is tried again, waiting as told, before the user counts as unknown this time. */
const RATE_LIMITED_TRIES = 3;
const MAX_RETRY_WAIT_MS = 30_000;

type Verdict = 'active' | 'returned' | 'inactive' | 'unknown';

/**
 * One reconciliation run of a site: asks Jira, page by page and within the rate budget, about every
 * user the app added somewhere (and every user whose deactivation it recorded, to see them come
 * back). Jira's "no such user" (404) or `active: false` records a departure; any failure to answer
 * leaves the user unknown, never inactive. The progress is saved after each page, so a run that
 * dies resumes where it stopped; the departures it found are planned together when it ends.
 */
export async function runUserCheck(deps: UserCheckDeps, checkId: string, jobId: string): Promise<void> {
  const claimed = await deps.userChecks.claim(checkId, jobId, deps.leaseMs);
  if (!claimed) return;
  const { check, lease } = claimed;
  let jira: JiraGateway;
  try {
    jira = await deps.jira.forTenant(check.tenantId);
  } catch (error) {
    if (!(error instanceof JiraUnavailableError)) throw error;
    await deps.userChecks.finish(checkId, lease, 'failed', error.message);
    return;
  }
  const progress: CheckProgress = {
    cursor: claimed.cursor ?? '',
    checked: check.checked,
    inactive: check.inactive,
    reactivated: check.reactivated,
    unknown: check.unknown,
  };
  for (;;) {
    const users = await deps.userChecks.page(check.tenantId, checkId, progress.cursor || null, deps.pageSize);
    if (users.length === 0) break;
    const verdicts = await mapLimited(users, deps.concurrency, (user) => checkOne(deps, jira, check.tenantId, checkId, user));
    for (const verdict of verdicts) {
      progress.checked++;
      if (verdict === 'inactive') progress.inactive++;
      if (verdict === 'returned') progress.reactivated++;
      if (verdict === 'unknown') progress.unknown++;
    }
    progress.cursor = users.at(-1)!.accountId;
    if (!(await deps.userChecks.progress(checkId, lease, progress, deps.leaseMs))) return;
  }
  await deps.userChecks.finish(checkId, lease, 'finished', null);
}

async function checkOne(deps: UserCheckDeps, jira: JiraGateway, tenantId: string, checkId: string, user: CheckedUser): Promise<Verdict> {
  const state = await lookUp(deps, jira, tenantId, user.accountId);
  if (state === null) return 'unknown';
  if (state.found && state.active) {
    if (!user.departed) return 'active';
    const returned = await deps.offboarding.recordReturn(tenantId, user.accountId, {
      tenantId,
      actorAccountId: null,
      action: 'offboarding.user-returned',
      subject: `user:${user.accountId}`,
      before: { departed: true },
      after: { departed: false, userCheckId: checkId },
    });
    return returned ? 'returned' : 'active';
  }
  if (user.departed) return 'inactive';
  const displayName = state.found ? (state.displayName ?? user.displayName) : user.displayName;
  await deps.offboarding.recordDeparture(tenantId, { accountId: user.accountId, displayName }, state.found ? 'deactivated' : 'deleted', {
    userCheckId: checkId,
  });
  return 'inactive';
}

/** Jira's answer, or null when it gave none we can trust (an outage, a refusal, a lasting rate limit). */
async function lookUp(deps: UserCheckDeps, jira: JiraGateway, tenantId: string, accountId: string): Promise<JiraUserState | null> {
  for (let attempt = 1; ; attempt++) {
    await pace(deps, tenantId);
    try {
      return await jira.getUser(accountId);
    } catch (error) {
      if (!(error instanceof JiraUnavailableError)) throw error;
      if (error.status !== 429 || attempt >= RATE_LIMITED_TRIES) return null;
      await deps.sleep(Math.min(error.retryAfterMs ?? 1000 * attempt, MAX_RETRY_WAIT_MS));
    }
  }
}

async function pace(deps: UserCheckDeps, tenantId: string): Promise<void> {
  const take = [{ bucket: `jira-user-check:${tenantId}`, rule: { ratePerSecond: deps.lookupsPerSecond, burst: Math.max(1, deps.lookupsPerSecond) } }];
  for (;;) {
    const acquired = await deps.budget.acquire(take, 5_000);
    if (acquired.granted) return;
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
