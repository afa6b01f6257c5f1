import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ChosenBy } from '../domain/group-choice.js';
import type { InvitationStatus, TargetType } from '../domain/model.js';
import type {
  DeliverableInvitation,
  DeliveryClaim,
  FinalOutcome,
  InvitationFilter,
  InvitationStore,
  PlannedInvitation,
  ReasonCode,
  RetryPlan,
  StalledDecision,
  StoredNewUser,
} from '../domain/stores.js';
import { JOBS, liveJobSql, type JobQueue } from '../jobs/job-queue.js';

export type InvitationRow = {
  id: string;
  tenant_id: string;
  new_user_id: string;
  linked_account_id: string;
  target_type: TargetType;
  linked_account_name: string;
  account_id: string;
  display_name: string | null;
  email: string | null;
  workspace: string | null;
  group_slug: string;
  group_name: string;
  status: InvitationStatus;
  reason: string | null;
  reason_code: ReasonCode | null;
  attempts: number;
  next_attempt_at: Date | null;
  job_id: string | null;
  created_at: Date;
  updated_at: Date;
  sent_at: Date | null;
  account_type: string | null;
  received_at: Date;
  chosen_by: ChosenBy | null;
};

export const toInvitation = (row: InvitationRow): DeliverableInvitation => ({
  id: row.id,
  tenantId: row.tenant_id,
  newUserId: row.new_user_id,
  linkedAccountId: row.linked_account_id,
  targetType: row.target_type,
  linkedAccountName: row.linked_account_name,
  accountId: row.account_id,
  accountType: row.account_type,
  receivedAt: row.received_at,
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
  chosenBy: row.chosen_by,
});

/** Invitations with the Jira account type of their new user (delivery checks it again), when the user was recorded, and the name of their linked account. */
export const SELECT_INVITATIONS = `SELECT i.*, n.account_type, n.received_at, l.display_name AS linked_account_name
  FROM invitations i JOIN new_users n ON n.id = i.new_user_id JOIN linked_accounts l ON l.id = i.linked_account_id`;

/** A lease that no run holds any more (none taken, or run out). */
const LEASE_FREE = '(i.lease_expires_at IS NULL OR i.lease_expires_at <= now())';

const rowCount = (result: unknown): number => (result as { rowCount?: number }).rowCount ?? 0;

