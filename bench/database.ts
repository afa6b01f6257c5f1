import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/logger.js';
import { ensureDatabase, startEmbeddedPostgres } from '../src/persistence/embedded-postgres.js';

export type BenchDatabase = { url: string; stop: () => Promise<void> };

/**
 * A fresh database for one benchmark: on BENCH_DATABASE_URL's server when given, else on an
 * embedded PostgreSQL in a temporary folder, removed again by `stop`.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ati-bench-pg-'));
  chmodSync(dataDir, 0o755); // the cluster runs as the postgres user, which must reach it
  const embedded = process.env.BENCH_DATABASE_URL
    ? null
    : await startEmbeddedPostgres(dataDir, 56000 + Math.floor(Math.random() * 2000), createLogger('warn'));
  const adminUrl = process.env.BENCH_DATABASE_URL ?? embedded!.url.replace(/\/[^/]+$/, '/postgres');
  const name = `ati_bench_${Date.now()}`;
  await ensureDatabase(adminUrl, name);
  return {
    url: adminUrl.replace(/\/[^/]+$/, `/${name}`),
    stop: async () => {
      await embedded?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
