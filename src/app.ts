import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Sequelize } from 'sequelize';
import { AtlassianAdminClient, type AtlassianAdminClientOptions } from './clients/atlassian-admin/atlassian-admin-client.js';
import { createOrganizationThrottle } from './clients/atlassian-admin/throttle.js';
import { BitbucketClient } from './clients/bitbucket/bitbucket-client.js';
import type { BitbucketGateway } from './clients/bitbucket/bitbucket-target.js';
import { createBitbucketThrottle } from './clients/bitbucket/throttle.js';
import { forgeJiraClientFrom } from './clients/jira/forge-jira-client.js';
import { JiraGateways } from './clients/jira/jira-gateways.js';
import { createTargets } from './clients/targets.js';
import type { Config } from './config.js';
import { hostAuthentication } from './entry/api/host-authentication.js';
import { errorHandler, sendError } from './entry/api/http-errors.js';
import { invitationRoutes } from './entry/api/invitation-routes.js';
import { linkAttemptLimit } from './entry/api/link-attempt-limit.js';
import { linkedAccountRoutes } from './entry/api/linked-account-routes.js';
import { organizationRoutes } from './entry/api/organization-routes.js';
import { requireAdministrator } from './entry/api/require-administrator.js';
import { connectApiAuthentication } from './entry/connect/connect-api-auth.js';
import { createConnectAddon } from './entry/connect/connect-addon.js';
import { connectPages } from './entry/connect/connect-pages.js';
import { lifecycleRoutes } from './entry/connect/lifecycle-routes.js';
import { noopRoute } from './entry/connect/noop-route.js';
import { ConnectTenantDirectory } from './entry/connect/tenant-directory.js';
import { userCreatedWebhook } from './entry/connect/user-created-webhook.js';
import { createForgeHost } from './entry/forge/forge-host.js';
import { securityHeaders } from './entry/security-headers.js';
import { uiAssets } from './entry/ui-shell.js';
import { JobQueue } from './jobs/job-queue.js';
import { startWorkers } from './jobs/workers.js';
import type { Logger } from './logger.js';
import { AuditLog } from './persistence/audit-log.js';
import { openDatabase } from './persistence/database.js';
import { ForgeTenantRepository } from './persistence/forge-tenant-repository.js';
import { InvitationRepository } from './persistence/invitation-repository.js';
import { bindLegacySecrets } from './persistence/legacy-secrets.js';
import { LinkedAccountRepository } from './persistence/linked-account-repository.js';
import { NewUserRepository } from './persistence/new-user-repository.js';
import { RateLimiter } from './persistence/rate-limiter.js';
import { SecretBox } from './persistence/secret-box.js';
import { resolveSecretKey } from './persistence/secret-key.js';
import { TenantRepository } from './persistence/tenant-repository.js';

export type RunningApp = {
  baseUrl: string;
  port: number;
  /** Settles when the app can no longer work: its embedded PostgreSQL is gone. */
  failed: Promise<Error>;
  stop: (options?: { graceful?: boolean }) => Promise<void>;
};

export type AppOptions = {
  /** Run the background workers in this process (default true). */
  workers?: boolean;
  /** Replaces the configured Bitbucket client (the sandbox points it at its simulator). */
  bitbucket?: (throttle: ConstructorParameters<typeof BitbucketClient>[0]['throttle']) => BitbucketGateway;
  /** Replaces the Atlassian Administration client built from these options (a test slows it down). */
  atlassianAdmin?: (options: AtlassianAdminClientOptions) => AtlassianAdminClient;
  /** Extra routes mounted before the app's own (the sandbox). */
  extraRoutes?: (routes: express.Router, baseUrl: string) => void | Promise<void>;
};

/** Longest a job waits for the shared rate limit before it reschedules itself instead. */
const MAX_THROTTLE_WAIT_MS = 5_000;

/**
 * Longest a membership job waits for its organization's pace before it reschedules itself: short,
 * so that a throttled organization's jobs leave the workers to other organizations'.
 */
const MAX_ORGANIZATION_THROTTLE_WAIT_MS = 1_000;

