import { deliverInvitation, recoverStalledInvitations, type DeliveryDeps } from '../domain/delivery.js';
import { planInvitations, type NewUserDeps } from '../domain/new-users.js';
import { JOBS, type JobQueue } from './job-queue.js';

/**
 * The background work: planning a new user's invitations, sending each one, and the sweep that
 * gives an invitation whose job ended without finishing it a new job (or its final failure).
 */
export async function startWorkers(queue: JobQueue, deps: { planning: NewUserDeps; delivery: DeliveryDeps }): Promise<void> {
  await queue.work<{ newUserIds: string[] }>(JOBS.planInvitations, { batchSize: 4, loops: 2 }, async (job) => {
    // One user's failure (the database, say) must not hold back the others: plan them all, then
    // fail the job so the queue retries it; users already planned are skipped the second time.
    const failures: unknown[] = [];
    for (const newUserId of job.data.newUserIds) {
      await planInvitations(deps.planning, newUserId).catch((error: unknown) => failures.push(error));
    }
    if (failures.length > 0)
      throw new AggregateError(failures, `${failures.length} of ${job.data.newUserIds.length} new users could not be planned yet`);
  });
  // Two fetch loops so one slow batch (a Bitbucket timeout) does not hold up the next.
  await queue.work<{ invitationId: string }>(JOBS.deliverInvitation, { batchSize: 25, loops: 2 }, (job) =>
    deliverInvitation(deps.delivery, job.data.invitationId, job.id),
  );
  // Every worker instance sweeps; the sweep locks what it takes, so instances never recover the same invitation twice.
  queue.repeatWithMaintenance('recover stalled invitations', () => recoverStalledInvitations(deps.delivery));
  queue.repeatWithMaintenance('recover unplanned new users', () => deps.planning.newUsers.recoverUnplanned(100));
}
