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
import type { CallObserver } from './clients/observed-fetch.js';
import { createTargets } from './clients/targets.js';
import type { Config } from './config.js';
import { hostAuthentication } from './entry/api/host-authentication.js';
import { errorHandler, sendError } from './entry/api/http-errors.js';
import { auditRoutes } from './entry/api/audit-routes.js';
import { backfillRoutes } from './entry/api/backfill-routes.js';
import { invitationRoutes } from './entry/api/invitation-routes.js';
import { retryAllRoutes } from './entry/api/retry-all-routes.js';
import { linkAttemptLimit } from './entry/api/link-attempt-limit.js';
import { linkedAccountRoutes } from './entry/api/linked-account-routes.js';
import { organizationRoutes } from './entry/api/organization-routes.js';
import { jsonBodiesOnly } from './entry/api/json-bodies-only.js';
import { requireAdministrator } from './entry/api/require-administrator.js';
import { siteStatusRoutes } from './entry/api/site-status-routes.js';
import { strategyRoutes } from './entry/api/strategy-routes.js';
import { connectApiAuthentication } from './entry/connect/connect-api-auth.js';
import { createConnectAddon } from './entry/connect/connect-addon.js';
import { connectPages } from './entry/connect/connect-pages.js';
import { lifecycleRoutes } from './entry/connect/lifecycle-routes.js';
import { noopRoute } from './entry/connect/noop-route.js';
import { ConnectTenantDirectory } from './entry/connect/tenant-directory.js';
import { USER_CREATED_PATH, userCreatedWebhook } from './entry/connect/user-created-webhook.js';
import { userDeletedWebhook } from './entry/connect/user-deleted-webhook.js';
import { offboardingRoutes } from './entry/api/offboarding-routes.js';
import { startOffboardingWorkers } from './jobs/offboarding-workers.js';
import { OffboardingRepository } from './persistence/offboarding-repository.js';
import { RemovalRepository } from './persistence/removal-repository.js';
import { UserCheckRepository } from './persistence/user-check-repository.js';
import { createForgeHost } from './entry/forge/forge-host.js';
import { FORGE_USER_CREATED_PATH } from './entry/forge/user-created-event.js';
import { countEvents } from './entry/ops/event-metrics.js';
import { healthRoutes } from './entry/ops/health-routes.js';
import { metricsRoute } from './entry/ops/metrics-route.js';
import { observeRequests } from './entry/ops/request-log.js';
import { securityHeaders } from './entry/security-headers.js';
import { uiAssets } from './entry/ui-shell.js';
import { JobQueue } from './jobs/job-queue.js';
import { startBackfillWorker } from './jobs/backfill-worker.js';
import { startWorkers } from './jobs/workers.js';
import type { Logger } from './logger.js';
import { countedBudget } from './observability/counted-budget.js';
import { NO_METRICS, PrometheusMetrics, type OutboundService } from './observability/metrics.js';
import { AuditLog } from './persistence/audit-log.js';
import { BackfillRepository } from './persistence/backfill-repository.js';
import { FailedInvitations } from './persistence/failed-invitations.js';
import { openDatabase } from './persistence/database.js';
import { ForgeTenantRepository } from './persistence/forge-tenant-repository.js';
import { InvitationDecisionRepository } from './persistence/invitation-decision-repository.js';
import { InvitationRepository } from './persistence/invitation-repository.js';
import { bindLegacySecrets } from './persistence/legacy-secrets.js';
import { LinkedAccountRepository } from './persistence/linked-account-repository.js';
import { pendingMigrations } from './persistence/migrator.js';
import { NewUserRepository } from './persistence/new-user-repository.js';
import { RateLimiter } from './persistence/rate-limiter.js';
import { SecretBox } from './persistence/secret-box.js';
import { resolveSecretKey } from './persistence/secret-key.js';
import { TenantRepository } from './persistence/tenant-repository.js';

