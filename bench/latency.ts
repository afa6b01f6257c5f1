/**
 * npm run bench -- latency: how long a new user waits for the invitation, measured from outside.
 * From the moment the app answers Jira's event (a Connect webhook, or a Forge event) to the moment
 * the Bitbucket simulator accepts the invitation, with no rate limit in the way. The app runs as in
 * production with the work split: a web-only instance takes the events, a worker instance
 * elsewhere plans and sends, at the default poll interval, so what is measured is how fast new work
 * crosses instances, not how often a worker polls.
 * (1) single users arriving one at a time, alternating Connect and Forge; (2) a burst of 2,000
 * Connect webhooks at concurrency 32: the time until the last invitation is sent.
 */
import { figureReporter, type Figure } from './figures.js';
import pg from 'pg';
import { USER_CREATED_PATH } from '../src/entry/connect/user-created-webhook.js';
import { linkedAccountBinding, SecretBox } from '../src/persistence/secret-box.js';
import { AppProcess } from '../test/support/app-process.js';
import { FORGE_APP_ID } from '../test/support/forge-harness.js';
import { BitbucketSimulator } from '../test/support/simulators/bitbucket-simulator.js';
import { ConnectInstallKeyServer } from '../test/support/simulators/connect-install-keys.js';
import { ForgeSimulator, readManifestRoutes } from '../test/support/simulators/forge-simulator.js';
import { JiraConnectSimulator } from '../test/support/simulators/jira-connect-simulator.js';
import { startBenchDatabase } from './database.js';
import { CONCURRENCY, peakRssMb, post, runLoad } from './load.js';
import { BUILT_APP, buildServer, startFlags } from './build.js';

const APP_KEY = 'automatic-team-invitations';
const SECRET_KEY = 'bench-secret-key-that-is-long-enough-0123456789';
/** Single users per host, after WARM_UP_SINGLES each to warm the code up. */
const SINGLES = 100;
const WARM_UP_SINGLES = 30;
const BURST = 2_000;
const WAIT_FOR_INVITATION_MS = 30_000;
const BURST_DEADLINE_MS = 5 * 60_000;

