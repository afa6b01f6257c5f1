import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/persistence/embedded-postgres.js';
import { AppProcess } from '../support/app-process.js';
import { eventually } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

/*
 * The app runs as a process of its own against a PostgreSQL this test stops and starts again, as
 * a load balancer would see it: /readyz turns 503 naming what fails, /healthz stays 200 (the
 * process is fine, restarting it would not help), and both come back by themselves.
 */

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

type Probe = { status: number; body: { status: string; message?: string; failing?: string[]; checks: Record<string, string> } };

describe('the readiness probe', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ati-readyz-pg-'));
  chmodSync(dataDir, 0o755); // the cluster runs as the postgres user, which must reach it
  const log = createLogger('warn');
  let cluster: EmbeddedDatabase | undefined;
  let app: AppProcess | undefined;

  afterAll(async () => {
    await app?.stop();
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 naming the database and the queue while PostgreSQL is stopped, and 200 once it is back', { timeout: 120_000 }, async () => {
    const port = await freePort();
    cluster = await startEmbeddedPostgres(dataDir, port, log);
    app = new AppProcess({
      NODE_ENV: 'test',
      SANDBOX: 'off',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: cluster.url,
      APP_SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
    });
    await app.start();
    const probe = async (route: string): Promise<Probe> => {
      const response = await fetch(`${app!.baseUrl}${route}`);
      return { status: response.status, body: (await response.json()) as Probe['body'] };
    };

    expect(await probe('/readyz')).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', migrations: 'ok', queue: 'ok' } } });

    // A database restored from before this version's migrations: not ready, and it says which part.
    await withClient(cluster.url, (client) => client.query("DELETE FROM schema_migrations WHERE name = '005-last-event'"));
    expect(await probe('/readyz')).toEqual({
      status: 503,
      body: {
        status: 'not ready',
        message: 'Not ready: the database lacks migrations this version needs.',
        failing: ['migrations'],
        checks: { database: 'ok', migrations: 'failing', queue: 'ok' },
      },
    });
    await withClient(cluster.url, (client) => client.query("INSERT INTO schema_migrations (name) VALUES ('005-last-event')"));

    await cluster.stop();
    const down = await eventually(async () => {
      const answer = await probe('/readyz');
      return answer.status === 503 && answer.body.failing?.includes('queue') ? answer : undefined;
    }, 20_000);
    expect(down.body).toEqual({
      status: 'not ready',
      message: 'Not ready: the database does not answer; the job queue does not answer.',
      failing: ['database', 'migrations', 'queue'],
      checks: { database: 'failing', migrations: 'failing', queue: 'failing' },
    });
    expect(await probe('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });

    cluster = await startEmbeddedPostgres(dataDir, port, log);
    const back = await eventually(async () => {
      const answer = await probe('/readyz');
      return answer.status === 200 ? answer : undefined;
    }, 30_000);
    expect(back.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', queue: 'ok' } });

    // The log says when the app stopped being ready, why, and when it was ready again (lines are
    // written in batches, within a quarter of a second); the probe's answer does not name hosts.
    const output = await eventually(async () => app!.output.join('').includes('"msg":"ready again"') && app!.output.join(''), 5_000);
    expect(output).toMatch(/"failing":\{"database":"[^"]+","migrations":"not checked: database failed","queue":"[^"]+"\},"msg":"not ready"/);
    expect(JSON.stringify(down.body)).not.toContain('127.0.0.1');
  });
});
