// Screenshots of the empty, error and dialog states. Run against fixture-server.mjs started
// with the matching flag:  node static/dev/screenshot-states.mjs <empty|fail|dialogs> [baseUrl]
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const mode = process.argv[2] ?? 'dialogs';
const base = process.argv[3] ?? 'http://localhost:3999';
const out = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('pageerror', (e) => console.log('[pageerror]', e.message));

if (mode === 'empty' || mode === 'fail') {
  await page.goto(`${base}/connect/admin`);
  await page.getByRole('heading', { name: mode === 'empty' ? 'No linked accounts yet' : "Couldn't load the linked accounts" }).waitFor();
  await page.waitForTimeout(400);
  await page.screenshot({ path: `${out}/state-${mode}.png`, fullPage: true });
} else {
  const accounts = await (await fetch(`${base}/api/linked-accounts`, { headers: { Authorization: 'JWT x' } })).json();
  const dialogPage = await browser.newPage({ viewport: { width: 560, height: 480 } });
  for (const account of accounts.linkedAccounts) {
    const data = encodeURIComponent(JSON.stringify({ linkedAccountId: account.id, workspace: account.workspace }));
    await dialogPage.goto('about:blank');
    await dialogPage.goto(`${base}/connect/configure-automatic-access#ap-custom-data=${data}`);
    await dialogPage.getByRole('dialog', { name: 'Configure automatic access' }).waitFor();
    await dialogPage.waitForTimeout(700);
    await dialogPage.screenshot({ path: `${out}/dialog-${account.workspace}.png` });
  }
  // Pagination at the bottom of the page.
  await page.goto(`${base}/connect/admin`);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('26–31 of 31').waitFor();
  await page.screenshot({ path: `${out}/page-2.png`, fullPage: true });
}
await browser.close();
