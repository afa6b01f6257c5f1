/** The product's vocabulary. One name per concept, used in code, API, UI and docs. */

/** A Jira site that installed the app, through Connect or through Forge. */
export type Tenant = {
  id: string;
  host: 'connect' | 'forge';
  /** Connect: the clientKey. Forge: the site's cloudId (survives a reinstall). */
  hostKey: string;
  siteUrl: string;
  cloudId: string | null;
};

/** What the app uses to talk to a Bitbucket workspace. Never leaves the server. */
export type BitbucketCredentials = { type: 'oauth-consumer'; key: string; secret: string } | { type: 'api-token'; email: string; token: string };

export type CredentialType = BitbucketCredentials['type'];

/** A group of a linked account that new Jira users can be invited to. */
export type TargetGroup = { slug: string; name: string };

export type TargetType = 'bitbucket-workspace';

/** 'unlinked' is final: the credentials are destroyed and the record stays only for the invitation history. */
export type LinkedAccountStatus = 'active' | 'credentials-invalid' | 'invitations-refused' | 'unlinked';

/** A Bitbucket workspace the admin linked, with its default groups. */
export type LinkedAccount = {
  id: string;
  tenantId: string;
  targetType: TargetType;
  workspace: string;
  displayName: string;
  credentialType: CredentialType;
  status: LinkedAccountStatus;
  statusReason: string | null;
  groups: TargetGroup[];
  groupsRefreshedAt: Date | null;
  /** Empty means "invite nobody". */
  defaultGroups: TargetGroup[];
  lastInvitationSentAt: Date | null;
  createdAt: Date;
  unlinkedAt: Date | null;
  /** Bumped by every change: a write made on an older version is refused (no lost update). */
  version: number;
  /** Bumped when the credentials change: what Bitbucket said about older credentials no longer applies. */
  credentialsVersion: number;
};

export type InvitationStatus = 'queued' | 'sent' | 'already-invited' | 'skipped' | 'failed';

/** One new Jira user invited to one group of one linked account. */
export type Invitation = {
  id: string;
  tenantId: string;
  linkedAccountId: string;
  accountId: string;
  displayName: string | null;
  email: string | null;
  workspace: string;
  groupSlug: string;
  groupName: string;
  status: InvitationStatus;
  reason: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
};

/** A user Jira told us it created. Recorded once per tenant and account, whatever Jira retries. */
export type NewUser = {
  accountId: string;
  displayName: string | null;
  email: string | null;
  /** Jira's accountType: 'atlassian' for people, 'app' for bots, 'customer' for JSM customers. */
  accountType: string | null;
};
