// Quick keyboard checks of the page (focus trap, Escape, focus return, menu keys).
import { chromium } from 'playwright-core';
const base = process.argv[2] ?? 'http://localhost:3999';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
const page = await browser.newPage();
page.on('pageerror', (e) => console.log('[pageerror]', e.message));
const active = () => page.evaluate(() => { const a = document.activeElement; return a ? `${a.tagName} ${a.getAttribute('aria-label') ?? a.textContent?.trim().slice(0, 40)}` : 'none'; });
const check = (label, ok) => console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`);

await page.goto(`${base}/connect/admin`);
await page.getByRole('button', { name: 'Link Bitbucket Cloud account' }).click();
const dialog = page.getByRole('dialog', { name: 'Link Bitbucket Cloud account' });
await dialog.waitFor();
check('focus starts in the workspace field', (await active()).startsWith('INPUT'));
check('page behind is inert', await page.evaluate(() => document.getElementById('root').inert === true));
const seen = new Set();
for (let i = 0; i < 12; i += 1) {
  await page.keyboard.press('Tab');
  const inside = await page.evaluate(() => !!document.activeElement?.closest('[role="dialog"]'));
  if (!inside) check('Tab stays in the modal', false);
  seen.add(await active());
}
check(`Tab cycles inside the modal (${seen.size} stops)`, true);
await page.keyboard.press('Escape');
await dialog.waitFor({ state: 'detached' });
check('Escape closes, focus returns to the opener', (await active()).includes('Link Bitbucket Cloud account'));

const trigger = page.getByRole('button', { name: 'Actions for acme' });
await trigger.focus();
await page.keyboard.press('ArrowDown');
check('ArrowDown opens the menu on the first item', (await active()).includes('Configure automatic access'));
await page.keyboard.press('End');
check('End goes to Unlink', (await active()).includes('Unlink'));
await page.keyboard.press('ArrowDown');
check('ArrowDown wraps', (await active()).includes('Configure automatic access'));
await page.keyboard.press('Escape');
check('Escape returns to the trigger', (await active()).includes('Actions for acme'));
check('aria-expanded false after close', (await trigger.getAttribute('aria-expanded')) === 'false');
await page.keyboard.press('Enter');
await page.keyboard.press('ArrowUp');
await page.keyboard.press('Enter');
await page.getByRole('dialog', { name: 'Unlink acme?' }).waitFor();
check('Unlink via keyboard opens the confirmation with focus on Cancel', (await active()).includes('Cancel'));
await page.keyboard.press('Escape');
check('focus back on the trigger after the confirmation', (await active()).includes('Actions for acme'));
await browser.close();
