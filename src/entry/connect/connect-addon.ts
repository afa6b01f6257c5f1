import type { Express } from 'express';
import ace from 'atlassian-connect-express';
import { scrubSecrets, type Logger } from '../../logger.js';
import { cacheClientInfo } from './client-info-cache.js';

export type ConnectAddon = ace.AddOn;

/**
 * ACE logs through this: its info lines include whole install payloads (with the shared secret)
 * in development, so everything is scrubbed and demoted to debug.
 */
function aceLogger(log: Logger) {
  const text = (args: unknown[]) => scrubSecrets(args.map((a) => (typeof a === 'string' ? a : (JSON.stringify(a) ?? String(a)))).join(' '));
  return {
    info: (...args: unknown[]) => log.debug({ ace: text(args) }, 'connect'),
    debug: (...args: unknown[]) => log.debug({ ace: text(args) }, 'connect'),
    warn: (...args: unknown[]) => log.info({ ace: text(args) }, 'connect'),
    error: (...args: unknown[]) => log.warn({ ace: text(args) }, 'connect'),
  };
}

/** `onConfigured` runs once ACE has mounted its own routes (the descriptor), on the next tick. */
export function createConnectAddon(
  app: Express,
  options: { baseUrl: string; databaseUrl: string; port: number },
  log: Logger,
  onConfigured: () => void,
): ConnectAddon {
  const settings = {
    port: String(options.port),
    localBaseUrl: options.baseUrl,
    store: { adapter: 'sequelize', url: options.databaseUrl, logging: false, pool: { max: 5, min: 0 } },
    watch: false,
    validateDescriptor: false,
    // Auth failures reach our error handling (JSON, 401) instead of ACE's text answers.
    expressErrorHandling: true,
    // The install route is mounted by the lifecycle adapter, so the tenant row is written before Jira hears 204.
    setupInstallRoute: false,
    product: 'jira',
  };
  const overrides = { development: settings, test: settings, production: settings };
  const addon: ConnectAddon = ace(app, { config: overrides }, aceLogger(log) as unknown as Console, onConfigured);
  cacheClientInfo(addon);
  return addon;
}
