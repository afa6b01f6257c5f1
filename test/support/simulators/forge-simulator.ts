import { randomBytes, randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeNow, listenOnLoopback } from './loopback-server.js';
import path from 'node:path';
import { validate, type ManifestSchema } from '@forge/manifest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import type { EmailApiMode, ReceivedCall, SimulatedUser } from './jira-connect-simulator.js';
import { userResource } from './jira-user-resources.js';
import { JiraUserDirectory } from './jira-users.js';
import { listUsers, USERS_SEARCH_PATH } from './user-listing.js';

const FIT_SECONDS = 25; // what Forge's documented example token lives
const APP_TOKEN_SECONDS = 3600;
const USER_CREATED = 'avi:jira:created:user';
const USER_DELETED = 'avi:jira:deleted:user';
const INSTALLED = 'avi:forge:installed:app';

export type SigningKey = { kid: string; privateKey: CryptoKey; publicJwk: JWK };

/** What a test may change in one Forge Invocation Token. */
export type FitOptions = {
  /** The acting user: UI calls only. */
  principal?: string;
  /** Merged over the `app` claim. */
  app?: Record<string, unknown>;
  /** Replaces the `context` claim; null leaves it out. */
  context?: Record<string, unknown> | null;
  audience?: string;
  issuer?: string;
  expiresInSeconds?: number;
  /** A key the JWKS does not publish, or an old one. */
  key?: SigningKey;
  /** 'none': an unsigned token, as an attacker would send it. */
  alg?: 'RS256' | 'none';
};

/** Where Forge sends what, read from the project's manifest.yml exactly as Forge would. */
export type ManifestRoutes = {
  /** Event → the trigger that subscribes to it, the endpoint that trigger names, and its route path. */
  events: Record<string, { trigger: string; endpoint: string; path: string }>;
  /** The endpoint key of the admin page's resolver, and whether each endpoint gets which tokens. */
  uiEndpoint: string;
  /** The UI modules whose resolver is that endpoint: the module an invokeRemote's token names. */
  uiModules: { type: string; key: string }[];
  auth: Record<string, { system: boolean; user: boolean }>;
};

/** The UI module types whose pages call the remote through a resolver. */
const UI_MODULE_TYPES = ['jira:adminPage'];

export async function readManifestRoutes(manifestPath = path.resolve('manifest.yml')): Promise<ManifestRoutes> {
  // Basic validation: the full one (schema compilation) takes seconds and is the manifest test's job.
  const result = await validate(true, manifestPath);
  const manifest = result.manifestObject?.typedContent as ManifestSchema | undefined;
  if (!result.success || !manifest?.modules) throw new Error(`manifest.yml is not valid: ${JSON.stringify(result.errors)}`);
  const modules = manifest.modules as Record<string, Array<Record<string, any>>>;
  const endpoints = new Map((modules.endpoint ?? []).map((e) => [e.key as string, e]));
  const events: ManifestRoutes['events'] = {};
  for (const trigger of modules.trigger ?? []) {
    const path = endpoints.get(trigger.endpoint)?.route?.path;
    for (const event of trigger.events as string[]) if (path) events[event] = { trigger: trigger.key, endpoint: trigger.endpoint, path };
  }
  const auth = Object.fromEntries(
    [...endpoints].map(([key, e]) => [key, { system: e.auth?.appSystemToken?.enabled === true, user: e.auth?.appUserToken?.enabled === true }]),
  );
  const uiEndpoint = modules['jira:adminPage']?.[0]?.resolver?.endpoint;
  const uiModules = UI_MODULE_TYPES.flatMap((type) =>
    (modules[type] ?? []).filter((m) => m.resolver?.endpoint === uiEndpoint).map((m) => ({ type, key: m.key as string })),
  );
  return { events, uiEndpoint, uiModules, auth };
}

export interface ForgeSimulatorOptions {
  appId: string;
  routes: ManifestRoutes;
  /** A fixed site (the sandbox keeps its tenant across restarts); random by default. */
  site?: { cloudId?: string; siteUrl?: string; installationId?: string };
}

/**
 * Forge and one Jira Cloud site, as a Forge Remote backend sees them: a JWKS with the keys that
 * sign Forge Invocation Tokens, events and UI calls delivered to the remote with a FIT and the
 * app token, and the site's REST API at the token's apiBaseUrl, which takes only the current
 * app token.
 */
