import { randomBytes, randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeNow, listenOnLoopback } from './loopback-server.js';
import { TokenBucket } from './token-bucket.js';

/**
 * Bitbucket Cloud as far as this app uses it (CONTRACTS §4): the OAuth client-credentials token
 * endpoint, the 1.0 groups listing and the 1.0 invitation PUT, with its auth rules, error bodies
 * and rate limits. A real HTTP server so the client under test runs unchanged.
 */

export type SimulatedWorkspace = {
  slug: string;
  groups: { slug: string; name: string }[];
  oauthConsumers?: { key: string; secret: string; admin?: boolean /* default true */ }[];
  apiTokens?: { email: string; token: string; admin?: boolean /* default true */ }[];
  /** Groups listing AND invitations answer 404, as Bitbucket does for workspaces managed in Atlassian Administration. */
  adminManaged?: boolean;
};

export type BitbucketSimulatorOptions = {
  /** Per-workspace token bucket on invitation PUTs. Unlimited when absent. */
  invitationsPerSecond?: number;
  /** Per-credential token bucket on every API request. Unlimited when absent. */
  requestsPerHour?: number;
  /** expires_in of issued access tokens; default 7200 like Bitbucket. */
  tokenTtlSeconds?: number;
};

export type ReceivedRequest = { method: string; path: string; body: unknown; status: number; at: number };
export type SimulatedInvitation = { email: string; groupSlug: string; at: number };

export const ADMIN_MANAGED_MESSAGE = 'This workspace is managed in Atlassian Administration; manage user access there.';

const TOKEN_PATH = '/site/oauth2/access_token';
const GROUPS_PATH = /^\/1\.0\/groups\/([^/]+)\/?$/;
const INVITATIONS_PATH = /^\/1\.0\/users\/([^/]+)\/invitations\/?$/;
const MEMBER_PATH = /^\/1\.0\/groups\/([^/]+)\/([^/]+)\/members\/([^/]+)\/?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Who a credential acts for. `id` keys the per-credential rate limit (a consumer, not its tokens). */
type Principal = { id: string; workspace: string; admin: boolean };
type Workspace = { slug: string; uuid: string; groups: { slug: string; name: string }[]; adminManaged: boolean };
type Failure = { status: number; remaining: number; retryAfterSeconds?: number };
type Reply = { status: number; body?: unknown; headers?: Record<string, string> };
type Hold = { arrive: () => void; released: Promise<void> };

/** A held request: `arrived` resolves once one is waiting; `release()` lets it (and every later one) through. */
export type HeldRequests = { arrived: Promise<void>; release: () => void };

export class BitbucketSimulator {
  readonly received: ReceivedRequest[] = [];

  readonly #options: BitbucketSimulatorOptions;
  readonly #workspaces = new Map<string, Workspace>();
  readonly #consumers = new Map<string, { secret: string; principal: Principal }>();
  readonly #apiTokens = new Map<string, Principal>(); // key: email + '\0' + token
  readonly #issuedTokens = new Map<string, { principal: Principal; expiresAt: number }>();
  readonly #invitations = new Map<string, Map<string, SimulatedInvitation>>();
  readonly #failures = new Map<string, Failure[]>();
  readonly #invitationBuckets = new Map<string, TokenBucket>();
  readonly #requestBuckets = new Map<string, TokenBucket>();
  readonly #holds = new Map<string, Hold>();
  /** Workspace → group slug → account ids: members, who accepted an invitation or were added some other way. */
  readonly #members = new Map<string, Map<string, Set<string>>>(); // key: 'groups' | 'invitations' + '\0' + workspace
  #rateLimitedCount = 0;
  #server: Server | null = null;
  #url: string | null = null;

