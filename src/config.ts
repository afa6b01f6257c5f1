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
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  // The key for secrets at rest (SecretBox); a short one would only fail later, at start.
  APP_SECRET_KEY: z.string().min(32, 'must be at least 32 characters long').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BITBUCKET_API_URL: urlString.default('https://api.bitbucket.org'),
  BITBUCKET_OAUTH_TOKEN_URL: urlString.default('https://bitbucket.org/site/oauth2/access_token'),
  BITBUCKET_INVITATIONS_PER_MINUTE: z.coerce.number().positive().default(100),
  BITBUCKET_REQUESTS_PER_HOUR: z.coerce.number().positive().default(1000),
  LINK_ATTEMPTS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  CONNECT_ALL_JS_URL: urlString.default('https://connect-cdn.atl-paas.net/all.js'),
  FORGE_JWKS_URL: urlString.optional(),
  // The origins a Forge token's app.apiBaseUrl may name: the app token is sent there with every
  // Jira call. Atlassian's production and staging API hosts; the simulators add their own origin.
  FORGE_API_HOSTS: z
    .string()
    .default('https://api.atlassian.com,https://api.stg.atlassian.com')
    .transform((value) => value.split(',').map((entry) => entry.trim().replace(/\/$/, '')).filter(Boolean))
    .refine((origins) => origins.length > 0 && origins.every((o) => URL.canParse(o) && new URL(o).origin === o), 'must be comma-separated origins, such as https://api.atlassian.com'),
  FORGE_APP_ID: z.string().regex(/^ari:cloud:ecosystem::app\/[0-9a-f-]+$/i, 'must look like ari:cloud:ecosystem::app/<uuid>').optional(),
  DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  DELIVERY_RETRY_BASE_SECONDS: z.coerce.number().positive().default(10),
  RETRY_AFTER_CAP_SECONDS: z.coerce.number().positive().default(3600),
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).default(120),
  QUEUE_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).default(30),
  QUEUE_POLL_SECONDS: z.coerce.number().min(0.5).default(1),
  ADMIN_CHECK_CACHE_SECONDS: z.coerce.number().min(0).default(60),
  SANDBOX: z.enum(['on', 'off']).optional(),
  BENCH_NOOP_ROUTE: z.enum(['on', 'off']).default('off'),
  RUN_WORKERS: z.enum(['on', 'off']).default('on'),
});

export type Config = {
  env: 'development' | 'test' | 'production';
  port: number;
  /** The app's public URL; undefined means "http://localhost:<the port actually bound>". */
  baseUrl: string | undefined;
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  secretKey: string | undefined;
  logLevel: string;
  bitbucket: {
    apiUrl: string;
    oauthTokenUrl: string;
    invitationsPerMinute: number;
    requestsPerHour: number;
  };
  /** How many workspace links or credential changes one site may try per minute. */
  linkAttemptsPerMinute: number;
  connect: { allJsUrl: string };
  forge: { jwksUrl: string | undefined; appId: string | undefined; apiOrigins: string[] };
  /** `retryAfterCapMs`: the longest wait a Retry-After (Bitbucket's or Jira's) can impose on an invitation. */
  delivery: { maxAttempts: number; retryBaseMs: number; retryAfterCapMs: number };
  queue: { jobExpireSeconds: number; maintenanceSeconds: number; pollSeconds: number };
  adminCheckCacheSeconds: number;
  sandbox: boolean;
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
  if (e.NODE_ENV === 'production' && !e.APP_SECRET_KEY) {
    throw new ConfigError('Invalid configuration: APP_SECRET_KEY is required when NODE_ENV=production');
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    baseUrl: e.APP_BASE_URL?.replace(/\/$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    embeddedPostgresPort: e.EMBEDDED_POSTGRES_PORT,
    secretKey: e.APP_SECRET_KEY,
    logLevel: e.LOG_LEVEL,
    bitbucket: {
      apiUrl: e.BITBUCKET_API_URL.replace(/\/$/, ''),
      oauthTokenUrl: e.BITBUCKET_OAUTH_TOKEN_URL,
      invitationsPerMinute: e.BITBUCKET_INVITATIONS_PER_MINUTE,
      requestsPerHour: e.BITBUCKET_REQUESTS_PER_HOUR,
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
    adminCheckCacheSeconds: e.ADMIN_CHECK_CACHE_SECONDS,
    // The sandbox plays Jira with a built-in Bitbucket simulator: never in production.
    sandbox: e.NODE_ENV !== 'production' && e.SANDBOX !== 'off',
    runWorkers: e.RUN_WORKERS === 'on',
    benchNoopRoute: e.NODE_ENV !== 'production' && e.BENCH_NOOP_ROUTE === 'on',
  };
}