export type RunningApp = {
  baseUrl: string;
  port: number;
  /** The port /metrics is served on when METRICS_PORT is set; null when it shares the app's port, or is off. */
  metricsPort: number | null;
  /** Settles when the app can no longer work: its embedded PostgreSQL is gone. */
  failed: Promise<Error>;
  /**
   * Graceful: stops accepting connections and fetching jobs, lets requests in flight and running
   * jobs end for up to SHUTDOWN_GRACE_SECONDS, then cuts off the requests and hands the jobs back
   * to the queue. Not graceful: all of that at once.
   */
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

/** The most users Jira's listing gives per page. */
const JIRA_USER_PAGE_MAX = 1000;

/** Consecutive failed reads of Jira's user listing after which a backfill stops, saying why. */
const BACKFILL_MAX_FAILURES = 10;

/** Builds and starts everything: database, queue, HTTP entry points, workers. */
export async function startApp(config: Config, log: Logger, options: AppOptions = {}): Promise<RunningApp> {
  const database = await openDatabase(config, log);
  const secrets = new SecretBox(resolveSecretKey(config.secretKey, config.dataDir));
  await bindLegacySecrets(database.sequelize, secrets, log);
  // Counted only when the metrics are served (METRICS_TOKEN or METRICS_PORT); else nothing is counted at all.
  const metrics = config.metrics ? new PrometheusMetrics({ siteLabels: config.metrics.siteLabels }, log) : null;
  const queue = new JobQueue({ databaseUrl: database.url, ...config.queue }, log, metrics ?? NO_METRICS);
  await queue.start();
  metrics?.watchQueues(() => queue.stats());
  const callsTo = (service: OutboundService): { observeCall?: CallObserver } =>
    metrics ? { observeCall: (status, seconds) => metrics.outboundCall(service, status, seconds) } : {};

  const runWorkers = config.runWorkers && options.workers !== false;
  // The request path and the workers each get their own pool, so that a drain of 50 delivery jobs
  // at a time never makes a webhook wait for a connection.
  const stores = storesOn(database.sequelize, queue, secrets);
  const workerStores = runWorkers ? storesOn(database.openPool(config.databasePool.workers), queue, secrets) : null;
  const { tenants, forgeTenants, linkedAccounts, invitations, newUsers } = stores;
  // The shared rate budget, counting every wait when metrics are on.
  const budgetOf = (pool: Stores) => (metrics ? countedBudget(pool.rateLimiter, metrics) : pool.rateLimiter);
  const bitbucketOn = (pool: Stores) => {
    const throttle = createBitbucketThrottle(budgetOf(pool), config.bitbucket, {
      maxWaitMs: MAX_THROTTLE_WAIT_MS,
      fingerprint: (text) => secrets.fingerprint(text),
    });
    return (
      options.bitbucket?.(throttle) ??
      new BitbucketClient({ apiUrl: config.bitbucket.apiUrl, oauthTokenUrl: config.bitbucket.oauthTokenUrl, throttle, ...callsTo('bitbucket') })
    );
  };
  const targetsOn = (pool: Stores) =>
    createTargets({
      bitbucket: bitbucketOn(pool),
      atlassianAdmin: (options.atlassianAdmin ?? ((clientOptions) => new AtlassianAdminClient(clientOptions)))({
        apiUrl: config.atlassianAdmin.apiUrl,
        throttle: createOrganizationThrottle(budgetOf(pool), config.atlassianAdmin, { maxWaitMs: MAX_ORGANIZATION_THROTTLE_WAIT_MS }),
        ...callsTo('atlassian-admin'),
      }),
      organization: { maxConcurrentPerOrganization: MAX_CONCURRENT_CALLS_PER_ORGANIZATION },
    });
  const targets = targetsOn(stores);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(observeRequests({ log, requestLog: config.requestLog, metrics }));
  app.use(securityHeaders({ allJsUrl: config.connect.allJsUrl, sandbox: config.sandbox, https: config.baseUrl?.startsWith('https:') ?? false }));
  app.use(express.json({ limit: '64kb' }));
  // Every route of the app goes into this router, mounted before ACE mounts its own: ACE also
  // answers the descriptor's webhook URL (with a bare 204 that records nothing), and this order
  // must not depend on when ACE's deferred set-up happens to run.
  const routes = express.Router();
  app.use(routes);

  // Listen first: ACE needs the public base URL, which with PORT=0 is known only once bound.
  const server = http.createServer(app);
  let metricsServer: http.Server | null = null;
  try {
    await listen(server, config.port, config.listenHost, 'PORT');
    if (metrics && config.metrics?.port !== undefined) {
      metricsServer = http.createServer(metricsApp(metrics, config.metrics.token, log));
      await listen(metricsServer, config.metrics.port, config.listenHost, 'METRICS_PORT');
    }
  } catch (error) {
    await closeServer(server, 0);
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
    new JiraGateways(
      (id) => pool.tenants.findById(id),
      addon.key,
      {
        connect: async (clientKey) => {
          const info = await addon.settings.get<{ baseUrl?: string; sharedSecret?: string } | null>('clientInfo', clientKey);
          return info ? { baseUrl: String(info.baseUrl), sharedSecret: String(info.sharedSecret) } : null;
        },
        ...(forge
          ? {
              forge: async (tenant) =>
                forgeJiraClientFrom(await pool.forgeTenants.appCredentials(tenant.id), tenant.siteUrl, Date.now(), callsTo('jira').observeCall),
            }
          : {}),
      },
      callsTo('jira').observeCall,
    );
  const jira = jiraOn(stores);

  const linkedAccountDeps = { linkedAccounts, invitations, targets };
  const backfillDeps = (pool: Stores, poolTargets: typeof targets, poolJira: typeof jira) => ({
    backfills: pool.backfills,
    linkedAccounts: pool.linkedAccounts,
    targets: poolTargets,
    jira: poolJira,
    settings: {
      pageSize: config.backfill.pageSize,
      countPageSize: JIRA_USER_PAGE_MAX,
      previewMaxUsers: config.backfill.previewMaxUsers,
      threshold: config.backfill.threshold,
      maxFailures: BACKFILL_MAX_FAILURES,
      retryMs: config.backfill.retryMs,
    },
  });
  await options.extraRoutes?.(routes, baseUrl);
  routes.use(
    healthRoutes(
      [
        { name: 'database', failure: 'the database does not answer', check: () => database.sequelize.query('SELECT 1').then(() => undefined) },
        {
          name: 'migrations',
          failure: 'the database lacks migrations this version needs',
          after: 'database',
          check: async () => {
            const pending = await pendingMigrations(database.sequelize);
            if (pending.length > 0) throw new Error(`not applied: ${pending.join(', ')}`);
          },
        },
        { name: 'queue', failure: 'the job queue does not answer', check: () => queue.check() },
      ],
      log,
    ),
  );
  if (metrics && config.metrics?.port === undefined) routes.use(metricsRoute(metrics, config.metrics?.token));
  routes.use(lifecycleRoutes(addon, tenants));
  if (metrics) routes.post(USER_CREATED_PATH, countEvents(metrics, 'connect'));
  routes.use(userCreatedWebhook(addon, directory, { newUsers }));
  routes.use(userDeletedWebhook(addon, directory, stores));
  if (forge && metrics) routes.post(FORGE_USER_CREATED_PATH, countEvents(metrics, 'forge'));
  if (forge) routes.use(forge.events({ newUsers, offboarding: stores.offboarding }));
  if (config.benchNoopRoute) routes.use(noopRoute(addon));
  routes.use(connectPages(config.connect.allJsUrl, config.sandbox ? '/sandbox/all.js' : null));
  routes.use(uiAssets());
  routes.use(
    '/api',
    hostAuthentication({ connect: connectApiAuthentication(addon, directory), forge: forge?.apiAuthentication }),
    requireAdministrator(jira, config.adminCheckCacheSeconds),
    jsonBodiesOnly(),
    linkAttemptLimit(budgetOf(stores), config.linkAttemptsPerMinute),
    linkedAccountRoutes(linkedAccountDeps),
    organizationRoutes({ organizations: targets.organizations }),
    retryAllRoutes({ linkedAccounts, failed: stores.failedInvitations, invitations, audit: stores.audit }),
    invitationRoutes({ invitations }),
    offboardingRoutes({ ...stores, defaultThreshold: config.offboarding.removalThreshold }),
    strategyRoutes({ linkedAccounts, targets, jira, decisions: stores.decisions }),
    siteStatusRoutes({ tenants, linkedAccounts, failedInvitations: stores.failedInvitations, silenceWarningDays: config.eventSilenceWarningDays }),
    backfillRoutes(backfillDeps(stores, targets, jira)),
    auditRoutes({ audit: stores.audit }),
  );
  await aceConfigured;
  app.use((req, res) => sendError(res, 404, `No route for ${req.method} ${req.path}`));
  app.use(errorHandler());

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
      metrics: metrics ?? NO_METRICS,
    });
    const removalLeaseMs = Math.max(config.queue.jobExpireSeconds * 1000, MIN_DELIVERY_LEASE_MS);
    await startOffboardingWorkers(queue, {
      ...workerStores,
      defaultThreshold: config.offboarding.removalThreshold,
      checkIntervalMs: config.offboarding.checkIntervalMs,
      removal: {
        removals: workerStores.removals,
        linkedAccounts: workerStores.linkedAccounts,
        offboardingMode: async (tenantId, id) => (await workerStores.offboarding.setting(tenantId, id))?.mode ?? null,
        targets: workerTargets,
        ...config.delivery,
        leaseMs: removalLeaseMs,
      },
      check: {
        userChecks: workerStores.userChecks,
        offboarding: workerStores.offboarding,
        jira: workerJira,
        budget: budgetOf(workerStores),
        lookupsPerSecond: config.offboarding.lookupsPerSecond,
        pageSize: config.offboarding.checkPageSize,
        concurrency: 4,
        leaseMs: removalLeaseMs,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
    });
    await startBackfillWorker(queue, backfillDeps(workerStores, workerTargets, workerJira));
  }
  const metricsPort = metricsServer ? (metricsServer.address() as AddressInfo).port : null;
  log.info(
    { baseUrl, port, metrics: metrics ? (metricsPort === null ? 'at /metrics, behind METRICS_TOKEN' : `on port ${metricsPort}`) : 'off' },
    'app started',
  );

  return {
    baseUrl,
    port,
    metricsPort,
    failed: database.lost,
    stop: async ({ graceful = true } = {}) => {
      const started = Date.now();
      const graceMs = graceful ? config.shutdownGraceMs : 0;
      // New connections are refused at once; requests and jobs under way end within the grace.
      await Promise.all([
        closeServer(server, graceMs),
        metricsServer ? closeServer(metricsServer, 0) : null,
        queue.stop({ graceful, timeoutMs: graceMs }),
      ]);
      // ACE's store keeps a connection pool of its own.
      await (addon.schema as { close: () => Promise<void> }).close();
      await database.close();
      log.info({ ms: Date.now() - started, graceful }, 'app stopped');
    },
  };
}

