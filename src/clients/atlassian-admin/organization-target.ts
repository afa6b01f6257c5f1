import { ExplainedTargetError, TargetError, ThrottledError } from '../../domain/errors.js';
import type { OrganizationCredentials, OrganizationRef, TargetCredentials, TargetGroup } from '../../domain/model.js';
import type {
  CheckedLink,
  DiscoveredOrganization,
  ExplainedFailure,
  GroupPage,
  GroupQuery,
  InvitationTarget,
  LinkRequest,
  ListedGroup,
  OrganizationDiscovery,
  TargetRef,
} from '../../domain/ports.js';
import type { AtlassianAdminClient, OrganizationGroup } from './atlassian-admin-client.js';
import { OrganizationRefusal, explain } from './organization-refusal.js';

export type OrganizationTargetOptions = {
  /**
   * Most membership calls this instance makes to one organization at a time. An organization that
   * answers slowly then holds that many workers, not all of them: its other jobs come back later.
   */
  maxConcurrentPerOrganization: number;
};

/**
 * How long a job waits in line for a busy organization before it gives its worker back and tries
 * again later (after as long again, plus up to as much, so the jobs spread out). Waiting in line a
 * moment keeps the organization's pace when many of its jobs arrive together; giving up after it
 * keeps a slow organization from holding workers that others could use.
 */
const BUSY_WAIT_MS = 1_000;

/** A group search for a name returns it among the first page of this size, unless thousands of groups share the name. */
const NAME_SEARCH_LIMIT = 100;

/**
 * An Atlassian organization's directory as a target (CONTRACTS §5): groups are searched live (an
 * organization has thousands), and a new user is added to each chosen group by account id, which
 * needs no email and nothing for the user to accept.
 */
export class OrganizationTarget implements InvitationTarget, OrganizationDiscovery {
  readonly needsEmail = false;
  readonly groupListing = 'live';
  readonly noun = 'organization';
  readonly credentialTypes = ['organization-api-key'] as const;
  readonly alreadyInvitedReason = 'Atlassian Administration answered that this account is already a member of the group.';

  /** Per organization: calls under way from this instance, and the ones waiting in line for a place. */
  readonly #slots = new Map<string, { busy: number; waiting: ((granted: boolean) => void)[] }>();

  constructor(
    private readonly client: AtlassianAdminClient,
    private readonly options: OrganizationTargetOptions,
  ) {}

  async discover(credentials: OrganizationCredentials): Promise<DiscoveredOrganization[]> {
    const organizations = await this.client.listOrganizations(credentials.apiKey);
    return Promise.all(
      organizations.map(async (organization) => {
        try {
          return { ...organization, directories: await this.client.listDirectories(credentials.apiKey, organization.id) };
        } catch (error) {
          // The key sees the organization but may not read its directories: shown, with nothing to pick.
          if (error instanceof TargetError && (error.kind === 'forbidden' || error.kind === 'not-found')) return { ...organization, directories: [] };
          throw error;
        }
      }),
    );
  }

  /** Checks the key the way delivery will use it: the organization and directory it names exist for it, and its groups can be searched. */
  async checkLink(request: LinkRequest): Promise<CheckedLink> {
    if (request.targetType !== 'atlassian-organization') throw new TypeError(`An organization cannot link a ${request.targetType}`);
    const { apiKey } = request.credentials;
    const organization = (await this.client.listOrganizations(apiKey)).find((o) => o.id === request.organizationId);
    if (!organization) {
      throw notReached(
        `This API key sees no organization with the ID "${request.organizationId}". Check the ID, or use a key created in that organization.`,
      );
    }
    const directories = await this.client.listDirectories(apiKey, organization.id);
    const directory = directories.find((d) => d.id === request.directoryId);
    if (!directory) {
      throw notReached(
        `The organization "${organization.name}" has no directory with the ID "${request.directoryId}" that this API key can see. Choose one of its directories.`,
      );
    }
    await this.client.searchGroups(apiKey, organization.id, directory.id, { limit: 1 });
    const ref: OrganizationRef = { id: organization.id, name: organization.name, directoryId: directory.id, directoryName: directory.name };
    return {
      target: {
        targetType: 'atlassian-organization',
        workspace: null,
        organization: ref,
        displayName: directories.length > 1 ? `${organization.name} (${directory.name})` : organization.name,
      },
      groups: [],
    };
  }

