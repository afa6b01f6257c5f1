import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { createLogger } from '../../src/logger.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/persistence/embedded-postgres.js';
import { AppProcess } from '../support/app-process.js';
import { BitbucketSimulator } from '../support/simulators/bitbucket-simulator.js';
import { ConnectInstallKeyServer } from '../support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { ADMIN, APP_KEY, eventually, OAUTH, WORKSPACE } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

/*
 * PostgreSQL goes away in the middle of a burst of user_created webhooks and comes back on the
 * same data directory and port. The app, a process of its own, must neither lose a webhook it
 * answered 2xx nor answer anything but 5xx to one it could not record (so that Jira sends it
 * again), and must find its database again by itself: every new user is then invited exactly
 * once to each default group.
 */

const GROUPS = ['developers', 'qa'];
const LANES = 4;
const log = createLogger('warn');

type Answer = { accountId: string; identifier: string; status: number; phase: 'before' | 'outage' | 'after' };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a PostgreSQL outage during a burst of webhooks', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ati-outage-pg-'));
  chmodSync(dataDir, 0o755); // the cluster runs as the postgres user, which must reach it
  let cluster: EmbeddedDatabase | undefined;
  const keys = new ConnectInstallKeyServer();
  const bitbucket = new BitbucketSimulator();
  const site = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  let app: AppProcess | undefined;

  afterAll(async () => {
    await app?.stop();
    await Promise.all([site.stop(), bitbucket.stop(), keys.stop()]);
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records and invites exactly once every user whose webhook got a 2xx, and answers 5xx to every other', { timeout: 300_000 }, async () => {
    const port = await freePort();
    cluster = await startEmbeddedPostgres(dataDir, port, log);
    const databaseUrl = cluster.url;
    await keys.start();
    await bitbucket.start();
    bitbucket.addWorkspace(structuredClone(WORKSPACE));
    await site.start();
    site.addUser(ADMIN);

    app = new AppProcess({
      NODE_ENV: 'test',
      SANDBOX: 'off',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      APP_SECRET_KEY: 'test-secret-key-that-is-long-enough-0123456789',
      CONNECT_KEYS_CDN_URL: keys.url,
      BITBUCKET_API_URL: bitbucket.apiUrl,
      BITBUCKET_OAUTH_TOKEN_URL: bitbucket.oauthTokenUrl,
      QUEUE_POLL_SECONDS: '0.5',
      // A job the outage caught mid-way stays active (its end could not be written) until it
      // expires and the queue hands it out again: shortened here from two minutes.
      JOB_EXPIRE_SECONDS: '5',
      QUEUE_MAINTENANCE_SECONDS: '1',
      DELIVERY_RETRY_BASE_SECONDS: '1',
      // Bitbucket's pace is not what this test is about.
      BITBUCKET_INVITATIONS_PER_MINUTE: '60000',
      BITBUCKET_REQUESTS_PER_HOUR: '1000000',
    });
    await app.start();
    const baseUrl = app.baseUrl;
    expect(await site.install(baseUrl)).toBe(204);
    const api = async (method: string, apiPath: string, body: unknown) => {
      const response = await fetch(`${baseUrl}${apiPath}`, {
        method,
        headers: { Authorization: `JWT ${site.contextToken(ADMIN.accountId)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.ok, `${method} ${apiPath}`).toBe(true);
      return (await response.json()) as { linkedAccount: { id: string } };
    };
    const linked = await api('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: OAUTH });
    await api('PUT', `/api/linked-accounts/${linked.linkedAccount.id}/default-groups`, { groups: GROUPS });

    // The burst: a few webhooks in flight at any time, each for a new user, as Jira sends them.
    const answers: Answer[] = [];
    let phase: Answer['phase'] = 'before';
    let sending = true;
    let next = 0;
    const lane = async () => {
      while (sending) {
        const i = next++;
        const accountId = `outage-${i}`;
        const sentIn = phase;
        const answer = await site
          .sendUserCreated(baseUrl, USER_CREATED_PATH, {
            accountId,
            displayName: `Outage ${i}`,
            emailAddress: `outage${i}@example.com`,
            emailVisible: true,
          })
          .catch(() => ({ status: 0, identifier: '' }));
        answers.push({ accountId, identifier: answer.identifier, status: answer.status, phase: sentIn });
        await sleep(50);
      }
    };
    const accepted = (list: Answer[]) => list.filter((a) => a.status >= 200 && a.status < 300);
    const lanes = Array.from({ length: LANES }, lane);

    await eventually(async () => accepted(answers).length >= 20, 30_000, 'webhooks before the outage');
    phase = 'outage';
    await cluster.stop();
    await sleep(3_000);
    cluster = await startEmbeddedPostgres(dataDir, port, log);
    phase = 'after';
    await eventually(
      async () => accepted(answers.filter((a) => a.phase === 'after')).length >= 20,
      60_000,
      'webhooks accepted once the database is back',
    );
    sending = false;
    await Promise.all(lanes);

    // Every answer is a 2xx (recorded) or a 5xx (Jira sends it again); the outage refused some.
    expect(answers.filter((a) => !(a.status >= 200 && a.status < 300) && !(a.status >= 500 && a.status < 600))).toEqual([]);
    const refused = answers.filter((a) => a.status >= 500);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted(answers.filter((a) => a.phase === 'before')).length).toBeGreaterThanOrEqual(20);

    // Every user that got a 2xx is recorded, before Jira's retries of the refused ones arrive.
    const recorded = await withClient(
      databaseUrl,
      async (client) => (await client.query<{ account_id: string }>('SELECT account_id FROM new_users')).rows,
    );
    const recordedIds = new Set(recorded.map((row) => row.account_id));
    expect(accepted(answers).filter((a) => !recordedIds.has(a.accountId))).toEqual([]);

    // Jira retries each refused webhook (same identifier) until the app takes it.
    for (const answer of refused) {
      const retried = await site.sendUserCreated(
        baseUrl,
        USER_CREATED_PATH,
        {
          accountId: answer.accountId,
          displayName: answer.accountId,
          emailAddress: `${answer.accountId.replace('-', '')}@example.com`,
          emailVisible: true,
        },
        { identifier: answer.identifier, retry: 1 },
      );
      expect(retried.status, answer.accountId).toBe(204);
    }

    // Every user is invited to each default group exactly once. A delivery the outage cut off
    // between Bitbucket's answer and its record is sent again, and Bitbucket's 409 for it reads
    // as already invited: still one accepted invitation per group.
    const users = answers.length;
    const settled = async () => {
      const rows = await withClient(databaseUrl, async (client) => (await client.query<{ status: string }>('SELECT status FROM invitations')).rows);
      return rows.length === users * GROUPS.length && rows.every((row) => row.status !== 'queued') ? rows.map((row) => row.status) : undefined;
    };
    const statuses = await eventually(settled, 120_000, `${users * GROUPS.length} invitations settled`).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await stateOf(databaseUrl)}\n${app!.output.join('').slice(-3000)}`);
    });
    expect(statuses.filter((status) => status !== 'sent' && status !== 'already-invited')).toEqual([]);
    await sleep(2_000); // a duplicate would arrive now
    const taken = bitbucket.received.filter((r) => r.method === 'PUT' && r.status === 200).map((r) => JSON.stringify(r.body));
    expect(new Set(taken).size).toBe(users * GROUPS.length);
    expect(taken).toHaveLength(users * GROUPS.length);
  });
});

/** What is still open, for the failure message: new users not planned, invitations not sent, their jobs. */
async function stateOf(databaseUrl: string): Promise<string> {
  return withClient(databaseUrl, async (client) => {
    const unplanned = await client.query('SELECT account_id, received_at FROM new_users WHERE planned_at IS NULL');
    const open = await client.query("SELECT account_id, group_slug, status, reason, attempts, job_id FROM invitations WHERE status <> 'sent'");
    const jobs = await client.query("SELECT name, state, retry_count, output FROM pgboss.job WHERE state <> 'completed' ORDER BY created_on");
    return JSON.stringify({ unplanned: unplanned.rows, open: open.rows, jobs: jobs.rows }, null, 1).slice(0, 6000);
  });
}
