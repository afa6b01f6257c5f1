import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { CheckedUser, CheckProgress, UserCheck, UserCheckStatus, UserCheckStore } from '../domain/offboarding-stores.js';
import { JOBS, liveJobSql, type JobQueue } from '../jobs/job-queue.js';

type UserCheckRow = {
  id: string;
  tenant_id: string;
  trigger: 'schedule' | 'admin';
  status: UserCheckStatus;
  total: number;
  checked: number;
  inactive: number;
  reactivated: number;
  unknown: number;
  cursor: string | null;
  reason: string | null;
  started_at: Date;
  finished_at: Date | null;
};

const toCheck = (row: UserCheckRow): UserCheck => ({
  id: row.id,
  tenantId: row.tenant_id,
  trigger: row.trigger,
  status: row.status,
  total: row.total,
  checked: row.checked,
  inactive: row.inactive,
  reactivated: row.reactivated,
  unknown: row.unknown,
  reason: row.reason,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
});

/**
 * Who a check asks Jira about: everyone the app added to a group of a linked account (an invitation
 * it sent, not removed since), everyone whose deactivation it recorded (to see them come back), and
 * everyone check `:checkId` itself found gone (a page read again after a crash counts them once).
 */
const USERS_TO_CHECK = `SELECT account_id, max(display_name) AS display_name, bool_or(departed) AS departed FROM (
    SELECT i.account_id, i.display_name, false AS departed FROM invitations i JOIN linked_accounts l ON l.id = i.linked_account_id
    WHERE i.tenant_id = :tenantId AND i.status = 'sent' AND i.removed_at IS NULL AND l.status <> 'unlinked'
      AND (CAST(:cursor AS text) IS NULL OR i.account_id > :cursor)
      AND NOT EXISTS (SELECT 1 FROM departures d WHERE d.tenant_id = i.tenant_id AND d.account_id = i.account_id AND d.returned_at IS NULL)
    UNION ALL
    SELECT d.account_id, d.display_name, true FROM departures d
    WHERE d.tenant_id = :tenantId AND d.returned_at IS NULL
      AND (d.cause = 'deactivated' OR d.user_check_id = CAST(:checkId AS uuid)) AND (CAST(:cursor AS text) IS NULL OR d.account_id > :cursor)
  ) users GROUP BY account_id`;

const LEASE_FREE = '(lease_expires_at IS NULL OR lease_expires_at <= now())';
const rowCount = (result: unknown): number => (result as { rowCount?: number }).rowCount ?? 0;

