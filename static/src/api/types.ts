// Shapes of docs/admin-api.md.

/** What a linked account is: a Bitbucket workspace, or a directory of an Atlassian organization. */
export type TargetType = 'bitbucket-workspace' | 'atlassian-organization';
export type CredentialType = 'oauth-consumer' | 'api-token' | 'organization-api-key';
export type AccountStatus = 'active' | 'credentials-invalid' | 'invitations-refused' | 'unlinked';
export type InvitationStatus = 'pending-review' | 'queued' | 'sent' | 'already-invited' | 'skipped' | 'failed';
/** Why an invitation is skipped, failed or waiting, for code; `reason` is the sentence for people. */
export type InvitationReasonCode =
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
  | 'backfill-cancelled'
  | 'user-deleted';

export interface GroupRef {
  slug: string;
  name: string;
}

/** The organization directory an `atlassian-organization` linked account adds people to. */
export interface OrganizationRef {
  id: string;
  name: string;
  directoryId: string;
  directoryName: string;
}

export interface LinkedAccount {
  id: string;
  targetType: TargetType;
  /** The workspace slug; null for an organization. */
  workspace: string | null;
  /** Set for an organization, null for a workspace. */
  organization: OrganizationRef | null;
  /** The workspace slug, or the organization's name (with its directory's when it has several). */
  displayName: string;
  /** The workspace on bitbucket.org, or the organization's groups in Atlassian Administration. */
  url: string;
  credentialType: CredentialType;
  status: AccountStatus;
  statusReason: string | null;
  defaultGroups: GroupRef[];
  mode: InvitationMode;
  rules: GroupRule[];
  /** Null for an organization: its groups are searched, not kept. */
  groupCount: number | null;
  groupsRefreshedAt: string | null;
  lastInvitationSentAt: string | null;
  createdAt: string;
  unlinkedAt: string | null;
}

/** Why a group is shown but cannot be ticked (organizations only). */
export type UnavailableReason = 'synced-group' | 'admin-group';

/** A target group as a group list shows it; `slug` is the Bitbucket group slug or the organization group id. */
export interface GroupChoice extends GroupRef {
  description?: string | null;
  memberCount?: number | null;
  unavailableReason?: UnavailableReason | null;
}

export interface Group extends GroupChoice {
  selected: boolean;
}

export interface Invitation {
  id: string;
  linkedAccountId: string;
  targetType: TargetType;
  /** The workspace slug for a workspace invitation, null for an organization's. */
  workspace: string | null;
  /** The workspace slug or the organization's name. */
  linkedAccountName: string;
  groupSlug: string;
  groupName: string;
  accountId: string;
  displayName: string;
  email: string | null;
  status: InvitationStatus;
  reason: string | null;
  reasonCode: InvitationReasonCode | null;
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
  chosenBy: ChosenBy;
}

export type WorkspaceCredentials = { type: 'oauth-consumer'; key: string; secret: string } | { type: 'api-token'; email: string; token: string };
export type OrganizationCredentials = { type: 'organization-api-key'; apiKey: string };
export type Credentials = WorkspaceCredentials | OrganizationCredentials;

/** The body of POST /api/linked-accounts. */
export type LinkRequest =
  | { targetType: 'bitbucket-workspace'; workspace: string; credentials: WorkspaceCredentials }
  | { targetType: 'atlassian-organization'; organizationId: string; directoryId: string; credentials: OrganizationCredentials };

export interface InvitationPage {
  invitations: Invitation[];
  page: number;
  pageSize: number;
  total: number;
}

export interface GroupList {
  groups: Group[];
  /** More groups match: ask again with this cursor (organizations); null when this was the last page. */
  nextCursor: string | null;
  refreshedAt: string | null;
}

/** An organization an API key can see, with its directories. */
export interface DiscoveredOrganization {
  id: string;
  name: string;
  directories: { id: string; name: string }[];
}

/** The organization groups named like a workspace's default groups, to pre-tick. */
export interface OrganizationSuggestion {
  groups: GroupChoice[];
}

/** The `code` of the 422 that refuses to link a workspace managed in Atlassian Administration. */
export const WORKSPACE_ADMIN_MANAGED = 'workspace-admin-managed';

/** Automatic: sent at once; review: held in Pending review; off: nothing automatic. */
export type InvitationMode = 'automatic' | 'review' | 'off';

export type RuleCondition =
  | { kind: 'email-domain'; domains: string[]; includeSubdomains: boolean }
  | { kind: 'account-type'; accountTypes: string[] }
  | { kind: 'jira-group'; groups: string[] };

export interface GroupRule {
  id: string;
  name: string;
  conditions: RuleCondition[];
  action: { kind: 'invite'; groups: GroupRef[] } | { kind: 'never-invite' };
}

/** The body of POST/PUT .../rules: groups by slug. */
export interface RuleInput {
  name: string;
  conditions: RuleCondition[];
  action: { kind: 'invite'; groups: string[] } | { kind: 'never-invite' };
}

export type ChosenBy =
  | { kind: 'defaults' }
  | { kind: 'rule'; ruleId: string; ruleName: string }
  | { kind: 'manual'; actorAccountId: string }
  | { kind: 'review'; actorAccountId: string };

export interface PendingReviewEntry {
  linkedAccountId: string;
  linkedAccountName: string;
  targetType: TargetType;
  accountId: string;
  displayName: string | null;
  email: string | null;
  groups: (GroupRef & { chosenBy: ChosenBy | null })[];
  waitingSince: string;
}

export interface PendingReviewPage {
  entries: PendingReviewEntry[];
  total: number;
  counts: { linkedAccountId: string; users: number }[];
}

export interface JiraUser {
  accountId: string;
  displayName: string | null;
  accountType: string | null;
  email: string | null;
  active: boolean;
}

export interface GroupOutcome {
  linkedAccountId: string;
  accountId: string;
  groupSlug: string;
  groupName: string;
  invitationId: string;
  outcome: 'queued' | 'requeued' | 'already-queued' | 'already-sent' | 'skipped';
}

export interface ManualInviteResult {
  accountId: string;
  displayName: string | null;
  groups: GroupOutcome[];
  error: string | null;
}
