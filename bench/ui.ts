/**
 * `npm run bench -- ui`: the admin page's first load per host, in Chromium through the sandbox:
 * the gzipped JavaScript the page's frame loads before it is interactive (the app's own files;
 * not the host's all.js or @forge/bridge stand-in), and how long after the frame starts loading
 * it is interactive. The page is built first (`npm run build:ui`), so it is the code as it stands.
 *
 * "Interactive" is what an administrator feels on a site in use, not an empty one: each host's
 * site has the demo workspace linked and three invitations, and the page counts as interactive
 * when the linked accounts table shows that workspace's row with its actions menu enabled, the
 * invitations table shows its rows (the data is loaded), and the frame's main thread is free to
 * answer a click. It used to be when Playwright saw a "Link account" button, on an empty site:
 * that button is drawn while the accounts are still loading, so the figure did not wait for any
 * data; and Playwright's polling and round trip added its own delay. The moment is now taken in
 * the frame itself (a MutationObserver, then one task later), from the frame's navigation start
 * (the host page before it, the sandbox's own, is not counted).
 */
import type { Figure } from './figures.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createSandbox } from '../src/entry/sandbox/sandbox.js';
import { createLogger } from '../src/logger.js';
import { buildUi } from './build.js';
import { startBenchDatabase } from './database.js';

const HOSTS = { connect: 'Connect', forge: 'Forge' } as const;
/** The host stand-ins the sandbox serves into the frame: the host's code, not the app's. */
const HOST_SCRIPTS = /\/sandbox\/(all|forge-bridge)\.js$/;
const WORKSPACE = 'acme-demo';

/**
 * Runs in every frame before its own scripts: in the app's page frame, records in
 * `window.__atiInteractive` the milliseconds since its navigation started when the first view is
 * usable (see the header comment). A string, not a function: tsx would add helpers to a function's
 * source that do not exist in the browser.
 */
const WATCH_FIRST_VIEW = `(() => {
  if (window === window.top) return;
  const ready = () => {
    const actions = [...document.querySelectorAll('table[aria-label="Linked accounts"] button')].find((button) =>
      (button.getAttribute('aria-label') || button.textContent || '').includes('Actions for ${WORKSPACE}'));
    const invitations = document.querySelectorAll('table[aria-label="Recent invitations"] tbody tr').length;
    return actions !== undefined && !actions.disabled && invitations > 0;
  };
  const observer = new MutationObserver(() => {
    if (!ready()) return;
    observer.disconnect();
    // One task later: when the main thread is free to handle a click on that control.
    setTimeout(() => { window.__atiInteractive = performance.now(); }, 0);
  });
  observer.observe(document, { subtree: true, childList: true, attributes: true });
})();`;

/** The site in use each host's page shows: the demo workspace linked, with three invitations. */
async function seed(baseUrl: string, host: string): Promise<void> {
  const call = async (method: string, apiPath: string, body?: unknown): Promise<{ linkedAccount?: { id: string } }> => {
    if (host === 'forge') {
      const response = await fetch(`${baseUrl}/sandbox/api/forge-invoke`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ path: apiPath, method, body }),
      });
      const answer = (await response.json()) as { status: number; body?: { linkedAccount?: { id: string } } };
      if (answer.status >= 300) throw new Error(`${method} ${apiPath} answered ${answer.status} through Forge`);
      return answer.body ?? {};
    }
    const { token } = (await (await fetch(`${baseUrl}/sandbox/api/context-token`, { method: 'POST' })).json()) as { token: string };
    const response = await fetch(`${baseUrl}${apiPath}`, {
      method,
      headers: { Authorization: `JWT ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${apiPath} answered ${response.status}`);
    return (await response.json()) as { linkedAccount?: { id: string } };
  };
  const linked = await call('POST', '/api/linked-accounts', {
    workspace: WORKSPACE,
    credentials: { type: 'oauth-consumer', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' },
  });
  await call('PUT', `/api/linked-accounts/${linked.linkedAccount!.id}/default-groups`, { groups: ['developers', 'qa'] });
  for (let i = 1; i <= 3; i++) {
    const response = await fetch(`${baseUrl}/sandbox/api/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: `Bench user ${i}`, email: `bench-${host}-${i}@example.com`, host }),
    });
    if (!response.ok) throw new Error(`Creating a sandbox user answered ${response.status}`);
  }
}

function gzipKbOf(url: string): number {
  const file = path.resolve('static/dist', new URL(url).pathname.replace(/^.*\/assets\//, 'assets/'));
  return existsSync(file) ? gzipSync(readFileSync(file)).length / 1024 : 0;
}

export async function uiFirstLoad(): Promise<Figure[]> {
  buildUi();
  const database = await startBenchDatabase();
  const log = createLogger('warn');
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: database.url,
    APP_SECRET_KEY: 'bench-ui-secret-key-0123456789abcdef0123',
    SANDBOX: 'on',
    LOG_LEVEL: 'warn',
  });
  const sandbox = await createSandbox(log);
  const app = await startApp(sandbox.configure(config), log, sandbox.appOptions);
  await sandbox.install(app.baseUrl);
  for (const host of Object.keys(HOSTS)) await seed(app.baseUrl, host);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const figures: Figure[] = [];
  try {
    for (const [host, name] of Object.entries(HOSTS)) {
      const results: { kb: number; ms: number }[] = [];
      // The first run fills nothing: each run is a fresh context (an empty cache), as a first visit.
      for (let run = 0; run < 3; run++) {
        const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
        await context.addInitScript(WATCH_FIRST_VIEW);
        const page = await context.newPage();
        await page.goto(`${app.baseUrl}/sandbox/?host=${host}`);
        await page
          .frameLocator('main iframe')
          .getByRole('button', { name: `Actions for ${WORKSPACE}` })
          .waitFor({ timeout: 30_000 });
        const frame = (await (await page.locator('main iframe').elementHandle()).contentFrame())!;
        const ms = (await frame
          .waitForFunction(() => (window as unknown as { __atiInteractive?: number }).__atiInteractive, null, {
            timeout: 30_000,
          })
          .then((handle) => handle.jsonValue())) as number;
        // The app's scripts the frame asked for before that moment (modulepreloads included).
        const scripts = await frame.evaluate(
          (until) =>
            performance
              .getEntriesByType('resource')
              .filter((entry) => entry.startTime <= until && new URL(entry.name).pathname.endsWith('.js'))
              .map((entry) => entry.name),
          ms,
        );
        const appScripts = scripts.filter((url) => !HOST_SCRIPTS.test(url));
        results.push({ kb: appScripts.reduce((sum, url) => sum + gzipKbOf(url), 0), ms });
        await context.close();
      }
      const kb = Math.max(...results.map((r) => r.kb));
      const ms = results.map((r) => r.ms).sort((a, b) => a - b)[1]!;
      figures.push({ figure: `${name} first load: JavaScript (gzip)`, value: `${kb.toFixed(1)} KB`, target: '< 300 KB', met: kb < 300 });
      figures.push({
        figure: `${name} first load: interactive after`,
        value: `${ms.toFixed(0)} ms (median of 3)`,
        target: '< 1000 ms',
        met: ms < 1000,
      });
    }
  } finally {
    await browser.close();
    await app.stop({ graceful: false }).catch(() => undefined);
    await sandbox.stop().catch(() => undefined);
    await database.stop();
  }
  for (const f of figures) console.log(`  ${f.figure}: ${f.value}   (target ${f.target}: ${f.met ? 'met' : 'NOT MET'})`);
  return figures;
}
