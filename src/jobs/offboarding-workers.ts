import { planRemovals } from '../domain/offboarding.js';
import type { OffboardingStore, RemovalStore, UserCheckStore } from '../domain/offboarding-stores.js';
import { deliverRemoval, type RemovalDeps } from '../domain/removal.js';
import { runUserCheck, type UserCheckDeps } from '../domain/user-check.js';
import { JOBS, type JobQueue } from './job-queue.js';

export type OffboardingWorkerDeps = {
  offboarding: OffboardingStore;
  removals: RemovalStore;
  userChecks: UserCheckStore;
  removal: RemovalDeps;
  check: UserCheckDeps;
  defaultThreshold: number;
  /** How often each site with removal turned on is checked against Jira. */
  checkIntervalMs: number;
};

/**
 * Offboarding's background work: planning the removals of departed users, making each removal,
 * the checks of a site's users against Jira, and the sweeps that keep each of them going after a
 * crash (a departure unplanned, a removal or a check whose job died) and start the daily checks.
 */
export async function startOffboardingWorkers(queue: JobQueue, deps: OffboardingWorkerDeps): Promise<void> {
  await queue.work<{ departureIds: string[] }>(JOBS.planRemovals, { batchSize: 4 }, async (job, log) => {
    const planned = await planRemovals({ offboarding: deps.offboarding, defaultThreshold: deps.defaultThreshold }, job.data.departureIds);
    log.info({ departures: job.data.departureIds.length, removals: planned }, 'removals planned');
  });
  await queue.work<{ removalId: string }>(JOBS.removeMember, { batchSize: 10 }, (job, log) => {
    log.setBindings({ removalId: job.data.removalId });
    return deliverRemoval(deps.removal, job.data.removalId, job.id);
  });
  // One loop, one check at a time per instance: a check paces itself, and other sites' new users never wait for it.
  await queue.work<{ userCheckId: string }>(JOBS.checkUsers, { batchSize: 1 }, (job, log) => {
    log.setBindings({ userCheckId: job.data.userCheckId });
    return runUserCheck(deps.check, job.data.userCheckId, job.id);
  });
  queue.repeatWithMaintenance('recover unplanned departures', () => deps.offboarding.recoverUnplanned(100));
  queue.repeatWithMaintenance('recover stalled removals', () => deps.removals.recoverStalled(100));
  queue.repeatWithMaintenance('recover stalled user checks', () => deps.userChecks.recoverStalled(10));
  queue.repeatWithMaintenance('schedule user checks', () => deps.userChecks.scheduleDue(deps.checkIntervalMs, 50));
}
