import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type {
  AddedMembership,
  DepartedMember,
  DepartureCause,
  OffboardingMode,
  OffboardingSetting,
  OffboardingStore,
  PlannedRemoval,
} from '../domain/offboarding-stores.js';
import type { AuditEntry } from '../domain/stores.js';
import { JOBS, unlistedIdsSql, type JobQueue } from '../jobs/job-queue.js';
import type { AuditLog } from './audit-log.js';

const USER_DELETED_REASON = 'Jira deleted this user before the invitation was sent, so there is no one to invite.';

/** A membership the app added: an invitation it sent (not one Bitbucket or Atlassian said existed already), not removed since. */
const ADDED = "i.status = 'sent' AND i.removed_at IS NULL";
const NO_REMOVAL_YET = 'NOT EXISTS (SELECT 1 FROM removals r WHERE r.departure_id = d.id AND r.invitation_id = i.id)';

const rowCount = (result: unknown): number => (result as { rowCount?: number }).rowCount ?? 0;

/** The offboarding setting of linked accounts, the departures Jira told of or a check found, and the planning of removals. */
export class OffboardingRepository implements OffboardingStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
    private readonly audit: AuditLog,
  ) {}

  async setting(tenantId: string, linkedAccountId: string): Promise<OffboardingSetting | null> {
    const [row] = await this.sequelize.query<{ offboarding: OffboardingMode; removal_threshold: number | null }>(
      'SELECT offboarding, removal_threshold FROM linked_accounts WHERE tenant_id = :tenantId AND id = :linkedAccountId',
      { replacements: { tenantId, linkedAccountId }, type: QueryTypes.SELECT },
    );
    return row ? { mode: row.offboarding, threshold: row.removal_threshold } : null;
  }

  async saveSetting(
    tenantId: string,
    linkedAccountId: string,
    expectedVersion: number,
    setting: OffboardingSetting,
    plans: PlannedRemoval[],
    audit: AuditEntry[],
  ): Promise<'saved' | 'not-found' | 'conflict'> {
    let queued = 0;
    const outcome = await this.sequelize.transaction(async (transaction) => {
      const [, result] = await this.sequelize.query(
        `UPDATE linked_accounts SET offboarding = :mode, removal_threshold = :threshold, version = version + 1, updated_at = now()
         WHERE tenant_id = :tenantId AND id = :linkedAccountId AND version = :expectedVersion AND status <> 'unlinked'`,
        { replacements: { tenantId, linkedAccountId, expectedVersion, mode: setting.mode, threshold: setting.threshold }, transaction },
      );
      if (rowCount(result) === 0) {
        const [exists] = await this.sequelize.query(
          "SELECT 1 FROM linked_accounts WHERE tenant_id = :tenantId AND id = :linkedAccountId AND status <> 'unlinked'",
          { replacements: { tenantId, linkedAccountId }, type: QueryTypes.SELECT, transaction },
        );
        return exists ? ('conflict' as const) : ('not-found' as const);
      }
      for (const entry of audit) await this.audit.record(entry, transaction);
      queued = await this.#insertRemovals(plans, transaction);
      return 'saved' as const;
    });
    if (queued > 0) this.queue.nudge(JOBS.removeMember);
    return outcome;
  }

  async departedMembers(tenantId: string, linkedAccountId: string): Promise<DepartedMember[]> {
    const rows = await this.sequelize.query<{
      departure_id: string;
      account_id: string;
      display_name: string | null;
      cause: DepartureCause;
      detected_at: Date;
      invitation_id: string;
      group_slug: string;
      group_name: string;
    }>(
      `SELECT d.id AS departure_id, d.account_id, COALESCE(d.display_name, i.display_name) AS display_name, d.cause, d.detected_at,
         i.id AS invitation_id, i.group_slug, i.group_name
       FROM departures d JOIN invitations i ON i.tenant_id = d.tenant_id AND i.account_id = d.account_id
       WHERE d.tenant_id = :tenantId AND d.returned_at IS NULL AND i.linked_account_id = :linkedAccountId AND ${ADDED} AND ${NO_REMOVAL_YET}
       ORDER BY d.detected_at, d.account_id, i.group_name`,
      { replacements: { tenantId, linkedAccountId }, type: QueryTypes.SELECT },
    );
    const members = new Map<string, DepartedMember>();
    for (const row of rows) {
      const member = members.get(row.departure_id) ?? {
        departureId: row.departure_id,
        accountId: row.account_id,
        displayName: row.display_name,
        cause: row.cause,
        detectedAt: row.detected_at,
        groups: [],
      };
      member.groups.push({ slug: row.group_slug, name: row.group_name, invitationId: row.invitation_id });
      members.set(row.departure_id, member);
    }
    return [...members.values()];
  }

  async recordDeparture(
    tenantId: string,
    user: { accountId: string; displayName: string | null },
    cause: DepartureCause,
    source: { eventId: string | null } | { userCheckId: string },
  ): Promise<'recorded' | 'duplicate'> {
    const fromCheck = 'userCheckId' in source;
    const recorded = await this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<{ id: string }>(
        `INSERT INTO departures (tenant_id, account_id, display_name, cause, event_id, user_check_id)
         VALUES (:tenantId, :accountId, :displayName, :cause, :eventId, :userCheckId)
         ON CONFLICT (tenant_id, account_id) WHERE returned_at IS NULL DO NOTHING RETURNING id`,
        {
          replacements: {
            tenantId,
            accountId: user.accountId,
            displayName: user.displayName,
            cause,
            eventId: fromCheck ? null : source.eventId,
            userCheckId: fromCheck ? source.userCheckId : null,
          },
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      // Jira never brings a deleted account back: what still waits for it (queued, or held for
      // review) ends skipped in the same transaction. One being sent right now (leased) is left to
      // finish, and then counts as a membership the app added.
      if (row && cause === 'deleted') {
        await this.sequelize.query(
          `UPDATE invitations SET status = 'skipped', reason = :reason, reason_code = 'user-deleted', job_id = NULL,
             next_attempt_at = NULL, updated_at = now()
           WHERE tenant_id = :tenantId AND account_id = :accountId AND status IN ('queued', 'pending-review')
             AND (lease_expires_at IS NULL OR lease_expires_at <= now())`,
          { replacements: { tenantId, accountId: user.accountId, reason: USER_DELETED_REASON }, transaction },
        );
      }
      // A check's departures are planned together when the check ends: one run, one threshold.
      if (row && !fromCheck) await this.queue.send(JOBS.planRemovals, { departureIds: [row.id] }, transaction);
      return row !== undefined;
    });
    if (recorded && !fromCheck) this.queue.nudge(JOBS.planRemovals);
    return recorded ? 'recorded' : 'duplicate';
  }

  async removalCandidates(departureIds: string[]) {
    const rows = await this.sequelize.query<{
      departure_id: string;
      tenant_id: string;
      linked_account_id: string;
      removal_threshold: number | null;
      invitation_id: string;
      account_id: string;
      display_name: string | null;
      group_slug: string;
      group_name: string;
    }>(
      `SELECT d.id AS departure_id, d.tenant_id, i.linked_account_id, l.removal_threshold, i.id AS invitation_id, i.account_id,
         COALESCE(d.display_name, i.display_name) AS display_name, i.group_slug, i.group_name
       FROM departures d
       JOIN invitations i ON i.tenant_id = d.tenant_id AND i.account_id = d.account_id
       JOIN linked_accounts l ON l.id = i.linked_account_id
       WHERE d.id IN (:departureIds) AND d.planned_at IS NULL AND d.returned_at IS NULL
         AND l.offboarding = 'remove' AND l.status <> 'unlinked' AND ${ADDED} AND ${NO_REMOVAL_YET}
       ORDER BY l.id, d.account_id, i.group_name`,
      { replacements: { departureIds }, type: QueryTypes.SELECT },
    );
    return rows.map((row) => {
      const membership: AddedMembership = {
        invitationId: row.invitation_id,
        linkedAccountId: row.linked_account_id,
        accountId: row.account_id,
        displayName: row.display_name,
        groupSlug: row.group_slug,
        groupName: row.group_name,
      };
      return {
        departureId: row.departure_id,
        tenantId: row.tenant_id,
        linkedAccountId: row.linked_account_id,
        threshold: row.removal_threshold,
        membership,
      };
    });
  }

  async recentRemovals(linkedAccountId: string): Promise<number> {
    const [row] = await this.sequelize.query<{ count: string }>(
      `SELECT count(*) AS count FROM removals
       WHERE linked_account_id = :linkedAccountId AND created_at > now() - interval '1 hour' AND confirmed_at IS NULL AND status <> 'cancelled'`,
      { replacements: { linkedAccountId }, type: QueryTypes.SELECT },
    );
    return Number(row?.count ?? 0);
  }

  async createRemovals(departureIds: string[], plans: PlannedRemoval[], audit: AuditEntry[]): Promise<number> {
    const queued = await this.sequelize.transaction(async (transaction) => {
      const count = await this.#insertRemovals(plans, transaction);
      for (const entry of audit) await this.audit.record(entry, transaction);
      await this.sequelize.query('UPDATE departures SET planned_at = now() WHERE id IN (:departureIds) AND planned_at IS NULL', {
        replacements: { departureIds },
        transaction,
      });
      return count;
    });
    if (queued > 0) this.queue.nudge(JOBS.removeMember);
    return plans.length;
  }

  /** Inserts removals (a repeat of one is ignored) and the jobs of the queued ones; answers how many were queued. */
  async #insertRemovals(plans: PlannedRemoval[], transaction: Transaction): Promise<number> {
    let queued = 0;
    for (const plan of plans) {
      const jobId = plan.status === 'queued' ? randomUUID() : null;
      const [row] = await this.sequelize.query<{ id: string }>(
        `INSERT INTO removals (tenant_id, departure_id, invitation_id, linked_account_id, account_id, display_name, email, target_type, workspace,
           group_slug, group_name, cause, status, confirmed_at, job_id)
         SELECT d.tenant_id, d.id, i.id, i.linked_account_id, i.account_id, COALESCE(d.display_name, i.display_name), i.email, i.target_type,
           i.workspace, i.group_slug, i.group_name, d.cause, :status, CASE WHEN :confirmed THEN now() END, :jobId
         FROM departures d JOIN invitations i ON i.id = :invitationId AND i.tenant_id = d.tenant_id
         WHERE d.id = :departureId
         ON CONFLICT (departure_id, invitation_id) DO NOTHING RETURNING id`,
        {
          replacements: { departureId: plan.departureId, invitationId: plan.invitationId, status: plan.status, confirmed: plan.confirmed, jobId },
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      if (row && jobId) {
        await this.queue.send(JOBS.removeMember, { removalId: row.id }, transaction, { id: jobId });
        queued++;
      }
    }
    return queued;
  }

  async recoverUnplanned(limit: number): Promise<number> {
    const count = await this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ id: string }>(
        `SELECT d.id FROM departures d
         WHERE d.id = ANY (${unlistedIdsSql(JOBS.planRemovals, 'departureIds', 'SELECT id::text FROM departures WHERE planned_at IS NULL AND returned_at IS NULL')}::uuid[])
           AND d.planned_at IS NULL AND d.returned_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM user_checks c WHERE c.id = d.user_check_id AND c.status = 'running')
         ORDER BY d.detected_at LIMIT :limit FOR UPDATE SKIP LOCKED`,
        { replacements: { limit }, type: QueryTypes.SELECT, transaction },
      );
      if (rows.length > 0) await this.queue.send(JOBS.planRemovals, { departureIds: rows.map((row) => row.id) }, transaction);
      return rows.length;
    });
    if (count > 0) this.queue.nudge(JOBS.planRemovals);
    return count;
  }

  /**
   * Re-joining (README "Offboarding"): the departure closes, removals not made yet are cancelled,
   * and the user is planned again as a new user under the current default groups; an invitation
   * whose membership was removed is queued again (src/persistence/invitation-repository.ts).
   */
  async recordReturn(tenantId: string, accountId: string, audit: AuditEntry): Promise<boolean> {
    const returned = await this.sequelize.transaction(async (transaction) => {
      const [departure] = await this.sequelize.query<{ id: string }>(
        `UPDATE departures SET returned_at = now() WHERE tenant_id = :tenantId AND account_id = :accountId AND returned_at IS NULL RETURNING id`,
        { replacements: { tenantId, accountId }, type: QueryTypes.SELECT, transaction },
      );
      if (!departure) return false;
      await this.sequelize.query(
        `UPDATE removals SET status = 'cancelled', reason = 'The user is active in Jira again.', job_id = NULL, finished_at = now(), updated_at = now()
         WHERE departure_id = :id AND status IN ('held', 'queued') AND (lease_expires_at IS NULL OR lease_expires_at <= now())`,
        { replacements: { id: departure.id }, transaction },
      );
      const [newUser] = await this.sequelize.query<{ id: string }>(
        'UPDATE new_users SET planned_at = NULL WHERE tenant_id = :tenantId AND account_id = :accountId RETURNING id',
        { replacements: { tenantId, accountId }, type: QueryTypes.SELECT, transaction },
      );
      if (newUser) await this.queue.send(JOBS.planInvitations, { newUserIds: [newUser.id] }, transaction);
      await this.audit.record(audit, transaction);
      return true;
    });
    if (returned) this.queue.nudge(JOBS.planInvitations);
    return returned;
  }

  async heldCount(tenantId: string, linkedAccountId: string): Promise<number> {
    const [row] = await this.sequelize.query<{ count: string }>(
      "SELECT count(*) AS count FROM removals WHERE tenant_id = :tenantId AND linked_account_id = :linkedAccountId AND status = 'held'",
      { replacements: { tenantId, linkedAccountId }, type: QueryTypes.SELECT },
    );
    return Number(row?.count ?? 0);
  }

  async releaseHeld(tenantId: string, linkedAccountId: string, count: number, audit: AuditEntry): Promise<number | 'count-changed'> {
    const released = await this.sequelize.transaction(async (transaction) => {
      const rows = await this.sequelize.query<{ id: string }>(
        "SELECT id FROM removals WHERE tenant_id = :tenantId AND linked_account_id = :linkedAccountId AND status = 'held' FOR UPDATE",
        { replacements: { tenantId, linkedAccountId }, type: QueryTypes.SELECT, transaction },
      );
      if (rows.length !== count) return 'count-changed' as const;
      for (const row of rows) {
        const jobId = randomUUID();
        await this.sequelize.query(
          "UPDATE removals SET status = 'queued', confirmed_at = now(), job_id = :jobId, updated_at = now() WHERE id = :id",
          { replacements: { id: row.id, jobId }, transaction },
        );
        await this.queue.send(JOBS.removeMember, { removalId: row.id }, transaction, { id: jobId });
      }
      await this.audit.record(audit, transaction);
      return rows.length;
    });
    if (released !== 'count-changed' && released > 0) this.queue.nudge(JOBS.removeMember);
    return released;
  }

  async discardHeld(tenantId: string, linkedAccountId: string, reason: string, audit: AuditEntry): Promise<number> {
    return this.sequelize.transaction(async (transaction) => {
      const [, result] = await this.sequelize.query(
        `UPDATE removals SET status = 'cancelled', reason = :reason, finished_at = now(), updated_at = now()
         WHERE tenant_id = :tenantId AND linked_account_id = :linkedAccountId AND status = 'held'`,
        { replacements: { tenantId, linkedAccountId, reason }, transaction },
      );
      await this.audit.record(audit, transaction);
      return rowCount(result);
    });
  }
}
