import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { TargetType } from '../domain/model.js';
import type {
  DepartureCause,
  Removal,
  RemovalClaim,
  RemovalFilter,
  RemovalOutcome,
  RemovalStatus,
  RemovalStore,
} from '../domain/offboarding-stores.js';
import { JOBS, liveJobSql, type JobQueue } from '../jobs/job-queue.js';
import type { AuditLog } from './audit-log.js';

type RemovalRow = {
  id: string;
  tenant_id: string;
  linked_account_id: string;
  linked_account_name: string;
  invitation_id: string;
  target_type: TargetType;
  workspace: string | null;
  account_id: string;
  display_name: string | null;
  email: string | null;
  group_slug: string;
  group_name: string;
  cause: DepartureCause;
  status: RemovalStatus;
  reason: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  returned: boolean;
};

const toRemoval = (row: RemovalRow): Removal => ({
  id: row.id,
  tenantId: row.tenant_id,
  linkedAccountId: row.linked_account_id,
  linkedAccountName: row.linked_account_name,
  targetType: row.target_type,
  workspace: row.workspace,
  accountId: row.account_id,
  displayName: row.display_name,
  email: row.email,
  groupSlug: row.group_slug,
  groupName: row.group_name,
  cause: row.cause,
  status: row.status,
  reason: row.reason,
  attempts: row.attempts,
  nextAttemptAt: row.next_attempt_at,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  finishedAt: row.finished_at,
  returned: row.returned,
});

const SELECT_REMOVALS = `SELECT r.*, l.display_name AS linked_account_name, (d.returned_at IS NOT NULL) AS returned
  FROM removals r JOIN linked_accounts l ON l.id = r.linked_account_id JOIN departures d ON d.id = r.departure_id`;
const LEASE_FREE = '(r.lease_expires_at IS NULL OR r.lease_expires_at <= now())';
const rowCount = (result: unknown): number => (result as { rowCount?: number }).rowCount ?? 0;

/**
 * Removals and the jobs that make them, with the invitations' design (src/persistence/invitation-repository.ts):
 * `job_id` names the one job allowed to claim a removal, a lease keeps a second run of it away, and
 * only the lease holder may finish or reschedule it. Every finished removal is in the audit log.
 */
