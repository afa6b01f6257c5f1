import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { InvitationStatus } from '../domain/model.js';
import type {
  DeliverableInvitation, InvitationFilter, InvitationStore, PlannedInvitation, ReasonCode, StoredNewUser,
} from '../domain/stores.js';
import { JOBS, type JobQueue } from '../jobs/job-queue.js';

type InvitationRow = {
  id: string; tenant_id: string; new_user_id: string; linked_account_id: string; account_id: string;
  display_name: string | null; email: string | null; workspace: string; group_slug: string; group_name: string;
  status: InvitationStatus; reason: string | null; reason_code: ReasonCode | null; attempts: number;
  next_attempt_at: Date | null; job_id: string | null; created_at: Date; updated_at: Date; sent_at: Date | null;
};

const toInvitation = (row: InvitationRow): DeliverableInvitation => ({
  id: row.id,
  tenantId: row.tenant_id,
  newUserId: row.new_user_id,
  linkedAccountId: row.linked_account_id,
  accountId: row.account_id,
  displayName: row.display_name,
  email: row.email,
  workspace: row.workspace,
  groupSlug: row.group_slug,
  groupName: row.group_name,
  status: row.status,
  reason: row.reason,
  reasonCode: row.reason_code,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  jobId: row.job_id,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  sentAt: row.sent_at,
});

/**
 * Invitations and the delivery jobs that own them. A row's `job_id` names the one job allowed
 * to act on it; a job that finds another id there is stale (a retry overtook it) and does nothing.
 */
