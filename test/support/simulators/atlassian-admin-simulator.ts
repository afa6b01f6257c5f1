import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { closeNow, listenOnLoopback } from './loopback-server.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Atlassian Administration's organization API as far as this app uses it (CONTRACTS §5): the
 * organizations of an API key (v1, paged by a whole URL in `links.next`), the directories of an
 * organization, group search with opaque cursors, and adding or removing a group member, with
 * Atlassian's error envelope `{errors: [{id, status, code, title, detail}]}` and codes.
 * Where Atlassian does not document a refusal's answer, this simulator gives the reading the client
 * is written for (see src/clients/atlassian-admin/classify-failure.ts); the client also accepts others.
 */

export type SimulatedGroup = {
  id: string;
  name: string;
  description?: string;
  /** Synced from an identity provider: Atlassian refuses membership changes (managedBy 'external'). */
  externalSynced?: boolean;
  /** Grants organization admin: membership refused, as since Atlassian's units rollout. */
  grantsOrgAdmin?: boolean;
  /** An app this group grants access to has no seat left: new members are refused. */
  atUserLimit?: boolean;
  members?: string[];
};

export type SimulatedDirectory = { id: string; name: string; users?: string[]; groups?: SimulatedGroup[] };
export type SimulatedOrganization = { id: string; name: string; directories: SimulatedDirectory[] };

/** 'manage': an org admin's key. 'read': may list and search, not change memberships. 'none': may only list its organizations. */
export type ApiKeyRights = 'manage' | 'read' | 'none';

export type AtlassianAdminSimulatorOptions = {
  /** Per-organization token bucket on membership changes (add and remove). Unlimited when absent. */
  membershipsPerSecond?: number;
  /** Page size of GET /admin/v1/orgs; default 20. */
  organizationsPageSize?: number;
  /** Page size of GET /admin/v2/orgs/{orgId}/directories; default 20. */
  directoriesPageSize?: number;
  /** How a repeated add of an existing member is answered: 409 ADMIN-UAM-409-2 (default) or a plain 204. */
  alreadyMemberAnswer?: 'conflict' | 'no-content';
};

export type ReceivedRequest = {
  method: string;
  path: string;
  orgId: string | null;
  groupId: string | null;
  /** First 12 hex digits of the key's SHA-256, never the key itself. */
  keyFingerprint: string | null;
  body: unknown;
  status: number;
  at: number;
};

type Directory = { id: string; name: string; users: Set<string>; groups: Map<string, Group> };
type Group = Omit<SimulatedGroup, 'members'> & { members: Set<string>; initialMembers: string[] };
type Organization = { id: string; name: string; directories: Map<string, Directory> };
type Failure = { status: number; remaining: number; retryAfterSeconds?: number; on: 'membership' | 'any' };
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Route = { orgId: string | null; groupId: string | null; reply: Reply };

const ORGS_PATH = /^\/admin\/v1\/orgs\/?$/;
const DIRECTORIES_PATH = /^\/admin\/v2\/orgs\/([^/]+)\/directories\/?$/;
const SEARCH_PATH = /^\/admin\/v2\/orgs\/([^/]+)\/directories\/([^/]+)\/groups\/search\/?$/;
const MEMBERSHIPS_PATH = /^\/admin\/v2\/orgs\/([^/]+)\/directories\/([^/]+)\/groups\/([^/]+)\/memberships(?:\/([^/]+))?\/?$/;
const ORG_PATH = /^\/admin\/v[12]\/orgs\/([^/]+)/;
const MAX_LIMIT = 100;

export class AtlassianAdminSimulator {
  readonly received: ReceivedRequest[] = [];

  readonly #options: AtlassianAdminSimulatorOptions;
  readonly #organizations = new Map<string, Organization>();
  readonly #apiKeys = new Map<string, { orgIds: Set<string>; rights: ApiKeyRights; revoked: boolean }>();
  readonly #failures = new Map<string, Failure[]>();
  readonly #membershipBuckets = new Map<string, TokenBucket>();
  readonly #membershipDelays = new Map<string, number>();
  #rateLimitedCount = 0;
  #server: Server | null = null;
  #url: string | null = null;

  constructor(options: AtlassianAdminSimulatorOptions = {}) {
    this.#options = options;
  }

