import { Writable } from 'node:stream';
import { startApp, type AppOptions, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { AtlassianAdminSimulator, type AtlassianAdminSimulatorOptions, type SimulatedGroup } from './simulators/atlassian-admin-simulator.js';
import { BitbucketSimulator, type BitbucketSimulatorOptions } from './simulators/bitbucket-simulator.js';
import { ConnectInstallKeyServer } from './simulators/connect-install-keys.js';
import { JiraConnectSimulator } from './simulators/jira-connect-simulator.js';
import { createTestDatabase } from './test-database.js';

export const APP_KEY = 'automatic-team-invitations';
/** The key every harness instance seals secrets with. */
export const APP_SECRET_KEY = 'test-secret-key-that-is-long-enough-0123456789';
export const ADMIN = { accountId: 'admin-1', displayName: 'Ada Admin', emailAddress: 'ada@example.com', administrator: true };
export const NON_ADMIN = { accountId: 'user-1', displayName: 'Ulla User', emailAddress: 'ulla@example.com' };
export const WORKSPACE = {
  slug: 'acme',
  groups: [
    { slug: 'developers', name: 'Developers' },
    { slug: 'qa', name: 'QA' },
    { slug: 'designers', name: 'Designers' },
  ],
  oauthConsumers: [
    { key: 'acme-key', secret: 'acme-secret-value-123' },
    { key: 'acme-readonly-key', secret: 'acme-readonly-secret-456', admin: false },
  ],
  apiTokens: [{ email: 'owner@acme.example', token: 'acme-api-token-789' }],
};
export const OAUTH = { type: 'oauth-consumer', key: 'acme-key', secret: 'acme-secret-value-123' } as const;

/** The organization the workspace moves to: the same group names, plus the groups no app may fill. */
export const ORG_GROUPS = {
  developers: { id: 'grp-developers', name: 'developers', description: 'Everyone who writes code' },
  qa: { id: 'grp-qa', name: 'qa' },
  designers: { id: 'grp-designers', name: 'designers' },
  synced: { id: 'grp-okta', name: 'okta-engineering', description: 'Synced from Okta', externalSynced: true },
  atLimit: { id: 'grp-at-limit', name: 'bitbucket-users', description: 'Grants Bitbucket', atUserLimit: true },
  orgAdmins: { id: 'grp-org-admins', name: 'org-admins', grantsOrgAdmin: true },
} satisfies Record<string, SimulatedGroup>;
export const ORGANIZATION = {
  id: 'org-acme',
  name: 'Acme Cloud',
  directories: [{ id: 'dir-acme', name: 'Acme users', groups: Object.values(ORG_GROUPS) }],
};
export const ORG_API_KEY = 'acme-org-api-key-5d1e9a7b33c0';
export const ORG_KEY = { type: 'organization-api-key', apiKey: ORG_API_KEY } as const;
/** A key of the organization that may search groups but not change memberships. */
export const ORG_READ_ONLY_KEY = 'acme-org-read-only-key-0c4f21';

/** Every secret the tests hand the app; none may ever appear in a response or a log line. */
export const SECRETS = ['acme-secret-value-123', 'acme-readonly-secret-456', 'acme-api-token-789', ORG_API_KEY, ORG_READ_ONLY_KEY];

export type ApiAnswer = { status: number; body: any };

export type Harness = {
  app: RunningApp;
  databaseUrl: string;
  keys: ConnectInstallKeyServer;
  bitbucket: BitbucketSimulator;
  /** Atlassian Administration, with ORGANIZATION and its keys. */
  admin: AtlassianAdminSimulator;
  site: JiraConnectSimulator;
  logs: string[];
  /** Installs one more Jira site, with the same two users. */
  addSite: () => Promise<JiraConnectSimulator>;
  /** Calls the admin API as `accountId` (the admin by default) of `site`. */
  api: (
    method: string,
    path: string,
    body?: unknown,
    options?: { site?: JiraConnectSimulator; accountId?: string; token?: string },
  ) => Promise<ApiAnswer>;
  /** Starts another app instance on the same database (several instances, or a restart). */
  startInstance: (env?: Record<string, string>, options?: AppOptions) => Promise<RunningApp>;
  stop: () => Promise<void>;
};

export type HarnessOptions = {
  env?: Record<string, string>;
  bitbucket?: BitbucketSimulatorOptions;
  admin?: AtlassianAdminSimulatorOptions;
  app?: AppOptions;
};

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const keys = new ConnectInstallKeyServer();
  await keys.start();
  process.env.CONNECT_KEYS_CDN_URL = keys.url;
  const bitbucket = new BitbucketSimulator(options.bitbucket);
  await bitbucket.start();
  bitbucket.addWorkspace(structuredClone(WORKSPACE));
  const admin = new AtlassianAdminSimulator(options.admin);
  await admin.start();
  admin.addOrganization(structuredClone(ORGANIZATION));
  admin.addApiKey(ORG_API_KEY, [ORGANIZATION.id]);
  admin.addApiKey(ORG_READ_ONLY_KEY, [ORGANIZATION.id], 'read');

  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const log = createLogger('debug', sink);
  const instances: RunningApp[] = [];
  const startInstance = async (env: Record<string, string> = {}, appOptions: AppOptions = {}) => {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: database.url,
      APP_SECRET_KEY,
      BITBUCKET_API_URL: bitbucket.apiUrl,
      BITBUCKET_OAUTH_TOKEN_URL: bitbucket.oauthTokenUrl,
      ATLASSIAN_ADMIN_API_URL: admin.apiUrl,
      QUEUE_POLL_SECONDS: '0.5',
      SANDBOX: 'off',
      // The per-site limit on link attempts has tests of its own; the others link as often as they need.
      LINK_ATTEMPTS_PER_MINUTE: '1000',
      ...options.env,
      ...env,
    });
    const instance = await startApp(config, log, { ...options.app, ...appOptions });
    instances.push(instance);
    return instance;
  };
  const app = await startInstance();

  const sites: JiraConnectSimulator[] = [];
  const addSite = async () => {
    const site = new JiraConnectSimulator({ keys, appKey: APP_KEY });
    await site.start();
    site.addUser(ADMIN);
    site.addUser(NON_ADMIN);
    const status = await site.install(app.baseUrl);
    if (status !== 204) throw new Error(`install failed: ${status} ${site.lastResponse?.body}`);
    sites.push(site);
    return site;
  };
  const site = await addSite();

  const api: Harness['api'] = async (method, path, body, callOptions = {}) => {
    const caller = callOptions.site ?? site;
    const token = callOptions.token ?? caller.contextToken(callOptions.accountId ?? ADMIN.accountId);
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      headers: { Authorization: `JWT ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  return {
    app,
    databaseUrl: database.url,
    keys,
    bitbucket,
    admin,
    site,
    logs,
    addSite,
    api,
    startInstance,
    stop: async () => {
      for (const instance of instances) await instance.stop({ graceful: false }).catch(() => undefined);
      await Promise.all([...sites.map((s) => s.stop()), bitbucket.stop(), admin.stop(), keys.stop()]);
      await database.drop();
    },
  };
}

/** Polls until `check` returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting for ${what}${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Links the workspace of the harness and selects `groups` as default groups; returns the linked account id. */
export async function linkWorkspace(harness: Harness, groups: string[], site?: JiraConnectSimulator): Promise<string> {
  const linked = await harness.api('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: OAUTH }, site ? { site } : {});
  if (linked.status !== 201) throw new Error(`link failed: ${linked.status} ${JSON.stringify(linked.body)}`);
  const id = linked.body.linkedAccount.id as string;
  const saved = await harness.api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups }, site ? { site } : {});
  if (saved.status !== 200) throw new Error(`select failed: ${saved.status} ${JSON.stringify(saved.body)}`);
  return id;
}

/**
 * Links ORGANIZATION's directory with ORG_KEY (or `key`) and chooses the groups with these ids, shown first by
 * a search as the dialog shows them; returns the linked account id.
 */
export async function linkOrganization(
  call: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>,
  groupIds: string[],
  key: { apiKey: string } = ORG_KEY,
): Promise<string> {
  const directory = ORGANIZATION.directories[0]!;
  const linked = await call('POST', '/api/linked-accounts', {
    targetType: 'atlassian-organization',
    organizationId: ORGANIZATION.id,
    directoryId: directory.id,
    credentials: { type: 'organization-api-key', apiKey: key.apiKey },
  });
  if (linked.status !== 201) throw new Error(`link failed: ${linked.status} ${JSON.stringify(linked.body)}`);
  const id = linked.body.linkedAccount.id as string;
  let cursor: string | null = null;
  do {
    const page: ApiAnswer = await call('GET', `/api/linked-accounts/${id}/groups${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (page.status !== 200) throw new Error(`groups failed: ${page.status} ${JSON.stringify(page.body)}`);
    cursor = page.body.nextCursor;
  } while (cursor);
  const saved = await call('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: groupIds });
  if (saved.status !== 200) throw new Error(`select failed: ${saved.status} ${JSON.stringify(saved.body)}`);
  return id;
}
