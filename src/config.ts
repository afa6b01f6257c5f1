import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Everything the app reads from its environment, validated once at start.
 * Every outbound base URL is here so that nothing is hard-wired to a real Atlassian host.
 */
const urlString = z.string().url();

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  APP_BASE_URL: urlString.optional(),
  DATABASE_URL: z.string().min(1).optional(),
  DATA_DIR: z.string().default('.data'),
  // Unset: the port remembered for this DATA_DIR, else 54329, moving to a free one when another checkout's server holds it.
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).default(10),
  WORKER_DATABASE_POOL_MAX: z.coerce.number().int().min(1).default(8),
  // The key for secrets at rest (SecretBox); a short one would only fail later, at start.
  APP_SECRET_KEY: z.string().min(32, 'must be at least 32 characters long').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Unset: readable lines on a development terminal, JSON everywhere else.
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  REQUEST_LOG: z.enum(['on', 'off']).default('on'),
  // The metrics are served only when one of these two guards them (off the public routes or behind a token).
  METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters long').optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_SITE_LABELS: z.enum(['on', 'off']).default('off'),
  EVENT_SILENCE_WARNING_DAYS: z.coerce.number().positive().default(7),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(1).default(10),
  BITBUCKET_API_URL: urlString.default('https://api.bitbucket.org'),
  BITBUCKET_OAUTH_TOKEN_URL: urlString.default('https://bitbucket.org/site/oauth2/access_token'),
  BITBUCKET_INVITATIONS_PER_MINUTE: z.coerce.number().positive().default(100),
  BITBUCKET_REQUESTS_PER_HOUR: z.coerce.number().positive().default(1000),
  ATLASSIAN_ADMIN_API_URL: urlString.default('https://api.atlassian.com'),
  // Atlassian publishes no limit for memberships: a modest pace per organization, raised only when measured.
  ATLASSIAN_ADMIN_MEMBERSHIPS_PER_SECOND: z.coerce.number().positive().default(5),
  LINK_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  CONNECT_ALL_JS_URL: urlString.default('https://connect-cdn.atl-paas.net/all.js'),
  FORGE_JWKS_URL: urlString.optional(),
  // The origins a Forge token's app.apiBaseUrl may name: the app token is sent there with every
  // Jira call. Atlassian's production and staging API hosts; the simulators add their own origin.
  FORGE_API_HOSTS: z
    .string()
    .default('https://api.atlassian.com,https://api.stg.atlassian.com')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim().replace(/\/$/, ''))
        .filter(Boolean),
    )
    .refine(
      (origins) => origins.length > 0 && origins.every((o) => URL.canParse(o) && new URL(o).origin === o),
      'must be comma-separated origins, such as https://api.atlassian.com',
    ),
  FORGE_APP_ID: z
    .string()
    .regex(/^ari:cloud:ecosystem::app\/[0-9a-f-]+$/i, 'must look like ari:cloud:ecosystem::app/<uuid>')
    .optional(),
  // Offboarding (README "Offboarding"): the daily check, its pace against Jira, and the removals that need the admin's confirmation.
  USER_CHECK_INTERVAL_HOURS: z.coerce.number().positive().default(24),
  JIRA_USER_CHECKS_PER_SECOND: z.coerce.number().positive().default(10),
  USER_CHECK_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  OFFBOARDING_REMOVAL_THRESHOLD: z.coerce.number().int().min(0).default(20),
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  DELIVERY_RETRY_BASE_SECONDS: z.coerce.number().positive().default(10),
  RETRY_AFTER_CAP_SECONDS: z.coerce.number().positive().default(3600),
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).default(120),
  QUEUE_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).default(30),
  QUEUE_POLL_SECONDS: z.coerce.number().min(0.5).default(1),
  ADMIN_CHECK_CACHE_SECONDS: z.coerce.number().min(0).default(60),
  BACKFILL_CONFIRM_THRESHOLD: z.coerce.number().int().min(0).default(100),
  BACKFILL_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  BACKFILL_RETRY_SECONDS: z.coerce.number().min(0.1).default(5),
  PREVIEW_MAX_USERS: z.coerce.number().int().min(1).default(100_000),
  SANDBOX: z.enum(['on', 'off']).optional(),
  BENCH_NOOP_ROUTE: z.enum(['on', 'off']).default('off'),
  RUN_WORKERS: z.enum(['on', 'off']).default('on'),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, context) => {
      const trust = trustProxy(value);
      if (trust === null) {
        context.addIssue({
          code: 'custom',
          message: 'give the number of proxies in front of the app, or their addresses or subnets, comma-separated (e.g. 1, or 10.0.0.0/8, loopback)',
        });
        return z.NEVER;
      }
      return trust;
    }),
});

