import { runBackfillStep, type BackfillDeps } from '../domain/backfill.js';
import { JOBS, type JobQueue } from './job-queue.js';

/**
 * Backfills run on a queue of their own, one page per job, one job at a time per instance: however
 * many users a site brings in line, the workers that plan and send new users' invitations never
 * wait for it, and a backfill's deliveries are queued behind new users' (lower priority), a page at a time.
 */
export async function startBackfillWorker(queue: JobQueue, deps: BackfillDeps): Promise<void> {
  await queue.work<{ backfillId: string }>(JOBS.backfillStep, { batchSize: 1 }, async (job, log) => {
    log.setBindings({ backfillId: job.data.backfillId });
    await runBackfillStep(deps, job.data.backfillId, job.id);
  });
  queue.repeatWithMaintenance('recover stalled backfills', () => deps.backfills.recoverStalled(20));
}