export class InvitationRepository implements InvitationStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
  ) {}

  /** Writes the plan of a new user and schedules the deliveries, in one transaction. Returns how many were queued. */
  async createPlanned(newUser: StoredNewUser, email: string | null, planned: PlannedInvitation[]): Promise<number> {
    let queued = 0;
    await this.sequelize.transaction(async (transaction) => {
      for (const plan of planned) {
        const jobId = plan.status === 'queued' ? randomUUID() : null;
        const rows = await this.sequelize.query<{ id: string }>(
          `INSERT INTO invitations (tenant_id, new_user_id, linked_account_id, account_id, display_name, email, workspace,
             group_slug, group_name, status, reason, reason_code, job_id)
           VALUES (:tenantId, :newUserId, :linkedAccountId, :accountId, :displayName, :email, :workspace,
             :groupSlug, :groupName, :status, :reason, :reasonCode, :jobId)
           ON CONFLICT (tenant_id, account_id, linked_account_id, group_slug) DO NOTHING RETURNING id`,
          {
            replacements: {
              tenantId: newUser.tenantId,
              newUserId: newUser.id,
              linkedAccountId: plan.linkedAccountId,
              accountId: newUser.accountId,
              displayName: newUser.displayName,
              email,
              workspace: plan.workspace,
              groupSlug: plan.group.slug,
              groupName: plan.group.name,
              status: plan.status,
              reason: plan.reason,
              reasonCode: plan.reasonCode,
              jobId,
            },
            type: QueryTypes.SELECT,
            transaction,
          },
        );
        if (rows[0] && jobId) {
          await this.queue.send(JOBS.deliverInvitation, { invitationId: rows[0].id }, transaction, { id: jobId });
          queued++;
        }
      }
      await this.sequelize.query('UPDATE new_users SET planned_at = now(), email = COALESCE(:email, email) WHERE id = :id', {
        replacements: { id: newUser.id, email },
        transaction,
      });
    });
    if (queued > 0) this.queue.nudge(JOBS.deliverInvitation);
    return queued;
  }

  async findForDelivery(id: string): Promise<DeliverableInvitation | null> {
    const [row] = await this.sequelize.query<InvitationRow>('SELECT * FROM invitations WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
    });
    return row ? toInvitation(row) : null;
  }

  async find(tenantId: string, id: string): Promise<DeliverableInvitation | null> {
    const [row] = await this.sequelize.query<InvitationRow>('SELECT * FROM invitations WHERE tenant_id = :tenantId AND id = :id', {
      replacements: { tenantId, id },
      type: QueryTypes.SELECT,
    });
    return row ? toInvitation(row) : null;
  }

  /** Ends an invitation, if `jobId` still owns it. Answers false when a newer job took over. */
  async finish(
    id: string,
    jobId: string,
    outcome: { status: Exclude<InvitationStatus, 'queued'>; reason: string | null; reasonCode: ReasonCode | null; attempted: boolean; email?: string },
  ): Promise<boolean> {
    const [, result] = await this.sequelize.query(
      `UPDATE invitations SET status = :status, reason = :reason, reason_code = :reasonCode,
         attempts = attempts + :attempted, next_attempt_at = NULL, job_id = NULL, updated_at = now(),
         email = COALESCE(:email, email),
         sent_at = CASE WHEN :status IN ('sent', 'already-invited') THEN now() ELSE sent_at END
       WHERE id = :id AND job_id = :jobId AND status = 'queued'`,
      {
        replacements: {
          id,
          jobId,
          status: outcome.status,
          reason: outcome.reason,
          reasonCode: outcome.reasonCode,
          attempted: outcome.attempted ? 1 : 0,
          email: outcome.email ?? null,
        },
      },
    );
    return ((result as { rowCount?: number }).rowCount ?? 0) > 0;
  }

  /** Hands the invitation to a new job that starts later; the old job's id stops owning it. */
  async reschedule(
    id: string,
    jobId: string,
    change: { delayMs: number; reason: string | null; attempted: boolean; email?: string },
  ): Promise<boolean> {
    const startAfter = new Date(Date.now() + change.delayMs);
    const newJobId = randomUUID();
    return this.sequelize.transaction(async (transaction) => {
      const [, result] = await this.sequelize.query(
        `UPDATE invitations SET job_id = :newJobId, next_attempt_at = :startAfter, reason = :reason,
           reason_code = CASE WHEN :reason IS NULL THEN NULL ELSE 'retrying' END,
           attempts = attempts + :attempted, email = COALESCE(:email, email), updated_at = now()
         WHERE id = :id AND job_id = :jobId AND status = 'queued'`,
        {
          replacements: {
            id, jobId, newJobId, startAfter, reason: change.reason, attempted: change.attempted ? 1 : 0, email: change.email ?? null,
          },
          transaction,
        },
      );
      if (((result as { rowCount?: number }).rowCount ?? 0) === 0) return false;
      await this.queue.send(JOBS.deliverInvitation, { invitationId: id }, transaction, { id: newJobId, startAfter });
      return true;
    });
  }

  /** Queues a finished invitation again (the admin's Retry). */
  async requeue(tenantId: string, id: string): Promise<DeliverableInvitation | 'not-found' | 'not-retryable'> {
    const outcome = await this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<InvitationRow>(
        'SELECT * FROM invitations WHERE tenant_id = :tenantId AND id = :id FOR UPDATE',
        { replacements: { tenantId, id }, type: QueryTypes.SELECT, transaction },
      );
      if (!row) return 'not-found' as const;
      if (row.status !== 'failed' && row.status !== 'skipped') return 'not-retryable' as const;
      await this.#requeueRow(row.id, transaction);
      return 'requeued' as const;
    });
    if (outcome !== 'requeued') return outcome;
    this.queue.nudge(JOBS.deliverInvitation);
    return (await this.find(tenantId, id))!;
  }

  /** Queues again the invitations of a linked account that failed for one of `codes` (e.g. after new credentials). */
  async requeueFailed(tenantId: string, linkedAccountId: string, codes: ReasonCode[]): Promise<number> {
    const count = await this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ id: string }>(
        `SELECT id FROM invitations WHERE tenant_id = :tenantId AND linked_account_id = :linkedAccountId
           AND status = 'failed' AND reason_code IN (:codes) FOR UPDATE`,
        { replacements: { tenantId, linkedAccountId, codes }, type: QueryTypes.SELECT, transaction },
      );
      for (const row of rows) await this.#requeueRow(row.id, transaction);
      return rows.length;
    });
    if (count > 0) this.queue.nudge(JOBS.deliverInvitation);
    return count;
  }

  async #requeueRow(id: string, transaction: Transaction): Promise<void> {
    const jobId = randomUUID();
    await this.sequelize.query(
      `UPDATE invitations SET status = 'queued', reason = NULL, reason_code = NULL, job_id = :jobId,
         next_attempt_at = NULL, updated_at = now() WHERE id = :id`,
      { replacements: { id, jobId }, transaction },
    );
    await this.queue.send(JOBS.deliverInvitation, { invitationId: id }, transaction, { id: jobId });
  }

  async list(tenantId: string, filter: InvitationFilter): Promise<{ invitations: DeliverableInvitation[]; total: number }> {
    const where = ['tenant_id = :tenantId'];
    if (filter.status) where.push('status = :status');
    if (filter.linkedAccountId) where.push('linked_account_id = :linkedAccountId');
    const replacements = {
      tenantId,
      status: filter.status ?? null,
      linkedAccountId: filter.linkedAccountId ?? null,
      limit: filter.pageSize,
      offset: (filter.page - 1) * filter.pageSize,
    };
    const [rows, counted] = await Promise.all([
      this.sequelize.query<InvitationRow>(
        `SELECT * FROM invitations WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset`,
        { replacements, type: QueryTypes.SELECT },
      ),
      this.sequelize.query<{ total: string }>(`SELECT count(*) AS total FROM invitations WHERE ${where.join(' AND ')}`, {
        replacements,
        type: QueryTypes.SELECT,
      }),
    ]);
    return { invitations: rows.map(toInvitation), total: Number(counted[0]!.total) };
  }
}
