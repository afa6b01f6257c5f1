import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import {
  OPEN_BACKFILL,
  type Backfill,
  type BackfillProgress,
  type BackfillStatus,
  type BackfillStep,
  type BackfillStore,
  type NewBackfill,
} from '../domain/backfill.js';
import { invitationKey, type ExistingUserPlan } from '../domain/existing-users.js';
import type { TargetGroup, TargetType } from '../domain/model.js';
import type { AuditEntry } from '../domain/stores.js';
import { JOBS, liveJobSql, type JobQueue } from '../jobs/job-queue.js';
import type { AuditLog } from './audit-log.js';

type BackfillRow = {
  id: string;
  tenant_id: string;
  linked_account_id: string;
  status: BackfillStatus;
  groups: TargetGroup[];
  threshold: number;
  cursor: number;
  users_scanned: number;
  to_invite: number;
  confirmed_count: number | null;
  invitations_created: number;
  job_id: string | null;
  reason: string | null;
  failures: number;
  started_by: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
};

type ProgressRow = BackfillRow & { queued: string; sent: string; failed: string; skipped: string };

const toBackfill = (row: BackfillRow): Backfill => ({
  id: row.id,
  tenantId: row.tenant_id,
  linkedAccountId: row.linked_account_id,
  status: row.status,
  groups: row.groups,
  threshold: row.threshold,
  cursor: row.cursor,
  usersScanned: row.users_scanned,
  toInvite: row.to_invite,
  confirmedCount: row.confirmed_count,
  invitationsCreated: row.invitations_created,
  jobId: row.job_id,
  reason: row.reason,
  failures: row.failures,
  startedBy: row.started_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  finishedAt: row.finished_at,
});

const toProgress = (row: ProgressRow): BackfillProgress => ({
  ...toBackfill(row),
  invitations: { queued: Number(row.queued), sent: Number(row.sent), failed: Number(row.failed), skipped: Number(row.skipped) },
});

/** Each backfill with the statuses of the invitations it planned ('already-invited' counts as sent: the user has it). */
const SELECT_PROGRESS = `SELECT b.*,
    (SELECT count(*) FROM invitations i WHERE i.backfill_id = b.id AND i.status = 'queued') AS queued,
    (SELECT count(*) FROM invitations i WHERE i.backfill_id = b.id AND i.status IN ('sent', 'already-invited')) AS sent,
    (SELECT count(*) FROM invitations i WHERE i.backfill_id = b.id AND i.status = 'failed') AS failed,
    (SELECT count(*) FROM invitations i WHERE i.backfill_id = b.id AND i.status = 'skipped') AS skipped
  FROM backfills b`;

export const CANCELLED_REASON = 'Not sent: the admin cancelled the invitation of existing users.';

const OPEN_SQL = `(${OPEN_BACKFILL.map((s) => `'${s}'`).join(', ')})`;

/** A backfill's deliveries are fetched after new users' (priority 0): one site's backfill never holds up anyone's new users. */
const BACKFILL_DELIVERY_PRIORITY = -1;

/**
 * Backfills and the jobs that move them, one page of Jira's user listing per job. A backfill's
 * `job_id` names the one job allowed to move it; each step writes its page's invitations, the new
 * cursor and the next job in one transaction, so a crash repeats at most the page under way, and
 * the invitations' unique key (site, account, linked account, group) makes that repeat send nothing twice.
 */
