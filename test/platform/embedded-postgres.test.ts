import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/persistence/embedded-postgres.js';
import { AppProcess } from '../support/app-process.js';
import { withClient } from '../support/test-database.js';

/*
 * The embedded PostgreSQL of a local run (no DATABASE_URL) belongs to its checkout's DATA_DIR
 * and to the one app that runs on it: never adopted by another checkout, stopped when the app
 * stops (even when it adopted a server left behind by a killed app), and when it dies under
 * the app, the app says so and exits non-zero within seconds.
 */

const log = createLogger('warn');
const dataDirs: string[] = [];
const apps: AppProcess[] = [];
const clusters: EmbeddedDatabase[] = [];

afterAll(async () => {
  for (const app of apps) await app.kill();
  for (const cluster of clusters) await cluster.stop().catch(() => undefined);
  for (const dir of dataDirs) {
    const pid = postmasterPid(dir);
    if (pid && alive(pid)) process.kill(pid, 'SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A checkout's DATA_DIR. */
function checkout(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ati-checkout-'));
  chmodSync(dir, 0o755); // the cluster runs as the postgres user, which must reach it
  dataDirs.push(dir);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function postmasterPid(dataDir: string): number | null {
  const file = path.join(dataDir, 'postgres', 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : null;
}

/** Alive and not a zombie (an exited server whose parent, a killed app, is gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

async function eventuallyDead(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

const dataDirectoryOf = (url: string) =>
  withClient(url, async (client) => (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory);

/** The app of a local run on `dataDir`, as `npm start` runs it (no DATABASE_URL, no NODE_ENV). */
function localRun(dataDir: string, env: Record<string, string> = {}): AppProcess {
  const app = new AppProcess({ NODE_ENV: '', DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', SANDBOX: 'off', ...env });
  apps.push(app);
  return app;
}

describe('two checkouts on one machine', () => {
  it(
    'moves the second checkout to a free port when its port is held by the first checkout’s server, and remembers it',
    { timeout: 120_000 },
    async () => {
      const first = checkout();
      const second = checkout();
      const port = await freePort();
      clusters.push(await startEmbeddedPostgres(first, port, log));
      // The second checkout's remembered port is now the first one's.
      writeFileSync(path.join(second, 'postgres.port'), `${port}\n`);

      const moved = await startEmbeddedPostgres(second, undefined, log);
      clusters.push(moved);
      expect(moved.port).not.toBe(port);
      expect(await dataDirectoryOf(moved.url)).toBe(path.join(second, 'postgres'));
      expect(readFileSync(path.join(second, 'postgres.port'), 'utf8').trim()).toBe(String(moved.port));

      // Started again, it comes back on the port it remembered.
      await moved.stop();
      const again = await startEmbeddedPostgres(second, undefined, log);
      clusters.push(again);
      expect(again.port).toBe(moved.port);
    },
  );

  it(
    'stops an app whose EMBEDDED_POSTGRES_PORT is held by another checkout’s server, with one line naming its data directory',
    { timeout: 120_000 },
    async () => {
      const first = checkout();
      const port = await freePort();
      clusters.push(await startEmbeddedPostgres(first, port, log));

      const app = localRun(checkout(), { EMBEDDED_POSTGRES_PORT: String(port) });
      const failure = await app.start().then(
        () => null,
        (error: Error) => error.message,
      );
      expect(failure).toContain(
        `The app could not start: Port ${port} (EMBEDDED_POSTGRES_PORT) is taken by the embedded PostgreSQL of ${path.join(first, 'postgres')} (another checkout)`,
      );
      expect(await app.exit(5_000)).toBe(1);
    },
  );
});

describe('a start PostgreSQL could refuse', () => {
  it('ignores a socket lock in /tmp that a killed server left, though its pid now names a live process', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const staleLock = `/tmp/.s.PGSQL.${port}.lock`;
    // What a SIGKILLed server leaves: a lock owned by the postgres user, naming its pid, which
    // another process of that user (a backend of another cluster, say) may have by now.
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
    const postgresUser = { uid: id('-u'), gid: id('-g') };
    const reused = spawn('sleep', ['120'], { stdio: 'ignore', ...postgresUser });
    writeFileSync(staleLock, `${reused.pid}\n/tmp\n`);
    chownSync(staleLock, postgresUser.uid, postgresUser.gid);
    try {
      const app = localRun(checkout(), { EMBEDDED_POSTGRES_PORT: String(port) });
      await app.start();
      expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
      await app.stop();
      expect(await app.exit(5_000)).toBe(0);
    } finally {
      reused.kill();
      rmSync(staleLock, { force: true });
    }
  });

  it('says in one line what PostgreSQL gave as its reason when it will not start', { timeout: 120_000 }, async () => {
    const dataDir = checkout();
    const cluster = await startEmbeddedPostgres(dataDir, await freePort(), log);
    await cluster.stop();
    appendFileSync(path.join(dataDir, 'postgres', 'postgresql.conf'), '\nshared_buffers = plenty\n');

    const app = localRun(dataDir);
    const failure = await app.start().then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failure).toMatch(/The app could not start: The embedded PostgreSQL in .* did not start on port \d+\. PostgreSQL said: .*postgresql\.conf/);
    expect(await app.exit(5_000)).toBe(1);
  });
});

describe('the lifecycle of a checkout’s embedded PostgreSQL', () => {
  const dataDir = checkout();
  let port = '';
  beforeAll(async () => {
    port = String(await freePort());
  });

  it('runs a local run’s sandbox with a loud warning, on loopback only', { timeout: 120_000 }, async () => {
    const app = localRun(dataDir, { SANDBOX: '', EMBEDDED_POSTGRES_PORT: port });
    await app.start();
    const output = app.output.join('');
    expect(output).toMatch(/"level":40,.*SANDBOX ON .*listens on 127\.0\.0\.1 only/);
    expect((await fetch(`${app.baseUrl}/sandbox/api/state`)).status).toBe(200);
    const { port: appPort } = new URL(app.baseUrl);
    for (const address of Object.values(networkInterfaces()).flat()) {
      if (!address || address.internal || address.family !== 'IPv4') continue;
      await expect(fetch(`http://${address.address}:${appPort}/healthz`), address.address).rejects.toThrow();
    }
    await app.stop();
    expect(await app.exit(5_000)).toBe(0);
  });

  it('refuses a second app on the same data directory while the first runs', { timeout: 120_000 }, async () => {
    const first = localRun(dataDir, { EMBEDDED_POSTGRES_PORT: port });
    await first.start();
    const second = localRun(dataDir, { EMBEDDED_POSTGRES_PORT: port });
    await expect(second.start()).rejects.toThrow(
      `The app could not start: Another app already uses the embedded PostgreSQL of ${path.join(dataDir, 'postgres')} (port ${port}): stop it first, or give this one its own DATA_DIR.`,
    );
    // The first one is unharmed.
    expect((await fetch(`${first.baseUrl}/healthz`)).status).toBe(200);
    await first.stop();
  });

  it('adopts the server a killed app left running, and stops it when it stops', { timeout: 120_000 }, async () => {
    const killed = localRun(dataDir, { EMBEDDED_POSTGRES_PORT: port });
    await killed.start();
    await killed.kill();
    const leftover = postmasterPid(dataDir)!;
    expect(alive(leftover)).toBe(true);

    const next = localRun(dataDir, { EMBEDDED_POSTGRES_PORT: port });
    await next.start();
    expect(next.output.join('')).toContain('adopting the embedded PostgreSQL of this data directory');
    expect(postmasterPid(dataDir)).toBe(leftover);
    await next.stop();
    expect(await next.exit(5_000)).toBe(0);
    expect(await eventuallyDead(leftover, 5_000)).toBe(true);
  });

  it('exits non-zero within seconds, saying why, when its embedded server is killed', { timeout: 120_000 }, async () => {
    const app = localRun(dataDir, { EMBEDDED_POSTGRES_PORT: port });
    await app.start();
    process.kill(postmasterPid(dataDir)!, 'SIGKILL');
    const killedAt = Date.now();
    expect(await app.exit(10_000)).toBe(1);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(app.output.join('')).toMatch(/"level":60,.*The embedded PostgreSQL \(.*\) is gone: .* The app stops; start it again\./);
  });

  it('exits non-zero within seconds, and stops the server, when the data folder is removed under it', { timeout: 120_000 }, async () => {
    const app = localRun(dataDir, { EMBEDDED_POSTGRES_PORT: port });
    await app.start();
    const server = postmasterPid(dataDir)!;
    rmSync(path.join(dataDir, 'postgres'), { recursive: true, force: true });
    expect(await app.exit(10_000)).toBe(1);
    expect(app.output.join('')).toContain('is gone: its data folder was removed. The app stops; start it again.');
    expect(await eventuallyDead(server, 5_000)).toBe(true);
  });
});