/**
 * Invitations and the delivery jobs that own them. A row's `job_id` names the one job allowed to
 * claim it; a job that finds another id there is stale (a retry overtook it) and does nothing. A
 * run of that job then holds the row with a lease (`lease_owner`, `lease_expires_at`) while it
 * calls Jira and Bitbucket, and only the lease owner may finish or reschedule it: pg-boss can
 * hand one job to two runs (a slow run outlives the job's expiry), and only one of them may send.
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
          `INSERT INTO invitations (tenant_id, new_user_id, linked_account_id, account_id, display_name, email, target_type, workspace,
             group_slug, group_name, status, reason, reason_code, job_id, chosen_by)
           VALUES (:tenantId, :newUserId, :linkedAccountId, :accountId, :displayName, :email, :targetType, :workspace,
             :groupSlug, :groupName, :status, :reason, :reasonCode, :jobId, CAST(:chosenBy AS jsonb))
           ON CONFLICT (tenant_id, account_id, linked_account_id, group_slug) DO UPDATE SET
             status = EXCLUDED.status, reason = EXCLUDED.reason, reason_code = EXCLUDED.reason_code, job_id = EXCLUDED.job_id,
             chosen_by = EXCLUDED.chosen_by, attempts = 0, next_attempt_at = NULL, sent_at = NULL, removed_at = NULL,
             email = COALESCE(EXCLUDED.email, invitations.email), updated_at = now()
           -- Only a membership offboarding removed is planned again (a user back in Jira); any other repeat changes nothing.
           WHERE invitations.removed_at IS NOT NULL
           RETURNING id`,
          {
            replacements: {
              tenantId: newUser.tenantId,
              newUserId: newUser.id,
              linkedAccountId: plan.linkedAccountId,
              accountId: newUser.accountId,
              displayName: newUser.displayName,
              email,
              targetType: plan.targetType,
              workspace: plan.workspace,
              groupSlug: plan.group.slug,
              groupName: plan.group.name,
              status: plan.status,
              reason: plan.reason,
              reasonCode: plan.reasonCode,
              jobId,
              chosenBy: JSON.stringify(plan.chosenBy),
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

  async find(tenantId: string, id: string): Promise<DeliverableInvitation | null> {
    const [row] = await this.sequelize.query<InvitationRow>(`${SELECT_INVITATIONS} WHERE i.tenant_id = :tenantId AND i.id = :id`, {
      replacements: { tenantId, id },
      type: QueryTypes.SELECT,
    });
    return row ? toInvitation(row) : null;
  }

  async claim(id: string, jobId: string, leaseMs: number): Promise<DeliveryClaim> {
    const lease = randomUUID();
    const [row] = await this.sequelize.query<InvitationRow>(
      `UPDATE invitations i SET lease_owner = :lease, lease_expires_at = now() + :leaseMs * interval '1 millisecond'
       FROM new_users n, linked_accounts l
       WHERE i.id = :id AND n.id = i.new_user_id AND l.id = i.linked_account_id AND i.job_id = :jobId AND i.status = 'queued' AND ${LEASE_FREE}
       RETURNING i.*, n.account_type, n.received_at, l.display_name AS linked_account_name`,
      { replacements: { id, jobId, lease, leaseMs: Math.ceil(leaseMs) }, type: QueryTypes.SELECT },
    );
    if (row) return { outcome: 'claimed', invitation: toInvitation(row), lease };
    const [owned] = await this.sequelize.query<{ id: string }>(
      "SELECT id FROM invitations WHERE id = :id AND job_id = :jobId AND status = 'queued'",
      { replacements: { id, jobId }, type: QueryTypes.SELECT },
    );
    return owned ? { outcome: 'leased-elsewhere' } : { outcome: 'not-owner' };
  }

  async extendLease(id: string, lease: string, leaseMs: number): Promise<boolean> {
    const [, result] = await this.sequelize.query(
      `UPDATE invitations SET lease_expires_at = now() + :leaseMs * interval '1 millisecond'
       WHERE id = :id AND lease_owner = :lease AND status = 'queued'`,
      { replacements: { id, lease, leaseMs: Math.ceil(leaseMs) } },
    );
    return rowCount(result) > 0;
  }

  /** The new job starts when the lease ends; if the lease holder finishes or reschedules first, that job finds nothing to do. */
  async deferUntilLeaseEnds(id: string, jobId: string): Promise<boolean> {
    const newJobId = randomUUID();
    return this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<{ starts_at: Date }>(
        `UPDATE invitations SET job_id = :newJobId
         WHERE id = :id AND job_id = :jobId AND status = 'queued'
         RETURNING GREATEST(lease_expires_at, now()) AS starts_at`,
        { replacements: { id, jobId, newJobId }, type: QueryTypes.SELECT, transaction },
      );
      if (!row) return false;
      await this.queue.send(JOBS.deliverInvitation, { invitationId: id }, transaction, { id: newJobId, startAfter: new Date(row.starts_at) });
      return true;
    });
  }

  async finish(id: string, lease: string, outcome: FinalOutcome): Promise<boolean> {
    const [, result] = await this.sequelize.query(
      `UPDATE invitations SET status = :status, reason = :reason, reason_code = :reasonCode,
         attempts = attempts + :attempted, next_attempt_at = NULL, job_id = NULL, lease_owner = NULL, lease_expires_at = NULL,
         updated_at = now(), email = COALESCE(:email, email),
         sent_at = CASE WHEN :status IN ('sent', 'already-invited') THEN now() ELSE sent_at END
       WHERE id = :id AND lease_owner = :lease AND status = 'queued'`,
      {
        replacements: {
          id,
          lease,
          status: outcome.status,
          reason: outcome.reason,
          reasonCode: outcome.reasonCode,
          attempted: outcome.attempted ? 1 : 0,
          email: outcome.email ?? null,
        },
      },
    );
    return rowCount(result) > 0;
  }

  async reschedule(id: string, lease: string, change: RetryPlan): Promise<boolean> {
    const startAfter = new Date(Date.now() + change.delayMs);
    const newJobId = randomUUID();
    return this.sequelize.transaction(async (transaction) => {
      const [, result] = await this.sequelize.query(
        `UPDATE invitations SET job_id = :newJobId, next_attempt_at = :startAfter, reason = :reason,
           reason_code = CASE WHEN :reason IS NULL THEN NULL ELSE 'retrying' END,
           attempts = attempts + :attempted, email = COALESCE(:email, email), lease_owner = NULL, lease_expires_at = NULL,
           updated_at = now()
         WHERE id = :id AND lease_owner = :lease AND status = 'queued'`,
        {
          replacements: {
            id,
            lease,
            newJobId,
            startAfter,
            reason: change.reason,
            attempted: change.attempted ? 1 : 0,
            email: change.email ?? null,
          },
          transaction,
        },
      );
      if (rowCount(result) === 0) return false;
      await this.queue.send(JOBS.deliverInvitation, { invitationId: id }, transaction, { id: newJobId, startAfter });
      return true;
    });
  }

  async release(id: string, lease: string): Promise<void> {
    await this.sequelize.query('UPDATE invitations SET lease_owner = NULL, lease_expires_at = NULL WHERE id = :id AND lease_owner = :lease', {
      replacements: { id, lease },
    });
  }

  async recoverStalled(limit: number, decide: (invitation: DeliverableInvitation) => StalledDecision): Promise<number> {
    const count = await this.sequelize.transaction(async (transaction) => {
      // SKIP LOCKED: another instance sweeping at the same moment takes other rows, never the same one.
      const rows = await this.sequelize.query<InvitationRow>(
        `${SELECT_INVITATIONS}
         WHERE i.status = 'queued' AND ${LEASE_FREE} AND NOT ${liveJobSql(JOBS.deliverInvitation, 'i.job_id')}
         ORDER BY i.updated_at LIMIT :limit FOR UPDATE OF i SKIP LOCKED`,
        { replacements: { limit }, type: QueryTypes.SELECT, transaction },
      );
      let recovered = 0;
      for (const row of rows) {
        // A row changed while we waited for its lock is read anew, but its new job may be newer than
        // this statement's snapshot of the queue: ask the queue again before touching it.
        const [live] = await this.sequelize.query<{ live: boolean }>(`SELECT ${liveJobSql(JOBS.deliverInvitation, ':jobId')} AS live`, {
          replacements: { jobId: row.job_id },
          type: QueryTypes.SELECT,
          transaction,
        });
        if (live?.live) continue;
        const decision = decide(toInvitation(row));
        if ('finish' in decision) await this.#finishStalled(row.id, decision.finish, transaction);
        else await this.#requeueStalled(row.id, decision.requeue, transaction);
        recovered++;
      }
      return recovered;
    });
    if (count > 0) this.queue.nudge(JOBS.deliverInvitation);
    return count;
  }

  async #finishStalled(id: string, outcome: FinalOutcome, transaction: Transaction): Promise<void> {
    await this.sequelize.query(
      `UPDATE invitations SET status = :status, reason = :reason, reason_code = :reasonCode, attempts = attempts + :attempted,
         next_attempt_at = NULL, job_id = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE id = :id`,
      {
        replacements: { id, status: outcome.status, reason: outcome.reason, reasonCode: outcome.reasonCode, attempted: outcome.attempted ? 1 : 0 },
        transaction,
      },
    );
  }

  async #requeueStalled(id: string, change: { delayMs: number; reason: string }, transaction: Transaction): Promise<void> {
    const jobId = randomUUID();
    const startAfter = new Date(Date.now() + change.delayMs);
    await this.sequelize.query(
      `UPDATE invitations SET job_id = :jobId, next_attempt_at = :startAfter, reason = :reason, reason_code = 'retrying',
         attempts = attempts + 1, lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
       WHERE id = :id`,
      { replacements: { id, jobId, startAfter, reason: change.reason }, transaction },
    );
    await this.queue.send(JOBS.deliverInvitation, { invitationId: id }, transaction, { id: jobId, startAfter });
  }

  async requeue(tenantId: string, id: string): Promise<DeliverableInvitation | 'not-found' | 'not-retryable'> {
    const outcome = await this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<{ status: InvitationStatus }>(
        'SELECT status FROM invitations WHERE tenant_id = :tenantId AND id = :id FOR UPDATE',
        { replacements: { tenantId, id }, type: QueryTypes.SELECT, transaction },
      );
      if (!row) return 'not-found' as const;
      if (row.status !== 'failed' && row.status !== 'skipped') return 'not-retryable' as const;
      await this.#requeueRow(id, transaction);
      return 'requeued' as const;
    });
    if (outcome !== 'requeued') return outcome;
    this.queue.nudge(JOBS.deliverInvitation);
    return (await this.find(tenantId, id))!;
  }

  /**
   * The new job starts now and the old one, when it comes, finds it no longer owns the row. A run
   * holding the lease is sending right now: it is left alone.
   */
  async sendNow(tenantId: string, id: string): Promise<DeliverableInvitation | 'not-found' | 'not-queued' | 'being-sent'> {
    const outcome = await this.sequelize.transaction(async (transaction) => {
      const [row] = await this.sequelize.query<{ status: InvitationStatus; leased: boolean }>(
        `SELECT status, NOT ${LEASE_FREE} AS leased FROM invitations i WHERE i.tenant_id = :tenantId AND i.id = :id FOR UPDATE`,
        { replacements: { tenantId, id }, type: QueryTypes.SELECT, transaction },
      );
      if (!row) return 'not-found' as const;
      if (row.status !== 'queued') return 'not-queued' as const;
      if (row.leased) return 'being-sent' as const;
      const jobId = randomUUID();
      await this.sequelize.query('UPDATE invitations SET job_id = :jobId, next_attempt_at = NULL, updated_at = now() WHERE id = :id', {
        replacements: { id, jobId },
        transaction,
      });
      await this.queue.send(JOBS.deliverInvitation, { invitationId: id }, transaction, { id: jobId });
      return 'sent-now' as const;
    });
    if (outcome !== 'sent-now') return outcome;
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

  /** Queued again, the invitation starts a fresh series of attempts. */
  async #requeueRow(id: string, transaction: Transaction): Promise<void> {
    const jobId = randomUUID();
    await this.sequelize.query(
      `UPDATE invitations SET status = 'queued', reason = NULL, reason_code = NULL, job_id = :jobId, attempts = 0,
         next_attempt_at = NULL, updated_at = now() WHERE id = :id`,
      { replacements: { id, jobId }, transaction },
    );
    await this.queue.send(JOBS.deliverInvitation, { invitationId: id }, transaction, { id: jobId });
  }

  async list(tenantId: string, filter: InvitationFilter): Promise<{ invitations: DeliverableInvitation[]; total: number; totalCapped: boolean }> {
    const { where, replacements: matching } = invitationsMatching(tenantId, filter);
    const replacements = {
      ...matching,
      limit: filter.pageSize,
      offset: (filter.page - 1) * filter.pageSize,
      countCap: LIST_COUNT_CAP + 1,
    };
    const [rows, counted] = await Promise.all([
      this.sequelize.query<InvitationRow>(
        `${SELECT_INVITATIONS} WHERE ${where.join(' AND ')} ORDER BY i.created_at DESC, i.id DESC LIMIT :limit OFFSET :offset`,
        { replacements, type: QueryTypes.SELECT },
      ),
      // Counting a site's whole history on every page view costs a scan of it: the count stops at the cap.
      this.sequelize.query<{ total: string }>(
        // In the list's order, so the planner reads the list's index (index only) rather than the table.
        `SELECT count(*) AS total FROM (SELECT 1 FROM invitations i WHERE ${where.join(' AND ')} ORDER BY i.created_at DESC, i.id DESC LIMIT :countCap) matching`,
        { replacements, type: QueryTypes.SELECT },
      ),
    ]);
    const total = Number(counted[0]!.total);
    return { invitations: rows.map(toInvitation), total: Math.min(total, LIST_COUNT_CAP), totalCapped: total > LIST_COUNT_CAP };
  }
}

