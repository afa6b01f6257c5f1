// Walks the newcomer's path against the REAL server in sandbox mode (npx tsx src/main.ts):
//   node static/dev/e2e-real-server.mjs http://localhost:3000
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:3000';
const out = new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
page.on('pageerror', (e) => console.log('[pageerror]', e.message));
const step = (s) => console.log('step:', s);

await page.goto(`${base}/sandbox/`);
const state = await (await fetch(`${base}/sandbox/api/state`)).json();
const app = page.frameLocator('iframe[title="Automatic team invitations"]');
await app.getByRole('heading', { name: 'Automatic team invitations' }).waitFor();
step('page loaded');

await app.getByRole('button', { name: 'Link Bitbucket Cloud account' }).click();
await app.getByLabel('Workspace').fill(state.demo.workspace);
await app.getByLabel('Key', { exact: true }).fill(state.demo.oauthKey);
await app.getByLabel('Secret', { exact: true }).fill(state.demo.badSecret);
await app.getByRole('button', { name: 'Link account' }).click();
await app.getByRole('alert').filter({ hasText: "Couldn't link the workspace" }).waitFor();
step('bad secret refused: ' + (await app.getByRole('alert').filter({ hasText: "Couldn't link" }).innerText()).replace(/\s+/g, ' '));
await page.screenshot({ path: `${out}/real-01-refused.png` });
await app.getByLabel('Secret', { exact: true }).fill(state.demo.oauthSecret);
await app.getByRole('button', { name: 'Link account' }).click();
await app.getByRole('dialog').waitFor({ state: 'detached' });
step('linked');

await app.getByRole('button', { name: `Actions for ${state.demo.workspace}` }).click();
await app.getByRole('menuitem', { name: 'Configure automatic access' }).click();
const dialog = page.frameLocator('iframe[title="Configure automatic access"]');
await dialog.getByRole('dialog', { name: 'Configure automatic access' }).waitFor();
await dialog.getByLabel('Developers').check();
await dialog.getByLabel('QA').check();
await page.screenshot({ path: `${out}/real-02-configure.png` });
await dialog.getByRole('button', { name: 'Save' }).click();
await page.getByText('Automatic access saved').waitFor();
step('saved; row: ' + (await app.getByRole('table', { name: 'Linked accounts' }).getByRole('row').nth(1).innerText()).replace(/\s+/g, ' '));

await page.getByLabel('Display name').fill('Grace Hopper');
await page.getByLabel('Email').fill('grace@example.com');
await page.getByRole('button', { name: 'Create user' }).click();
await page.getByText('Created users').waitFor();
await page.getByLabel('Display name').fill('Private Pat');
await page.getByRole('button', { name: 'Create user' }).click();
await page.getByText('Private Pat').waitFor();
step('users created');
await page.waitForTimeout(1500);
await app.getByRole('heading', { name: 'Recent invitations' }).click(); // focus the frame: refreshes the list
const invitations = app.getByRole('table', { name: 'Recent invitations' });
await invitations.getByText('sent', { exact: true }).first().waitFor({ timeout: 30_000 });
await page.waitForTimeout(6000);
step('invitations:\n' + (await invitations.innerText()));
await page.screenshot({ path: `${out}/real-03-invitations.png` });
await browser.close();
