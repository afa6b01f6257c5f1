import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/persistence/embedded-postgres.js';
import { createLogger } from '../../src/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL URL whose user may create databases; each test file makes its own. */
    databaseAdminUrl: string;
  }
}

/**
 * One PostgreSQL for the whole run: TEST_DATABASE_URL (e.g. the machine's server) when given,
 * else an embedded one in a temporary folder.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('databaseAdminUrl', external);
    return async () => {};
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ati-test-pg-'));
  chmodSync(dataDir, 0o755); // the cluster runs as the postgres user, which must reach it
  const port = 55000 + Math.floor(Math.random() * 2000);
  const embedded = await startEmbeddedPostgres(dataDir, port, createLogger('warn'));
  project.provide('databaseAdminUrl', embedded.url.replace(/\/[^/]+$/, '/postgres'));
  return async () => {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
