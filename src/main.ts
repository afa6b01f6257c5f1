import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

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
  const log = createLogger(config.logLevel);
  const sandbox = config.sandbox ? await (await import('./entry/sandbox/sandbox.js')).createSandbox(log) : null;
  // The sandbox also plays a Forge site: the app must then accept the tokens it signs.
  const app = await startApp(sandbox?.configure(config) ?? config, log, sandbox?.appOptions ?? {});
  await sandbox?.install(app.baseUrl);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    await app.stop({ graceful: true });
    await sandbox?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('The app could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
