import { randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeNow, listenOnLoopback } from './loopback-server.js';
import { createQueryStringHash, decodeSymmetric, encodeSymmetric, fromMethodAndUrl, SymmetricAlgorithm } from 'atlassian-jwt';
import type { ConnectInstallKeyServer } from './connect-install-keys.js';
import { userResource } from './jira-user-resources.js';
import { JiraUserDirectory } from './jira-users.js';
import { listUsers, USERS_SEARCH_PATH } from './user-listing.js';

export interface SimulatedUser {
  accountId: string;
  displayName: string;
  emailAddress?: string;
  /** Defaults to 'atlassian' (a human with an Atlassian account). */
  accountType?: 'atlassian' | 'app' | 'customer';
  administrator?: boolean;
  /** Whether webhook payloads carry emailAddress. Default false: profile visibility usually hides it. */
  emailVisible?: boolean;
  /** The names of the Jira groups the user belongs to. */
  groups?: string[];
  /** Default true; Jira's user listing also names deactivated accounts. */
  active?: boolean;
}

/**
 * 'forbidden' answers 403 (how this project first understood a missing ACCESS_EMAIL_ADDRESSES
 * approval); 'not-approved' answers 400, which is what Atlassian's published OpenAPI says for an
 * app not approved for this API; 'unavailable' answers 503 ("API is not currently enabled").
 */
export type EmailApiMode = 'ok' | 'forbidden' | 'not-approved' | 'unavailable';

export interface ReceivedCall {
  method: string;
  /** Path without the query string. */
  path: string;
  at: number;
  status: number;
}

export interface JiraConnectSimulatorOptions {
  keys: ConnectInstallKeyServer;
  appKey: string;
  clientKey?: string;
  /** Present in the lifecycle payload only when the descriptor asked for ACT_AS_USER. */
  oauthClientId?: string;
}

const INSTALL_TOKEN_SECONDS = 180;
const CONTEXT_TOKEN_SECONDS = 900;

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * One Jira Cloud site as seen by a Connect app: it installs the app (RS256 lifecycle JWT),
 * signs webhooks and page requests with the shared secret, and serves the two REST endpoints
 * the app calls, checking the app's HS256 JWT and qsh exactly as Jira would.
 */
export class JiraConnectSimulator {
  readonly received: ReceivedCall[] = [];
  /** The app's last answer to install/uninstall/webhook, kept so a failing test can show ACE's message. */
  lastResponse: { status: number; body: string } | null = null;

  private readonly keys: ConnectInstallKeyServer;
  private readonly appKey: string;
  private readonly site: { clientKey: string; sharedSecret: string; oauthClientId?: string };
  private readonly users = new Map<string, SimulatedUser>();
  /** Who is active, deactivated or deleted, as GET /rest/api/3/user answers it. */
  readonly directory = new JiraUserDirectory(this.users);
  private emailMode: EmailApiMode = 'ok';
  private pendingFailures: { status: number; remaining: number; retryAfterSeconds?: number } | null = null;
  private server: Server | null = null;
  private port = 0;

  constructor(options: JiraConnectSimulatorOptions) {
    this.keys = options.keys;
    this.appKey = options.appKey;
    this.site = {
      clientKey: options.clientKey ?? randomUUID(),
      sharedSecret: randomBytes(32).toString('base64url'),
      ...(options.oauthClientId ? { oauthClientId: options.oauthClientId } : {}),
    };
  }