  async start(): Promise<void> {
    if (this.#server) return;
    const { server, port } = await listenOnLoopback((req, res) => void this.#handle(req, res));
    this.#server = server;
    this.#url = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    await closeNow(server);
  }

  get apiUrl(): string {
    if (!this.#url) throw new Error('AtlassianAdminSimulator has not been started');
    return this.#url;
  }

  get rateLimitedCount(): number {
    return this.#rateLimitedCount;
  }

  addOrganization(org: SimulatedOrganization): void {
    const directories = new Map<string, Directory>();
    for (const d of org.directories) {
      directories.set(d.id, { id: d.id, name: d.name, users: new Set(d.users ?? []), groups: new Map() });
    }
    this.#organizations.set(org.id, { id: org.id, name: org.name, directories });
    for (const d of org.directories) this.addGroups(org.id, d.id, d.groups ?? []);
  }

  addGroups(orgId: string, directoryId: string, groups: SimulatedGroup[]): void {
    const directory = this.#directory(orgId, directoryId);
    for (const g of groups) {
      const members = g.members ?? [];
      directory.groups.set(g.id, { ...g, members: new Set(members), initialMembers: [...members] });
    }
  }

  /** The groups are deleted, as an admin deleting them in Atlassian Administration does. */
  removeGroups(orgId: string, directoryId: string, groupIds: string[]): void {
    const directory = this.#directory(orgId, directoryId);
    for (const id of groupIds) directory.groups.delete(id);
  }

  addUsers(orgId: string, directoryId: string, accountIds: string[]): void {
    const directory = this.#directory(orgId, directoryId);
    for (const id of accountIds) directory.users.add(id);
  }

  addApiKey(key: string, orgIds: string[], rights: ApiKeyRights = 'manage'): void {
    this.#apiKeys.set(key, { orgIds: new Set(orgIds), rights, revoked: false });
  }

  /** The key now answers 401, as a revoked or expired organization API key does. */
  revokeApiKey(key: string): void {
    const apiKey = this.#apiKeys.get(key);
    if (apiKey) apiKey.revoked = true;
  }

  members(orgId: string, groupId: string): string[] {
    for (const directory of this.#organization(orgId).directories.values()) {
      const group = directory.groups.get(groupId);
      if (group) return [...group.members].sort();
    }
    throw new Error(`AtlassianAdminSimulator has no group "${groupId}" in organization "${orgId}"`);
  }

  /** Membership adds tried for one account and group, whatever the answer. */
  membershipAttempts(accountId: string, groupId: string): number {
    return this.received.filter(
      (r) =>
        r.method === 'POST' &&
        r.groupId === groupId &&
        typeof r.body === 'object' &&
        r.body !== null &&
        (r.body as { accountId?: unknown }).accountId === accountId,
    ).length;
  }

  /** The next `count` matching requests to the organization answer `status` (429 with Retry-After when given). */
  failRequests(orgId: string, failure: { status: number; count: number; retryAfterSeconds?: number; on?: 'membership' | 'any' }): void {
    if (failure.count <= 0) return;
    const queue = this.#failures.get(orgId) ?? [];
    queue.push({ status: failure.status, remaining: failure.count, retryAfterSeconds: failure.retryAfterSeconds, on: failure.on ?? 'any' });
    this.#failures.set(orgId, queue);
  }

  /** Every membership change of the organization answers `ms` later, as an overloaded service does (0 for prompt again). */
  slowDownMemberships(orgId: string, ms: number): void {
    if (ms > 0) this.#membershipDelays.set(orgId, ms);
    else this.#membershipDelays.delete(orgId);
  }

  /** Forgets requests, injected failures, slowness and rate-limit state, and puts every group's members back as configured. */
  reset(): void {
    this.received.length = 0;
    this.#failures.clear();
    this.#membershipDelays.clear();
    this.#membershipBuckets.clear();
    this.#rateLimitedCount = 0;
    for (const org of this.#organizations.values()) {
      for (const directory of org.directories.values()) {
        for (const group of directory.groups.values()) group.members = new Set(group.initialMembers);
      }
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://simulator');
    const key = bearer(req.headers.authorization);
    let route: Route;
    let body: unknown = null;
    try {
      const raw = await readBody(req);
      const parsed = parseJson(raw);
      body = parsed.ok ? parsed.value : raw === '' ? null : raw;
      route = this.#route(method, url, key, parsed, at);
    } catch {
      route = { orgId: null, groupId: null, reply: errorReply(500, 'ADMIN-500-1', 'Internal error', 'Something went wrong.') };
    }
    const { reply } = route;
    this.received.push({
      method,
      path: url.pathname,
      orgId: route.orgId,
      groupId: route.groupId,
      keyFingerprint: key === null ? null : fingerprint(key),
      body,
      status: reply.status,
      at,
    });
    if (reply.status === 429) this.#rateLimitedCount += 1;
    const delay = route.groupId !== null && route.orgId !== null ? this.#membershipDelays.get(route.orgId) : undefined;
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const headers = reply.body === undefined ? { ...reply.headers } : { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers };
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  }

  #route(method: string, url: URL, key: string | null, body: ParsedJson, now: number): Route {
    const path = url.pathname;
    const orgMatch = ORG_PATH.exec(path);
    const orgId = orgMatch?.[1] ? decodeURIComponent(orgMatch[1]) : null;
    const memberships = MEMBERSHIPS_PATH.exec(path);
    const groupId = memberships?.[3] ? decodeURIComponent(memberships[3]) : null;
    const reply = (r: Reply): Route => ({ orgId, groupId, reply: r });

    if (orgId !== null) {
      const injected = this.#takeFailure(orgId, memberships !== null);
      if (injected) return reply(injected);
    }
    const apiKey = key === null ? undefined : this.#apiKeys.get(key);
    // The gateway's envelope, not the organization service's.
    if (!apiKey || apiKey.revoked) return reply({ status: 401, body: { code: 401, message: 'Unauthorized' } });

    if (ORGS_PATH.test(path)) return reply(method === 'GET' ? this.#listOrganizations(apiKey.orgIds, url) : methodNotAllowed());
    if (orgId === null) return reply(errorReply(404, 'ADMIN-404-1', 'Unknown resource', `No resource at ${path}.`));

    const org = this.#organizations.get(orgId);
    // A key only sees its own organizations; another one's is "not found", not "forbidden".
    if (!org || !apiKey.orgIds.has(orgId))
      return reply(errorReply(404, 'ADMIN-404-2', 'Organization not found', `No organization with id ${orgId}.`));
    if (apiKey.rights === 'none')
      return reply(
        errorReply(403, 'ADMIN-403-3', 'Not allowed to manage the org', 'The API key does not have permission to manage this organization.'),
      );

    const directories = DIRECTORIES_PATH.exec(path);
    if (directories) return reply(method === 'GET' ? this.#listDirectories(org, url) : methodNotAllowed());

    const search = SEARCH_PATH.exec(path);
    if (search?.[2]) {
      const directory = org.directories.get(decodeURIComponent(search[2]));
      if (!directory) return reply(unknownDirectory());
      return reply(method === 'POST' ? this.#searchGroups(directory, body) : methodNotAllowed());
    }

    if (memberships?.[2] && groupId !== null) {
      if (apiKey.rights !== 'manage')
        return reply(errorReply(403, 'ADMIN-403-3', 'Not allowed to manage the org', 'The API key may not change group memberships.'));
      const limit = this.#limitMemberships(orgId, now);
      if (limit.refusal) return reply(limit.refusal);
      const directory = org.directories.get(decodeURIComponent(memberships[2]));
      if (!directory) return reply(unknownDirectory());
      const group = directory.groups.get(groupId);
      if (!group) return reply(errorReply(404, 'ADMIN-404-10', 'Group not found', `No group with id ${groupId}.`));
      const member = memberships[4] ? decodeURIComponent(memberships[4]) : null;
      let answer: Reply;
      if (method === 'POST' && member === null) answer = this.#addMember(directory, group, body);
      else if (method === 'DELETE' && member !== null) answer = this.#removeMember(group, member);
      else answer = methodNotAllowed();
      return reply({ ...answer, headers: { ...limit.headers, ...answer.headers } });
    }
    return reply(errorReply(404, 'ADMIN-404-1', 'Unknown resource', `No resource at ${path}.`));
  }

  #listOrganizations(orgIds: Set<string>, url: URL): Reply {
    const orgs = [...orgIds].flatMap((id) => {
      const org = this.#organizations.get(id);
      return org ? [org] : [];
    });
    const page = this.#page(orgs, url.searchParams.get('cursor'), 'orgs', this.#options.organizationsPageSize ?? 20);
    if (!page) return invalidCursor();
    const self = `${this.apiUrl}/admin/v1/orgs`;
    return {
      status: 200,
      body: {
        data: page.items.map((o) => ({ id: o.id, type: 'orgs', attributes: { name: o.name }, links: { self: `${self}/${o.id}` } })),
        // v1 puts a whole URL here, v2 a bare cursor; both are real (CONTRACTS §5).
        links: { self, ...(page.next === null ? {} : { next: `${self}?cursor=${encodeURIComponent(page.next)}` }) },
      },
    };
  }

  #listDirectories(org: Organization, url: URL): Reply {
    const limit = Number(url.searchParams.get('limit') ?? '20');
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return invalidBody(`limit must be between 1 and ${MAX_LIMIT}.`);
    const pageSize = Math.min(limit, this.#options.directoriesPageSize ?? 20);
    const page = this.#page([...org.directories.values()], url.searchParams.get('cursor'), `dirs:${org.id}`, pageSize);
    if (!page) return invalidCursor();
    return {
      status: 200,
      body: { data: page.items.map((d) => ({ directoryId: d.id, name: d.name, icon: null })), links: page.next === null ? {} : { next: page.next } },
    };
  }

  #searchGroups(directory: Directory, body: ParsedJson): Reply {
    const request = body.ok && body.value !== null ? body.value : {};
    if (typeof request !== 'object' || Array.isArray(request)) return invalidBody('The request body must be a JSON object.');
    const { searchTerm, cursor, limit = 20, expand = [] } = request as Record<string, unknown>;
    if (searchTerm !== undefined && typeof searchTerm !== 'string') return invalidBody('searchTerm must be a string.');
    if (cursor !== undefined && typeof cursor !== 'string') return invalidBody('cursor must be a string.');
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT)
      return invalidBody(`limit must be between 1 and ${MAX_LIMIT}.`);
    if (!Array.isArray(expand)) return invalidBody('expand must be an array.');

    const term = (searchTerm ?? '').trim().toLowerCase();
    const matches = [...directory.groups.values()]
      .filter((g) => g.name.toLowerCase().includes(term))
      .sort((a, b) => a.name.localeCompare(b.name, 'en') || a.id.localeCompare(b.id, 'en'));
    // The cursor remembers the search it belongs to, so it cannot page another one.
    const page = this.#page(matches, cursor ?? null, `groups:${directory.id}:${term}`, limit);
    if (!page) return invalidCursor();
    const withCounts = expand.includes('counts.users');
    return {
      status: 200,
      body: {
        data: page.items.map((g) => ({
          id: g.id,
          name: g.name,
          description: g.description ?? '',
          directoryId: directory.id,
          managementAccess: { deletable: !g.externalSynced, modifiable: !g.externalSynced, readable: true },
          externalSynced: g.externalSynced === true,
          managedBy: g.externalSynced ? 'external' : 'admins',
          ...(withCounts ? { counts: { users: g.members.size } } : {}),
          links: { self: g.id },
        })),
        links: page.next === null ? {} : { next: page.next },
      },
    };
  }

  #addMember(directory: Directory, group: Group, body: ParsedJson): Reply {
    const accountId =
      body.ok && typeof body.value === 'object' && body.value !== null ? (body.value as { accountId?: unknown }).accountId : undefined;
    if (typeof accountId !== 'string' || accountId === '') return invalidBody('accountId is required.');
    if (group.externalSynced) {
      return errorReply(
        403,
        'ADMIN-403-5',
        'Not allowed to manage the group',
        'This group is synced from an identity provider. Manage its members in your identity provider.',
      );
    }
    if (group.grantsOrgAdmin) {
      return errorReply(
        403,
        'ADMIN-403-5',
        'Not allowed to manage the group',
        'Users can no longer be added to the org-admins group. Assign the organization admin role instead.',
      );
    }
    if (!directory.users.has(accountId)) return errorReply(404, 'ADMIN-UAM-404-1', 'Unknown Resource', 'One or more user not found in the directory');
    if (group.members.has(accountId)) {
      return this.#options.alreadyMemberAnswer === 'no-content'
        ? { status: 204 }
        : errorReply(409, 'ADMIN-UAM-409-2', 'Resource Conflicts', 'The user is already a member of the group.');
    }
    if (group.atUserLimit) {
      return errorReply(409, 'ADMIN-409-3', 'License limit exceeded', "You've exceeded your user limit for an app this group grants access to.");
    }
    group.members.add(accountId);
    return { status: 204 };
  }

  #removeMember(group: Group, accountId: string): Reply {
    if (group.externalSynced) {
      return errorReply(
        403,
        'ADMIN-403-5',
        'Not allowed to manage the group',
        'This group is synced from an identity provider. Manage its members in your identity provider.',
      );
    }
    if (!group.members.delete(accountId)) return errorReply(404, 'ADMIN-404-8', 'User not found', 'The user is not a member of the group.');
    return { status: 204 };
  }

  /**
   * Offset paging behind an opaque cursor bound to one listing (`scope`). Null for a cursor that
   * is not one of ours or belongs to another listing.
   */
  #page<T>(items: T[], cursor: string | null, scope: string, size: number): { items: T[]; next: string | null } | null {
    let offset = 0;
    if (cursor !== null) {
      const decoded = decodeCursor(cursor);
      if (!decoded || decoded.scope !== scope || decoded.offset > items.length) return null;
      offset = decoded.offset;
    }
    const end = offset + size;
    return { items: items.slice(offset, end), next: end < items.length ? encodeCursor(scope, end) : null };
  }