/**
 * Most membership calls one instance makes to one organization at a time. A delivery fetch loop
 * takes its next batch only when the slowest job of the last one is done: one call at a time leaves
 * the other loop free (src/jobs/workers.ts runs two), so an organization that answers slowly holds
 * one worker, and its other jobs come back later instead of waiting in line before everyone else's.
 */
const MAX_CONCURRENT_CALLS_PER_ORGANIZATION = 1;

/**
 * The shortest lease a delivery run takes on its invitation: longer than one invitation call can
 * last (the throttle's wait, an OAuth token and the request, 10 s timeouts, each once more after a
 * refused token), so no second run can take the invitation while a call is still under way.
 */
const MIN_DELIVERY_LEASE_MS = 60_000;

/** Builds and starts everything: database, queue, HTTP entry points, workers. */
export async function startApp(config: Config, log: Logger, options: AppOptions = {}): Promise<RunningApp> {
  const database = await openDatabase(config, log);
  const secrets = new SecretBox(resolveSecretKey(config.secretKey, config.dataDir));
  await bindLegacySecrets(database.sequelize, secrets, log);
  const queue = new JobQueue({ databaseUrl: database.url, ...config.queue }, log);
  await queue.start();

  const runWorkers = config.runWorkers && options.workers !== false;
  // The request path and the workers each get their own pool, so that a drain of 50 delivery jobs
  // at a time never makes a webhook wait for a connection.
  const stores = storesOn(database.sequelize, queue, secrets);
  const workerStores = runWorkers ? storesOn(database.openPool(config.databasePool.workers), queue, secrets) : null;
  const { tenants, forgeTenants, linkedAccounts, invitations, newUsers } = stores;
  const bitbucketOn = (pool: Stores) => {
    const throttle = createBitbucketThrottle(pool.rateLimiter, config.bitbucket, {
      maxWaitMs: MAX_THROTTLE_WAIT_MS,
      fingerprint: (text) => secrets.fingerprint(text),
    });
    return (
      options.bitbucket?.(throttle) ??
      new BitbucketClient({ apiUrl: config.bitbucket.apiUrl, oauthTokenUrl: config.bitbucket.oauthTokenUrl, throttle })
    );
  };
  const targetsOn = (pool: Stores) =>
    createTargets({
      bitbucket: bitbucketOn(pool),
      atlassianAdmin: (options.atlassianAdmin ?? ((clientOptions) => new AtlassianAdminClient(clientOptions)))({
        apiUrl: config.atlassianAdmin.apiUrl,
        throttle: createOrganizationThrottle(pool.rateLimiter, config.atlassianAdmin, { maxWaitMs: MAX_ORGANIZATION_THROTTLE_WAIT_MS }),
      }),
      organization: { maxConcurrentPerOrganization: MAX_CONCURRENT_CALLS_PER_ORGANIZATION },
    });
  const targets = targetsOn(stores);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders({ allJsUrl: config.connect.allJsUrl, sandbox: config.sandbox, https: config.baseUrl?.startsWith('https:') ?? false }));
  app.use(express.json({ limit: '64kb' }));
  // Every route of the app goes into this router, mounted before ACE mounts its own: ACE also
  // answers the descriptor's webhook URL (with a bare 204 that records nothing), and this order
  // must not depend on when ACE's deferred set-up happens to run.
  const routes = express.Router();
  app.use(routes);

  // Listen first: ACE needs the public base URL, which with PORT=0 is known only once bound.
  const server = http.createServer(app);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'EADDRINUSE' ? new Error(`Port ${config.port} is already in use: stop what runs there, or set PORT.`) : error),
      );
      server.listen(config.port, config.listenHost, resolve);
    });
  } catch (error) {
    await queue.stop({ graceful: false });
    await database.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const baseUrl = config.baseUrl ?? `http://localhost:${port}`;

  let configured!: () => void;
  const aceConfigured = new Promise<void>((resolve) => (configured = resolve));
  const addon = createConnectAddon(app, { baseUrl, databaseUrl: database.url, port }, log, configured);
  const directory = new ConnectTenantDirectory(tenants);
  // Forge is served only when the app id, the audience of its invocation tokens, is configured.
  const forge = config.forge.appId
    ? createForgeHost({ appId: config.forge.appId, jwksUrl: config.forge.jwksUrl, apiOrigins: config.forge.apiOrigins, tenants: forgeTenants, log })
    : null;
  const jiraOn = (pool: Stores) =>
    new JiraGateways((id) => pool.tenants.findById(id), addon.key, {
      connect: async (clientKey) => {
        const info = await addon.settings.get<{ baseUrl?: string; sharedSecret?: string } | null>('clientInfo', clientKey);
        return info ? { baseUrl: String(info.baseUrl), sharedSecret: String(info.sharedSecret) } : null;
      },
      ...(forge ? { forge: async (tenant) => forgeJiraClientFrom(await pool.forgeTenants.appCredentials(tenant.id), tenant.siteUrl) } : {}),
    });
  const jira = jiraOn(stores);

  const linkedAccountDeps = { linkedAccounts, invitations, targets };
  await options.extraRoutes?.(routes, baseUrl);
  routes.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
  routes.use(lifecycleRoutes(addon, tenants, log));
  routes.use(userCreatedWebhook(addon, directory, { newUsers }, log));
  if (forge) routes.use(forge.events({ newUsers }));
  if (config.benchNoopRoute) routes.use(noopRoute(addon));
  routes.use(connectPages(config.connect.allJsUrl, config.sandbox ? '/sandbox/all.js' : null));
  routes.use(uiAssets());
  routes.use(
    '/api',
    hostAuthentication({ connect: connectApiAuthentication(addon, directory, log), forge: forge?.apiAuthentication }),
    requireAdministrator(jira, config.adminCheckCacheSeconds),
    linkAttemptLimit(stores.rateLimiter, config.linkAttemptsPerMinute),
    linkedAccountRoutes(linkedAccountDeps),
    organizationRoutes({ organizations: targets.organizations }),
    invitationRoutes({ invitations }),
  );
  await aceConfigured;
  app.use((req, res) => sendError(res, 404, `No route for ${req.method} ${req.path}`));
  app.use(errorHandler(log));

  if (workerStores) {
    const workerJira = jiraOn(workerStores);
    const workerTargets = targetsOn(workerStores);
    await startWorkers(queue, {
      planning: {
        newUsers: workerStores.newUsers,
        linkedAccounts: workerStores.linkedAccounts,
        invitations: workerStores.invitations,
        targets: workerTargets,
        jira: workerJira,
      },
      // A lease at least as long as pg-boss lets a job run: a run it hands out again finds the lease still held.
      delivery: {
        invitations: workerStores.invitations,
        linkedAccounts: workerStores.linkedAccounts,
        targets: workerTargets,
        jira: workerJira,
        ...config.delivery,
        leaseMs: Math.max(config.queue.jobExpireSeconds * 1000, MIN_DELIVERY_LEASE_MS),
      },
    });
  }
  log.info({ baseUrl, port }, 'app started');

  return {
    baseUrl,
    port,
    failed: database.lost,
    stop: async ({ graceful = true } = {}) => {
      await queue.stop({ graceful });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // ACE's store keeps a connection pool of its own.
      await (addon.schema as { close: () => Promise<void> }).close();
      await database.close();
    },
  };
}

/** The stores over one connection pool. */
function storesOn(sequelize: Sequelize, queue: JobQueue, secrets: SecretBox) {
  return {
    tenants: new TenantRepository(sequelize),
    forgeTenants: new ForgeTenantRepository(sequelize, secrets),
    linkedAccounts: new LinkedAccountRepository(sequelize, secrets, new AuditLog(sequelize)),
    invitations: new InvitationRepository(sequelize, queue),
    newUsers: new NewUserRepository(sequelize, queue),
    rateLimiter: new RateLimiter(sequelize),
  };
}

type Stores = ReturnType<typeof storesOn>;
