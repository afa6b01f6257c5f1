import type { TargetType } from './model.js';
import type { AuditEntry } from './stores.js';

/** What becomes of the memberships the app added when Jira deletes or deactivates the user. */
export type OffboardingMode = 'keep' | 'remove';

/** Why the user left: Jira's user_deleted event, or a check that found the account inactive or gone. */
export type DepartureCause = 'deleted' | 'deactivated';

export type RemovalStatus = 'held' | 'queued' | 'removed' | 'not-a-member' | 'invitation-pending' | 'failed' | 'cancelled';

export type OffboardingSetting = { mode: OffboardingMode; threshold: number | null };

/** One membership the app added (an invitation it sent), as offboarding sees it. */
export type AddedMembership = {
  invitationId: string;
  linkedAccountId: string;
  accountId: string;
  displayName: string | null;
  groupSlug: string;
  groupName: string;
};

/** A user with an open departure, and what of theirs the app added through one linked account. */
export type DepartedMember = {
  departureId: string;
  accountId: string;
  displayName: string | null;
  cause: DepartureCause;
  detectedAt: Date;
  groups: { slug: string; name: string; invitationId: string }[];
};

/** A removal to create: of one membership, for one departure. */
export type PlannedRemoval = { departureId: string; invitationId: string; status: 'held' | 'queued'; confirmed: boolean };

export type Removal = {
  id: string;
  tenantId: string;
  linkedAccountId: string;
  linkedAccountName: string;
  targetType: TargetType;
  workspace: string | null;
  accountId: string;
  displayName: string | null;
  email: string | null;
  groupSlug: string;
  groupName: string;
  cause: DepartureCause;
  status: RemovalStatus;
  reason: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Delivery's view: whether the user came back (the departure closed) since. */
  returned: boolean;
};

export type RemovalOutcome = { status: Exclude<RemovalStatus, 'held' | 'queued'>; reason: string | null; attempted: boolean };

export type RemovalClaim = { outcome: 'claimed'; removal: Removal; lease: string } | { outcome: 'leased-elsewhere' } | { outcome: 'not-owner' };

export type RemovalFilter = { status?: RemovalStatus; linkedAccountId?: string; page: number; pageSize: number };

export type UserCheckStatus = 'running' | 'finished' | 'failed';

export type UserCheck = {
  id: string;
  tenantId: string;
  trigger: 'schedule' | 'admin';
  status: UserCheckStatus;
  total: number;
  checked: number;
  inactive: number;
  reactivated: number;
  unknown: number;
  reason: string | null;
  startedAt: Date;
  finishedAt: Date | null;
};

/** A user a check asks Jira about: one the app added somewhere, or one whose departure is open (to see them return). */
export type CheckedUser = { accountId: string; displayName: string | null; departed: boolean };

export type CheckProgress = { cursor: string; checked: number; inactive: number; reactivated: number; unknown: number };