export class BackfillRepository implements BackfillStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
    private readonly audit: AuditLog,
  ) {}

  async start(input: NewBackfill, audit: AuditEntry): Promise<Backfill | 'already-open'> {
    const id = randomUUID();
    const jobId = randomUUID();
    const started = await this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<BackfillRow>(
        `INSERT INTO backfills (id, tenant_id, linked_account_id, status, groups, threshold, job_id, started_by)
         VALUES (:id, :tenantId, :linkedAccountId, 'counting', CAST(:groups AS jsonb), :threshold, :jobId, :startedBy)
         ON CONFLICT (linked_account_id) WHERE status IN ${OPEN_SQL} DO NOTHING RETURNING *`,
        {
          replacements: { id, jobId, ...input, groups: JSON.stringify(input.groups) },
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      if (!row) return 'already-open' as const;
      await this.audit.record({ ...audit, after: { ...(audit.after as object), backfillId: id } }, transaction);
      await this.queue.send(JOBS.backfillStep, { backfillId: id }, transaction, { id: jobId });
      return toBackfill(row);
    });
    if (started !== 'already-open') this.queue.nudge(JOBS.backfillStep);
    return started;
  }

  async find(tenantId: string, id: string): Promise<BackfillProgress | null> {
    const [row] = await this.sequelize.query<ProgressRow>(`${SELECT_PROGRESS} WHERE b.tenant_id = :tenantId AND b.id = :id`, {
      replacements: { tenantId, id },
      type: QueryTypes.SELECT,
    });
    return row ? toProgress(row) : null;
  }

  async findForRun(id: string): Promise<Backfill | null> {
    const [row] = await this.sequelize.query<BackfillRow>('SELECT * FROM backfills WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
    });
    return row ? toBackfill(row) : null;
  }

  async list(tenantId: string, filter: { linkedAccountId?: string; limit: number }): Promise<BackfillProgress[]> {
    const rows = await this.sequelize.query<ProgressRow>(
      `${SELECT_PROGRESS} WHERE b.tenant_id = :tenantId ${filter.linkedAccountId ? 'AND b.linked_account_id = :linkedAccountId' : ''}
       ORDER BY b.created_at DESC LIMIT :limit`,
      { replacements: { tenantId, linkedAccountId: filter.linkedAccountId ?? null, limit: filter.limit }, type: QueryTypes.SELECT },
    );
    return rows.map(toProgress);
  }

  async queuedCount(id: string): Promise<number> {
    const [row] = await this.sequelize.query<{ count: string }>(
      "SELECT count(*) AS count FROM invitations WHERE backfill_id = :id AND status = 'queued'",
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    return Number(row!.count);
  }

  async existingInvitations(tenantId: string, linkedAccountId: string, accountIds: string[]): Promise<Set<string>> {
    if (accountIds.length === 0) return new Set();
    const rows = await this.sequelize.query<{ account_id: string; group_slug: string }>(
      `SELECT account_id, group_slug FROM invitations
       WHERE tenant_id = :tenantId AND account_id = ANY(ARRAY[:accountIds]::text[]) AND linked_account_id = :linkedAccountId`,
      { replacements: { tenantId, linkedAccountId, accountIds }, type: QueryTypes.SELECT },
    );
    return new Set(rows.map((row) => invitationKey(row.account_id, row.group_slug)));
  }

  async advance(id: string, jobId: string, cursor: number, step: BackfillStep): Promise<boolean> {
    let nudgeDeliveries = false;
    const moved = await this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<BackfillRow>(
        `SELECT * FROM backfills WHERE id = :id AND job_id = :jobId AND cursor = :cursor AND status IN ('counting', 'running') FOR UPDATE`,
        { replacements: { id, jobId, cursor }, type: QueryTypes.SELECT, transaction },
      );
      if (!row) return false;
      const next = (delayMs = 0) => this.#nextJob(id, transaction, delayMs);
      switch (step.kind) {
        case 'counted':
          await this.#update(
            id,
            `cursor = :nextCursor, users_scanned = users_scanned + :users, to_invite = to_invite + :toInvite, failures = 0, reason = NULL, job_id = :jobId`,
            { nextCursor: step.nextCursor, users: step.users, toInvite: step.toInvite, jobId: await next() },
            transaction,
          );
          return true;
        case 'counting-done': {
          const goesOn = step.next === 'running';
          await this.#update(
            id,
            `status = :status, cursor = 0, users_scanned = 0, reason = :reason, job_id = :jobId,
             finished_at = CASE WHEN :status = 'completed' THEN now() ELSE NULL END`,
            { status: step.next, reason: step.reason, jobId: goesOn ? await next() : null },
            transaction,
          );
          return true;
        }
        case 'invited': {
          const created = await this.#invite(row, step.plans, transaction);
          nudgeDeliveries = created > 0;
          await this.#update(
            id,
            `cursor = :nextCursor, users_scanned = users_scanned + :users, invitations_created = invitations_created + :created,
             failures = 0, reason = NULL, job_id = :jobId`,
            { nextCursor: step.nextCursor, users: step.users, created, jobId: await next() },
            transaction,
          );
          return true;
        }
        case 'wait':
          await this.#update(
            id,
            `reason = COALESCE(:reason, reason), failures = failures + :failed, job_id = :jobId`,
            { reason: step.reason, failed: step.failed ? 1 : 0, jobId: await next(step.delayMs) },
            transaction,
          );
          return true;
        case 'end':
          await this.#update(
            id,
            `status = :status, reason = :reason, job_id = NULL, finished_at = now()`,
            { status: step.status, reason: step.reason },
            transaction,
          );
          return true;
      }
    });
    if (moved) this.queue.nudge(JOBS.backfillStep);
    if (nudgeDeliveries) this.queue.nudge(JOBS.deliverInvitation);
    return moved;
  }

  async confirm(tenantId: string, id: string, count: number, audit: AuditEntry): Promise<Backfill | 'not-awaiting'> {
    const confirmed = await this.sequelize.transaction(async (transaction) => {
      const jobId = randomUUID();
      const [row] = await this.sequelize.query<BackfillRow>(
        `UPDATE backfills SET status = 'running', confirmed_count = :count, cursor = 0, users_scanned = 0, job_id = :jobId, updated_at = now()
         WHERE tenant_id = :tenantId AND id = :id AND status = 'awaiting-confirmation' AND to_invite = :count RETURNING *`,
        { replacements: { tenantId, id, count, jobId }, type: QueryTypes.SELECT, transaction },
      );
      if (!row) return 'not-awaiting' as const;
      await this.queue.send(JOBS.backfillStep, { backfillId: id }, transaction, { id: jobId });
      await this.audit.record(audit, transaction);
      return toBackfill(row);
    });
    if (confirmed !== 'not-awaiting') this.queue.nudge(JOBS.backfillStep);
    return confirmed;
  }

  async cancel(tenantId: string, id: string, audit: AuditEntry): Promise<Backfill | 'not-open'> {
    return this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<BackfillRow>(
        `UPDATE backfills SET status = 'cancelled', job_id = NULL, finished_at = now(), updated_at = now()
         WHERE tenant_id = :tenantId AND id = :id AND status IN ${OPEN_SQL} RETURNING *`,
        { replacements: { tenantId, id }, type: QueryTypes.SELECT, transaction },
      );
      if (!row) return 'not-open' as const;
      // Those a run holds right now are being sent: they end as the target answers.
      await this.sequelize.query(
        `UPDATE invitations SET status = 'skipped', reason = :reason, reason_code = 'backfill-cancelled', job_id = NULL, next_attempt_at = NULL,
           updated_at = now()
         WHERE backfill_id = :id AND status = 'queued' AND (lease_expires_at IS NULL OR lease_expires_at <= now())`,
        { replacements: { id, reason: CANCELLED_REASON }, transaction },
      );
      await this.audit.record(audit, transaction);
      return toBackfill(row);
    });
  }

  async recoverStalled(limit: number): Promise<number> {
    const count = await this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ id: string }>(
        `SELECT id FROM backfills b WHERE b.status IN ('counting', 'running') AND NOT ${liveJobSql(JOBS.backfillStep, 'b.job_id')}
         ORDER BY b.updated_at LIMIT :limit FOR UPDATE SKIP LOCKED`,
        { replacements: { limit }, type: QueryTypes.SELECT, transaction },
      );
      for (const row of rows) await this.#update(row.id, 'job_id = :jobId', { jobId: await this.#nextJob(row.id, transaction, 0) }, transaction);
      return rows.length;
    });
    if (count > 0) this.queue.nudge(JOBS.backfillStep);
    // An invitation a run held when its backfill was cancelled, and that run put off for later, is skipped now.
    const [, skipped] = await this.sequelize.query(
      `UPDATE invitations i SET status = 'skipped', reason = :reason, reason_code = 'backfill-cancelled', job_id = NULL, next_attempt_at = NULL,
         updated_at = now()
       FROM backfills b
       WHERE b.id = i.backfill_id AND b.status = 'cancelled' AND i.status = 'queued' AND (i.lease_expires_at IS NULL OR i.lease_expires_at <= now())`,
      { replacements: { reason: CANCELLED_REASON } },
    );
    return count + ((skipped as { rowCount?: number }).rowCount ?? 0);
  }

  async #nextJob(id: string, transaction: Transaction, delayMs: number): Promise<string> {
    const jobId = randomUUID();
    await this.queue.send(JOBS.backfillStep, { backfillId: id }, transaction, {
      id: jobId,
      ...(delayMs > 0 ? { startAfter: new Date(Date.now() + delayMs) } : {}),
    });
    return jobId;
  }

  async #update(id: string, set: string, replacements: Record<string, unknown>, transaction: Transaction): Promise<void> {
    await this.sequelize.query(`UPDATE backfills SET ${set}, updated_at = now() WHERE id = :id`, {
      replacements: { ...replacements, id },
      transaction,
    });
  }

  /**
   * The page's users join the site's known users (as already planned: nothing else plans them), and
   * their invitations are written and queued, each new one with its delivery job. Returns how many
   * were new: one the site already had (any status) is left alone.
   */
  async #invite(backfill: BackfillRow, plans: ExistingUserPlan[], transaction: Transaction): Promise<number> {
    if (plans.length === 0) return 0;
    const [account] = await this.sequelize.query<{ target_type: TargetType; workspace: string | null }>(
      'SELECT target_type, workspace FROM linked_accounts WHERE id = :id',
      { replacements: { id: backfill.linked_account_id }, type: QueryTypes.SELECT, transaction },
    );
    if (!account) return 0;
    const users = await this.sequelize.query<{ id: string; account_id: string }>(
      `INSERT INTO new_users (tenant_id, account_id, display_name, email, account_type, planned_at)
       SELECT :tenantId, u.account_id, u.display_name, u.email, u.account_type, now()
       FROM unnest(ARRAY[:accountIds]::text[], ARRAY[:names]::text[], ARRAY[:emails]::text[], ARRAY[:types]::text[])
         AS u(account_id, display_name, email, account_type)
       ON CONFLICT (tenant_id, account_id) DO UPDATE SET email = COALESCE(new_users.email, EXCLUDED.email)
       RETURNING id, account_id`,
      {
        replacements: {
          tenantId: backfill.tenant_id,
          accountIds: plans.map((p) => p.user.accountId),
          names: plans.map((p) => p.user.displayName),
          emails: plans.map((p) => p.user.email),
          types: plans.map((p) => p.user.accountType),
        },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    const userIds = new Map(users.map((u) => [u.account_id, u.id]));
    const rows = plans.flatMap((plan) => plan.groups.map((group) => ({ plan, group, jobId: randomUUID() })));
    const created = await this.sequelize.query<{ id: string; job_id: string }>(
      `INSERT INTO invitations (tenant_id, new_user_id, linked_account_id, account_id, display_name, email, target_type, workspace,
         group_slug, group_name, status, job_id, backfill_id, chosen_by)
       SELECT :tenantId, r.new_user_id, :linkedAccountId, r.account_id, r.display_name, r.email, :targetType, :workspace,
         r.group_slug, r.group_name, 'queued', r.job_id, :backfillId, CAST(r.chosen_by AS jsonb)
       FROM unnest(ARRAY[:newUserIds]::uuid[], ARRAY[:accountIds]::text[], ARRAY[:names]::text[], ARRAY[:emails]::text[],
         ARRAY[:slugs]::text[], ARRAY[:groupNames]::text[], ARRAY[:jobIds]::uuid[], ARRAY[:chosenBy]::text[])
         AS r(new_user_id, account_id, display_name, email, group_slug, group_name, job_id, chosen_by)
       ON CONFLICT (tenant_id, account_id, linked_account_id, group_slug) DO NOTHING RETURNING id, job_id`,
      {
        replacements: {
          tenantId: backfill.tenant_id,
          linkedAccountId: backfill.linked_account_id,
          targetType: account.target_type,
          workspace: account.workspace,
          backfillId: backfill.id,
          newUserIds: rows.map((r) => userIds.get(r.plan.user.accountId)!),
          accountIds: rows.map((r) => r.plan.user.accountId),
          names: rows.map((r) => r.plan.user.displayName),
          emails: rows.map((r) => r.plan.user.email),
          slugs: rows.map((r) => r.group.slug),
          groupNames: rows.map((r) => r.group.name),
          jobIds: rows.map((r) => r.jobId),
          chosenBy: rows.map((r) => JSON.stringify(r.plan.chosenBy)),
        },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    for (const invitation of created) {
      await this.queue.send(JOBS.deliverInvitation, { invitationId: invitation.id }, transaction, {
        id: invitation.job_id,
        priority: BACKFILL_DELIVERY_PRIORITY,
      });
    }
    return created.length;
  }
}
