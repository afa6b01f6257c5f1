import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { ChosenBy } from '../domain/group-choice.js';
import type {
  GroupOutcome,
  InvitationDecisionStore,
  ManualInvite,
  PendingReviewEntry,
  PendingReviewFilter,
  PendingReviewPage,
  ReviewDecision,
} from '../domain/invitation-decisions.js';
import type { InvitationStatus, LinkedAccount, TargetGroup, TargetType } from '../domain/model.js';
import type { AuditEntry, ReasonCode } from '../domain/stores.js';
import { JOBS, type JobQueue } from '../jobs/job-queue.js';
import type { AuditLog } from './audit-log.js';

/** One group for one user in one account, as a decision writes it. */
type Wanted = {
  tenantId: string;
  newUserId: string;
  account: LinkedAccount;
  accountId: string;
  displayName: string | null;
  email: string | null;
  group: TargetGroup;
  chosenBy: ChosenBy;
  skip: { reason: string; reasonCode: ReasonCode } | null;
};

type PendingRow = {
  id: string;
  new_user_id: string;
  linked_account_id: string;
  linked_account_name: string;
  target_type: TargetType;
  account_id: string;
  display_name: string | null;
  email: string | null;
  group_slug: string;
  group_name: string;
  chosen_by: ChosenBy | null;
  created_at: Date;
};

/**
 * The invitations administrators decide on: the Pending review list, and invitations made by hand.
 * They are the same rows as planned invitations (one per user, linked account and group), so the
 * unique key deduplicates, and what is queued goes to the same delivery jobs.
 */
