import type { ChosenBy, GroupRule } from './group-choice.js';
import type {
  Invitation,
  InvitationMode,
  InvitationStatus,
  LinkedAccount,
  LinkedAccountStatus,
  NewUser,
  OrganizationRef,
  TargetCredentials,
  TargetGroup,
  TargetType,
} from './model.js';

/** Why an invitation is skipped or failed, in a form code can act on (the reason is for people). */
export type ReasonCode =
  | 'not-a-person'
  | 'no-email'
  | 'credentials-invalid'
  | 'invitations-refused'
  | 'group-missing'
  | 'rejected'
  | 'attempts-exhausted'
  | 'retrying'
  | 'unlinked'
  | 'rule-never-invite'
  | 'review-skipped'
  /** The admin cancelled the backfill that planned it. */
  | 'backfill-cancelled'
  /** Jira deleted the user before the invitation was sent (or while it waited for review). */
  | 'user-deleted';

/** Which site an event is for: its tenant, or the host's own key for it (Connect clientKey, Forge cloudId). */
export type SiteRef = { tenantId: string } | { host: 'connect' | 'forge'; hostKey: string };

/** What recording a new user did: a first sighting, a repeat, or an event for a site we do not know. */
export type RecordOutcome = 'recorded' | 'duplicate' | 'unknown-site';

/** The outcome, with the new user's record and its tenant when the site is known (for the request's log line and counters). */
export type Recording = { outcome: RecordOutcome; newUserId: string | null; tenantId: string | null };

export type StoredNewUser = NewUser & { id: string; tenantId: string; plannedAt: Date | null };

export type PlannedInvitation = {
  linkedAccountId: string;
  targetType: TargetType;
  /** Null for an organization. */
  workspace: string | null;
  group: TargetGroup;
  status: 'queued' | 'skipped' | 'pending-review';
  reason: string | null;
  reasonCode: ReasonCode | null;
  chosenBy: ChosenBy;
};

/** An invitation as delivery sees it: with the job that currently owns it, and the new user's Jira account type. */
export type DeliverableInvitation = Invitation & {
  jobId: string | null;
  newUserId: string;
  reasonCode: ReasonCode | null;
  accountType: string | null;
  /** When the app recorded the new user, having answered Jira's event: where the end-to-end latency starts. */
  receivedAt: Date;
};

/** How an invitation ends. `attempted` counts the run as an attempt (the target or Jira was asked). */
export type FinalOutcome = {
  status: Exclude<InvitationStatus, 'queued' | 'pending-review'>;
  reason: string | null;
  reasonCode: ReasonCode | null;
  attempted: boolean;
  email?: string;
};

/** Another try later: `reason` says why (null when it is only our own rate limit). */
export type RetryPlan = { delayMs: number; reason: string | null; attempted: boolean; email?: string };

/** What a delivery run gets when it asks for its invitation. */
export type DeliveryClaim =
  /** The run holds the invitation until it finishes or reschedules it, or the lease runs out. */
  | { outcome: 'claimed'; invitation: DeliverableInvitation; lease: string }
  /** The invitation is this job's, but another run of the same job holds it (pg-boss handed the job out twice). */
  | { outcome: 'leased-elsewhere' }
  /** Finished already, or a newer job owns it: nothing to do. */
  | { outcome: 'not-owner' };

/** What becomes of a queued invitation whose job ended without finishing it. */
export type StalledDecision = { requeue: { delayMs: number; reason: string } } | { finish: FinalOutcome };

export type InvitationFilter = {
  status?: InvitationStatus;
  linkedAccountId?: string;
  /** An account id, or the start of an email address or of a name (case aside). */
  search?: string;
  page: number;
  pageSize: number;
};

export type AuditEntry = {
  tenantId: string;
  actorAccountId: string | null;
  /** The linked account the change is about, when there is one: the audit log filters by it. */
  linkedAccountId?: string | null;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
};

/*
 * What the domain needs from storage. The persistence layer implements these; the domain
 * never sees SQL, transactions or the job queue.
 */

export interface NewUserStore {
  record: (site: SiteRef, user: NewUser, eventId: string | null) => Promise<Recording>;
  find: (id: string) => Promise<StoredNewUser | null>;
  /** New users not planned yet whose planning job ended without planning them get a new one; answers how many. */
  recoverUnplanned: (limit: number) => Promise<number>;
}

export type LinkedAccountChanges = {
  credentials?: TargetCredentials;
  status?: Exclude<LinkedAccountStatus, 'unlinked'>;
  statusReason?: string | null;
  groups?: TargetGroup[];
  defaultGroups?: TargetGroup[];
  mode?: InvitationMode;
  rules?: GroupRule[];
};

/** What linking writes: the target it names, its credentials, and the groups to keep. */
export type NewLinkedAccount = {
  tenantId: string;
  targetType: TargetType;
  workspace: string | null;
  organization: OrganizationRef | null;
  displayName: string;
  credentials: TargetCredentials;
  groups: TargetGroup[];
};

