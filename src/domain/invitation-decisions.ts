import type { ChosenBy } from './group-choice.js';
import type { LinkedAccount, TargetGroup, TargetType } from './model.js';
import type { JiraUser } from './ports.js';
import type { AuditEntry, ReasonCode } from './stores.js';

/** One user's invitations waiting for review in one linked account. */
export type PendingReviewEntry = {
  linkedAccountId: string;
  linkedAccountName: string;
  targetType: TargetType;
  accountId: string;
  displayName: string | null;
  email: string | null;
  /** The groups planned for the user, in name order, with who chose each. */
  groups: (TargetGroup & { chosenBy: ChosenBy | null })[];
  /** When the first of them was planned. */
  waitingSince: Date;
};

/** `accountId` narrows it to one Jira user. */
export type PendingReviewFilter = { linkedAccountId?: string; accountId?: string; page: number; pageSize: number };

export type PendingReviewPage = {
  entries: PendingReviewEntry[];
  /** Users waiting under the filter. */
  total: number;
  /** Users waiting per linked account, whatever the filter (for the page's counts). */
  counts: { linkedAccountId: string; users: number }[];
};

/** What became of one group of a manual invite or a review decision. */
export type GroupOutcome = {
  linkedAccountId: string;
  accountId: string;
  groupSlug: string;
  groupName: string;
  invitationId: string;
  /**
   * 'queued': a new invitation on its way; 'requeued': a failed, skipped or pending one sent now;
   * 'already-queued' / 'already-sent': one is under way or done, nothing is sent twice;
   * 'skipped': recorded as skipped (a built-in exclusion, or left out in review).
   */
  outcome: 'queued' | 'requeued' | 'already-queued' | 'already-sent' | 'skipped';
};

/** Who is invited by hand, and how their invitations are recorded. */
export type ManualInvite = {
  user: JiraUser;
  account: LinkedAccount;
  groups: TargetGroup[];
  chosenBy: ChosenBy;
  /** Set for a user the app never invites (an app or customer account): the invitations are recorded skipped. */
  skip: { reason: string; reasonCode: ReasonCode } | null;
};

export type ReviewDecision = { send: TargetGroup[]; addedBy: ChosenBy } | { skip: { reason: string; reasonCode: ReasonCode } };

/**
 * Writes for the invitations an administrator decides on: by hand, or from the Pending review
 * list. Each call is one transaction with its audit entry, and hands what it queues to delivery
 * with the same records, deduplication and retries as planned invitations.
 */
export interface InvitationDecisionStore {
  listPendingReview: (tenantId: string, filter: PendingReviewFilter) => Promise<PendingReviewPage>;
  /** 'nothing-pending' when no invitation of this user waits for review in this account (decided meanwhile). */
  decideReview: (
    tenantId: string,
    account: LinkedAccount,
    accountId: string,
    decision: ReviewDecision,
    audit: AuditEntry,
  ) => Promise<GroupOutcome[] | 'nothing-pending'>;
  inviteManually: (tenantId: string, invite: ManualInvite, audit: AuditEntry) => Promise<GroupOutcome[]>;
}
