import { TargetError } from '../../domain/errors.js';
import { observedFetch, type CallObserver } from '../observed-fetch.js';
import {
  classifyAddMemberFailure,
  classifyRemoveMemberFailure,
  errorFromNetworkFailure,
  errorFromResponse,
  refusalFrom,
  type AdminResponse,
} from './classify-failure.js';
import type { GroupUnavailableReason } from './organization-refusal.js';
import { DirectoryPage, GroupSearchPage, OrganizationPage, parseAnswer } from './schemas.js';

export type AtlassianAdminRequestKind = 'membership' | 'request';

export type AtlassianAdminClientOptions = {
  /** ATLASSIAN_ADMIN_API_URL: https://api.atlassian.com or a simulator URL. */
  apiUrl: string;
  /**
   * Called before every request about an organization; a membership change (add or remove) is
   * called with 'membership' only, and the implementation counts it as a request too. Resolves when
   * the caller's rate limit allows. Listing the organizations of a key is not about one organization
   * and is not throttled: it happens once when an admin links an organization.
   */
  throttle?: (orgId: string, kind: AtlassianAdminRequestKind) => Promise<void>;
  /** Per request, default 10 000. */
  timeoutMs?: number;
  /** Told about every call (the app's metrics). */
  observeCall?: CallObserver;
};

export type Organization = { id: string; name: string };
export type Directory = { id: string; name: string };

export type OrganizationGroup = {
  id: string;
  name: string;
  description: string | null;
  externalSynced: boolean;
  /** Atlassian's word for who manages the group: 'external', 'admins', 'team-members', 'open'. */
  managedBy: string | null;
  /** Null when Atlassian did not count the members. */
  memberCount: number | null;
  /** Why the group must be shown but not offered for ticking (explain() words it); null when it can be chosen. */
  unavailableReason: GroupUnavailableReason | null;
};

export type GroupSearch = { searchTerm?: string; cursor?: string; limit?: number };
export type GroupPage = { groups: OrganizationGroup[]; nextCursor: string | null };

type ApiRequest = {
  orgId: string | null;
  kind: AtlassianAdminRequestKind;
  action: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
};

const DEFAULT_GROUP_PAGE_SIZE = 50;
/** The Admin API serves at most 100 items a page. */
const MAX_PAGE_SIZE = 100;
/** Organizations and directories are few; more pages than this means a server that loops. */
const MAX_PAGES = 50;

/**
 * UNCERTAIN (CONTRACTS §5): no group field says "grants organization admin"; the group Atlassian
 * names in its notice about the units rollout is org-admins, so that name is what marks one.
 */
const ORG_ADMIN_GROUP_NAMES = new Set(['org-admins']);

/**
 * Atlassian Administration's organization API (CONTRACTS §5), authenticated by an organization API
 * key. Classifies every failure once as a TargetError (an OrganizationRefusal for a membership
 * refused because of the group or the user) and does not retry: the job layer owns retries and
 * backoff, using the wait the server asked for (`retryAfterMs`).
 */
export class AtlassianAdminClient {
  readonly #apiUrl: string;
  readonly #throttle: NonNullable<AtlassianAdminClientOptions['throttle']>;
  readonly #timeoutMs: number;
  readonly #observeCall: CallObserver | undefined;

  constructor(options: AtlassianAdminClientOptions) {
    this.#apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#throttle = options.throttle ?? (async () => {});
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#observeCall = options.observeCall;
  }

