/**
 * npm run bench -- forge-profile: where a Forge event spends CPU that a Connect webhook does not.
 * Two web-only instances on one database, each started with `--cpu-prof`, one taking only
 * Connect webhooks and one only Forge events (the same users, the same load); when both have
 * stopped, their profiles are summed by function (self time) and by where the code comes from,
 * per request, side by side.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { USER_CREATED_PATH } from '../src/entry/connect/user-created-webhook.js';
import { AppProcess } from '../test/support/app-process.js';
import { FORGE_APP_ID } from '../test/support/forge-harness.js';
import { ConnectInstallKeyServer } from '../test/support/simulators/connect-install-keys.js';
import { ForgeSimulator, readManifestRoutes } from '../test/support/simulators/forge-simulator.js';
import { JiraConnectSimulator } from '../test/support/simulators/jira-connect-simulator.js';
import { startBenchDatabase } from './database.js';
import { CONCURRENCY, post, runLoad } from './load.js';

const APP_KEY = 'automatic-team-invitations';
const WARM_UP = 1_000;
const REQUESTS = 4_000;
const TOP = 25;

type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
};

export async function forgeProfile(): Promise<void> {
  const database = await startBenchDatabase();
  const keys = new ConnectInstallKeyServer();
  await keys.start();
  const site = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  await site.start();
  const forge = new ForgeSimulator({ appId: FORGE_APP_ID, routes: await readManifestRoutes() });
  await forge.start();
  const dir = mkdtempSync(path.join(tmpdir(), 'ati-forge-profile-'));
  const env = () => ({
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
  });
  const profiled = (name: string) => new AppProcess(env(), ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, name)}`]);
  const connectApp = profiled('connect');
  const forgeApp = profiled('forge');
  try {
    await connectApp.start();
    await forgeApp.start();
    if ((await site.install(connectApp.baseUrl)) !== 204) throw new Error('install failed');
    const route = (await readManifestRoutes()).events['avi:jira:created:user']!;
    if ((await forge.sendInstalled(forgeApp.baseUrl)).status >= 300) throw new Error('Forge install event refused');
    const total = WARM_UP + REQUESTS;
    const jwts = Array.from({ length: total }, () => site.signRequest('POST', USER_CREATED_PATH, { expiresInSeconds: 900 }));
    const fits = await Promise.all(
      Array.from({ length: total }, () => forge.fit({ type: 'core:endpoint', key: route.endpoint }, { context: null, expiresInSeconds: 900 })),
    );
    const user = (prefix: string, i: number) => ({
      accountId: `${prefix}-${i}`,
      displayName: `${prefix} ${i}`,
      active: true,
      accountType: 'atlassian',
      emailAddress: `${prefix}${i}@example.com`,
    });
    const sendConnect = (i: number) =>
      post(
        `${connectApp.baseUrl}${USER_CREATED_PATH}`,
        `JWT ${jwts[i]!}`,
        { timestamp: Date.now(), webhookEvent: 'user_created', user: user('connect', i) },
        { 'X-Atlassian-Webhook-Identifier': `connect-${i}` },
      );
    const sendForge = (i: number) =>
      post(
        `${forgeApp.baseUrl}${route.path}`,
        `Bearer ${fits[i]!}`,
        { eventType: 'avi:jira:created:user', user: user('forge', i) },
        { 'x-forge-oauth-system': forge.appToken },
      );
    for (const [name, send] of [
      ['Connect webhook', sendConnect],
      ['Forge event', sendForge],
    ] as const) {
      await runLoad(WARM_UP, CONCURRENCY, send);
      const result = await runLoad(REQUESTS, CONCURRENCY, (i) => send(WARM_UP + i));
      console.log(`  ${name}: ${result.perSecond.toFixed(0)} req/s, ${result.failures} failed`);
    }
  } finally {
    await connectApp.stop();
    await forgeApp.stop();
    await Promise.all([site.stop(), keys.stop(), forge.stop()]);
    await database.stop();
  }
  const connect = selfTimes(path.join(dir, 'connect'));
  const forgeTimes = selfTimes(path.join(dir, 'forge'));
  const perRequestUs = (ms: number) => ((ms * 1000) / (WARM_UP + REQUESTS)).toFixed(1);
  console.log(`\nProfiles in ${dir}. Self time per request (µs), over every request the instance took:`);
  for (const [title, key] of [
    ['by origin', 'origin'],
    ['by function', 'function'],
  ] as const) {
    const names = new Set([...connect[key].keys(), ...forgeTimes[key].keys()]);
    const rows = [...names]
      .map((name) => ({ name, c: connect[key].get(name) ?? 0, f: forgeTimes[key].get(name) ?? 0 }))
      .sort((a, b) => Math.max(b.f - b.c, b.f) - Math.max(a.f - a.c, a.f))
      .slice(0, TOP);
    console.log(`\n  ${title}: Connect | Forge | Forge − Connect`);
    for (const row of rows)
      console.log(
        `    ${perRequestUs(row.c).padStart(7)} | ${perRequestUs(row.f).padStart(7)} | ${perRequestUs(row.f - row.c).padStart(7)}  ${row.name}`,
      );
  }
  console.log(`\n  total (active CPU): ${perRequestUs(connect.total)} | ${perRequestUs(forgeTimes.total)}`);
}

/** Self time (ms) per function and per origin (a package, node's internals, the app's source), idle and GC apart. */
function selfTimes(dir: string): { function: Map<string, number>; origin: Map<string, number>; total: number } {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile in ${dir}`);
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id)!;
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    if (frame.functionName === '(idle)' || frame.functionName === '(program)') return;
    total += ms;
    const where = frame.url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
    const fn = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1];
    const origin =
      pkg ?? (where.startsWith('src/') ? where.split('/').slice(0, 3).join('/') : where.startsWith('node:') ? where : frame.functionName);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + ms);
  });
  return { function: byFunction, origin: byOrigin, total };
}