export class ForgeSimulator {
  readonly appId: string;
  readonly cloudId: string;
  readonly siteUrl: string;
  readonly environmentId = `ari:cloud:ecosystem::environment/${randomUUID()}/${randomUUID()}`;
  installationId: string;
  /** The site's REST calls the app made. */
  readonly received: ReceivedCall[] = [];
  /** How often the JWKS was fetched. */
  jwksRequests = 0;
  /** Every app token handed to the app so far (for secrecy checks). */
  readonly appTokensIssued: string[] = [];
  readonly userTokensIssued: string[] = [];
  /** Every Forge Invocation Token signed so far. */
  readonly fitsIssued: string[] = [];

  private readonly routes: ManifestRoutes;
  private readonly keys: SigningKey[] = [];
  private readonly users = new Map<string, SimulatedUser>();
  /** Who is active, deactivated or deleted, as GET /rest/api/3/user answers it. */
  readonly directory = new JiraUserDirectory(this.users);
  private appTokenValue = '';
  private emailMode: EmailApiMode = 'ok';
  private server: Server | null = null;
  private port = 0;

  constructor(options: ForgeSimulatorOptions) {
    this.appId = options.appId;
    this.routes = options.routes;
    this.cloudId = options.site?.cloudId ?? randomUUID();
    this.siteUrl = options.site?.siteUrl ?? `https://site-${randomBytes(4).toString('hex')}.atlassian.net`;
    this.installationId = options.site?.installationId ?? `ari:cloud:ecosystem::installation/${randomUUID()}`;
  }