  async listGroups(account: TargetRef, credentials: TargetCredentials, query: GroupQuery): Promise<GroupPage> {
    const organization = organizationOf(account);
    const page = await this.client.searchGroups(apiKeyOf(credentials), organization.id, organization.directoryId, {
      ...(query.search ? { searchTerm: query.search } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    return { groups: page.groups.map(listed), nextCursor: page.nextCursor };
  }

  async addMember(
    account: TargetRef,
    credentials: TargetCredentials,
    user: { accountId: string; email: string | null },
    group: TargetGroup,
  ): Promise<'sent' | 'already-invited'> {
    const organization = organizationOf(account);
    const apiKey = apiKeyOf(credentials);
    if (!(await this.#takeSlot(organization.id))) throw new ThrottledError(Math.round(BUSY_WAIT_MS * (1 + Math.random())));
    try {
      const outcome = await this.client.addMember(apiKey, organization.id, organization.directoryId, group.slug, user.accountId);
      return outcome === 'added' ? 'sent' : 'already-invited';
    } catch (error) {
      if (error instanceof TargetError && error.kind === 'not-found' && !(error instanceof OrganizationRefusal)) {
        throw await this.#whyNotFound(apiKey, organization, group, error);
      }
      throw error;
    } finally {
      this.#releaseSlot(organization.id);
    }
  }

  /** Deletes the membership (CONTRACTS §5); a group removed meanwhile has no member to remove. */
  async removeMember(
    account: TargetRef,
    credentials: TargetCredentials,
    user: { accountId: string; email: string | null },
    group: TargetGroup,
  ): Promise<'removed' | 'not-a-member' | 'invitation-pending'> {
    const organization = organizationOf(account);
    if (!(await this.#takeSlot(organization.id))) throw new ThrottledError(Math.round(BUSY_WAIT_MS * (1 + Math.random())));
    try {
      return await this.client.removeMember(apiKeyOf(credentials), organization.id, organization.directoryId, group.slug, user.accountId);
    } finally {
      this.#releaseSlot(organization.id);
    }
  }

  /** A place among the calls this instance makes to the organization at once, waited for in line up to BUSY_WAIT_MS. */
  async #takeSlot(orgId: string): Promise<boolean> {
    const slots = this.#slots.get(orgId) ?? { busy: 0, waiting: [] };
    this.#slots.set(orgId, slots);
    if (slots.busy < this.options.maxConcurrentPerOrganization) {
      slots.busy++;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const waiter = (granted: boolean) => {
        clearTimeout(timer);
        resolve(granted);
      };
      const timer = setTimeout(() => {
        slots.waiting.splice(slots.waiting.indexOf(waiter), 1);
        waiter(false);
      }, BUSY_WAIT_MS);
      slots.waiting.push(waiter);
    });
  }

  /** Hands the place to the next call in line, if any (it stays busy), or frees it. */
  #releaseSlot(orgId: string): void {
    const slots = this.#slots.get(orgId);
    if (!slots) return;
    const next = slots.waiting.shift();
    if (next) return next(true);
    slots.busy--;
    if (slots.busy === 0) this.#slots.delete(orgId);
  }

  /**
   * A 404 to a membership means the group is gone, or the organization or directory no longer
   * answers to this key; a search for the group by its name tells which. Only a definite answer
   * may mark the linked account.
   */
  async #whyNotFound(apiKey: string, organization: OrganizationRef, group: TargetGroup, notFound: TargetError): Promise<TargetError> {
    let groups: OrganizationGroup[];
    try {
      ({ groups } = await this.client.searchGroups(apiKey, organization.id, organization.directoryId, {
        searchTerm: group.name,
        limit: NAME_SEARCH_LIMIT,
      }));
    } catch (error) {
      if (error instanceof TargetError && error.kind === 'not-found') {
        return new ExplainedTargetError(
          'not-found',
          {
            message: `Atlassian Administration no longer finds the directory "${organization.directoryName}" of "${organization.name}" for this API key. Check the organization in Atlassian Administration, then refresh it here, or unlink it. (${error.message})`,
            reasonCode: 'invitations-refused',
            marks: 'invitations-refused',
          },
          error.status,
        );
      }
      if (error instanceof TargetError && (error.kind === 'credentials-rejected' || error.kind === 'forbidden')) return error;
      if (!(error instanceof TargetError) && !(error instanceof ThrottledError)) throw error;
      return new ExplainedTargetError(
        'unavailable',
        {
          message: `Atlassian Administration answered "not found" to adding a member to "${group.name}", and the search that tells a removed group from an unreachable directory failed: ${error.message}`,
          reasonCode: 'retrying',
        },
        error instanceof TargetError ? error.status : null,
        error instanceof ThrottledError ? error.waitMs : error.retryAfterMs,
      );
    }
    if (groups.some((g) => g.id === group.slug)) return notFound;
    return new ExplainedTargetError(
      'not-found',
      {
        message: `The group "${group.name}" no longer exists in "${organization.name}". Choose the default groups again.`,
        reasonCode: 'group-missing',
      },
      notFound.status,
    );
  }

  explainDiscoveryFailure(error: TargetError): ExplainedFailure {
    return this.explainFailure(null, error);
  }

  explainFailure(account: TargetRef | null, error: TargetError, group?: TargetGroup): ExplainedFailure {
    if (error instanceof ExplainedTargetError) return error.explained;
    if (error instanceof OrganizationRefusal) {
      const said = error.atlassianSaid ? ` Atlassian said: "${error.atlassianSaid}"` : '';
      return { message: `${explain(error.refusal, group?.name)}${said}`, reasonCode: 'rejected' };
    }
    const name = account ? `"${account.displayName}"` : 'this organization';
    switch (error.kind) {
      case 'credentials-rejected':
        return {
          message:
            'Atlassian Administration rejected the API key: it is wrong, revoked or expired (keys last at most a year). Create a new organization API key in Atlassian Administration and enter it here.',
          reasonCode: 'credentials-invalid',
          marks: 'credentials-invalid',
        };
      case 'forbidden':
        return {
          message: `The API key works but may not manage ${name}. Use an API key created by an organization admin of this organization. (${error.message})`,
          reasonCode: 'credentials-invalid',
          marks: 'credentials-invalid',
        };
      case 'not-found':
        return {
          message: `Atlassian Administration has no organization or directory ${name} that this API key can reach. (${error.message})`,
          reasonCode: 'rejected',
        };
      case 'rate-limited':
      case 'unavailable':
        return { message: `Atlassian Administration did not answer for ${name}. Try again in a moment. (${error.message})`, reasonCode: 'retrying' };
      case 'rejected':
        return { message: `Atlassian Administration refused the request for ${name}: ${error.message}`, reasonCode: 'rejected' };
    }
  }
}

/** The organization or directory a link names is not among those the key can see: already in the admin's words. */
function notReached(message: string): ExplainedTargetError {
  return new ExplainedTargetError('not-found', { message, reasonCode: 'rejected' }, 404);
}

function listed(group: OrganizationGroup): ListedGroup {
  return {
    slug: group.id,
    name: group.name,
    description: group.description,
    memberCount: group.memberCount,
    unavailableReason: group.unavailableReason,
  };
}

function organizationOf(account: TargetRef): OrganizationRef {
  if (account.organization === null) throw new TypeError(`"${account.displayName}" is not an organization`);
  return account.organization;
}

function apiKeyOf(credentials: TargetCredentials): string {
  if (credentials.type !== 'organization-api-key') throw new TypeError('An organization needs an organization API key');
  return credentials.apiKey;
}
