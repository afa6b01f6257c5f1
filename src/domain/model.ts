/** The product's vocabulary. One name per concept, used in code, API, UI and docs. */

import type { ChosenBy, GroupRule } from './group-choice.js';

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

/** What the app uses to talk to an Atlassian organization: an organization API key. Never leaves the server. */
export type OrganizationCredentials = { type: 'organization-api-key'; apiKey: string };

export type TargetCredentials = BitbucketCredentials | OrganizationCredentials;

export type CredentialType = TargetCredentials['type'];

/**
 * A group of a linked account that new Jira users can be invited to. `slug` is the group's key in
 * its target: a Bitbucket group slug, or an organization group's id.
 */
export type TargetGroup = { slug: string; name: string };

/** Why a group is shown but cannot be chosen: only its identity provider changes it, or it grants organization admin. */
export type GroupUnavailableReason = 'synced-group' | 'admin-group';

/** A Bitbucket workspace (invitations by email) or an Atlassian organization's directory (memberships by account id). */
export type TargetType = 'bitbucket-workspace' | 'atlassian-organization';

export const TARGET_TYPES: readonly TargetType[] = ['bitbucket-workspace', 'atlassian-organization'];

/** The organization and directory an `atlassian-organization` account adds members in. */
export type OrganizationRef = { id: string; name: string; directoryId: string; directoryName: string };

/** 'unlinked' is final: the credentials are destroyed and the record stays only for the invitation history. */
export type LinkedAccountStatus = 'active' | 'credentials-invalid' | 'invitations-refused' | 'unlinked';

/**
 * What happens to a new Jira user's planned invitations through one linked account: sent at once
 * ('automatic'), held in the Pending review list for an administrator to Send or Skip ('review'),
 * or nothing automatic at all ('off'; invitations made by hand still go out).
 */
export type InvitationMode = 'automatic' | 'review' | 'off';

export const INVITATION_MODES: readonly InvitationMode[] = ['automatic', 'review', 'off'];

/** A workspace or an organization directory the admin linked, with its default groups. */
export type LinkedAccount = {
  id: string;
  tenantId: string;
  targetType: TargetType;
  /** The workspace slug; null for an organization. */
  workspace: string | null;
  /** Null for a workspace. */
  organization: OrganizationRef | null;
  /** The workspace slug, or the organization's name (with the directory's when the organization has several). */
  displayName: string;
  credentialType: CredentialType;
  status: LinkedAccountStatus;
  statusReason: string | null;
  /**
   * A workspace's groups as last read (all of them). An organization has too many to keep: these are
   * the groups last seen in searches, so a choice can be checked by the name it was shown with.
   */
  groups: TargetGroup[];
  groupsRefreshedAt: Date | null;
  /** Empty means "invite nobody" (unless a rule chooses groups). */
  defaultGroups: TargetGroup[];
  mode: InvitationMode;
  /** In order: the first rule that matches a new user chooses their groups instead of the defaults. */
  rules: GroupRule[];
  lastInvitationSentAt: Date | null;
  createdAt: Date;
  unlinkedAt: Date | null;
  /** Bumped by every change: a write made on an older version is refused (no lost update). */
  version: number;
  /** Bumped when the credentials change: what the target said about older credentials no longer applies. */
  credentialsVersion: number;
};

/** 'pending-review': planned for a linked account in Review first mode, waiting for an administrator's Send or Skip (never expires). */
export type InvitationStatus = 'pending-review' | 'queued' | 'sent' | 'already-invited' | 'skipped' | 'failed';

/** One new Jira user invited to one group of one linked account (for an organization: added to the group). */
export type Invitation = {
  id: string;
  tenantId: string;
  linkedAccountId: string;
  targetType: TargetType;
  /** The linked account's display name: the workspace slug or the organization's name. */
  linkedAccountName: string;
  accountId: string;
  displayName: string | null;
  email: string | null;
  /** The workspace slug; null for an organization's invitation. */
  workspace: string | null;
  groupSlug: string;
  groupName: string;
  status: InvitationStatus;
  reason: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  /** Who chose this invitation's group; null for invitations planned before rules existed (the defaults). */
  chosenBy: ChosenBy | null;
};

/** A user Jira told us it created. Recorded once per tenant and account, whatever Jira retries. */
export type NewUser = {
  accountId: string;
  displayName: string | null;
  email: string | null;
  /** Jira's accountType: 'atlassian' for people, 'app' for bots, 'customer' for JSM customers. */
  accountType: string | null;
};