export class InvitationDecisionRepository implements InvitationDecisionStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly queue: JobQueue,
    private readonly audit: AuditLog,
  ) {}

  async listPendingReview(tenantId: string, filter: PendingReviewFilter): Promise<PendingReviewPage> {
    const byAccount = [
      filter.linkedAccountId ? 'AND i.linked_account_id = :linkedAccountId' : '',
      filter.accountId ? 'AND i.account_id = :accountId' : '',
    ].join(' ');
    const replacements = {
      tenantId,
      linkedAccountId: filter.linkedAccountId ?? null,
      accountId: filter.accountId ?? null,
      limit: filter.pageSize,
      offset: (filter.page - 1) * filter.pageSize,
    };
    const [users, rows, counts] = await Promise.all([
      this.sequelize.query<{ total: string }>(
        `SELECT count(DISTINCT (i.linked_account_id, i.account_id)) AS total FROM invitations i
         WHERE i.tenant_id = :tenantId AND i.status = 'pending-review' ${byAccount}`,
        { replacements, type: QueryTypes.SELECT },
      ),
      this.sequelize.query<PendingRow>(
        `WITH page AS (
           SELECT i.linked_account_id, i.account_id, min(i.created_at) AS since FROM invitations i
           WHERE i.tenant_id = :tenantId AND i.status = 'pending-review' ${byAccount}
           GROUP BY i.linked_account_id, i.account_id ORDER BY since, i.account_id LIMIT :limit OFFSET :offset)
         SELECT i.id, i.new_user_id, i.linked_account_id, l.display_name AS linked_account_name, i.target_type, i.account_id,
           i.display_name, i.email, i.group_slug, i.group_name, i.chosen_by, i.created_at
         FROM invitations i JOIN page p ON p.linked_account_id = i.linked_account_id AND p.account_id = i.account_id
           JOIN linked_accounts l ON l.id = i.linked_account_id
         WHERE i.tenant_id = :tenantId AND i.status = 'pending-review'
         ORDER BY p.since, i.account_id, i.group_name`,
        { replacements, type: QueryTypes.SELECT },
      ),
      this.sequelize.query<{ linked_account_id: string; users: string }>(
        `SELECT linked_account_id, count(DISTINCT account_id) AS users FROM invitations
         WHERE tenant_id = :tenantId AND status = 'pending-review' GROUP BY linked_account_id`,
        { replacements, type: QueryTypes.SELECT },
      ),
    ]);
    const entries = new Map<string, PendingReviewEntry>();
    for (const row of rows) {
      const key = `${row.linked_account_id}\n${row.account_id}`;
      let entry = entries.get(key);
      if (!entry) {
        entry = {
          linkedAccountId: row.linked_account_id,
          linkedAccountName: row.linked_account_name,
          targetType: row.target_type,
          accountId: row.account_id,
          displayName: row.display_name,
          email: row.email,
          groups: [],
          waitingSince: row.created_at,
        };
        entries.set(key, entry);
      }
      entry.groups.push({ slug: row.group_slug, name: row.group_name, chosenBy: row.chosen_by });
      if (row.created_at < entry.waitingSince) entry.waitingSince = row.created_at;
    }
    return {
      entries: [...entries.values()],
      total: Number(users[0]!.total),
      counts: counts.map((count) => ({ linkedAccountId: count.linked_account_id, users: Number(count.users) })),
    };
  }

  async decideReview(
    tenantId: string,
    account: LinkedAccount,
    accountId: string,
    decision: ReviewDecision,
    audit: AuditEntry,
  ): Promise<GroupOutcome[] | 'nothing-pending'> {
    const outcome = await this.sequelize.transaction(async (transaction) => {
      const pending = await this.sequelize.query<PendingRow>(
        `SELECT i.id, i.new_user_id, i.linked_account_id, i.account_id, i.display_name, i.email, i.group_slug, i.group_name, i.chosen_by
         FROM invitations i WHERE i.tenant_id = :tenantId AND i.linked_account_id = :linkedAccountId AND i.account_id = :accountId
           AND i.status = 'pending-review' ORDER BY i.group_name FOR UPDATE`,
        { replacements: { tenantId, linkedAccountId: account.id, accountId }, type: QueryTypes.SELECT, transaction },
      );
      const first = pending[0];
      if (!first) return 'nothing-pending' as const;
      const results: GroupOutcome[] = [];
      const sent = 'send' in decision ? new Set(decision.send.map((group) => group.slug)) : new Set<string>();
      for (const row of pending) {
        if (sent.has(row.group_slug)) continue;
        const skip =
          'skip' in decision
            ? decision.skip
            : { reason: 'An administrator left this group out when sending from review.', reasonCode: 'review-skipped' };
        await this.sequelize.query(
          `UPDATE invitations SET status = 'skipped', reason = :reason, reason_code = :reasonCode, updated_at = now() WHERE id = :id`,
          { replacements: { id: row.id, ...skip }, transaction },
        );
        results.push(outcomeOf(row, 'skipped'));
      }
      if ('send' in decision) {
        for (const group of decision.send) {
          const was = pending.find((row) => row.group_slug === group.slug);
          const wanted: Wanted = {
            tenantId,
            newUserId: first.new_user_id,
            account,
            accountId,
            displayName: first.display_name,
            email: first.email,
            group,
            chosenBy: was?.chosen_by ?? decision.addedBy,
            skip: null,
          };
          results.push(await this.#want(wanted, transaction));
        }
      }
      await this.audit.record(audit, transaction);
      return results;
    });
    if (outcome !== 'nothing-pending' && outcome.some(isQueued)) this.queue.nudge(JOBS.deliverInvitation);
    return outcome;
  }

  async inviteManually(tenantId: string, invite: ManualInvite, audit: AuditEntry): Promise<GroupOutcome[]> {
    const results = await this.sequelize.transaction(async (transaction) => {
      const { user } = invite;
      // The user joins the app's records as if Jira had told it, already planned: the webhook's planning never runs for them.
      const [newUser] = await this.sequelize.query<{ id: string }>(
        `INSERT INTO new_users (tenant_id, account_id, display_name, email, account_type, planned_at)
         VALUES (:tenantId, :accountId, :displayName, :email, :accountType, now())
         ON CONFLICT (tenant_id, account_id) DO UPDATE SET
           display_name = COALESCE(new_users.display_name, EXCLUDED.display_name), email = COALESCE(new_users.email, EXCLUDED.email),
           account_type = COALESCE(new_users.account_type, EXCLUDED.account_type)
         RETURNING id`,
        {
          replacements: { tenantId, accountId: user.accountId, displayName: user.displayName, email: user.email, accountType: user.accountType },
          type: QueryTypes.SELECT,
          transaction,
        },
      );
      const outcomes: GroupOutcome[] = [];
      for (const group of invite.groups) {
        outcomes.push(
          await this.#want(
            {
              tenantId,
              newUserId: newUser!.id,
              account: invite.account,
              accountId: user.accountId,
              displayName: user.displayName,
              email: user.email,
              group,
              chosenBy: invite.chosenBy,
              skip: invite.skip,
            },
            transaction,
          ),
        );
      }
      await this.audit.record(audit, transaction);
      return outcomes;
    });
    if (results.some(isQueued)) this.queue.nudge(JOBS.deliverInvitation);
    return results;
  }

  /**
   * The invitation exists afterwards: inserted, or an existing failed, skipped or pending one
   * queued again with a fresh series of attempts; one queued or done already is left alone.
   */
  async #want(wanted: Wanted, transaction: Transaction): Promise<GroupOutcome> {
    const jobId = wanted.skip ? null : randomUUID();
    const key = { tenantId: wanted.tenantId, accountId: wanted.accountId, linkedAccountId: wanted.account.id, groupSlug: wanted.group.slug };
    const [inserted] = await this.sequelize.query<{ id: string }>(
      `INSERT INTO invitations (tenant_id, new_user_id, linked_account_id, account_id, display_name, email, target_type, workspace,
         group_slug, group_name, status, reason, reason_code, job_id, chosen_by)
       VALUES (:tenantId, :newUserId, :linkedAccountId, :accountId, :displayName, :email, :targetType, :workspace,
         :groupSlug, :groupName, :status, :reason, :reasonCode, :jobId, CAST(:chosenBy AS jsonb))
       ON CONFLICT (tenant_id, account_id, linked_account_id, group_slug) DO NOTHING RETURNING id`,
      {
        replacements: {
          ...key,
          newUserId: wanted.newUserId,
          displayName: wanted.displayName,
          email: wanted.email,
          targetType: wanted.account.targetType,
          workspace: wanted.account.workspace,
          groupName: wanted.group.name,
          status: wanted.skip ? 'skipped' : 'queued',
          reason: wanted.skip?.reason ?? null,
          reasonCode: wanted.skip?.reasonCode ?? null,
          jobId,
          chosenBy: JSON.stringify(wanted.chosenBy),
        },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    const result = (invitationId: string, outcome: GroupOutcome['outcome']): GroupOutcome => ({
      linkedAccountId: wanted.account.id,
      accountId: wanted.accountId,
      groupSlug: wanted.group.slug,
      groupName: wanted.group.name,
      invitationId,
      outcome,
    });
    if (inserted) {
      if (jobId) await this.queue.send(JOBS.deliverInvitation, { invitationId: inserted.id }, transaction, { id: jobId });
      return result(inserted.id, jobId ? 'queued' : 'skipped');
    }
    const [existing] = await this.sequelize.query<{ id: string; status: InvitationStatus }>(
      `SELECT id, status FROM invitations
       WHERE tenant_id = :tenantId AND account_id = :accountId AND linked_account_id = :linkedAccountId AND group_slug = :groupSlug FOR UPDATE`,
      { replacements: key, type: QueryTypes.SELECT, transaction },
    );
    if (!existing) throw new Error('An invitation the insert found in its way is gone');
    if (existing.status === 'queued') return result(existing.id, 'already-queued');
    if (existing.status === 'sent' || existing.status === 'already-invited') return result(existing.id, 'already-sent');
    if (!jobId) return result(existing.id, 'skipped');
    await this.sequelize.query(
      `UPDATE invitations SET status = 'queued', reason = NULL, reason_code = NULL, job_id = :jobId, attempts = 0, next_attempt_at = NULL,
         email = COALESCE(email, :email), chosen_by = CAST(:chosenBy AS jsonb), updated_at = now()
       WHERE id = :id`,
      { replacements: { id: existing.id, jobId, email: wanted.email, chosenBy: JSON.stringify(wanted.chosenBy) }, transaction },
    );
    await this.queue.send(JOBS.deliverInvitation, { invitationId: existing.id }, transaction, { id: jobId });
    return result(existing.id, 'requeued');
  }
}

const isQueued = (outcome: GroupOutcome) => outcome.outcome === 'queued' || outcome.outcome === 'requeued';

function outcomeOf(row: PendingRow, outcome: GroupOutcome['outcome']): GroupOutcome {
  return {
    linkedAccountId: row.linked_account_id,
    accountId: row.account_id,
    groupSlug: row.group_slug,
    groupName: row.group_name,
    invitationId: row.id,
    outcome,
  };
}
