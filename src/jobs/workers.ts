import { deliverInvitation, type DeliveryDeps } from '../domain/delivery.js';
import { planInvitations, type NewUserDeps } from '../domain/new-users.js';
import { JOBS, type JobQueue } from './job-queue.js';

/** The two kinds of background work: planning a new user's invitations, and sending each one. */
export async function startWorkers(queue: JobQueue, deps: { planning: NewUserDeps; delivery: DeliveryDeps }): Promise<void> {
  await queue.work<{ newUserId: string }>(JOBS.planInvitations, { batchSize: 20, loops: 2 }, (job) =>
    planInvitations(deps.planning, job.data.newUserId),
  );
  // Two fetch loops so one slow batch (a Bitbucket timeout) does not hold up the next.
  await queue.work<{ invitationId: string }>(JOBS.deliverInvitation, { batchSize: 25, loops: 2 }, (job) =>
    deliverInvitation(deps.delivery, job.data.invitationId, job.id),
  );
}