/** The invitations list counts up to this many matches; past it, `totalCapped` says "at least". */
export const LIST_COUNT_CAP = 10_000;

/** Shorter searches have no trigram to look up: they match the start of the name or email instead. */
const SHORTEST_CONTAINS_SEARCH = 3;

/**
 * The WHERE clause of a filter on the invitations list, for `i`. The search is an exact account id,
 * or any part of the email or name (indexed: invitations_by_words), or for one or two characters
 * the start of either (indexed: invitations_by_email_prefix, invitations_by_name_prefix).
 */
export function invitationsMatching(tenantId: string, filter: Omit<InvitationFilter, 'page' | 'pageSize'>) {
  const where = ['i.tenant_id = :tenantId'];
  if (filter.status) where.push('i.status = :status');
  if (filter.linkedAccountId) where.push('i.linked_account_id = :linkedAccountId');
  const search = filter.search ?? null;
  const pattern = search === null ? null : search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  if (search !== null && search.length >= SHORTEST_CONTAINS_SEARCH)
    where.push("(i.account_id = :search OR lower(coalesce(i.email, '') || ' ' || coalesce(i.display_name, '')) LIKE :contains ESCAPE '\\')");
  else if (search !== null)
    where.push("(i.account_id = :search OR lower(i.email) LIKE :prefix ESCAPE '\\' OR lower(i.display_name) LIKE :prefix ESCAPE '\\')");
  return {
    where,
    replacements: {
      tenantId,
      status: filter.status ?? null,
      linkedAccountId: filter.linkedAccountId ?? null,
      search,
      prefix: pattern === null ? null : `${pattern}%`,
      contains: pattern === null ? null : `%${pattern}%`,
    },
  };
}