export class RemovalRepository implements RemovalStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
    private readonly audit: AuditLog,
  ) {}

  async claim(id: string, jobId: string, leaseMs: number): Promise<RemovalClaim> {
    const lease = randomUUID();
    const [updated] = await this.sequelize.query<{ id: string }>(
      `UPDATE removals r SET lease_owner = :lease, lease_expires_at = now() + :leaseMs * interval '1 millisecond'
       WHERE r.id = :id AND r.job_id = :jobId AND r.status = 'queued' AND ${LEASE_FREE} RETURNING r.id`,
      { replacements: { id, jobId, lease, leaseMs: Math.ceil(leaseMs) }, type: QueryTypes.SELECT },
    );
    if (updated) {
      const [row] = await this.sequelize.query<RemovalRow>(`${SELECT_REMOVALS} WHERE r.id = :id`, { replacements: { id }, type: QueryTypes.SELECT });
      return { outcome: 'claimed', removal: toRemoval(row!), lease };
    }
    const [owned] = await this.sequelize.query("SELECT id FROM removals WHERE id = :id AND job_id = :jobId AND status = 'queued'", {
      replacements: { id, jobId },
      type: QueryTypes.SELECT,
    });
    return owned ? { outcome: 'leased-elsewhere' } : { outcome: 'not-owner' };
  }

  async extendLease(id: string, lease: string, leaseMs: number): Promise<boolean> {
    const [, result] = await this.sequelize.query(
      `UPDATE removals SET lease_expires_at = now() + :leaseMs * interval '1 millisecond' WHERE id = :id AND lease_owner = :lease AND status = 'queued'`,
      { replacements: { id, lease, leaseMs: Math.ceil(leaseMs) } },
    );
    return rowCount(result) > 0;
  }

  async deferUntilLeaseEnds(id: string, jobId: string): Promise<boolean> {
    const newJobId = randomUUID();
    return this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<{ starts_at: Date }>(
        `UPDATE removals SET job_id = :newJobId WHERE id = :id AND job_id = :jobId AND status = 'queued'
         RETURNING GREATEST(lease_expires_at, now()) AS starts_at`,
        { replacements: { id, jobId, newJobId }, type: QueryTypes.SELECT, transaction },
      );
      if (!row) return false;
      await this.queue.send(JOBS.removeMember, { removalId: id }, transaction, { id: newJobId, startAfter: new Date(row.starts_at) });
      return true;
    });
  }

  async finish(id: string, lease: string, outcome: RemovalOutcome): Promise<boolean> {
    return this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<RemovalRow>(
        `UPDATE removals SET status = :status, reason = :reason, attempts = attempts + :attempted, next_attempt_at = NULL, job_id = NULL,
           lease_owner = NULL, lease_expires_at = NULL, finished_at = now(), updated_at = now()
         WHERE id = :id AND lease_owner = :lease AND status = 'queued' RETURNING *`,
        {
          replacements: { id, lease, status: outcome.status, reason: outcome.reason, attempted: outcome.attempted ? 1 : 0 },
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      if (!row) return false;
      // The membership the app added is gone: the invitation says so, and a user back in Jira may be invited again.
      if (outcome.status === 'removed' || outcome.status === 'not-a-member') {
        await this.sequelize.query('UPDATE invitations SET removed_at = now() WHERE id = :invitationId', {
          replacements: { invitationId: row.invitation_id },
          transaction,
        });
      }
      await this.audit.record(
        {
          tenantId: row.tenant_id,
          actorAccountId: null,
          action: `offboarding.removal-${outcome.status}`,
          subject: `user:${row.account_id}`,
          before: { linkedAccountId: row.linked_account_id, group: { slug: row.group_slug, name: row.group_name }, cause: row.cause },
          after: { removalId: row.id, status: outcome.status, reason: outcome.reason },
        },
        transaction,
      );
      return true;
    });
  }

  async reschedule(id: string, lease: string, change: { delayMs: number; reason: string; attempted: boolean }): Promise<boolean> {
    const startAfter = new Date(Date.now() + change.delayMs);
    const newJobId = randomUUID();
    return this.sequelize.transaction(async (transaction) => {
      const [, result] = await this.sequelize.query(
        `UPDATE removals SET job_id = :newJobId, next_attempt_at = :startAfter, reason = :reason, attempts = attempts + :attempted,
           lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
         WHERE id = :id AND lease_owner = :lease AND status = 'queued'`,
        { replacements: { id, lease, newJobId, startAfter, reason: change.reason, attempted: change.attempted ? 1 : 0 }, transaction },
      );
      if (rowCount(result) === 0) return false;
      await this.queue.send(JOBS.removeMember, { removalId: id }, transaction, { id: newJobId, startAfter });
      return true;
    });
  }

  async release(id: string, lease: string): Promise<void> {
    await this.sequelize.query('UPDATE removals SET lease_owner = NULL, lease_expires_at = NULL WHERE id = :id AND lease_owner = :lease', {
      replacements: { id, lease },
    });
  }

  async recoverStalled(limit: number): Promise<number> {
    const count = await this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ id: string }>(
        `SELECT r.id FROM removals r WHERE r.status = 'queued' AND ${LEASE_FREE} AND NOT ${liveJobSql(JOBS.removeMember, 'r.job_id')}
         ORDER BY r.updated_at LIMIT :limit FOR UPDATE SKIP LOCKED`,
        { replacements: { limit }, type: QueryTypes.SELECT, transaction },
      );
      for (const row of rows) {
        const jobId = randomUUID();
        await this.sequelize.query('UPDATE removals SET job_id = :jobId, attempts = attempts + 1, updated_at = now() WHERE id = :id', {
          replacements: { id: row.id, jobId },
          transaction,
        });
        await this.queue.send(JOBS.removeMember, { removalId: row.id }, transaction, { id: jobId });
      }
      return rows.length;
    });
    if (count > 0) this.queue.nudge(JOBS.removeMember);
    return count;
  }

  async list(tenantId: string, filter: RemovalFilter): Promise<{ removals: Removal[]; total: number }> {
    const where = ['r.tenant_id = :tenantId'];
    if (filter.status) where.push('r.status = :status');
    if (filter.linkedAccountId) where.push('r.linked_account_id = :linkedAccountId');
    const replacements = {
      tenantId,
      status: filter.status ?? null,
      linkedAccountId: filter.linkedAccountId ?? null,
      limit: filter.pageSize,
      offset: (filter.page - 1) * filter.pageSize,
    };
    const [rows, counted] = await Promise.all([
      this.sequelize.query<RemovalRow>(
        `${SELECT_REMOVALS} WHERE ${where.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC LIMIT :limit OFFSET :offset`,
        {
          replacements,
          type: QueryTypes.SELECT,
        },
      ),
      this.sequelize.query<{ total: string }>(`SELECT count(*) AS total FROM removals r WHERE ${where.join(' AND ')}`, {
        replacements,
        type: QueryTypes.SELECT,
      }),
    ]);
    return { removals: rows.map(toRemoval), total: Number(counted[0]!.total) };
  }
}