  /**
   * Atlassian's documented rate-limit headers for every membership answer, and a 429 with
   * Retry-After beyond the limit.
   */
  #limitMemberships(orgId: string, now: number): { refusal: Reply | null; headers: Record<string, string> } {
    const rate = this.#options.membershipsPerSecond;
    if (!rate) return { refusal: null, headers: {} };
    let bucket = this.#membershipBuckets.get(orgId);
    if (!bucket) {
      bucket = new TokenBucket(rate, rate, now);
      this.#membershipBuckets.set(orgId, bucket);
    }
    const waitMs = bucket.take(now);
    const headers = {
      'X-RateLimit-Limit': String(rate),
      'X-RateLimit-Remaining': String(bucket.remaining(now)),
      'X-RateLimit-Reset': new Date(bucket.fullAt(now)).toISOString(),
    };
    if (waitMs === 0) return { refusal: null, headers };
    const refusal = rateLimited(Math.max(1, Math.ceil(waitMs / 1000)));
    return { refusal: { ...refusal, headers: { ...headers, ...refusal.headers } }, headers };
  }

  #takeFailure(orgId: string, isMembership: boolean): Reply | null {
    const queue = this.#failures.get(orgId);
    const failure = queue?.[0];
    if (!queue || !failure || (failure.on === 'membership' && !isMembership)) return null;
    failure.remaining -= 1;
    if (failure.remaining <= 0) queue.shift();
    const reply =
      failure.status === 429
        ? rateLimited(failure.retryAfterSeconds)
        : errorReply(failure.status, `ADMIN-${failure.status}-1`, 'Simulated failure', `Simulated failure (HTTP ${failure.status})`);
    return failure.retryAfterSeconds === undefined
      ? reply
      : { ...reply, headers: { ...reply.headers, 'Retry-After': String(failure.retryAfterSeconds) } };
  }

  #organization(orgId: string): Organization {
    const org = this.#organizations.get(orgId);
    if (!org) throw new Error(`AtlassianAdminSimulator has no organization "${orgId}"`);
    return org;
  }

  #directory(orgId: string, directoryId: string): Directory {
    const directory = this.#organization(orgId).directories.get(directoryId);
    if (!directory) throw new Error(`AtlassianAdminSimulator has no directory "${directoryId}" in organization "${orgId}"`);
    return directory;
  }
}