/**
 * Writes are conditional on the version the caller read (`'conflict'` when another change came
 * first) and never touch an unlinked account (`'not-found'`). Each takes the audit entry of the
 * change and writes both in one transaction, or neither.
 */
export interface LinkedAccountStore {
  create: (input: NewLinkedAccount, audit: AuditEntry) => Promise<LinkedAccount | 'already-linked'>;
  list: (tenantId: string, options: { includeUnlinked: boolean }) => Promise<LinkedAccount[]>;
  /** Unlinked accounts too: their invitations still point at them. */
  find: (tenantId: string, id: string) => Promise<LinkedAccount | null>;
  /** Null for an unknown or unlinked account. */
  findWithCredentials: (tenantId: string, id: string) => Promise<{ account: LinkedAccount; credentials: TargetCredentials } | null>;
  credentialsOf: (tenantId: string, id: string) => Promise<TargetCredentials | null>;
  update: (
    tenantId: string,
    id: string,
    expectedVersion: number,
    changes: LinkedAccountChanges,
    /** Several entries when one change is several things (default groups and mode): all written with it. */
    audit: AuditEntry | AuditEntry[] | null,
  ) => Promise<LinkedAccount | 'not-found' | 'conflict'>;
  /** Destroys the credentials, clears the default groups and ends the account's queued invitations as `skipQueued` says. */
  unlink: (
    tenantId: string,
    id: string,
    expectedVersion: number,
    change: { skipQueued: { reason: string; reasonCode: ReasonCode }; audit: AuditEntry },
  ) => Promise<'unlinked' | 'not-found' | 'conflict'>;
  /** What delivery learnt with the credentials of `credentialsVersion`; ignored once they were replaced. */
  markStatus: (
    id: string,
    status: Exclude<LinkedAccountStatus, 'active' | 'unlinked'>,
    reason: string | null,
    credentialsVersion: number,
  ) => Promise<void>;
  recordInvitationSent: (id: string) => Promise<void>;
  /** The accounts a new user of this tenant may be invited through: linked, not Off, with default groups or rules. */
  withDefaultGroups: (tenantId: string) => Promise<LinkedAccount[]>;
}

export interface InvitationStore {
  createPlanned: (newUser: StoredNewUser, email: string | null, planned: PlannedInvitation[]) => Promise<number>;
  find: (tenantId: string, id: string) => Promise<DeliverableInvitation | null>;
  /**
   * Takes the invitation for one run of job `jobId`, in the statement that checks the job owns it
   * and no other run holds it. The lease lasts `leaseMs` unless finished or rescheduled sooner.
   */
  claim: (id: string, jobId: string, leaseMs: number) => Promise<DeliveryClaim>;
  /**
   * Renews the lease for another `leaseMs` right before a call to the target, in the statement that
   * checks `lease` still holds the invitation. False when another run took it over meanwhile.
   */
  extendLease: (id: string, lease: string, leaseMs: number) => Promise<boolean>;
  /** Hands the invitation to a new job that starts when the current lease ends. */
  deferUntilLeaseEnds: (id: string, jobId: string) => Promise<boolean>;
  /** Ends the invitation, if `lease` still holds it. */
  finish: (id: string, lease: string, outcome: FinalOutcome) => Promise<boolean>;
  /** Hands the invitation to a new job starting after `delayMs`, if `lease` still holds it; the lease ends. */
  reschedule: (id: string, lease: string, change: RetryPlan) => Promise<boolean>;
  /** Lets go of the invitation without changing it (the run failed unexpectedly; the job's retry takes it again). */
  release: (id: string, lease: string) => Promise<void>;
  /**
   * Finds up to `limit` queued invitations that no job will finish (theirs completed, failed or
   * vanished, and no lease is held) and applies `decide` to each. Safe with several instances.
   */
  recoverStalled: (limit: number, decide: (invitation: DeliverableInvitation) => StalledDecision) => Promise<number>;
  /** The admin's Retry: a failed or skipped invitation is queued again, with a fresh series of attempts. */
  requeue: (tenantId: string, id: string) => Promise<DeliverableInvitation | 'not-found' | 'not-retryable'>;
  /** The admin's Send now: a queued invitation waiting for its next attempt gets a new job that starts now. */
  sendNow: (tenantId: string, id: string) => Promise<DeliverableInvitation | 'not-found' | 'not-queued' | 'being-sent'>;
  requeueFailed: (tenantId: string, linkedAccountId: string, codes: ReasonCode[]) => Promise<number>;
  /** `total` counts at most a cap of matches; `totalCapped` when there are more. */
  list: (tenantId: string, filter: InvitationFilter) => Promise<{ invitations: DeliverableInvitation[]; total: number; totalCapped: boolean }>;
}
