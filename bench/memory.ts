/**
 * npm run bench -- memory: what a web instance holds, idle and at its peak under ingest load, for
 * a few ways of running it: the TypeScript source through tsx (as the other benchmarks run it),
 * the build that `npm start` runs (dist/, made here with `npm run build:server`, with the V8 flags
 * `npm start` passes, if any), and the build with the flags in BENCH_MEMORY_FLAGS. Each variant gets a fresh process and the same load:
 * Connect webhooks and Forge events at concurrency 32. Every variant runs under the app's heap policy
 * (src/heap-policy.ts); BENCH_MEMORY_FLAGS="--heap-growing-percent=0" adds one under V8's own growth.
 */
import { readFileSync } from 'node:fs';
import { USER_CREATED_PATH } from '../src/entry/connect/user-created-webhook.js';
import { AppProcess } from '../test/support/app-process.js';
import { FORGE_APP_ID } from '../test/support/forge-harness.js';
import { ConnectInstallKeyServer } from '../test/support/simulators/connect-install-keys.js';
import { ForgeSimulator, readManifestRoutes } from '../test/support/simulators/forge-simulator.js';
import { JiraConnectSimulator } from '../test/support/simulators/jira-connect-simulator.js';
import { BUILT_APP, buildServer, startFlags } from './build.js';
import { startBenchDatabase } from './database.js';
import { CONCURRENCY, peakRssMb, post, runLoad } from './load.js';

const APP_KEY = 'automatic-team-invitations';
const REQUESTS = 4_000;

export async function memoryBench(): Promise<void> {
  buildServer();
  const variants: { name: string; nodeArgs: string[]; entry?: string[] }[] = [
    { name: 'source through tsx', nodeArgs: [] },
    { name: 'build (dist/), no flags', nodeArgs: [], entry: BUILT_APP },
    ...(startFlags().length > 0
      ? [{ name: `build as npm start runs it (${startFlags().join(' ')})`, nodeArgs: startFlags(), entry: BUILT_APP }]
      : []),
    // Further flags to weigh, from BENCH_MEMORY_FLAGS (e.g. "--max-semi-space-size=4").
    ...(process.env.BENCH_MEMORY_FLAGS ?? '')
      .split(',')
      .filter(Boolean)
      .map((flags) => ({ name: `build with ${flags}`, nodeArgs: flags.trim().split(/\s+/), entry: BUILT_APP })),
  ];
  const database = await startBenchDatabase();
  const keys = new ConnectInstallKeyServer();
  await keys.start();
  const site = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  await site.start();
  const forge = new ForgeSimulator({ appId: FORGE_APP_ID, routes: await readManifestRoutes() });
  await forge.start();
  const route = (await readManifestRoutes()).events['avi:jira:created:user']!;
  let next = 0;
  try {
    for (const variant of variants) {
      const app = new AppProcess(
        {
          FORGE_APP_ID,
          FORGE_JWKS_URL: forge.jwksUrl,
          FORGE_API_HOSTS: forge.url,
          NODE_ENV: 'development',
          SANDBOX: 'off',
          PORT: '0',
          LOG_LEVEL: 'info',
          DATABASE_URL: database.url,
          APP_SECRET_KEY: 'bench-secret-key-that-is-long-enough-0123456789',
          CONNECT_KEYS_CDN_URL: keys.url,
          RUN_WORKERS: 'off',
        },
        variant.nodeArgs,
        variant.entry,
      );
      await app.start();
      try {
        if ((await site.install(app.baseUrl)) !== 204) throw new Error('install failed');
        if ((await forge.sendInstalled(app.baseUrl)).status >= 300) throw new Error('Forge install event refused');
        const idle = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${app.pid!}/status`, 'utf8'))?.[1] ?? 0) / 1024;
        const first = next;
        next += REQUESTS;
        const jwts = Array.from({ length: REQUESTS }, () => site.signRequest('POST', USER_CREATED_PATH, { expiresInSeconds: 900 }));
        const fits = await Promise.all(
          Array.from({ length: REQUESTS }, () => forge.fit({ type: 'core:endpoint', key: route.endpoint }, { context: null, expiresInSeconds: 900 })),
        );
        const user = (prefix: string, i: number) => ({
          accountId: `${prefix}-${first + i}`,
          displayName: `${prefix} ${i}`,
          active: true,
          accountType: 'atlassian',
          emailAddress: `${prefix}${first + i}@example.com`,
        });
        const hooks = await runLoad(REQUESTS, CONCURRENCY, (i) =>
          post(
            `${app.baseUrl}${USER_CREATED_PATH}`,
            `JWT ${jwts[i]!}`,
            { timestamp: Date.now(), webhookEvent: 'user_created', user: user('connect', i) },
            { 'X-Atlassian-Webhook-Identifier': `connect-${first + i}` },
          ),
        );
        const events = await runLoad(REQUESTS, CONCURRENCY, (i) =>
          post(
            `${app.baseUrl}${route.path}`,
            `Bearer ${fits[i]!}`,
            { eventType: 'avi:jira:created:user', user: user('forge', i) },
            {
              'x-forge-oauth-system': forge.appToken,
            },
          ),
        );
        console.log(
          `  ${variant.name}: idle ${idle.toFixed(0)} MB, peak ${peakRssMb(app.pid!).toFixed(0)} MB; webhooks ${hooks.perSecond.toFixed(0)} req/s, Forge events ${events.perSecond.toFixed(0)} req/s, ${hooks.failures + events.failures} failed`,
        );
      } finally {
        await app.stop();
      }
    }
  } finally {
    await Promise.all([site.stop(), keys.stop(), forge.stop()]);
    await database.stop();
  }
}
