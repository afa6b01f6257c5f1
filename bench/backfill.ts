/**
 * npm run bench -- backfill: (1) planning a backfill over 50,000 existing users read from the
 * simulated Jira user listing (the preview, then a backfill's count), in time and in memory: the
 * app's peak RSS next to its idle RSS; (2) GET /api/invitations filtered by status over 1,000,000
 * stored invitations, p95.
 */
import { figureReporter, type Figure } from './figures.js';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { AppProcess } from '../test/support/app-process.js';
import { BitbucketSimulator } from '../test/support/simulators/bitbucket-simulator.js';
import { ConnectInstallKeyServer } from '../test/support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../test/support/simulators/jira-connect-simulator.js';
import { startBenchDatabase } from './database.js';
import { peakRssMb } from './load.js';

const EXISTING_USERS = 50_000;
const STORED_INVITATIONS = 1_000_000;
const LIST_REQUESTS = 200;
const APP_KEY = 'automatic-team-invitations';
const SECRET_KEY = 'bench-secret-key-that-is-long-enough-0123456789';

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

export async function backfillBench(): Promise<Figure[]> {
  const { figures, report } = figureReporter();
  const database = await startBenchDatabase();
  const keys = new ConnectInstallKeyServer();
  await keys.start();
  const site = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  await site.start();
  site.addUser({ accountId: 'bench-admin', displayName: 'Bench Admin', administrator: true });
  for (let i = 0; i < EXISTING_USERS; i++)
    site.addUser({ accountId: `existing-${i}`, displayName: `Existing ${i}`, emailAddress: `e${i}@example.com` });
  const bitbucket = new BitbucketSimulator();
  await bitbucket.start();
  bitbucket.addWorkspace({ slug: 'bench', groups: [{ slug: 'developers', name: 'Developers' }], oauthConsumers: [{ key: 'k', secret: 's' }] });
  const app = new AppProcess({
    NODE_ENV: 'development',
    SANDBOX: 'off',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_URL: database.url,
    APP_SECRET_KEY: SECRET_KEY,
    CONNECT_KEYS_CDN_URL: keys.url,
    BITBUCKET_API_URL: bitbucket.apiUrl,
    BITBUCKET_OAUTH_TOKEN_URL: bitbucket.oauthTokenUrl,
    QUEUE_POLL_SECONDS: '0.5',
    // Nobody confirms: the backfill counts and then waits, so nothing is sent.
    BACKFILL_CONFIRM_THRESHOLD: '0',
  });
  try {
    console.log(`\nBackfill planning over ${EXISTING_USERS} existing users, and the invitations list over ${STORED_INVITATIONS} invitations`);
    await app.start();
    if ((await site.install(app.baseUrl)) !== 204) throw new Error(`install failed: ${site.lastResponse?.body}`);
    const call = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${app.baseUrl}${path}`, {
        method,
        headers: { Authorization: `JWT ${site.contextToken('bench-admin')}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as T;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const linked = await call<{ linkedAccount: { id: string } }>('POST', '/api/linked-accounts', {
      workspace: 'bench',
      credentials: { type: 'oauth-consumer', key: 'k', secret: 's' },
    });
    const accountId = linked.linkedAccount.id;
    await call('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: ['developers'] });
    await call('GET', '/api/invitations'); // warm
    const pid = app.pid!;
    const idle = rssMb(pid);

    let started = performance.now();
    const preview = await call<{ preview: { invitations: number } }>('POST', `/api/linked-accounts/${accountId}/preview`, {});
    const previewSeconds = (performance.now() - started) / 1000;
    if (preview.preview.invitations !== EXISTING_USERS + 1) throw new Error(`preview counted ${JSON.stringify(preview.preview)}`);
    report(`preview of ${EXISTING_USERS} existing users`, `${previewSeconds.toFixed(1)} s`, '< 60 s', previewSeconds < 60);

    started = performance.now();
    type BackfillAnswer = { backfill: { id: string; status: string } };
    const backfill = await call<BackfillAnswer>('POST', `/api/linked-accounts/${accountId}/backfills`);
    for (;;) {
      const state = await call<BackfillAnswer>('GET', `/api/backfills/${backfill.backfill.id}`);
      if (state.backfill.status === 'awaiting-confirmation') break;
      if (state.backfill.status !== 'counting') throw new Error(`backfill ended ${JSON.stringify(state.backfill)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const countSeconds = (performance.now() - started) / 1000;
    report(`backfill count of ${EXISTING_USERS} existing users (job)`, `${countSeconds.toFixed(1)} s`, '< 60 s', countSeconds < 60);
    const peak = peakRssMb(pid);
    report(
      'app RSS: idle, peak while planning',
      `${idle.toFixed(0)} MB, ${peak.toFixed(0)} MB (+${(peak - idle).toFixed(0)} MB)`,
      '≤ idle + 50 MB',
      peak - idle <= 50,
    );

    await seedInvitations(database.url, site.clientKey, accountId);
    for (let i = 0; i < 20; i++) await call('GET', `/api/invitations?status=sent&page=${i + 1}`); // warm
    for (const status of ['failed', 'sent']) {
      const times: number[] = [];
      for (let i = 0; i < LIST_REQUESTS; i++) {
        const t = performance.now();
        await call('GET', `/api/invitations?status=${status}&page=${1 + (i % 5)}`);
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      const p50 = times[Math.floor(times.length * 0.5)]!;
      const p95 = times[Math.floor(times.length * 0.95)]!;
      report(
        `GET /api/invitations?status=${status} over ${STORED_INVITATIONS} invitations, p50 / p95`,
        `${p50.toFixed(1)} ms / ${p95.toFixed(1)} ms`,
        'p95 < 100 ms',
        p95 < 100,
      );
    }
  } finally {
    await app.stop();
    await Promise.all([site.stop(), bitbucket.stop(), keys.stop()]);
    await database.stop();
  }
  return figures;
}

/** A million invitations of one site: 10% failed, 70% sent, the rest skipped, already invited or queued (without jobs: none runs). */
async function seedInvitations(url: string, clientKey: string, linkedAccountId: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string }>("SELECT id FROM tenants WHERE host = 'connect' AND host_key = $1", [clientKey]);
    const tenantId = rows[0]!.id;
    await db.query(
      `INSERT INTO new_users (tenant_id, account_id, display_name, planned_at)
       SELECT $1, 'seeded-' || g, 'Seeded ' || g, now() FROM generate_series(1, 10000) g`,
      [tenantId],
    );
    await db.query(
      `INSERT INTO invitations (tenant_id, new_user_id, linked_account_id, account_id, display_name, email, workspace, group_slug, group_name,
         status, created_at, updated_at)
       SELECT $1, n.id, $2, 'inv-' || g, 'Invited ' || g, 'inv' || g || '@example.com', 'bench', 'developers', 'Developers',
         CASE WHEN g % 10 = 0 THEN 'failed' WHEN g % 10 < 8 THEN 'sent' WHEN g % 10 = 8 THEN 'skipped' ELSE 'already-invited' END,
         now() - g * interval '1 second', now()
       FROM generate_series(1, $3::int) g JOIN new_users n ON n.tenant_id = $1 AND n.account_id = 'seeded-' || (1 + g % 10000)`,
      [tenantId, linkedAccountId, STORED_INVITATIONS],
    );
    await db.query('VACUUM ANALYZE invitations');
  } finally {
    await db.end();
  }
}
