import type { DeliveryDeps } from '../domain/delivery.js';
import type { NewUserDeps } from '../domain/new-users.js';
import { NO_METRICS, type AppMetrics } from '../observability/metrics.js';
import { JOBS, type JobQueue } from './job-queue.js';
import { deliverObserved, planObserved, recoverObserved } from './observed-runs.js';

/** A planning job: the new users one inbox batch recorded, with the id of the event that brought each (when it had one). */
export type PlanInvitationsJob = { newUserIds: string[]; eventIds?: Record<string, string> };

/**
 * The background work: planning a new user's invitations, sending each one, and the sweep that
 * gives an invitation whose job ended without finishing it a new job (or its final failure).
 * Every line a job logs names its job and what it works on (newUserId, eventId, invitationId).
 */
export async function startWorkers(queue: JobQueue, deps: { planning: NewUserDeps; delivery: DeliveryDeps; metrics?: AppMetrics }): Promise<void> {
  const metrics = deps.metrics ?? NO_METRICS;
  await queue.work<PlanInvitationsJob>(JOBS.planInvitations, { batchSize: 4, loops: 2 }, async (job, log) => {
    // One user's failure (the database, say) must not hold back the others: plan them all, then
    // fail the job so the queue retries it; users already planned are skipped the second time.
    const failures: unknown[] = [];
    for (const newUserId of job.data.newUserIds) {
      const userLog = log.child({ newUserId, eventId: job.data.eventIds?.[newUserId] ?? null });
      await planObserved(deps.planning, newUserId, userLog, metrics).catch((error: unknown) => {
        userLog.warn({ error: error instanceof Error ? error.message : String(error) }, 'planning failed; the queue will retry it');
        failures.push(error);
      });
    }
    if (failures.length > 0)
      throw new AggregateError(failures, `${failures.length} of ${job.data.newUserIds.length} new users could not be planned yet`);
  });
  // Two fetch loops so one slow batch (a Bitbucket timeout) does not hold up the next.
  await queue.work<{ invitationId: string }>(JOBS.deliverInvitation, { batchSize: 25, loops: 2 }, (job, log) => {
    log.setBindings({ invitationId: job.data.invitationId });
    return deliverObserved(deps.delivery, job.data.invitationId, job.id, log, metrics);
  });
  // Every worker instance sweeps; the sweep locks what it takes, so instances never recover the same invitation twice.
  queue.repeatWithMaintenance('recover stalled invitations', () => recoverObserved(deps.delivery, metrics));
  queue.repeatWithMaintenance('recover unplanned new users', () => deps.planning.newUsers.recoverUnplanned(100));
}
