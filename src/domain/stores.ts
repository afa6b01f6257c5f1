import type { BitbucketCredentials, Invitation, InvitationStatus, LinkedAccount, LinkedAccountStatus, NewUser, TargetGroup } from './model.js';

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
  | 'unlinked';

/** Which site an event is for: its tenant, or the host's own key for it (Connect clientKey, Forge cloudId). */
export type SiteRef = { tenantId: string } | { host: 'connect' | 'forge'; hostKey: string };

/** What recording a new user did: a first sighting, a repeat, or an event for a site we do not know. */
export type RecordOutcome = 'recorded' | 'duplicate' | 'unknown-site';

export type StoredNewUser = NewUser & { id: string; tenantId: string; plannedAt: Date | null };

export type PlannedInvitation = {
  linkedAccountId: string;
  workspace: string;
  group: TargetGroup;
  status: 'queued' | 'skipped';
  reason: string | null;
  reasonCode: ReasonCode | null;
};

/** An invitation as delivery sees it: with the job that currently owns it. */
export type DeliverableInvitation = Invitation & { jobId: string | null; newUserId: string; reasonCode: ReasonCode | null };

export type InvitationFilter = { status?: InvitationStatus; linkedAccountId?: string; page: number; pageSize: number };

export type AuditEntry = {
  tenantId: string;
  actorAccountId: string | null;
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
  record(site: SiteRef, user: NewUser, eventId: string | null): Promise<RecordOutcome>;
  find(id: string): Promise<StoredNewUser | null>;
}

export type LinkedAccountChanges = {
  credentials?: BitbucketCredentials;
  status?: Exclude<LinkedAccountStatus, 'unlinked'>;
  statusReason?: string | null;
  groups?: TargetGroup[];
  defaultGroups?: TargetGroup[];
};

/**
 * Writes are conditional on the version the caller read (`'conflict'` when another change came
 * first) and never touch an unlinked account (`'not-found'`). Each takes the audit entry of the
 * change and writes both in one transaction, or neither.
 */
export interface LinkedAccountStore {
  create(
    input: { tenantId: string; workspace: string; displayName: string; credentials: BitbucketCredentials; groups: TargetGroup[] },
    audit: AuditEntry,
  ): Promise<LinkedAccount | 'already-linked'>;
  list(tenantId: string, options: { includeUnlinked: boolean }): Promise<LinkedAccount[]>;
  /** Unlinked accounts too: their invitations still point at them. */
  find(tenantId: string, id: string): Promise<LinkedAccount | null>;
  /** Null for an unknown or unlinked account. */
  findWithCredentials(tenantId: string, id: string): Promise<{ account: LinkedAccount; credentials: BitbucketCredentials } | null>;
  credentialsOf(tenantId: string, id: string): Promise<BitbucketCredentials | null>;
  update(tenantId: string, id: string, expectedVersion: number, changes: LinkedAccountChanges, audit: AuditEntry | null): Promise<LinkedAccount | 'not-found' | 'conflict'>;
  /** Destroys the credentials, clears the default groups and ends the account's queued invitations as `skipQueued` says. */
  unlink(
    tenantId: string,
    id: string,
    expectedVersion: number,
    change: { skipQueued: { reason: string; reasonCode: ReasonCode }; audit: AuditEntry },
  ): Promise<'unlinked' | 'not-found' | 'conflict'>;
  /** What delivery learnt with the credentials of `credentialsVersion`; ignored once they were replaced. */
  markStatus(id: string, status: Exclude<LinkedAccountStatus, 'active' | 'unlinked'>, reason: string | null, credentialsVersion: number): Promise<void>;
  recordInvitationSent(id: string): Promise<void>;
  withDefaultGroups(tenantId: string): Promise<LinkedAccount[]>;
}

export interface InvitationStore {
  createPlanned(newUser: StoredNewUser, email: string | null, planned: PlannedInvitation[]): Promise<number>;
  findForDelivery(id: string): Promise<DeliverableInvitation | null>;
  find(tenantId: string, id: string): Promise<DeliverableInvitation | null>;
  finish(
    id: string,
    jobId: string,
    outcome: { status: Exclude<InvitationStatus, 'queued'>; reason: string | null; reasonCode: ReasonCode | null; attempted: boolean; email?: string },
  ): Promise<boolean>;
  reschedule(id: string, jobId: string, change: { delayMs: number; reason: string | null; attempted: boolean; email?: string }): Promise<boolean>;
  requeue(tenantId: string, id: string): Promise<DeliverableInvitation | 'not-found' | 'not-retryable'>;
  requeueFailed(tenantId: string, linkedAccountId: string, codes: ReasonCode[]): Promise<number>;
  list(tenantId: string, filter: InvitationFilter): Promise<{ invitations: DeliverableInvitation[]; total: number }>;
}