/** Reconciliation runs: one running per site at most, resumable from the cursor each page saves. */
export class UserCheckRepository implements UserCheckStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
  ) {}

  async start(tenantId: string, trigger: 'schedule' | 'admin', actorAccountId: string | null): Promise<UserCheck> {
    const started = await this.sequelize.transaction((transaction) => this.#start(tenantId, trigger, actorAccountId, transaction));
    if (started.created) this.queue.nudge(JOBS.checkUsers);
    return started.check;
  }

  async #start(
    tenantId: string,
    trigger: 'schedule' | 'admin',
    actorAccountId: string | null,
    transaction: Transaction,
  ): Promise<{ check: UserCheck; created: boolean }> {
    const jobId = randomUUID();
    const [row] = await this.sequelize.query<UserCheckRow>(
      `INSERT INTO user_checks (tenant_id, trigger, actor_account_id, status, job_id, total)
       VALUES (:tenantId, :trigger, :actorAccountId, 'running', :jobId, (SELECT count(*) FROM (${USERS_TO_CHECK}) counted))
       ON CONFLICT (tenant_id) WHERE status = 'running' DO NOTHING RETURNING *`,
      { replacements: { tenantId, trigger, actorAccountId, jobId, cursor: null, checkId: null }, type: QueryTypes.SELECT, transaction },
    );
    if (row) {
      await this.queue.send(JOBS.checkUsers, { userCheckId: row.id }, transaction, { id: jobId });
      return { check: toCheck(row), created: true };
    }
    if (trigger === 'admin') {
      // "Check now" during a scheduled check: that check may already have passed people who left since, so it
      // starts over from the first user as the admin's check. A new lease and job: the run under way stops at
      // its next page (its saved progress no longer matches), and the departures it recorded stay with this check.
      const [restarted] = await this.sequelize.query<UserCheckRow>(
        `UPDATE user_checks SET trigger = 'admin', actor_account_id = :actorAccountId, started_at = now(), cursor = NULL,
           checked = 0, inactive = 0, reactivated = 0, unknown = 0, total = (SELECT count(*) FROM (${USERS_TO_CHECK}) counted),
           lease_owner = NULL, lease_expires_at = NULL, job_id = :jobId
         WHERE tenant_id = :tenantId AND status = 'running' AND trigger = 'schedule' RETURNING *`,
        { replacements: { tenantId, actorAccountId, jobId, cursor: null, checkId: null }, type: QueryTypes.SELECT, transaction },
      );
      if (restarted) {
        await this.queue.send(JOBS.checkUsers, { userCheckId: restarted.id }, transaction, { id: jobId });
        return { check: toCheck(restarted), created: true };
      }
    }
    const [running] = await this.sequelize.query<UserCheckRow>("SELECT * FROM user_checks WHERE tenant_id = :tenantId AND status = 'running'", {
      replacements: { tenantId },
      type: QueryTypes.SELECT,
      transaction,
    });
    // The running check ended between the two statements: this request starts the next one.
    if (!running) return this.#start(tenantId, trigger, actorAccountId, transaction);
    return { check: toCheck(running), created: false };
  }

  async scheduleDue(intervalMs: number, limit: number): Promise<number> {
    const tenants = await this.sequelize.query<{ id: string }>(
      `SELECT t.id FROM tenants t
       WHERE EXISTS (SELECT 1 FROM linked_accounts l WHERE l.tenant_id = t.id AND l.offboarding = 'remove' AND l.status <> 'unlinked')
         AND NOT EXISTS (SELECT 1 FROM user_checks c WHERE c.tenant_id = t.id
           AND (c.status = 'running' OR c.started_at > now() - :intervalMs * interval '1 millisecond'))
       ORDER BY t.id LIMIT :limit`,
      { replacements: { intervalMs, limit }, type: QueryTypes.SELECT },
    );
    for (const tenant of tenants) await this.start(tenant.id, 'schedule', null);
    return tenants.length;
  }

  async latest(tenantId: string): Promise<UserCheck | null> {
    const [row] = await this.sequelize.query<UserCheckRow>('SELECT * FROM user_checks WHERE tenant_id = :tenantId ORDER BY started_at DESC LIMIT 1', {
      replacements: { tenantId },
      type: QueryTypes.SELECT,
    });
    return row ? toCheck(row) : null;
  }

  async claim(id: string, jobId: string, leaseMs: number): Promise<{ check: UserCheck; cursor: string | null; lease: string } | null> {
    const lease = randomUUID();
    const [row] = await this.sequelize.query<UserCheckRow>(
      `UPDATE user_checks SET lease_owner = :lease, lease_expires_at = now() + :leaseMs * interval '1 millisecond'
       WHERE id = :id AND job_id = :jobId AND status = 'running' AND ${LEASE_FREE} RETURNING *`,
      { replacements: { id, jobId, lease, leaseMs: Math.ceil(leaseMs) }, type: QueryTypes.SELECT },
    );
    return row ? { check: toCheck(row), cursor: row.cursor, lease } : null;
  }

  async page(tenantId: string, checkId: string, cursor: string | null, limit: number): Promise<CheckedUser[]> {
    const rows = await this.sequelize.query<{ account_id: string; display_name: string | null; departed: boolean }>(
      `${USERS_TO_CHECK} ORDER BY account_id LIMIT :limit`,
      { replacements: { tenantId, checkId, cursor, limit }, type: QueryTypes.SELECT },
    );
    return rows.map((row) => ({ accountId: row.account_id, displayName: row.display_name, departed: row.departed }));
  }

  async progress(id: string, lease: string, progress: CheckProgress, leaseMs: number): Promise<boolean> {
    const [, result] = await this.sequelize.query(
      `UPDATE user_checks SET cursor = :cursor, checked = :checked, inactive = :inactive, reactivated = :reactivated, unknown = :unknown,
         total = GREATEST(total, :checked), lease_expires_at = now() + :leaseMs * interval '1 millisecond'
       WHERE id = :id AND lease_owner = :lease AND status = 'running'`,
      { replacements: { id, lease, ...progress, leaseMs: Math.ceil(leaseMs) } },
    );
    return rowCount(result) > 0;
  }

  async finish(id: string, lease: string, status: 'finished' | 'failed', reason: string | null): Promise<boolean> {
    let planned = false;
    const finished = await this.sequelize.transaction(async (transaction) => {
      const [, result] = await this.sequelize.query(
        `UPDATE user_checks SET status = :status, reason = :reason, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, job_id = NULL
         WHERE id = :id AND lease_owner = :lease AND status = 'running'`,
        { replacements: { id, lease, status, reason }, transaction },
      );
      if (rowCount(result) === 0) return false;
      const departures = await this.sequelize.query<{ id: string }>(
        'SELECT id FROM departures WHERE user_check_id = :id AND planned_at IS NULL AND returned_at IS NULL',
        { replacements: { id }, type: QueryTypes.SELECT, transaction },
      );
      if (departures.length > 0) {
        await this.queue.send(JOBS.planRemovals, { departureIds: departures.map((d) => d.id) }, transaction);
        planned = true;
      }
      return true;
    });
    if (planned) this.queue.nudge(JOBS.planRemovals);
    return finished;
  }

  async recoverStalled(limit: number): Promise<number> {
    const count = await this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ id: string }>(
        `SELECT id FROM user_checks WHERE status = 'running' AND ${LEASE_FREE} AND NOT ${liveJobSql(JOBS.checkUsers, 'job_id')}
         LIMIT :limit FOR UPDATE SKIP LOCKED`,
        { replacements: { limit }, type: QueryTypes.SELECT, transaction },
      );
      for (const row of rows) {
        const jobId = randomUUID();
        await this.sequelize.query('UPDATE user_checks SET job_id = :jobId WHERE id = :id', { replacements: { id: row.id, jobId }, transaction });
        await this.queue.send(JOBS.checkUsers, { userCheckId: row.id }, transaction, { id: jobId });
      }
      return rows.length;
    });
    if (count > 0) this.queue.nudge(JOBS.checkUsers);
    return count;
  }
}