function encodeCursor(scope: string, offset: number): string {
  return Buffer.from(JSON.stringify({ s: scope, o: offset }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { scope: string; offset: number } | null {
  try {
    const { s, o } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; o?: unknown };
    return typeof s === 'string' && typeof o === 'number' && Number.isInteger(o) && o >= 0 ? { scope: s, offset: o } : null;
  } catch {
    return null;
  }
}

function fingerprint(key: string): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

function bearer(authorization: string | undefined): string | null {
  if (!authorization?.startsWith('Bearer ')) return null;
  const token = authorization.slice('Bearer '.length).trim();
  return token === '' ? null : token;
}

type ParsedJson = { ok: true; value: unknown } | { ok: false };

function parseJson(raw: string): ParsedJson {
  if (raw === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function errorReply(status: number, code: string, title: string, detail: string): Reply {
  return { status, body: { errors: [{ id: randomUUID(), status: String(status), code, title, detail }] } };
}

function invalidBody(detail: string): Reply {
  return errorReply(400, 'ADMIN-400-24', 'Invalid request body', detail);
}

function invalidCursor(): Reply {
  return errorReply(400, 'ADMIN-400-1', 'Invalid page cursor', 'The cursor is not valid for this request.');
}

function unknownDirectory(): Reply {
  return errorReply(404, 'ADMIN-404-1', 'Unknown resource', 'No such directory in this organization.');
}

function rateLimited(retryAfterSeconds: number | undefined): Reply {
  const reply = errorReply(429, 'ADMIN-429-1', 'Rate limit exceeded', 'Too many requests. Wait before retrying.');
  return retryAfterSeconds === undefined ? reply : { ...reply, headers: { 'Retry-After': String(retryAfterSeconds) } };
}

function methodNotAllowed(): Reply {
  return errorReply(405, 'ADMIN-405-1', 'Method not supported', 'This method is not supported here.');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
