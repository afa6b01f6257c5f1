// Takes screenshots of the sandbox + app served by fixture-server.mjs.
//   node static/dev/screenshot.mjs [baseUrl] [outDir]
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.argv[2] ?? 'http://localhost:3999';
const out = process.argv[3] ?? new URL('./screenshots/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
page.on('console', (m) => console.log('[console]', m.type(), m.text()));
page.on('pageerror', (e) => console.log('[pageerror]', e.message));
const shot = (name) => page.screenshot({ path: `${out}/${name}.png` });

await page.goto(`${base}/sandbox/`);
const app = page.frameLocator('iframe[title="Automatic team invitations"]');
await app.getByRole('heading', { name: 'Automatic team invitations' }).waitFor();
await app.getByRole('table').first().waitFor();
await shot('01-sandbox');

// Actions menu via keyboard.
await app.getByRole('button', { name: 'Actions for acme' }).focus();
await page.keyboard.press('Enter');
await app.getByRole('menuitem', { name: 'Configure automatic access' }).waitFor();
await page.keyboard.press('ArrowDown');
await shot('02-menu');
await page.keyboard.press('Escape');

// Link form validation.
await app.getByRole('button', { name: 'Link Bitbucket Cloud account' }).click();
await app.getByRole('dialog', { name: 'Link Bitbucket Cloud account' }).waitFor();
await app.getByLabel('Workspace').fill('acme demo');
await app.getByRole('button', { name: 'Link account' }).click();
await shot('03-link-validation');
await app.getByLabel('Workspace').fill('acme-demo');
await app.getByLabel('Key', { exact: true }).fill('k');
await app.getByLabel('Secret', { exact: true }).fill('wrong-secret');
await app.getByRole('button', { name: 'Link account' }).click();
await app.getByText('Bitbucket refused the credentials').waitFor();
await shot('04-link-refused');
await app.getByLabel('Secret', { exact: true }).fill('right');
await app.getByRole('button', { name: 'Link account' }).click();
await app.getByRole('dialog').waitFor({ state: 'detached' });
await page.getByText('Linked acme-demo').waitFor();
await shot('05-linked-flag');

// Configure automatic access (host dialog).
await app.getByRole('button', { name: 'Actions for acme-demo' }).click();
await app.getByRole('menuitem', { name: 'Configure automatic access' }).click();
const dialog = page.frameLocator('iframe[title="Configure automatic access"]');
await dialog.getByRole('dialog', { name: 'Configure automatic access' }).waitFor();
await dialog.getByLabel('Developers').waitFor();
await shot('06-configure-empty-selection');
await dialog.getByLabel('Developers').check();
await dialog.getByLabel('QA').check();
await shot('07-configure-ticked');
await dialog.getByRole('button', { name: 'Save' }).click();
await page.getByText('Automatic access saved').waitFor();
await shot('08-saved');

// Unlink confirmation.
await app.getByRole('button', { name: 'Actions for initech' }).click();
await app.getByRole('menuitem', { name: 'Unlink' }).click();
await app.getByRole('dialog', { name: 'Unlink initech?' }).waitFor();
await shot('09-unlink');
await page.keyboard.press('Escape');

// Update credentials from the status cell.
await app.getByRole('button', { name: 'Update credentials' }).click();
await app.getByRole('radio', { name: 'API token' }).waitFor();
await shot('10-update-credentials');
await page.keyboard.press('Escape');

// Invitations: filter + pagination + create a user.
await app.getByRole('heading', { name: 'Recent invitations' }).scrollIntoViewIfNeeded();
await shot('11-invitations');
await page.getByLabel('Display name').fill('Grace Hopper');
await page.getByLabel('Email').fill('grace@example.com');
await page.getByRole('button', { name: 'Create user' }).click();
await page.getByText('Created users').waitFor();
await shot('12-created-user');
await app.getByLabel('Status').selectOption('failed');
await app.getByRole('button', { name: 'Retry' }).first().waitFor();
await shot('13-failed-filter');
await app.getByRole('button', { name: 'Retry' }).first().click();
await page.getByText('Invitation queued again').waitFor();
await shot('14-retried');

await browser.close();
