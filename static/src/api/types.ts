// Shapes of docs/admin-api.md.

export type CredentialType = 'oauth-consumer' | 'api-token';
export type AccountStatus = 'active' | 'credentials-invalid' | 'invitations-refused' | 'unlinked';
export type InvitationStatus = 'queued' | 'sent' | 'already-invited' | 'skipped' | 'failed';
/** Why an invitation is skipped, failed or waiting, for code; `reason` is the sentence for people. */
export type InvitationReasonCode =
  'not-a-person' | 'no-email' | 'credentials-invalid' | 'invitations-refused' | 'group-missing' | 'rejected' | 'attempts-exhausted' | 'retrying';

export interface GroupRef {
  slug: string;
  name: string;
}

export interface LinkedAccount {
  id: string;
  targetType: string;
  workspace: string;
  displayName: string;
  url: string;
  credentialType: CredentialType;
  status: AccountStatus;
  statusReason: string | null;
  defaultGroups: GroupRef[];
  groupCount: number;
  groupsRefreshedAt: string | null;
  lastInvitationSentAt: string | null;
  createdAt: string;
  unlinkedAt: string | null;
}

export interface Group extends GroupRef {
  selected: boolean;
}

export interface Invitation {
  id: string;
  linkedAccountId: string;
  workspace: string;
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
}

export type Credentials = { type: 'oauth-consumer'; key: string; secret: string } | { type: 'api-token'; email: string; token: string };

export interface InvitationPage {
  invitations: Invitation[];
  page: number;
  pageSize: number;
  total: number;
}

export interface GroupList {
  groups: Group[];
  refreshedAt: string | null;
}