/** Listens on `port`; a port in use is a one-line error naming the setting. */
async function listen(server: http.Server, port: number, host: string | undefined, setting: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use: stop what runs there, or set ${setting}.`) : error),
    );
    server.listen(port, host, resolve);
  });
}

/**
 * Stops accepting connections and resolves once the open ones are gone: idle keep-alive
 * connections are closed as soon as their request is answered, and whatever still runs after
 * `graceMs` is cut off.
 */
function closeServer(server: http.Server, graceMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const cutOff = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cutOff);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** The metrics alone, for METRICS_PORT: nothing of the app is reachable there. */
function metricsApp(metrics: PrometheusMetrics, token: string | undefined, log: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(observeRequests({ log, requestLog: false, metrics: null }));
  app.use(metricsRoute(metrics, token));
  app.use((req, res) => sendError(res, 404, `No route for ${req.method} ${req.path}`));
  app.use(errorHandler());
  return app;
}

/** The stores over one connection pool. */
function storesOn(sequelize: Sequelize, queue: JobQueue, secrets: SecretBox) {
  const audit = new AuditLog(sequelize);
  return {
    audit,
    backfills: new BackfillRepository(sequelize, queue, audit),
    failedInvitations: new FailedInvitations(sequelize),
    tenants: new TenantRepository(sequelize),
    forgeTenants: new ForgeTenantRepository(sequelize, secrets),
    linkedAccounts: new LinkedAccountRepository(sequelize, secrets, new AuditLog(sequelize)),
    offboarding: new OffboardingRepository(sequelize, queue, new AuditLog(sequelize)),
    removals: new RemovalRepository(sequelize, queue, new AuditLog(sequelize)),
    userChecks: new UserCheckRepository(sequelize, queue),
    invitations: new InvitationRepository(sequelize, queue),
    newUsers: new NewUserRepository(sequelize, queue),
    rateLimiter: new RateLimiter(sequelize),
    decisions: new InvitationDecisionRepository(sequelize, queue, new AuditLog(sequelize)),
  };
}

type Stores = ReturnType<typeof storesOn>;
