/**
 * `npm run bench -- ui`: the admin page's first load per host, in Chromium through the sandbox:
 * the gzipped JavaScript the page's frame loads before it is interactive (the app's own files;
 * not the host's all.js or @forge/bridge stand-in), and how long after the frame starts loading
 * its "Link account" button can be used. Needs `npm run build:ui` first.
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
import { startBenchDatabase } from './database.js';

const HOSTS = { connect: 'Connect', forge: 'Forge' } as const;
/** The host stand-ins the sandbox serves into the frame: the host's code, not the app's. */
const HOST_SCRIPTS = /\/sandbox\/(all|forge-bridge)\.js$/;

function gzipKbOf(url: string): number {
  const file = path.resolve('static/dist', new URL(url).pathname.replace(/^.*\/assets\//, 'assets/'));
  return existsSync(file) ? gzipSync(readFileSync(file)).length / 1024 : 0;
}

export async function uiFirstLoad(): Promise<Figure[]> {
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
        const page = await context.newPage();
        const scripts = new Set<string>();
        page.on('response', (response) => {
          const frame = response.frame();
          if (frame !== page.mainFrame() && response.request().resourceType() === 'script' && !HOST_SCRIPTS.test(response.url()))
            scripts.add(response.url());
        });
        await page.goto(`${app.baseUrl}/sandbox/${host === 'forge' ? '?host=forge' : ''}`);
        const frameLocator = page.frameLocator('main iframe');
        const button = frameLocator.getByRole('button', { name: 'Link account' }).first();
        await button.waitFor({ timeout: 30_000 });
        const frame = (await (await page.locator('main iframe').elementHandle()).contentFrame())!;
        // Milliseconds since the frame's navigation started, when the button answers.
        const ms = await frame.evaluate(() => performance.now());
        results.push({ kb: [...scripts].reduce((sum, url) => sum + gzipKbOf(url), 0), ms });
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