/** The names Express (proxy-addr) accepts for whole address ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as Express's 'trust proxy' takes it: off, a hop count, or addresses and subnets.
 * Never `true` (trust whoever sends X-Forwarded-*); null when the value is not one of these.
 */
function trustProxy(value: string | undefined): false | number | string[] | null {
  if (value === undefined || value === 'off') return false;
  if (/^\d+$/.test(value)) return Number(value) || false;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const valid = (entry: string) => {
    if (PROXY_RANGE_NAMES.has(entry)) return true;
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  };
  return entries.length > 0 && entries.every(valid) ? entries : null;
}

export type Config = {
  env: 'development' | 'test' | 'production';
  port: number;
  /** The app's public URL; undefined means "http://localhost:<the port actually bound>". */
  baseUrl: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  /** Undefined: the port remembered for DATA_DIR, or the default, moving when another checkout holds it. */
  embeddedPostgresPort: number | undefined;
  /** Most connections each pool opens: the request path's, and the background workers' own. */
  databasePool: { requests: number; workers: number };
  secretKey: string | undefined;
  logLevel: string;
  /** Undefined: pretty on a development terminal, else JSON. */
  logFormat: 'json' | 'pretty' | undefined;
  /** One log line per HTTP request, and the request id on every line about it. */
  requestLog: boolean;
  /**
   * Prometheus metrics, served at /metrics behind `token` (as a Bearer token) and, with `port`, on
   * that port only, off the public routes. Null when neither is set: nothing is counted or served.
   * `siteLabels` adds the tenant id as a `site` label to the per-site counters.
   */
  metrics: { token: string | undefined; port: number | undefined; siteLabels: boolean } | null;
  /** After this many days without an event from Jira, a site with default groups sees a warning. */
  eventSilenceWarningDays: number;
  /** How long a stop waits for requests in flight and running jobs before it cuts them off. */
  shutdownGraceMs: number;
  bitbucket: {
    apiUrl: string;
    oauthTokenUrl: string;
    invitationsPerMinute: number;
    requestsPerHour: number;
  };
  /** Atlassian Administration (organization targets); memberships are paced per organization. */
  atlassianAdmin: { apiUrl: string; membershipsPerSecond: number };
  /** How many links, credential changes or organization discoveries one site may try per minute. */
  linkAttemptsPerMinute: number;
  connect: { allJsUrl: string };
  forge: { jwksUrl: string | undefined; appId: string | undefined; apiOrigins: string[] };
  /** `retryAfterCapMs`: the longest wait a Retry-After (Bitbucket's or Jira's) can impose on an invitation. */
  delivery: { maxAttempts: number; retryBaseMs: number; retryAfterCapMs: number };
  queue: { jobExpireSeconds: number; maintenanceSeconds: number; pollSeconds: number };
  /** Offboarding: how often a site is checked, Jira lookups per second per site, and the default threshold of removals. */
  offboarding: { checkIntervalMs: number; lookupsPerSecond: number; checkPageSize: number; removalThreshold: number };
  adminCheckCacheSeconds: number;
  /** Inviting existing users: above `threshold` invitations the admin confirms the count first (see src/domain/backfill.ts). */
  backfill: { threshold: number; pageSize: number; retryMs: number; previewMaxUsers: number };
  sandbox: boolean;
  /** The address the HTTP server binds; undefined is every interface. Loopback while the sandbox is on. */
  listenHost: string | undefined;
  /** Express's 'trust proxy': whose X-Forwarded-* headers to believe. */
  trustProxy: false | number | string[];
  /** Whether this instance runs the background jobs (off for web-only instances). */
  runWorkers: boolean;
  /** The benchmark's ACE-authenticated no-op route. */
  benchNoopRoute: boolean;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // `PORT=` in an env file means "not set": without this, coercion would read it as 0 (a random port).
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.DATABASE_URL) {
    throw new ConfigError('Invalid configuration: DATABASE_URL is required when NODE_ENV=production');
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    throw new ConfigError('Invalid configuration: METRICS_PORT must differ from PORT, so that the metrics stay off the public routes');
  }
  if (e.NODE_ENV === 'production' && !e.APP_SECRET_KEY) {
    throw new ConfigError('Invalid configuration: APP_SECRET_KEY is required when NODE_ENV=production');
  }
  // The sandbox hands an admin token to whoever asks, so it runs only where it cannot be taken for
  // a deployment: asked for by name, or a local run on the embedded database. Never in production.
  const sandbox = e.NODE_ENV !== 'production' && (e.SANDBOX === 'on' || (e.SANDBOX === undefined && !e.DATABASE_URL));
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    baseUrl: e.APP_BASE_URL?.replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    databasePool: { requests: e.DATABASE_POOL_MAX, workers: e.WORKER_DATABASE_POOL_MAX },
    secretKey: e.APP_SECRET_KEY,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    requestLog: e.REQUEST_LOG === 'on',
    metrics:
      e.METRICS_TOKEN !== undefined || e.METRICS_PORT !== undefined
        ? { token: e.METRICS_TOKEN, port: e.METRICS_PORT, siteLabels: e.METRICS_SITE_LABELS === 'on' }
        : null,
    eventSilenceWarningDays: e.EVENT_SILENCE_WARNING_DAYS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_SECONDS * 1000,
    bitbucket: {
      apiUrl: e.BITBUCKET_API_URL.replace(/\/$/, ''),
      oauthTokenUrl: e.BITBUCKET_OAUTH_TOKEN_URL,
      invitationsPerMinute: e.BITBUCKET_INVITATIONS_PER_MINUTE,
      requestsPerHour: e.BITBUCKET_REQUESTS_PER_HOUR,
    },
    atlassianAdmin: {
      apiUrl: e.ATLASSIAN_ADMIN_API_URL.replace(/\/$/, ''),
      membershipsPerSecond: e.ATLASSIAN_ADMIN_MEMBERSHIPS_PER_SECOND,
    },
    linkAttemptsPerMinute: e.LINK_ATTEMPTS_PER_MINUTE,
    connect: { allJsUrl: e.CONNECT_ALL_JS_URL },
    forge: { jwksUrl: e.FORGE_JWKS_URL, appId: e.FORGE_APP_ID, apiOrigins: e.FORGE_API_HOSTS },
    delivery: {
      maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
      retryBaseMs: e.DELIVERY_RETRY_BASE_SECONDS * 1000,
      retryAfterCapMs: e.RETRY_AFTER_CAP_SECONDS * 1000,
    },
    queue: {
      jobExpireSeconds: e.JOB_EXPIRE_SECONDS,
      maintenanceSeconds: e.QUEUE_MAINTENANCE_SECONDS,
      pollSeconds: e.QUEUE_POLL_SECONDS,
    },
    offboarding: {
      checkIntervalMs: e.USER_CHECK_INTERVAL_HOURS * 3_600_000,
      lookupsPerSecond: e.JIRA_USER_CHECKS_PER_SECOND,
      checkPageSize: e.USER_CHECK_PAGE_SIZE,
      removalThreshold: e.OFFBOARDING_REMOVAL_THRESHOLD,
    },
    adminCheckCacheSeconds: e.ADMIN_CHECK_CACHE_SECONDS,
    backfill: {
      threshold: e.BACKFILL_CONFIRM_THRESHOLD,
      pageSize: e.BACKFILL_PAGE_SIZE,
      retryMs: e.BACKFILL_RETRY_SECONDS * 1000,
      previewMaxUsers: e.PREVIEW_MAX_USERS,
    },
    sandbox,
    listenHost: sandbox ? '127.0.0.1' : undefined,
    trustProxy: e.TRUST_PROXY,
    runWorkers: e.RUN_WORKERS === 'on',
    benchNoopRoute: e.NODE_ENV !== 'production' && e.BENCH_NOOP_ROUTE === 'on',
  };
}
