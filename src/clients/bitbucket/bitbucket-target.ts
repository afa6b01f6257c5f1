import { ExplainedTargetError, TargetError, ThrottledError } from '../../domain/errors.js';
import type { BitbucketCredentials, TargetCredentials, TargetGroup } from '../../domain/model.js';
import type { CheckedLink, ExplainedFailure, GroupPage, GroupQuery, InvitationTarget, LinkRequest, TargetRef } from '../../domain/ports.js';

/** The calls to Bitbucket Cloud this target makes. Implementations throw TargetError for every failure. */
export interface BitbucketGateway {
  listGroups: (workspace: string, credentials: BitbucketCredentials) => Promise<TargetGroup[]>;
  /** 'already-invited' when Bitbucket answers that the address is already invited or a member (409). */
  invite: (workspace: string, credentials: BitbucketCredentials, email: string, groupSlug: string) => Promise<'sent' | 'already-invited'>;
  /** The account ids of the group's members; null when the workspace has no such group. */
  groupMembers: (workspace: string, credentials: BitbucketCredentials, groupSlug: string) => Promise<string[] | null>;
  removeGroupMember: (
    workspace: string,
    credentials: BitbucketCredentials,
    groupSlug: string,
    accountId: string,
  ) => Promise<'removed' | 'not-a-member'>;
}

/**
 * UNCERTAIN (CONTRACTS §4): Bitbucket does not document its words for a workspace managed in
 * Atlassian Administration. Any 404 for a workspace may be one, except an answer that names the
 * workspace unknown: the admin is offered the organization path for all the others.
 */
const UNKNOWN_WORKSPACE_WORDS = /no workspace|workspace[^.]*(not found|does not exist)/i;

/** Code for the admin page: this workspace may be managed in Atlassian Administration, so offer to link its organization. */
export const WORKSPACE_ADMIN_MANAGED = 'workspace-admin-managed';

/**
 * A Bitbucket Cloud workspace as a target (CONTRACTS §4): its groups are read whole and kept, and a
 * new user is invited by email to each chosen group.
 */
export class BitbucketTarget implements InvitationTarget {
  readonly needsEmail = true;
  readonly groupListing = 'stored';
  readonly noun = 'workspace';
  readonly credentialTypes = ['oauth-consumer', 'api-token'] as const;
  readonly alreadyInvitedReason = 'Bitbucket answered that this address is already invited or a member.';

  constructor(private readonly bitbucket: BitbucketGateway) {}

  async checkLink(request: LinkRequest): Promise<CheckedLink> {
    if (request.targetType !== 'bitbucket-workspace') throw new TypeError(`A Bitbucket workspace cannot link a ${request.targetType}`);
    const groups = await this.bitbucket.listGroups(request.workspace, request.credentials);
    return {
      target: { targetType: 'bitbucket-workspace', workspace: request.workspace, organization: null, displayName: request.workspace },
      groups,
    };
  }

  async listGroups(account: TargetRef, credentials: TargetCredentials, query: GroupQuery): Promise<GroupPage> {
    const groups = await this.bitbucket.listGroups(workspaceOf(account), bitbucketCredentials(credentials));
    const search = query.search?.trim().toLowerCase();
    return { groups: search ? groups.filter((group) => group.name.toLowerCase().includes(search)) : groups, nextCursor: null };
  }

  async addMember(
    account: TargetRef,
    credentials: TargetCredentials,
    user: { accountId: string; email: string | null },
    group: TargetGroup,
  ): Promise<'sent' | 'already-invited'> {
    if (user.email === null) throw new TypeError('Bitbucket invites an email address: look it up first');
    const workspace = workspaceOf(account);
    const bitbucketCreds = bitbucketCredentials(credentials);
    try {
      return await this.bitbucket.invite(workspace, bitbucketCreds, user.email, group.slug);
    } catch (error) {
      if (error instanceof TargetError && error.kind === 'not-found') throw await this.#whyNotFound(workspace, bitbucketCreds, group, error);
      throw error;
    }
  }

  /**
   * Bitbucket invites an address, and the invitation becomes a membership only once accepted: the
   * group's members tell which. No member means the invitation is still pending (its API cannot
   * revoke it) or the person already left; a 404 to the removal of a listed member means they left
   * meanwhile.
   */
  async removeMember(
    account: TargetRef,
    credentials: TargetCredentials,
    user: { accountId: string; email: string | null },
    group: TargetGroup,
  ): Promise<'removed' | 'not-a-member' | 'invitation-pending'> {
    const workspace = workspaceOf(account);
    const bitbucketCreds = bitbucketCredentials(credentials);
    const members = await this.bitbucket.groupMembers(workspace, bitbucketCreds, group.slug);
    if (members === null) return 'not-a-member';
    if (!members.includes(user.accountId)) return 'invitation-pending';
    try {
      return await this.bitbucket.removeGroupMember(workspace, bitbucketCreds, group.slug, user.accountId);
    } catch (error) {
      if (error instanceof TargetError && error.kind === 'not-found') return 'not-a-member';
      throw error;
    }
  }