export interface OffboardingStore {
  setting: (tenantId: string, linkedAccountId: string) => Promise<OffboardingSetting | null>;
  /**
   * Writes the setting (and, when it is turned on, the removals it plans, confirmed) with its audit
   * entries, in one transaction; 'conflict' when the account changed since `expectedVersion`.
   */
  saveSetting: (
    tenantId: string,
    linkedAccountId: string,
    expectedVersion: number,
    setting: OffboardingSetting,
    plans: PlannedRemoval[],
    audit: AuditEntry[],
  ) => Promise<'saved' | 'not-found' | 'conflict'>;
  /** Users with an open departure who still have memberships the app added through the account (not removed, no removal yet for this departure). */
  departedMembers: (tenantId: string, linkedAccountId: string) => Promise<DepartedMember[]>;
  /**
   * Records a departure, once per user while it is open, with the job that plans its removals (a
   * check's departures are planned together when the check ends): 'duplicate' for a user already recorded as gone (a retried event, or a second one).
   */
  recordDeparture: (
    tenantId: string,
    user: { accountId: string; displayName: string | null },
    cause: DepartureCause,
    source: { eventId: string | null } | { userCheckId: string },
  ) => Promise<'recorded' | 'duplicate'>;
  /** The departures' candidate removals: per linked account set to 'remove', the memberships the app added. */
  removalCandidates: (
    departureIds: string[],
  ) => Promise<{ departureId: string; tenantId: string; linkedAccountId: string; threshold: number | null; membership: AddedMembership }[]>;
  /** Removals created for the account in the last hour without the admin's confirmation (they count toward the threshold). */
  recentRemovals: (linkedAccountId: string) => Promise<number>;
  /** Creates the removals (queued ones with their jobs) and marks the departures planned, in one transaction. */
  createRemovals: (departureIds: string[], plans: PlannedRemoval[], audit: AuditEntry[]) => Promise<number>;
  /** Departures whose planning job ended without planning them get a new job. */
  recoverUnplanned: (limit: number) => Promise<number>;
  /**
   * The user is active in Jira again: closes their departure, cancels their removals not yet made,
   * and plans them again as a new user (a membership removed before may be added again).
   */
  recordReturn: (tenantId: string, accountId: string, audit: AuditEntry) => Promise<boolean>;
  heldCount: (tenantId: string, linkedAccountId: string) => Promise<number>;
  /** Held removals become queued (confirmed), if exactly `count` are held; the audit entry goes with them. */
  releaseHeld: (tenantId: string, linkedAccountId: string, count: number, audit: AuditEntry) => Promise<number | 'count-changed'>;
  discardHeld: (tenantId: string, linkedAccountId: string, reason: string, audit: AuditEntry) => Promise<number>;
}

export interface RemovalStore {
  claim: (id: string, jobId: string, leaseMs: number) => Promise<RemovalClaim>;
  extendLease: (id: string, lease: string, leaseMs: number) => Promise<boolean>;
  deferUntilLeaseEnds: (id: string, jobId: string) => Promise<boolean>;
  /** Ends the removal if `lease` still holds it; a removal that took the membership away marks its invitation removed and is audited. */
  finish: (id: string, lease: string, outcome: RemovalOutcome) => Promise<boolean>;
  reschedule: (id: string, lease: string, change: { delayMs: number; reason: string; attempted: boolean }) => Promise<boolean>;
  release: (id: string, lease: string) => Promise<void>;
  /** Queued removals whose job ended without finishing them get a new one. */
  recoverStalled: (limit: number) => Promise<number>;
  list: (tenantId: string, filter: RemovalFilter) => Promise<{ removals: Removal[]; total: number }>;
}

export interface UserCheckStore {
  /** Starts a check of the site unless one is running (then answers that one). */
  start: (tenantId: string, trigger: 'schedule' | 'admin', actorAccountId: string | null) => Promise<UserCheck>;
  /** Starts a scheduled check for every site with an account set to 'remove' whose last check began more than `intervalMs` ago. */
  scheduleDue: (intervalMs: number, limit: number) => Promise<number>;
  latest: (tenantId: string) => Promise<UserCheck | null>;
  claim: (id: string, jobId: string, leaseMs: number) => Promise<{ check: UserCheck; cursor: string | null; lease: string } | null>;
  /**
   * The next page of users check `checkId` asks Jira about, after `cursor` (account ids in order); the users
   * whose departure this check recorded come back as departed, so a page read again after a crash counts them once.
   */
  page: (tenantId: string, checkId: string, cursor: string | null, limit: number) => Promise<CheckedUser[]>;
  /** Saves the progress (and renews the lease); false when the lease was lost. */
  progress: (id: string, lease: string, progress: CheckProgress, leaseMs: number) => Promise<boolean>;
  /** Ends the check and plans, together, the removals of every departure it found (one run: one threshold). */
  finish: (id: string, lease: string, status: 'finished' | 'failed', reason: string | null) => Promise<boolean>;
  /** Running checks whose job died get a new one, resuming from their cursor. */
  recoverStalled: (limit: number) => Promise<number>;
}