  /** Every organization the key can see, following `links.next`. */
  async listOrganizations(apiKey: string): Promise<Organization[]> {
    const action = 'Listing the organizations of the API key';
    return this.#collectPages(action, async (cursor) => {
      const query = cursor === null ? undefined : { cursor };
      const response = await this.#send(apiKey, { orgId: null, kind: 'request', action, method: 'GET', path: '/admin/v1/orgs', query });
      const page = parseAnswer(OrganizationPage, this.#ok(action, response), action);
      const items = (page.data ?? []).map((org) => ({ id: org.id, name: org.attributes?.name || org.id }));
      return { items, next: page.links?.next ?? null, status: response.status };
    });
  }

  /** Every directory of an organization (usually one), following `links.next`. */
  async listDirectories(apiKey: string, orgId: string): Promise<Directory[]> {
    const action = `Listing the directories of organization "${orgId}"`;
    const path = `/admin/v2/orgs/${segment(orgId)}/directories`;
    return this.#collectPages(action, async (cursor) => {
      const query: Record<string, string> = { limit: String(MAX_PAGE_SIZE), ...(cursor === null ? {} : { cursor }) };
      const response = await this.#send(apiKey, { orgId, kind: 'request', action, method: 'GET', path, query });
      const page = parseAnswer(DirectoryPage, this.#ok(action, response), action);
      const items = (page.data ?? []).map((d) => ({ id: d.directoryId, name: d.name || d.directoryId }));
      return { items, next: page.links?.next ?? null, status: response.status };
    });
  }

  /**
   * One page of the directory's groups, in Atlassian's order, with member counts. Pass the returned
   * `nextCursor` with the same search term for the next page. Linking uses this to check a key.
   */
  async searchGroups(apiKey: string, orgId: string, directoryId: string, search: GroupSearch = {}): Promise<GroupPage> {
    const action = `Searching the groups of directory "${directoryId}" in organization "${orgId}"`;
    const path = `/admin/v2/orgs/${segment(orgId)}/directories/${segment(directoryId)}/groups/search`;
    const searchTerm = search.searchTerm?.trim();
    const body = {
      ...(searchTerm ? { searchTerm } : {}),
      ...(search.cursor ? { cursor: search.cursor } : {}),
      limit: Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(search.limit ?? DEFAULT_GROUP_PAGE_SIZE))),
      // Member counts are only returned when asked for.
      expand: ['counts.users'],
    };
    const response = await this.#send(apiKey, { orgId, kind: 'request', action, method: 'POST', path, body });
    const page = parseAnswer(GroupSearchPage, this.#ok(action, response), action);
    const groups = page.data.map((g): OrganizationGroup => {
      const name = g.name || g.id;
      const externalSynced = g.externalSynced === true;
      const managedBy = g.managedBy ?? null;
      return {
        id: g.id,
        name,
        description: g.description || null,
        externalSynced,
        managedBy,
        memberCount: g.counts?.users ?? null,
        unavailableReason: unavailableReason(name, externalSynced, managedBy),
      };
    });
    return { groups, nextCursor: cursorFromNext(page.links?.next, action, response.status) };
  }

  /** Throws OrganizationRefusal when Atlassian refuses this membership for a reason of the group or the user. */
  async addMember(apiKey: string, orgId: string, directoryId: string, groupId: string, accountId: string): Promise<'added' | 'already-member'> {
    const action = `Adding account "${accountId}" to group "${groupId}" of organization "${orgId}"`;
    const path = `${groupPath(orgId, directoryId, groupId)}/memberships`;
    const response = await this.#send(apiKey, { orgId, kind: 'membership', action, method: 'POST', path, body: { accountId } });
    if (response.ok) return 'added';
    const outcome = classifyAddMemberFailure(response);
    if (outcome === 'already-member') return outcome;
    if (outcome !== null) throw refusalFrom(outcome, response);
    throw errorFromResponse(action, response);
  }

  /** For offboarding: 'not-a-member' when there was nothing to remove. */
  async removeMember(apiKey: string, orgId: string, directoryId: string, groupId: string, accountId: string): Promise<'removed' | 'not-a-member'> {
    const action = `Removing account "${accountId}" from group "${groupId}" of organization "${orgId}"`;
    const path = `${groupPath(orgId, directoryId, groupId)}/memberships/${segment(accountId)}`;
    const response = await this.#send(apiKey, { orgId, kind: 'membership', action, method: 'DELETE', path });
    if (response.ok) return 'removed';
    const outcome = classifyRemoveMemberFailure(response);
    if (outcome === 'not-a-member') return outcome;
    if (outcome !== null) throw refusalFrom(outcome, response);
    throw errorFromResponse(action, response);
  }

  async #collectPages<T>(
    action: string,
    fetchPage: (cursor: string | null) => Promise<{ items: T[]; next: string | null; status: number }>,
  ): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let pages = 0; pages < MAX_PAGES; pages += 1) {
      const page = await fetchPage(cursor);
      items.push(...page.items);
      cursor = cursorFromNext(page.next, action, page.status);
      if (cursor === null) return items;
      if (seen.has(cursor))
        throw new TargetError('rejected', `${action} failed: Atlassian Administration sent the same page link twice.`, page.status);
      seen.add(cursor);
    }
    throw new TargetError('rejected', `${action} failed: Atlassian Administration still had more pages after ${MAX_PAGES}.`, null);
  }

  #ok(action: string, response: AdminResponse): AdminResponse {
    if (!response.ok) throw errorFromResponse(action, response);
    return response;
  }

  async #send(apiKey: string, request: ApiRequest): Promise<AdminResponse> {
    if (request.orgId !== null) await this.#throttle(request.orgId, request.kind);
    const url = new URL(`${this.#apiUrl}${request.path}`);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
    const headers: Record<string, string> = { Authorization: `Bearer ${apiKey}`, Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      const response = await observedFetch(this.#observeCall, url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // A redirect would carry the API key to wherever it points; treat it as a rejection instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      const body = await response.text();
      // Atlassian's words are quoted in error messages, which reach logs and the admin's screen.
      return { status: response.status, ok: response.ok, headers: response.headers, body: redact(body, apiKey) };
    } catch (error) {
      throw errorFromNetworkFailure(request.action, error, this.#timeoutMs);
    }
  }
}

/**
 * UNCERTAIN (CONTRACTS §5): the v2 endpoints put an opaque cursor in `links.next`, while v1
 * endpoints such as `GET /admin/v1/orgs` have been seen to put a whole URL there. Only the URL's
 * `cursor` parameter is used: requests always go to the configured base URL, never to a host an
 * answer names, which would receive the API key.
 */
function cursorFromNext(next: string | null | undefined, action: string, status: number): string | null {
  const value = next?.trim();
  if (!value) return null;
  if (!/^https?:\/\//i.test(value) && !value.startsWith('/')) return value;
  const cursor = new URL(value, 'https://link.invalid').searchParams.get('cursor');
  if (cursor) return cursor;
  throw new TargetError('rejected', `${action} failed: Atlassian Administration's link to the next page carries no cursor.`, status);
}

function unavailableReason(name: string, externalSynced: boolean, managedBy: string | null): GroupUnavailableReason | null {
  if (externalSynced || managedBy === 'external') return 'synced-group';
  if (ORG_ADMIN_GROUP_NAMES.has(name.toLowerCase())) return 'admin-group';
  return null;
}

function groupPath(orgId: string, directoryId: string, groupId: string): string {
  return `/admin/v2/orgs/${segment(orgId)}/directories/${segment(directoryId)}/groups/${segment(groupId)}`;
}

/** An empty id would silently address another resource (`/groups//memberships`). */
function segment(id: string): string {
  if (id.trim() === '') throw new TypeError('Atlassian Administration ids must not be empty');
  return encodeURIComponent(id);
}

function redact(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
}
