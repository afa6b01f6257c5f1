/**
 * `npm run bench -- observability`: what the metrics and the per-request log cost on ingest. Two
 * web instances on one database, one with both on (METRICS_TOKEN set, REQUEST_LOG=on), one with
 * both off, take the same signed user_created webhooks in alternating rounds (on, off, off, on),
 * so drift on a shared machine (the database growing, other work) weighs on both alike. The
 * instance started first proved slower even with both alike (`npm run bench -- observability same`
 * runs that comparison), so there are two sessions, each starting the instances in the other order.
 */
import { loadavg } from 'node:os';
import { USER_CREATED_PATH } from '../src/entry/connect/user-created-webhook.js';
import { AppProcess } from '../test/support/app-process.js';
import { ConnectInstallKeyServer } from '../test/support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../test/support/simulators/jira-connect-simulator.js';
import { CONCURRENCY, cpuSeconds, post, runLoad, type LoadResult } from './load.js';
import { startBenchDatabase } from './database.js';

const REQUESTS_PER_ROUND = 3_000;
const WARM_UP = 2_000;
/** Rounds per session; each round measures both instances twice, in the order on, off, off, on. */
const ROUNDS = 2;
const METRICS_TOKEN = 'bench-metrics-token-that-is-long-enough';
const APP_KEY = 'automatic-team-invitations';

type Variant = 'on' | 'off';
type Measured = LoadResult & { cpuMsPerRequest: number };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

export async function observabilityOverhead(): Promise<void> {
  // `same`: both instances with metrics and request log off, to see how far apart two alike instances measure.
  const calibrating = process.argv[3] === 'same';
  const database = await startBenchDatabase();
  const databaseUrl = database.url;

  const keys = new ConnectInstallKeyServer();
  await keys.start();
  const site = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  await site.start();
  const env = {
    NODE_ENV: 'development',
    SANDBOX: 'off',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    APP_SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
    CONNECT_KEYS_CDN_URL: keys.url,
    RUN_WORKERS: 'off',
  };
  const envOf = (variant: Variant) =>
    variant === 'on' && !calibrating ? { ...env, METRICS_TOKEN, REQUEST_LOG: 'on' } : { ...env, REQUEST_LOG: 'off' };

  let nextUser = 0;
  /** `count` webhooks to `app`, each signed before the clock starts, each for a new user. */
  const webhooks = (app: AppProcess, count: number): Promise<LoadResult> => {
    const first = nextUser;
    nextUser += count;
    const tokens = Array.from({ length: count }, () => site.signRequest('POST', USER_CREATED_PATH, { expiresInSeconds: 900 }));
    return runLoad(count, CONCURRENCY, (i) =>
      post(
        `${app.baseUrl}${USER_CREATED_PATH}`,
        `JWT ${tokens[i]!}`,
        {
          timestamp: Date.now(),
          webhookEvent: 'user_created',
          user: { accountId: `obs-${first + i}`, displayName: `Obs ${first + i}`, active: true, accountType: 'atlassian' },
        },
        { 'X-Atlassian-Webhook-Identifier': `obs-${first + i}` },
      ),
    );
  };

  console.log(
    `\nIngest with metrics and request logging ${calibrating ? 'off on both instances (calibration)' : 'on vs off'}: ` +
      `load average at the start ${load()} (2 cores)`,
  );
  const results: Record<Variant, Measured[]> = { on: [], off: [] };
  let counted = 0;
  let sentToOn = 0;
  try {
    for (const order of [
      ['on', 'off'],
      ['off', 'on'],
    ] as const) {
      const apps = { on: new AppProcess(envOf('on')), off: new AppProcess(envOf('off')) };
      try {
        for (const variant of order) await apps[variant].start();
        if ((await site.install(apps[order[0]].baseUrl)) !== 204) throw new Error(`install failed: ${site.lastResponse?.body}`);
        for (const variant of order) await webhooks(apps[variant], WARM_UP);
        sentToOn += WARM_UP;
        for (let round = 0; round < ROUNDS; round++) {
          for (const variant of ['on', 'off', 'off', 'on'] as const) {
            const app = apps[variant];
            // Throughput moves with whatever else the machine runs; the app's own CPU time per
            // request much less so, and it is what the metrics and the log add to.
            const cpuBefore = cpuSeconds(app.pid!);
            const result = await webhooks(app, REQUESTS_PER_ROUND);
            const cpuMsPerRequest = ((cpuSeconds(app.pid!) - cpuBefore) * 1000) / REQUESTS_PER_ROUND;
            results[variant].push({ ...result, cpuMsPerRequest });
            if (variant === 'on') sentToOn += REQUESTS_PER_ROUND;
            console.log(
              `  ${order[0]} started first, round ${round + 1}, ${variant.padEnd(3)}: ${result.perSecond.toFixed(0)} req/s, ` +
                `p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, app CPU ${cpuMsPerRequest.toFixed(3)} ms per request, ${result.failures} failed`,
            );
          }
        }
        if (!calibrating) {
          // The instance with metrics on must have counted every webhook it took, and nothing else.
          const scraped = await (await fetch(`${apps.on.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
          counted += Number(/^ati_events_received_total\{host="connect",outcome="recorded"\} (\d+)$/m.exec(scraped)?.[1] ?? 0);
        }
      } finally {
        await apps.on.stop();
        await apps.off.stop();
      }
    }

    const perSecond = (variant: Variant) => median(results[variant].map((r) => r.perSecond));
    const p99 = (variant: Variant) => median(results[variant].map((r) => r.p99Ms));
    const cpu = (variant: Variant) => median(results[variant].map((r) => r.cpuMsPerRequest));
    const ratio = perSecond('on') / perSecond('off');
    const failures = [...results.on, ...results.off].reduce((sum, r) => sum + r.failures, 0);
    const variantLine = (variant: Variant) =>
      `median ${perSecond(variant).toFixed(0)} req/s, median p99 ${p99(variant).toFixed(1)} ms, median app CPU ${cpu(variant).toFixed(3)} ms per request`;
    console.log('\nSummary');
    console.log(`  on  (${calibrating ? 'here off as well' : 'metrics, request log'}): ${variantLine('on')}`);
    console.log(`  off${' '.repeat(calibrating ? 20 : 23)}: ${variantLine('off')}`);
    console.log(`  on / off throughput       : ${ratio.toFixed(3)}   (target ≥ 0.95: ${ratio >= 0.95 ? 'met' : 'NOT MET'})`);
    console.log(`  off / on app CPU per request: ${(cpu('off') / cpu('on')).toFixed(3)}   (the same target, read from CPU time)`);
    console.log(`  failed requests           : ${failures}`);
    if (!calibrating) console.log(`  webhooks counted by /metrics: ${counted} of ${sentToOn} sent to the instances with metrics on`);
    console.log(`  load average at the end   : ${load()}`);
  } finally {
    await Promise.all([site.stop(), keys.stop()]);
    await database.stop();
  }
}