export async function latencyBench(): Promise<Figure[]> {
  const { figures, report } = figureReporter();
  const database = await startBenchDatabase();
  const keys = new ConnectInstallKeyServer();
  await keys.start();
  const site = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  await site.start();
  site.addUser({ accountId: 'bench-admin', displayName: 'Bench Admin', administrator: true });
  // No rate limit in the way: the simulator takes every invitation, and the app is told so.
  const bitbucket = new BitbucketSimulator();
  await bitbucket.start();
  bitbucket.addWorkspace({ slug: 'bench', groups: [{ slug: 'developers', name: 'Developers' }], oauthConsumers: [{ key: 'k', secret: 's' }] });
  const forge = new ForgeSimulator({ appId: FORGE_APP_ID, routes: await readManifestRoutes() });
  await forge.start();
  const env = {
    FORGE_APP_ID,
    FORGE_JWKS_URL: forge.jwksUrl,
    FORGE_API_HOSTS: forge.url,
    NODE_ENV: 'development',
    SANDBOX: 'off',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_URL: database.url,
    APP_SECRET_KEY: SECRET_KEY,
    CONNECT_KEYS_CDN_URL: keys.url,
    BITBUCKET_API_URL: bitbucket.apiUrl,
    BITBUCKET_OAUTH_TOKEN_URL: bitbucket.oauthTokenUrl,
    BITBUCKET_INVITATIONS_PER_MINUTE: '100000000',
    BITBUCKET_REQUESTS_PER_HOUR: '100000000',
    // QUEUE_POLL_SECONDS stays at its default (1 s): the figure must not rest on polling.
  };
  buildServer();
  const web = new AppProcess({ ...env, RUN_WORKERS: 'off' }, startFlags(), BUILT_APP);
  const worker = new AppProcess({ ...env, RUN_WORKERS: 'on' }, startFlags(), BUILT_APP);
  const accepted = new Acceptances(bitbucket);
  try {
    await web.start();
    await worker.start();
    const base = web.baseUrl;
    if ((await site.install(base)) !== 204) throw new Error(`install failed: ${site.lastResponse?.body}`);
    const call = async (method: string, p: string, body?: unknown) => {
      const response = await fetch(`${base}${p}`, {
        method,
        headers: { Authorization: `JWT ${site.contextToken('bench-admin')}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = (await response.json()) as { linkedAccount?: { id: string } };
      if (!response.ok) throw new Error(`${method} ${p}: ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    };
    const linked = await call('POST', '/api/linked-accounts', { workspace: 'bench', credentials: { type: 'oauth-consumer', key: 'k', secret: 's' } });
    await call('PUT', `/api/linked-accounts/${linked.linkedAccount!.id}/default-groups`, { groups: ['developers'] });
    const route = (await readManifestRoutes()).events['avi:jira:created:user']!;
    if ((await forge.sendInstalled(base)).status >= 300) throw new Error('Forge install event refused');
    await linkForgeSite(database.url);

    const user = (prefix: string, i: number) => ({
      accountId: `${prefix}-${i}`,
      displayName: `${prefix} ${i}`,
      active: true,
      accountType: 'atlassian',
      emailAddress: `${prefix}${i}@example.com`,
    });
    const sendConnect = (i: number, jwt = site.signRequest('POST', USER_CREATED_PATH)) =>
      post(
        `${base}${USER_CREATED_PATH}`,
        `JWT ${jwt}`,
        { timestamp: Date.now(), webhookEvent: 'user_created', user: user('connect', i) },
        {
          'X-Atlassian-Webhook-Identifier': `connect-${i}`,
        },
      );
    const sendForge = async (i: number) => {
      const fit = await forge.fit({ type: 'core:endpoint', key: route.endpoint }, { context: null });
      return post(
        `${base}${route.path}`,
        `Bearer ${fit}`,
        { eventType: 'avi:jira:created:user', user: user('forge', i) },
        {
          'x-forge-oauth-system': forge.appToken,
        },
      );
    };
    /** One user: the event answered, then the wait for Bitbucket to accept their invitation. */
    const single = async (send: () => Promise<number>, email: string): Promise<number> => {
      const status = await send();
      const answeredAt = Date.now();
      if (status < 200 || status >= 300) throw new Error(`the event was answered ${status}`);
      return (await accepted.waitFor(email, WAIT_FOR_INVITATION_MS)) - answeredAt;
    };

    console.log(`\n(f) Latency: event answered → invitation accepted; a web-only instance and a worker instance, poll interval 1 s`);
    const connectMs: number[] = [];
    const forgeMs: number[] = [];
    for (let i = 0; i < WARM_UP_SINGLES + SINGLES; i++) {
      // Alternating, so that whatever else the machine does hits both hosts alike.
      const c = await single(() => sendConnect(i), `connect${i}@example.com`);
      const f = await single(() => sendForge(i), `forge${i}@example.com`);
      if (i >= WARM_UP_SINGLES) {
        connectMs.push(c);
        forgeMs.push(f);
      }
    }
    for (const [host, ms] of [
      ['Connect webhook', connectMs],
      ['Forge event', forgeMs],
    ] as const) {
      const p50 = quantile(ms, 0.5);
      const p99 = quantile(ms, 0.99);
      report(
        `single users, ${host} answered → invitation accepted (${ms.length} users)`,
        `p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`,
        'p50 < 150 ms, p99 < 500 ms',
        p50 < 150 && p99 < 500,
      );
    }

    // The burst: every token signed before the clock starts.
    const first = WARM_UP_SINGLES + SINGLES;
    const jwts = Array.from({ length: BURST }, () => site.signRequest('POST', USER_CREATED_PATH, { expiresInSeconds: 900 }));
    const answeredAt: number[] = [];
    const burstStarted = Date.now();
    const load = await runLoad(BURST, CONCURRENCY, async (i) => {
      const status = await sendConnect(first + i, jwts[i]);
      answeredAt[i] = Date.now();
      return status;
    });
    const lastAnswered = Math.max(...answeredAt);
    const acceptedAt: number[] = [];
    for (let i = 0; i < BURST; i++) acceptedAt.push(await accepted.waitFor(`connect${first + i}@example.com`, BURST_DEADLINE_MS));
    const lastAccepted = Math.max(...acceptedAt);
    const perUser = acceptedAt.map((at, i) => at - answeredAt[i]!);
    report(
      `burst: ${BURST} webhooks at concurrency ${CONCURRENCY}, first sent → last invitation accepted`,
      `${((lastAccepted - burstStarted) / 1000).toFixed(2)} s (webhooks all answered after ${((lastAnswered - burstStarted) / 1000).toFixed(2)} s, ${load.failures} failed; the last invitation ${((lastAccepted - lastAnswered) / 1000).toFixed(2)} s after that; ${(BURST / ((lastAccepted - burstStarted) / 1000)).toFixed(0)} invitations/s)`,
    );
    report(
      'burst: each user answered → invitation accepted',
      `p50 ${quantile(perUser, 0.5).toFixed(0)} ms, p99 ${quantile(perUser, 0.99).toFixed(0)} ms`,
    );
    report('latency run peak RSS, web instance / worker instance', `${peakRssMb(web.pid!).toFixed(0)} MB / ${peakRssMb(worker.pid!).toFixed(0)} MB`);
  } finally {
    await web.stop();
    await worker.stop();
    await Promise.all([site.stop(), bitbucket.stop(), keys.stop(), forge.stop()]);
    await database.stop();
  }
  return figures;
}

/**
 * Reads the simulator's accepted invitations as they come. Each one carries the time the
 * simulator received it, so how often this looks does not change the figure, only how soon the
 * next user is sent.
 */
class Acceptances {
  #scanned = 0;
  readonly #at = new Map<string, number>();

  constructor(private readonly bitbucket: BitbucketSimulator) {}

  async waitFor(email: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#scan();
      const at = this.#at.get(email);
      if (at !== undefined) return at;
      if (Date.now() > deadline) throw new Error(`no invitation for ${email} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  #scan(): void {
    const received = this.bitbucket.received;
    for (; this.#scanned < received.length; this.#scanned++) {
      const request = received[this.#scanned]!;
      const email = (request.body as { email?: unknown } | null)?.email;
      if (request.method === 'PUT' && request.status === 200 && typeof email === 'string') this.#at.set(email, request.at);
    }
  }
}

/** The Forge site gets the same workspace and default group, written directly (the admin API's Forge path needs a Custom UI token). */
async function linkForgeSite(databaseUrl: string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string }>("SELECT id FROM tenants WHERE host = 'forge'");
    const tenantId = rows[0]!.id;
    const id = crypto.randomUUID();
    const groups = JSON.stringify([{ slug: 'developers', name: 'Developers' }]);
    await db.query(
      `INSERT INTO linked_accounts (id, tenant_id, workspace, display_name, credential_type, credentials_sealed, groups, default_groups, groups_refreshed_at)
       VALUES ($1, $2, 'bench', 'bench', 'oauth-consumer', $3, $4, $4, now())`,
      [
        id,
        tenantId,
        new SecretBox(SECRET_KEY).sealJson({ type: 'oauth-consumer', key: 'k', secret: 's' }, linkedAccountBinding(tenantId, id)),
        groups,
      ],
    );
  } finally {
    await db.end();
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
