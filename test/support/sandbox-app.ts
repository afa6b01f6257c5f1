import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createSandbox } from '../../src/entry/sandbox/sandbox.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from './test-database.js';

export type SandboxApp = {
  /** The app's URL; the sandbox host page is `${baseUrl}/sandbox/`. */
  baseUrl: string;
  app: RunningApp;
  databaseUrl: string;
  stop: () => Promise<void>;
};

/**
 * The app with its sandbox, in this process, as src/main.ts starts it when SANDBOX=on:
 * a simulated Jira site installs it (through Connect and, unless `env` sets FORGE_APP_ID, through
 * Forge) and a simulated Bitbucket takes its invitations.
 * Each call has its own fresh database, dropped by stop().
 * Needs the built UI (`npm run build:ui`): static/dist and static/dist-sandbox.
 */
export async function startSandboxApp(env: Record<string, string> = {}): Promise<SandboxApp> {
  const database = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: database.url,
    APP_SECRET_KEY: 'browser-test-secret-key-0123456789abcdef',
    SANDBOX: 'on',
    QUEUE_POLL_SECONDS: '0.5',
    LOG_LEVEL: 'warn',
    ...env,
  });
  const log = createLogger(config.logLevel);
  const sandbox = await createSandbox(log);
  let app: RunningApp | undefined;
  try {
    app = await startApp(sandbox.configure(config), log, sandbox.appOptions);
    await sandbox.install(app.baseUrl);
  } catch (error) {
    await app?.stop({ graceful: false }).catch(() => undefined);
    await sandbox.stop().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw error;
  }
  const running = app;
  let stopped: Promise<void> | null = null;
  return {
    baseUrl: running.baseUrl,
    app: running,
    databaseUrl: database.url,
    stop: () =>
      (stopped ??= (async () => {
        await running.stop({ graceful: false }).catch(() => undefined);
        await sandbox.stop().catch(() => undefined);
        await database.drop();
      })()),
  };
}