  get baseUrl(): string {
    if (!this.server) throw new Error('JiraConnectSimulator is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  get clientKey(): string {
    return this.site.clientKey;
  }

  get sharedSecret(): string {
    return this.site.sharedSecret;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const { server, port } = await listenOnLoopback((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.reply(req, res, 500, { errorMessages: [`Simulator error: ${String(error)}`] });
      });
    });
    this.port = port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeNow(server);
  }

  addUser(user: SimulatedUser): void {
    this.users.set(user.accountId, user);
  }

  setEmailApi(mode: EmailApiMode): void {
    this.emailMode = mode;
  }

  /** The next `count` REST calls fail with `status` (e.g. a 429 burst), before any other check. */
  failNext(status: number, count: number, retryAfterSeconds?: number): void {
    this.pendingFailures = { status, remaining: count, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  }

  // ---- what the site sends to the app ----

  /** Jira deletes the user, then sends user_deleted as it sends user_created. */
  async sendUserDeleted(
    appBaseUrl: string,
    webhookPath: string,
    accountId: string,
    options: { identifier?: string; retry?: number } = {},
  ): Promise<{ status: number; identifier: string }> {
    this.directory.delete(accountId);
    const identifier = options.identifier ?? randomUUID();
    // A deleted account's payload carries little more than its id.
    const body = { timestamp: Date.now(), webhookEvent: 'user_deleted', user: { accountId, active: false } };
    const headers: Record<string, string> = { 'X-Atlassian-Webhook-Identifier': identifier };
    if (options.retry && options.retry > 0) headers['X-Atlassian-Webhook-Retry'] = String(options.retry);
    const status = await this.post(`${trimSlash(appBaseUrl)}${webhookPath}`, this.signRequest('POST', webhookPath), body, headers);
    return { status, identifier };
  }

  install(appBaseUrl: string): Promise<number> {
    return this.sendLifecycle(appBaseUrl, 'installed');
  }

  uninstall(appBaseUrl: string): Promise<number> {
    return this.sendLifecycle(appBaseUrl, 'uninstalled');
  }

  signRequest(
    method: string,
    pathWithQuery: string,
    options: { accountId?: string; expiresInSeconds?: number; secret?: string; qsh?: string } = {},
  ): string {
    const iat = nowSeconds();
    const claims = {
      iss: this.clientKey,
      ...(options.accountId ? { sub: options.accountId } : {}),
      iat,
      exp: iat + (options.expiresInSeconds ?? INSTALL_TOKEN_SECONDS),
      // Relative to the app's base URL: ACE strips its own base path before hashing.
      qsh: options.qsh ?? createQueryStringHash(fromMethodAndUrl(method, pathWithQuery)),
    };
    return encodeSymmetric(claims, options.secret ?? this.sharedSecret, SymmetricAlgorithm.HS256);
  }

  /**
   * What AP.context.getToken() yields. ACE reads aud[0] as the clientKey when aud is present and
   * falls back to iss otherwise, so both readings point at this site.
   */
  contextToken(accountId: string, options: { secret?: string; expiresInSeconds?: number } = {}): string {
    const iat = nowSeconds();
    const claims = {
      iss: this.clientKey,
      sub: accountId,
      aud: [this.clientKey],
      qsh: 'context-qsh',
      context: { user: { accountId } },
      iat,
      exp: iat + (options.expiresInSeconds ?? CONTEXT_TOKEN_SECONDS),
    };
    return encodeSymmetric(claims, options.secret ?? this.sharedSecret, SymmetricAlgorithm.HS256);
  }

  /** The user joins the site (if not there yet), then the webhook goes out as Jira sends it. */
  async sendUserCreated(
    appBaseUrl: string,
    webhookPath: string,
    user: SimulatedUser,
    options: { identifier?: string; retry?: number; secret?: string } = {},
  ): Promise<{ status: number; identifier: string }> {
    if (!this.users.has(user.accountId)) this.addUser(user);
    const identifier = options.identifier ?? randomUUID();
    const body = {
      timestamp: Date.now(),
      webhookEvent: 'user_created',
      user: {
        self: `${this.baseUrl}/rest/api/2/user?accountId=${encodeURIComponent(user.accountId)}`,
        accountId: user.accountId,
        displayName: user.displayName,
        active: true,
        accountType: user.accountType ?? 'atlassian',
        ...(user.emailVisible && user.emailAddress ? { emailAddress: user.emailAddress } : {}),
        timeZone: 'Etc/UTC',
        locale: 'en_US',
      },
    };
    const token = this.signRequest('POST', webhookPath, options.secret ? { secret: options.secret } : {});
    const headers: Record<string, string> = { 'X-Atlassian-Webhook-Identifier': identifier };
    if (options.retry && options.retry > 0) headers['X-Atlassian-Webhook-Retry'] = String(options.retry);
    const status = await this.post(`${trimSlash(appBaseUrl)}${webhookPath}`, token, body, headers);
    return { status, identifier };
  }

  private async sendLifecycle(appBaseUrl: string, eventType: 'installed' | 'uninstalled'): Promise<number> {
    const baseUrl = this.baseUrl;
    const body = {
      key: this.appKey,
      clientKey: this.clientKey,
      ...(eventType === 'installed' ? { sharedSecret: this.sharedSecret } : {}),
      baseUrl,
      displayUrl: baseUrl,
      productType: 'jira',
      description: `Atlassian JIRA at ${baseUrl}`,
      eventType,
      serverVersion: '100285',
      pluginsVersion: '1001.0.0-SNAPSHOT',
      ...(this.site.oauthClientId ? { oauthClientId: this.site.oauthClientId } : {}),
    };
    const iat = nowSeconds();
    const token = this.keys.signInstall({
      iss: this.clientKey,
      aud: [trimSlash(appBaseUrl)],
      qsh: createQueryStringHash(fromMethodAndUrl('POST', `/${eventType}`)),
      iat,
      exp: iat + INSTALL_TOKEN_SECONDS,
    });
    return this.post(`${trimSlash(appBaseUrl)}/${eventType}`, token, body, {});
  }

  private async post(url: string, token: string, body: unknown, headers: Record<string, string>): Promise<number> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json', Authorization: `JWT ${token}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    this.lastResponse = { status: response.status, body: await response.text() };
    return response.status;
  }

  // ---- what the app calls on the site ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req);

    const failure = this.pendingFailures;
    if (failure && failure.remaining > 0) {
      failure.remaining -= 1;
      const headers: Record<string, string> = {};
      if (failure.retryAfterSeconds !== undefined) headers['Retry-After'] = String(failure.retryAfterSeconds);
      if (failure.status === 429) headers['RateLimit-Reason'] = 'jira-burst-based';
      this.reply(req, res, failure.status, { errorMessages: [`Simulated HTTP ${failure.status}`] }, headers);
      return;
    }

    const authError = this.checkAppJwt(req, method);
    if (authError) {
      this.reply(req, res, 401, { errorMessages: [authError] });
      return;
    }

    if (method === 'GET' && url.pathname === '/rest/api/3/user') {
      const answer = this.directory.lookUp(url.searchParams.get('accountId'));
      this.reply(req, res, answer.status, answer.body, answer.headers);
    } else if (method === 'GET' && url.pathname === '/rest/api/3/user/email') {
      this.userEmail(req, res, url.searchParams.get('accountId'));
    } else if (method === 'POST' && url.pathname === '/rest/api/3/permissions/check') {
      this.permissionsCheck(req, res, rawBody);
    } else if (method === 'GET' && userResource(this.users, url.pathname, url.searchParams, this.baseUrl)) {
      const answer = userResource(this.users, url.pathname, url.searchParams, this.baseUrl)!;
      this.reply(req, res, answer.status, answer.body);
    } else if (method === 'GET' && url.pathname === USERS_SEARCH_PATH) {
      const listed = listUsers(this.users.values(), url.searchParams, this.baseUrl);
      this.reply(req, res, listed.status, listed.body);
    } else {
      this.reply(req, res, 404, { errorMessages: [`No simulated resource for ${method} ${url.pathname}`] });
    }
  }

  /** Returns why the request is refused, or null. Messages never echo the token or the secret. */
  private checkAppJwt(req: IncomingMessage, method: string): string | null {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('JWT ')) return 'Missing JWT authorization header';
    const token = header.slice(4);
    let claims: { iss?: unknown; exp?: unknown; qsh?: unknown };
    try {
      claims = decodeSymmetric(token, this.sharedSecret, SymmetricAlgorithm.HS256) as typeof claims;
    } catch {
      return 'JWT signature does not verify with the shared secret';
    }
    if (claims.iss !== this.appKey) return 'JWT issuer is not the installed app key';
    if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds()) return 'JWT has expired';
    // Jira hashes the path relative to the site base URL; this site has no context path.
    const expected = createQueryStringHash(fromMethodAndUrl(method, req.url ?? '/'), false, this.baseUrl);
    if (claims.qsh !== expected) return 'JWT query string hash does not match the request';
    return null;
  }

  private userEmail(req: IncomingMessage, res: ServerResponse, accountId: string | null): void {
    if (this.emailMode === 'unavailable') {
      this.reply(req, res, 503, { errorMessages: ['The email API is not currently enabled'] });
    } else if (this.emailMode === 'forbidden') {
      this.reply(req, res, 403, { errorMessages: ['The app is not approved to access email addresses'] });
    } else if (this.emailMode === 'not-approved') {
      this.reply(req, res, 400, { errorMessages: ['The app is not approved to use this API'] });
    } else if (!accountId) {
      this.reply(req, res, 400, { errorMessages: ['accountId is required'] });
    } else {
      const user = this.users.get(accountId);
      if (!user) {
        this.reply(req, res, 404, { errorMessages: [`User with accountId ${accountId} does not exist`] });
      } else {
        // An account without an address (an app user) answers without `email`.
        this.reply(req, res, 200, { accountId, ...(user.emailAddress ? { email: user.emailAddress } : {}) });
      }
    }
  }

  private permissionsCheck(req: IncomingMessage, res: ServerResponse, rawBody: string): void {
    let request: { accountId?: unknown; globalPermissions?: unknown };
    try {
      request = JSON.parse(rawBody) as typeof request;
    } catch {
      this.reply(req, res, 400, { errorMessages: ['Request body is not valid JSON'] });
      return;
    }
    const asked = Array.isArray(request.globalPermissions) ? request.globalPermissions : [];
    const user = typeof request.accountId === 'string' ? this.users.get(request.accountId) : undefined;
    const granted = user?.administrator ? asked.filter((p) => p === 'ADMINISTER') : [];
    this.reply(req, res, 200, { globalPermissions: granted, projectPermissions: [] });
  }

  private reply(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    this.received.push({ method: (req.method ?? 'GET').toUpperCase(), path, at: Date.now(), status });
    if (res.headersSent) return;
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