  constructor(options: BitbucketSimulatorOptions = {}) {
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
    if (!this.#url) throw new Error('BitbucketSimulator has not been started');
    return this.#url;
  }

  get oauthTokenUrl(): string {
    return `${this.apiUrl}${TOKEN_PATH}`;
  }

  get rateLimitedCount(): number {
    return this.#rateLimitedCount;
  }

  addWorkspace(ws: SimulatedWorkspace): void {
    this.#workspaces.set(ws.slug, {
      slug: ws.slug,
      uuid: `{${randomUUID()}}`,
      groups: ws.groups.map((g) => ({ ...g })),
      adminManaged: ws.adminManaged ?? false,
    });
    for (const c of ws.oauthConsumers ?? []) {
      this.#consumers.set(c.key, { secret: c.secret, principal: { id: `consumer:${c.key}`, workspace: ws.slug, admin: c.admin ?? true } });
    }
    for (const t of ws.apiTokens ?? []) {
      this.#apiTokens.set(`${t.email}\0${t.token}`, { id: `api-token:${t.email}`, workspace: ws.slug, admin: t.admin ?? true });
    }
  }

  setAdminManaged(slug: string, value: boolean): void {
    this.#workspace(slug).adminManaged = value;
  }

  failInvitations(slug: string, failure: { status: number; count: number; retryAfterSeconds?: number }): void {
    if (failure.count <= 0) return;
    const queue = this.#failures.get(slug) ?? [];
    queue.push({ status: failure.status, remaining: failure.count, retryAfterSeconds: failure.retryAfterSeconds });
    this.#failures.set(slug, queue);
  }

  /**
   * A slow Bitbucket: the workspace's groups listings (or invitation PUTs) wait until released,
   * so a test can make a change while the app is waiting for Bitbucket.
   */
  hold(kind: 'groups' | 'invitations', slug: string): HeldRequests {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    const key = `${kind}\0${slug}`;
    this.#holds.set(key, { arrive, released });
    return {
      arrived,
      release: () => {
        this.#holds.delete(key);
        release();
      },
    };
  }

  invitations(slug: string): SimulatedInvitation[] {
    return [...(this.#invitations.get(slug)?.values() ?? [])].map((i) => ({ ...i }));
  }

  /**
   * Every invitation PUT for `slug` that arrived after Bitbucket had already accepted the same
   * (email, group): a sent invitation sent again, whatever Bitbucket answered to the repeat.
   */
  repeatedInvitations(slug: string): (SimulatedInvitation & { status: number })[] {
    const accepted = new Set<string>();
    const repeats: (SimulatedInvitation & { status: number })[] = [];
    for (const request of this.received) {
      if (request.method !== 'PUT' || INVITATIONS_PATH.exec(request.path)?.[1] !== encodeURIComponent(slug)) continue;
      const { email, group_slug: groupSlug } = (request.body ?? {}) as { email?: unknown; group_slug?: unknown };
      if (typeof email !== 'string' || typeof groupSlug !== 'string') continue;
      const key = `${email.toLowerCase()}\0${groupSlug}`;
      if (accepted.has(key)) repeats.push({ email, groupSlug, at: request.at, status: request.status });
      else if (request.status === 200) accepted.add(key);
    }
    return repeats;
  }

  /** The person behind an invitation accepts it: their account joins the group, and the invitation is no longer pending. */
  acceptInvitation(slug: string, email: string, groupSlug: string, accountId: string): void {
    const key = `${email.toLowerCase()}\0${groupSlug}`;
    if (!this.#invitations.get(slug)?.delete(key)) throw new Error(`BitbucketSimulator has no pending invitation of ${email} to ${groupSlug}`);
    this.addMember(slug, groupSlug, accountId);
  }

  /** A member the app did not add (a workspace admin added them in Bitbucket). */
  addMember(slug: string, groupSlug: string, accountId: string): void {
    const groups = this.#members.get(slug) ?? new Map<string, Set<string>>();
    this.#members.set(slug, groups);
    const members = groups.get(groupSlug) ?? new Set<string>();
    groups.set(groupSlug, members);
    members.add(accountId);
  }

  members(slug: string, groupSlug: string): string[] {
    return [...(this.#members.get(slug)?.get(groupSlug) ?? [])].sort();
  }

  /** Makes every issued access token unknown, as if Bitbucket revoked them (tests the client's refresh). */
  revokeTokens(): void {
    this.#issuedTokens.clear();
  }

  /** Keeps workspaces and issued tokens; a client's cached token stays valid across tests. */
  reset(): void {
    this.received.length = 0;
    this.#invitations.clear();
    this.#members.clear();
    this.#failures.clear();
    this.#invitationBuckets.clear();
    this.#requestBuckets.clear();
    this.#rateLimitedCount = 0;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    let reply: Reply;
    let body: unknown = null;
    try {
      const raw = await readBody(req);
      await this.#waitIfHeld(method, path);
      ({ reply, body } = this.#route(method, path, req.headers, raw, at));
    } catch {
      reply = errorReply(500, 'Internal server error');
    }
    this.received.push({ method, path, body, status: reply.status, at });
    if (reply.status === 429) this.#rateLimitedCount += 1;
    const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(payload);
  }

  async #waitIfHeld(method: string, path: string): Promise<void> {
    const groups = method === 'GET' ? GROUPS_PATH.exec(path) : null;
    const invitations = method === 'PUT' ? INVITATIONS_PATH.exec(path) : null;
    const key = groups?.[1]
      ? `groups\0${decodeURIComponent(groups[1])}`
      : invitations?.[1]
        ? `invitations\0${decodeURIComponent(invitations[1])}`
        : null;
    const hold = key ? this.#holds.get(key) : undefined;
    if (!hold) return;
    hold.arrive();
    await hold.released;
  }

  #route(method: string, path: string, headers: IncomingHttpHeaders, raw: string, now: number): { reply: Reply; body: unknown } {
    if (path === TOKEN_PATH) {
      return { reply: method === 'POST' ? this.#issueToken(headers.authorization, raw, now) : methodNotAllowed(), body: null };
    }
    const groups = GROUPS_PATH.exec(path);
    if (groups?.[1]) {
      return {
        reply: method === 'GET' ? this.#listGroups(decodeURIComponent(groups[1]), headers.authorization, now) : methodNotAllowed(),
        body: null,
      };
    }
    const member = MEMBER_PATH.exec(path);
    if (member?.[1] && member[2] && member[3]) {
      const [workspace, groupSlug, accountId] = [member[1], member[2], member[3]].map((part) => decodeURIComponent(part));
      return {
        reply: method === 'DELETE' ? this.#removeMember(workspace!, groupSlug!, accountId!, headers.authorization, now) : methodNotAllowed(),
        body: null,
      };
    }
    const invitations = INVITATIONS_PATH.exec(path);
    if (invitations?.[1]) {
      const body = parseJson(raw);
      const reply = method === 'PUT' ? this.#invite(decodeURIComponent(invitations[1]), headers.authorization, body, now) : methodNotAllowed();
      return { reply, body: body.ok ? body.value : raw };
    }
    return { reply: errorReply(404, 'Resource not found'), body: null };
  }

  #issueToken(authorization: string | undefined, raw: string, now: number): Reply {
    const basic = parseBasic(authorization);
    if (!basic) return { status: 401, body: { error: 'invalid_client', error_description: 'Client credentials are missing.' } };
    const consumer = this.#consumers.get(basic.user);
    if (!consumer || consumer.secret !== basic.password) {
      return { status: 400, body: { error: 'invalid_client', error_description: 'Invalid OAuth client credentials' } };
    }
    const grantType = new URLSearchParams(raw).get('grant_type');
    if (grantType !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grantType ?? '(none)'}` } };
    }
    const ttl = this.#options.tokenTtlSeconds ?? 7200;
    const accessToken = randomBytes(24).toString('base64url');
    this.#issuedTokens.set(accessToken, { principal: consumer.principal, expiresAt: now + ttl * 1000 });
    return { status: 200, body: { access_token: accessToken, expires_in: ttl, token_type: 'bearer', scopes: 'account:write team:write' } };
  }

  #listGroups(slug: string, authorization: string | undefined, now: number): Reply {
    const access = this.#authorize(slug, authorization, now);
    if ('status' in access) return access;
    const ws = access.workspace;
    const owner = { display_name: ws.slug, uuid: ws.uuid, username: ws.slug, type: 'team' };
    return {
      status: 200,
      body: ws.groups.map((g) => ({
        name: g.name,
        slug: g.slug,
        permission: 'read',
        auto_add: false,
        email_forwarding_disabled: false,
        owner,
        members: this.members(ws.slug, g.slug).map((accountId) => ({ account_id: accountId, uuid: `{${accountId}}`, type: 'user' })),
      })),
    };
  }

  #invite(slug: string, authorization: string | undefined, body: ParsedJson, now: number): Reply {
    const injected = this.#takeFailure(slug);
    if (injected) return injected;
    const access = this.#authorize(slug, authorization, now);
    if ('status' in access) return access;
    const limited = this.#limit(this.#invitationBuckets, slug, this.#options.invitationsPerSecond, 1, now);
    if (limited) return limited;

    if (!body.ok || typeof body.value !== 'object' || body.value === null) return errorReply(400, 'The request body must be a JSON object.');
    const { email, group_slug: groupSlug } = body.value as { email?: unknown; group_slug?: unknown };
    if (typeof email !== 'string' || !EMAIL.test(email)) return errorReply(400, 'email: Enter a valid email address.');
    if (typeof groupSlug !== 'string' || groupSlug === '') return errorReply(400, 'group_slug: This field is required.');
    if (!access.workspace.groups.some((g) => g.slug === groupSlug)) return errorReply(404, `Group ${groupSlug} not found`);

    const sent = this.#invitations.get(slug) ?? new Map<string, SimulatedInvitation>();
    this.#invitations.set(slug, sent);
    const key = `${email.toLowerCase()}\0${groupSlug}`;
    if (sent.has(key)) return errorReply(409, `${email} has already been invited`);
    sent.set(key, { email, groupSlug, at: now });
    return {
      status: 200,
      body: {
        email,
        group_slug: groupSlug,
        invited_by: { display_name: slug, uuid: access.workspace.uuid, username: slug, type: 'team' },
        utc_sent_on: new Date(now).toISOString(),
      },
    };
  }

  #removeMember(slug: string, groupSlug: string, accountId: string, authorization: string | undefined, now: number): Reply {
    const injected = this.#takeFailure(slug);
    if (injected) return injected;
    const access = this.#authorize(slug, authorization, now);
    if ('status' in access) return access;
    if (!access.workspace.groups.some((g) => g.slug === groupSlug)) return errorReply(404, `Group ${groupSlug} not found`);
    if (!this.#members.get(slug)?.get(groupSlug)?.delete(accountId)) return errorReply(404, `${accountId} is not a member of ${groupSlug}`);
    return { status: 204 };
  }

  /** Bitbucket's order: who are you (401), does it exist (404), may you (403). */
  #authorize(slug: string, authorization: string | undefined, now: number): { workspace: Workspace } | Reply {
    const principal = this.#authenticate(authorization, now);
    if (!principal) return errorReply(401, 'Invalid credentials');
    const limited = this.#limit(this.#requestBuckets, principal.id, this.#options.requestsPerHour, 3600, now);
    if (limited) return limited;
    const workspace = this.#workspaces.get(slug);
    if (!workspace) return errorReply(404, `No workspace with identifier '${slug}'.`);
    if (principal.workspace !== slug || !principal.admin) return errorReply(403, 'You must be an administrator of this workspace');
    if (workspace.adminManaged) return errorReply(404, ADMIN_MANAGED_MESSAGE);
    return { workspace };
  }

  #authenticate(authorization: string | undefined, now: number): Principal | null {
    if (authorization?.startsWith('Bearer ')) {
      const issued = this.#issuedTokens.get(authorization.slice('Bearer '.length).trim());
      return issued && issued.expiresAt > now ? issued.principal : null;
    }
    const basic = parseBasic(authorization);
    return basic ? (this.#apiTokens.get(`${basic.user}\0${basic.password}`) ?? null) : null;
  }

  #limit(buckets: Map<string, TokenBucket>, id: string, rate: number | undefined, perSeconds: number, now: number): Reply | null {
    if (!rate) return null;
    let bucket = buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(rate, rate / perSeconds, now);
      buckets.set(id, bucket);
    }
    const waitMs = bucket.take(now);
    if (waitMs === 0) return null;
    return rateLimited(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  #takeFailure(slug: string): Reply | null {
    const failure = this.#failures.get(slug)?.[0];
    if (!failure) return null;
    failure.remaining -= 1;
    if (failure.remaining <= 0) this.#failures.get(slug)?.shift();
    if (failure.status === 429) return rateLimited(failure.retryAfterSeconds);
    const reply = errorReply(failure.status, `Simulated failure (HTTP ${failure.status})`);
    return failure.retryAfterSeconds === undefined ? reply : { ...reply, headers: { 'Retry-After': String(failure.retryAfterSeconds) } };
  }

  #workspace(slug: string): Workspace {
    const ws = this.#workspaces.get(slug);
    if (!ws) throw new Error(`BitbucketSimulator has no workspace "${slug}"`);
    return ws;
  }
}

/** capacity tokens, refilled continuously at perSecond. */
type ParsedJson = { ok: true; value: unknown } | { ok: false };

function parseJson(raw: string): ParsedJson {
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function parseBasic(authorization: string | undefined): { user: string; password: string } | null {
  if (!authorization?.startsWith('Basic ')) return null;
  const decoded = Buffer.from(authorization.slice('Basic '.length).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? null : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function errorReply(status: number, message: string): Reply {
  return { status, body: { type: 'error', error: { message } } };
}

function rateLimited(retryAfterSeconds: number | undefined): Reply {
  const reply = errorReply(429, 'Rate limit for this resource has been exceeded');
  return retryAfterSeconds === undefined ? reply : { ...reply, headers: { 'Retry-After': String(retryAfterSeconds) } };
}

function methodNotAllowed(): Reply {
  return errorReply(405, 'Method not allowed');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