  /**
   * A 404 means either the group is gone or the whole workspace refuses invitations; the group list
   * tells which. Only a definite answer may mark the linked account: marking it on a guess would
   * hold back every later invitation through it.
   */
  async #whyNotFound(workspace: string, credentials: BitbucketCredentials, group: TargetGroup, notFound: TargetError): Promise<TargetError> {
    let groups: TargetGroup[];
    try {
      groups = await this.bitbucket.listGroups(workspace, credentials);
    } catch (error) {
      if (error instanceof TargetError && error.kind === 'not-found') return invitationsRefused(workspace, notFound);
      if (error instanceof TargetError && (error.kind === 'credentials-rejected' || error.kind === 'forbidden')) return error;
      if (!(error instanceof TargetError) && !(error instanceof ThrottledError)) throw error;
      const message =
        `Bitbucket answered "not found" to the invitation to "${group.name}", and the group list of "${workspace}", ` +
        `which tells a removed group from a workspace that refuses invitations, could not be read: ${error.message}`;
      return new ExplainedTargetError(
        'unavailable',
        { message, reasonCode: 'retrying' },
        error instanceof TargetError ? error.status : null,
        error instanceof ThrottledError ? error.waitMs : error.retryAfterMs,
      );
    }
    if (groups.some((g) => g.slug === group.slug)) return invitationsRefused(workspace, notFound);
    return new ExplainedTargetError(
      'not-found',
      { message: `The group "${group.name}" no longer exists in "${workspace}". Choose the default groups again.`, reasonCode: 'group-missing' },
      notFound.status,
    );
  }

  explainFailure(account: TargetRef, error: TargetError): ExplainedFailure {
    if (error instanceof ExplainedTargetError) return error.explained;
    const workspace = workspaceOf(account);
    switch (error.kind) {
      case 'credentials-rejected':
        return {
          message: `Bitbucket rejected these credentials for "${workspace}". Check the OAuth consumer key and secret, or the email and API token.`,
          reasonCode: 'credentials-invalid',
          marks: 'credentials-invalid',
        };
      case 'forbidden':
        return {
          message: `These credentials work but have no admin rights on the workspace "${workspace}". Use credentials of a workspace administrator with the account:write and workspace admin scopes. (${error.message})`,
          reasonCode: 'credentials-invalid',
          marks: 'credentials-invalid',
        };
      case 'not-found':
        return {
          message: refusesInvitations(workspace, error),
          reasonCode: 'invitations-refused',
          ...(namesUnknownWorkspace(error) ? {} : { code: WORKSPACE_ADMIN_MANAGED }),
        };
      case 'rate-limited':
      case 'unavailable':
        return { message: `Bitbucket did not answer for "${workspace}". Try again in a moment. (${error.message})`, reasonCode: 'retrying' };
      case 'rejected':
        return { message: `Bitbucket refused the request for "${workspace}": ${error.message}`, reasonCode: 'rejected' };
    }
  }
}

/** Whether Bitbucket's own words (quoted at the end of the client's message) say the workspace does not exist. */
function namesUnknownWorkspace(error: TargetError): boolean {
  const said = /Bitbucket said: "(.*)"$/.exec(error.message)?.[1];
  return said !== undefined && UNKNOWN_WORKSPACE_WORDS.test(said);
}

function refusesInvitations(workspace: string, error: TargetError): string {
  return `Bitbucket refuses group invitations for "${workspace}": the workspace does not exist, or it is admin-managed, in which case user access is managed in Atlassian Administration. (${error.message})`;
}

function invitationsRefused(workspace: string, notFound: TargetError): ExplainedTargetError {
  return new ExplainedTargetError(
    'not-found',
    { message: refusesInvitations(workspace, notFound), reasonCode: 'invitations-refused', marks: 'invitations-refused' },
    notFound.status,
  );
}

function workspaceOf(account: TargetRef): string {
  if (account.workspace === null) throw new TypeError(`"${account.displayName}" is not a Bitbucket workspace`);
  return account.workspace;
}

function bitbucketCredentials(credentials: TargetCredentials): BitbucketCredentials {
  if (credentials.type === 'organization-api-key') throw new TypeError('A Bitbucket workspace needs Bitbucket credentials');
  return credentials;
}
