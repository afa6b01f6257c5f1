import type { TargetError } from './errors.js';
import type {
  BitbucketCredentials,
  CredentialType,
  GroupUnavailableReason,
  LinkedAccount,
  OrganizationCredentials,
  TargetCredentials,
  TargetGroup,
  TargetType,
} from './model.js';
import type { ReasonCode } from './stores.js';

/** What names a target in calls and sentences: a linked account, or one about to be linked. */
export type TargetRef = Pick<LinkedAccount, 'targetType' | 'workspace' | 'organization' | 'displayName'>;

/** A target group as a listing shows it; an organization says more about its groups than a workspace. */
export type ListedGroup = TargetGroup & {
  description?: string | null;
  memberCount?: number | null;
  /** Shown, but it cannot be chosen. */
  unavailableReason?: GroupUnavailableReason | null;
};

export type GroupQuery = { search?: string; cursor?: string };
export type GroupPage = { groups: ListedGroup[]; nextCursor: string | null };

/** What the admin entered to link a target. */
export type LinkRequest =
  | { targetType: 'bitbucket-workspace'; workspace: string; credentials: BitbucketCredentials }
  | { targetType: 'atlassian-organization'; organizationId: string; directoryId: string; credentials: OrganizationCredentials };

/** A link request the target accepted: what names it, and the groups to keep (a workspace's all, an organization's none). */
export type CheckedLink = { target: TargetRef; groups: TargetGroup[] };

/** What a TargetError means for the admin, the invitation and the linked account. */
export type ExplainedFailure = {
  /** A sentence the admin can act on. */
  message: string;
  reasonCode: ReasonCode;
  /** What the failure says about the linked account: every later invitation through it would fail the same way. */
  marks?: 'credentials-invalid' | 'invitations-refused';
  /** For the admin page, a refusal it offers a way out of (e.g. 'workspace-admin-managed'). */
  code?: string;
};

/**
 * A kind of target new Jira users are added to. Each kind is an adapter under src/clients/ that
 * throws TargetError for every failure (ThrottledError when the app's own rate limit says wait);
 * the domain never names a kind's API.
 */
export interface InvitationTarget {
  /** Bitbucket invites an email address; an organization adds an account id (no email needed). */
  readonly needsEmail: boolean;
  /**
   * 'stored': the whole group list is read when linking and on refresh, and kept. 'live': there are
   * too many groups to keep, so every look is a search, one page at a time.
   */
  readonly groupListing: 'stored' | 'live';
  /** How a sentence names an account of this kind: "workspace", "organization". */
  readonly noun: string;
  readonly credentialTypes: readonly CredentialType[];
  /** Checks what the admin entered, with its credentials, and names the target. */
  checkLink: (request: LinkRequest) => Promise<CheckedLink>;
  /** All groups (a workspace, filtered by name locally) or one page of a search (an organization). */
  listGroups: (account: TargetRef, credentials: TargetCredentials, query: GroupQuery) => Promise<GroupPage>;
  /** 'already-invited' when the user is already invited or a member: done, not a failure. */
  addMember: (
    account: TargetRef,
    credentials: TargetCredentials,
    user: { accountId: string; email: string | null },
    group: TargetGroup,
  ) => Promise<'sent' | 'already-invited'>;
  /**
   * Offboarding: takes the user out of a group the app added them to. 'not-a-member' when there was
   * nothing to remove; 'invitation-pending' when the target shows no membership and an invitation
   * of its may still be pending, which its API cannot revoke (Bitbucket).
   */
  removeMember: (
    account: TargetRef,
    credentials: TargetCredentials,
    user: { accountId: string; email: string | null },
    group: TargetGroup,
  ) => Promise<'removed' | 'not-a-member' | 'invitation-pending'>;
  /** The sentence kept with an invitation that ended 'already-invited'. */
  readonly alreadyInvitedReason: string;
  /** The admin's sentence and what the failure means for the account, for each TargetError. */
  explainFailure: (account: TargetRef, error: TargetError, group?: TargetGroup) => ExplainedFailure;
}

export interface InvitationTargets {
  of: (type: TargetType) => InvitationTarget;
}

/** An organization and its directories, as an organization API key sees them. */
export type DiscoveredOrganization = { id: string; name: string; directories: { id: string; name: string }[] };

/** Finds what an organization API key can reach, so the admin picks instead of pasting ids. */
export interface OrganizationDiscovery {
  discover: (credentials: OrganizationCredentials) => Promise<DiscoveredOrganization[]>;
  /** The admin's sentence for a TargetError of discovery. */
  explainDiscoveryFailure: (error: TargetError) => ExplainedFailure;
}

export type EmailLookup = { found: true; email: string } | { found: false; reason: string };

/** A Jira user as Jira's user search and user lookup answer (emailAddress only when the profile shows it). */
export type JiraUser = { accountId: string; displayName: string | null; accountType: string | null; email: string | null; active: boolean };

/** Whether Jira still has the user, and whether they are active. Failures throw JiraUnavailableError: unknown, never inactive. */
export type JiraUserState = { found: true; active: boolean; displayName: string | null } | { found: false };

/** Calls to the Jira site of one tenant, whichever host (Connect or Forge) it came through. */
export interface JiraGateway {
  getUserEmail: (accountId: string) => Promise<EmailLookup>;
  /** GET /rest/api/3/user?accountId= (offboarding's reconciliation). */
  getUser: (accountId: string) => Promise<JiraUserState>;
  isAdministrator: (accountId: string) => Promise<boolean>;
  /** The names of the Jira groups the user belongs to (for rules on group membership). */
  getUserGroups: (accountId: string) => Promise<string[]>;
  /** Jira's user search by name or address, at most `maxResults` users. */
  searchUsers: (query: string, maxResults: number) => Promise<JiraUser[]>;
  /** One user, or null when Jira has none with this account id. */
  findUser: (accountId: string) => Promise<JiraUser | null>;
}

export interface JiraGatewayFactory {
  forTenant: (tenantId: string) => Promise<JiraGateway>;
}

/** One account of Jira's user listing, as far as the app reads it. */
export type ListedJiraUser = {
  accountId: string;
  displayName: string | null;
  /** Only when the user's profile shows it; delivery asks Jira for it otherwise. */
  email: string | null;
  accountType: string | null;
  active: boolean;
};

/** Jira's listing of every account of the site, a page at a time (the existing users, for a preview or a backfill). */
export interface JiraUserDirectory {
  /** The accounts from `startAt`; an empty page means the listing is over. */
  listUsers: (page: { startAt: number; maxResults: number }) => Promise<ListedJiraUser[]>;
  /** The names of a user's Jira groups, for rules on group membership (asked only when a rule needs it). */
  getUserGroups: (accountId: string) => Promise<string[]>;
  /** A user's address when the listing hid it, for rules on the email domain (asked only when a rule needs it). */
  getUserEmail: (accountId: string) => Promise<EmailLookup>;
}

export interface JiraUserDirectories {
  forTenant: (tenantId: string) => Promise<JiraUserDirectory>;
}