  get url(): string {
    if (!this.server) throw new Error('ForgeSimulator is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  get jwksUrl(): string {
    return `${this.url}/.well-known/jwks.json`;
  }

  /** Shaped like Forge's (https://api.atlassian.com/ex/jira/<cloudId>), on this server. */
  get apiBaseUrl(): string {
    return `${this.url}/ex/jira/${this.cloudId}`;
  }

  get appToken(): string {
    return this.appTokenValue;
  }

  async start(): Promise<void> {
    if (this.server) return;
    await this.rotateSigningKey();
    const { server, port } = await listenOnLoopback((req, res) => {
      this.handle(req, res).catch((error: unknown) => this.reply(req, res, 500, { message: `Simulator error: ${String(error)}` }));
    });
    this.port = port;
    this.server = server;
    await this.rotateAppToken();
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

  /** Forge starts signing with a new key, published beside the old ones. */
  async rotateSigningKey(): Promise<SigningKey> {
    const key = await newSigningKey();
    this.keys.push(key);
    return key;
  }

  /** A key of the right kind that the JWKS never publishes. */
  static foreignKey(): Promise<SigningKey> {
    return newSigningKey();
  }

  /** Forge hands out a new app token; the site no longer takes the old one. */
  async rotateAppToken(): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    this.appTokenValue = await new SignJWT({ scope: 'read:jira-user read:email-address:jira read:permission:jira' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('forge-simulator')
      .setSubject(`app:${this.appId}`)
      .setIssuedAt(now)
      .setExpirationTime(now + APP_TOKEN_SECONDS)
      .setJti(randomUUID())
      .sign(randomBytes(32));
    this.appTokensIssued.push(this.appTokenValue);
    return this.appTokenValue;
  }

  /** The app is uninstalled and installed again: a new installationId (and a new app token) for the same site. */
  async reinstall(): Promise<void> {
    this.installationId = `ari:cloud:ecosystem::installation/${randomUUID()}`;
    await this.rotateAppToken();
  }

  /** A Forge Invocation Token for `moduleKey`, with whatever the test changes. */
  async fit(module: { type: string; key: string }, options: FitOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      app: {
        id: this.appId,
        version: '1',
        appVersion: '1.0.0',
        installationId: this.installationId,
        apiBaseUrl: this.apiBaseUrl,
        environment: { type: 'PRODUCTION', id: this.environmentId },
        module,
        installation: { id: this.installationId, contexts: [{ name: `ari:cloud:jira::site/${this.cloudId}`, apiBaseUrl: this.apiBaseUrl }] },
        ...options.app,
      },
      ...(options.context === null ? {} : { context: options.context ?? { cloudId: this.cloudId, siteUrl: this.siteUrl, moduleKey: module.key } }),
      ...(options.principal ? { principal: options.principal } : {}),
      iss: options.issuer ?? 'forge/invocation-token',
      aud: options.audience ?? this.appId,
      iat: now,
      nbf: now,
      exp: now + (options.expiresInSeconds ?? FIT_SECONDS),
      jti: randomBytes(20).toString('hex'),
    };
    const key = options.key ?? this.keys.at(-1)!;
    if (options.alg === 'none') {
      const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${part({ alg: 'none', kid: key.kid })}.${part(claims)}.`;
    }
    const token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
    this.fitsIssued.push(token);
    return token;
  }

  // ---- what Forge sends to the remote ----

  /**
   * The user joins the site, and Forge delivers avi:jira:created:user to the trigger's endpoint.
   * `retryCount` > 0 is a redelivery, carrying `retryContext` as Forge documents it.
   */
  async sendUserCreated(
    appBaseUrl: string,
    user: SimulatedUser,
    options: { retryCount?: number; wrapInPayload?: boolean; withContext?: boolean; fit?: FitOptions } = {},
  ): Promise<{ status: number; body: any }> {
    if (!this.users.has(user.accountId)) this.addUser(user);
    const event: Record<string, unknown> = {
      eventType: USER_CREATED,
      atlassianId: user.accountId,
      user: {
        accountId: user.accountId,
        accountType: user.accountType ?? 'atlassian',
        displayName: user.displayName,
        active: true,
        ...(user.emailVisible && user.emailAddress ? { emailAddress: user.emailAddress } : {}),
        timeZone: 'Etc/UTC',
        locale: 'en_US',
      },
    };
    if (options.retryCount) event.retryContext = { retryData: null, retryCount: options.retryCount, retryReason: 'TIMEOUT_ERROR' };
    const body = options.wrapInPayload ? { payload: event, ...(options.withContext ? { context: { cloudId: this.cloudId } } : {}) } : event;
    return this.sendEvent(appBaseUrl, USER_CREATED, body, options);
  }

  /** Jira deletes the user, and Forge delivers avi:jira:deleted:user to the trigger's endpoint. */
  async sendUserDeleted(
    appBaseUrl: string,
    accountId: string,
    options: { wrapInPayload?: boolean; fit?: FitOptions } = {},
  ): Promise<{ status: number; body: any }> {
    this.directory.delete(accountId);
    const event = { eventType: USER_DELETED, atlassianId: accountId, user: { accountId, active: false } };
    return this.sendEvent(appBaseUrl, USER_DELETED, options.wrapInPayload ? { payload: event } : event, options);
  }

  async sendInstalled(appBaseUrl: string, options: { withContext?: boolean; fit?: FitOptions } = {}): Promise<{ status: number; body: any }> {
    const body = {
      id: this.installationId,
      installerAccountId: [...this.users.values()].find((u) => u.administrator)?.accountId ?? 'installer-1',
      app: { id: this.appId, version: '1.0.0', name: 'Automatic team invitations', ownerAccountId: 'developer-1' },
      environment: { id: this.environmentId },
      eventType: INSTALLED,
    };
    return this.sendEvent(appBaseUrl, INSTALLED, body, options);
  }

  /**
   * What @forge/bridge's invokeRemote({path, method, body}) on the admin page turns into. The token
   * names the UI module the page belongs to (the manifest's first by default), as Forge's docs
   * show for UI calls: its type and its key.
   */
  async invokeRemote(
    appBaseUrl: string,
    request: { path: string; method?: string; body?: unknown; accountId: string; userToken?: boolean; moduleKey?: string; fit?: FitOptions },
  ): Promise<{ status: number; body: any }> {
    const endpoint = this.routes.uiEndpoint;
    const module = this.routes.uiModules.find((m) => request.moduleKey === undefined || m.key === request.moduleKey);
    if (!module) throw new Error(`The manifest has no UI module ${request.moduleKey} calling the remote`);
    const token = await this.fit(module, { principal: request.accountId, ...request.fit });
    const headers = this.tokenHeaders(endpoint, token, request.userToken);
    return this.post(`${trimSlash(appBaseUrl)}${request.path}`, request.method ?? 'GET', headers, request.body);
  }

  /** The module an event's token names: type `core:endpoint` as Forge's docs say, and the endpoint's key. */
  eventModule(event: string): { type: string; key: string } {
    const route = this.routes.events[event];
    if (!route) throw new Error(`The manifest routes no ${event} event to the remote`);
    // UNCERTAIN in Forge's docs: whether the key is the endpoint's or its trigger's (the app takes both).
    return { type: 'core:endpoint', key: route.endpoint };
  }

  private async sendEvent(appBaseUrl: string, event: string, body: unknown, options: { withContext?: boolean; fit?: FitOptions }) {
    const route = this.routes.events[event]!;
    // UNCERTAIN in Forge's docs: whether an event's FIT has `context`; by default it has none.
    const token = await this.fit(this.eventModule(event), { ...(options.withContext ? {} : { context: null }), ...options.fit });
    const headers = this.tokenHeaders(route.endpoint, token, false);
    return this.post(`${trimSlash(appBaseUrl)}${route.path}`, 'POST', headers, body);
  }

  private tokenHeaders(endpoint: string, fit: string, forceUserToken: boolean | undefined): Record<string, string> {
    const auth = this.routes.auth[endpoint] ?? { system: false, user: false };
    const headers: Record<string, string> = {
      authorization: `Bearer ${fit}`,
      'x-b3-traceid': randomBytes(8).toString('hex'),
      'x-b3-spanid': randomBytes(8).toString('hex'),
    };
    if (auth.system) headers['x-forge-oauth-system'] = this.appTokenValue;
    if (auth.user || forceUserToken) {
      const userToken = `user-token-${randomBytes(24).toString('base64url')}`;
      this.userTokensIssued.push(userToken);
      headers['x-forge-oauth-user'] = userToken;
    }
    return headers;
  }

  private async post(url: string, method: string, headers: Record<string, string>, body: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(url, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // Forge's limits: 5 s for events, 25 s for UI calls; redirects count as errors.
      redirect: 'manual',
      signal: AbortSignal.timeout(25_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: the raw text is kept
    }
    return { status: response.status, body: parsed };
  }

  // ---- what the remote calls: the JWKS and the site's REST API ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req);

    if (method === 'GET' && url.pathname === '/.well-known/jwks.json') {
      this.jwksRequests += 1;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys.map((k) => k.publicJwk) }));
      return;
    }

    const prefix = `/ex/jira/${this.cloudId}`;
    if (!url.pathname.startsWith(`${prefix}/`)) {
      this.reply(req, res, 404, { message: `No simulated resource for ${method} ${url.pathname}` });
      return;
    }
    const apiPath = url.pathname.slice(prefix.length);
    if (req.headers.authorization !== `Bearer ${this.appTokenValue}`) {
      this.reply(req, res, 401, { code: 401, message: 'Unauthorized; scope does not match' }, apiPath);
      return;
    }
    if (method === 'GET' && apiPath === '/rest/api/3/user') {
      const answer = this.directory.lookUp(url.searchParams.get('accountId'));
      this.reply(req, res, answer.status, answer.body, apiPath, answer.headers);
    } else if (method === 'GET' && apiPath === '/rest/api/3/user/email') {
      this.userEmail(req, res, apiPath, url.searchParams.get('accountId'));
    } else if (method === 'POST' && apiPath === '/rest/api/3/permissions/check') {
      const request = JSON.parse(rawBody || '{}') as { accountId?: unknown; globalPermissions?: unknown };
      const asked = Array.isArray(request.globalPermissions) ? request.globalPermissions : [];
      const user = typeof request.accountId === 'string' ? this.users.get(request.accountId) : undefined;
      const granted = user?.administrator ? asked.filter((p) => p === 'ADMINISTER') : [];
      this.reply(req, res, 200, { globalPermissions: granted, projectPermissions: [] }, apiPath);
    } else if (method === 'GET' && userResource(this.users, apiPath, url.searchParams, this.siteUrl)) {
      const answer = userResource(this.users, apiPath, url.searchParams, this.siteUrl)!;
      this.reply(req, res, answer.status, answer.body, apiPath);
    } else if (method === 'GET' && apiPath === USERS_SEARCH_PATH) {
      const listed = listUsers(this.users.values(), url.searchParams, trimSlash(this.siteUrl));
      this.reply(req, res, listed.status, listed.body, apiPath);
    } else {
      this.reply(req, res, 404, { errorMessages: [`No simulated resource for ${method} ${apiPath}`] }, apiPath);
    }
  }

  private userEmail(req: IncomingMessage, res: ServerResponse, apiPath: string, accountId: string | null): void {
    if (this.emailMode === 'unavailable') return this.reply(req, res, 503, { errorMessages: ['The email API is not currently enabled'] }, apiPath);
    if (this.emailMode === 'forbidden') return this.reply(req, res, 403, { errorMessages: ['The app may not access email addresses'] }, apiPath);
    if (this.emailMode === 'not-approved') return this.reply(req, res, 400, { errorMessages: ['The app is not approved to use this API'] }, apiPath);
    const user = accountId ? this.users.get(accountId) : undefined;
    if (!user) return this.reply(req, res, 404, { errorMessages: [`User with accountId ${accountId} does not exist`] }, apiPath);
    this.reply(req, res, 200, { accountId, ...(user.emailAddress ? { email: user.emailAddress } : {}) }, apiPath);
  }

  private reply(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    apiPath?: string,
    headers: Record<string, string> = {},
  ): void {
    const path = apiPath ?? new URL(req.url ?? '/', 'http://localhost').pathname;
    this.received.push({ method: (req.method ?? 'GET').toUpperCase(), path, at: Date.now(), status });
    if (res.headersSent) return;
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}

async function newSigningKey(): Promise<SigningKey> {
  const kid = randomUUID();
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
