// First: the heap policy must be in place before the rest of the app is loaded (see the module).
import './heap-policy.js';
import { startApp, type RunningApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger, logFormatOf, prettyDestination } from './logger.js';

/**
 * How much longer than the shutdown grace (SHUTDOWN_GRACE_SECONDS) a stop may take, closing the
 * connections, before the process exits anyway: a database that is gone can hang it.
 */
const STOP_MARGIN_MS = 5_000;

let stopping = false;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const pretty = logFormatOf(config, process.stdout.isTTY) === 'pretty';
  const destination = pretty
    ? await prettyDestination().catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        return process.exit(1);
      })
    : undefined;
  const log = createLogger(config.logLevel, destination);
  if (config.sandbox) {
    log.warn(
      { listen: config.listenHost },
      'SANDBOX ON (SANDBOX=on, or no DATABASE_URL): its simulated Jira site hands an admin token to whoever asks, so the app ' +
        `listens on ${config.listenHost} only and the sandbox answers only requests to localhost. Never run a deployment like this: ` +
        'give it DATABASE_URL, APP_SECRET_KEY and NODE_ENV=production.',
    );
  }
  const sandbox = config.sandbox ? await (await import('./entry/sandbox/sandbox.js')).createSandbox(log) : null;
  // The sandbox also plays a Forge site: the app must then accept the tokens it signs.
  const starting = startApp(sandbox?.configure(config) ?? config, log, sandbox?.appOptions ?? {});

  // Listening from the start: a signal that arrives while the app starts stops it once started.
  // SIGTERM (what a container platform sends) and SIGINT stop gracefully: see RunningApp.stop.
  const stop = async (reason: Record<string, string>, graceful: boolean, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info(reason, 'stopping');
    const stopped = (async () => {
      const app = await starting.catch(() => null);
      await app?.stop({ graceful });
      await sandbox?.stop();
    })();
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs + STOP_MARGIN_MS).unref())]);
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop({ signal: 'SIGINT' }, true, 0));
  process.on('SIGTERM', () => void stop({ signal: 'SIGTERM' }, true, 0));

  const app: RunningApp = await starting;
  // Without its database the app could only answer 500s: it says why and exits, to be started again.
  void app.failed.then((error) => {
    log.fatal(`${error.message} The app stops; start it again.`);
    return stop({ reason: 'database lost' }, false, 1);
  });
  await sandbox?.install(app.baseUrl);
}

main().catch((error: unknown) => {
  // A stop requested mid-start cuts the start short: that is not a failure to start.
  if (stopping) return;
  console.error('The app could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
