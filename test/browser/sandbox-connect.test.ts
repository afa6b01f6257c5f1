import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandboxApp, type SandboxApp } from '../support/sandbox-app.js';

/*
 * The admin UI in a real browser, hosted by the local sandbox: a simulated Jira that frames the
 * app like Connect does (the admin page, its host dialog and flags), a simulated Bitbucket behind
 * it. Each test gets its own app and database (the sandbox's Jira site is always the same one),
 * so no test depends on what another one linked or created. Needs `npm run build:ui` first.
 */

const SCREENSHOTS = path.resolve('docs/screenshots');
const APP_FRAME = 'Automatic team invitations';
const DIALOG = 'Configure automatic access';
const EMPTY_GROUPS = 'There are no Bitbucket groups configured for the selected account.';
const XSS = '<img src=x onerror=alert(1)>';

let browser: Browser;
let sandbox: SandboxApp;
let context: BrowserContext;
let page: Page;
/** What went wrong in the browser: uncaught errors, console errors, failed requests, any alert(). */
let problems: string[];

beforeAll(async () => {
  // chromium.launch gives the browser a fresh profile (user-data dir) of its own, deleted on close.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  sandbox = await startSandboxApp();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`${dialog.type()}() called: ${dialog.message()}`);
    void dialog.dismiss();
  });
});

afterEach(async () => {
  await context?.close();
  await sandbox?.stop();
});

// --- helpers -------------------------------------------------------------------------------

/** Opens the sandbox host page and waits until the app's page inside it has loaded its data. */
async function openSandbox(): Promise<FrameLocator> {
  await page.goto(`${sandbox.baseUrl}/sandbox/`);
  const app = page.frameLocator(`iframe[title="${APP_FRAME}"]`);
  await app.getByRole('heading', { level: 1, name: 'Automatic team invitations' }).waitFor();
  await app.getByRole('table', { name: 'Linked accounts' }).or(app.getByRole('heading', { name: 'No linked accounts yet' })).waitFor();
  await app.getByRole('table', { name: 'Recent invitations' }).or(app.getByRole('heading', { name: 'No invitations yet' })).waitFor();
  return app;
}

function demoPanel(): Locator {
  return page.getByRole('region', { name: 'Demo workspace' });
}

/** A value of the sandbox's "Demo workspace" panel, read as a person would copy it. */
async function demoValue(label: string): Promise<string> {
  const item = demoPanel()
    .locator('.sbx-value')
    .filter({ has: page.getByRole('term').getByText(label, { exact: true }) });
  return (await item.getByRole('definition').locator('code').innerText()).trim();
}

/** The `code` values of the panel's hint that starts with `hint`. */
async function demoHintValues(hint: string): Promise<string[]> {
  const texts = await demoPanel().locator('p').filter({ hasText: hint }).locator('code').allInnerTexts();
  return texts.map((text) => text.trim());
}

async function demoCredentials(): Promise<LinkForm> {
  return { workspace: await demoValue('Workspace'), key: await demoValue('OAuth key'), secret: await demoValue('OAuth secret') };
}

type LinkForm = { workspace: string; key: string; secret: string };

/** Opens "Link Bitbucket Cloud account", fills it in and submits it; returns the app's modal. */
async function submitLinkForm(app: FrameLocator, form: LinkForm): Promise<Locator> {
  await app.getByRole('button', { name: 'Link Bitbucket Cloud account' }).first().click();
  const modal = app.getByRole('dialog', { name: 'Link Bitbucket Cloud account' });
  await modal.getByRole('textbox', { name: 'Workspace' }).fill(form.workspace);
  await modal.getByRole('radio', { name: 'OAuth consumer' }).check();
  await modal.getByRole('textbox', { name: 'Key' }).fill(form.key);
  await modal.getByLabel('Secret', { exact: true }).fill(form.secret);
  await modal.getByRole('button', { name: 'Link account' }).click();
  return modal;
}

async function linkWorkspace(app: FrameLocator, form: LinkForm): Promise<Locator> {
  const modal = await submitLinkForm(app, form);
  await modal.waitFor({ state: 'detached' });
  const row = accountRow(app, form.workspace);
  await row.waitFor();
  return row;
}

/** Links a workspace and picks its default groups through the admin API, as the sandbox's admin. */
async function linkThroughApi(form: LinkForm, groups: string[]): Promise<void> {
  const tokenResponse = await fetch(`${sandbox.baseUrl}/sandbox/api/context-token`, { method: 'POST' });
  const { token } = (await tokenResponse.json()) as { token: string };
  const call = async (method: string, apiPath: string, body: unknown) => {
    const response = await fetch(`${sandbox.baseUrl}${apiPath}`, {
      method,
      headers: { Authorization: `JWT ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { linkedAccount?: { id: string } };
    if (!response.ok) throw new Error(`${method} ${apiPath} answered ${response.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const linked = await call('POST', '/api/linked-accounts', {
    workspace: form.workspace,
    credentials: { type: 'oauth-consumer', key: form.key, secret: form.secret },
  });
  await call('PUT', `/api/linked-accounts/${linked.linkedAccount!.id}/default-groups`, { groups });
}

function accountRow(app: FrameLocator, workspace: string): Locator {
  return app
    .getByRole('table', { name: 'Linked accounts' })
    .getByRole('row')
    .filter({ has: app.getByRole('button', { name: `Actions for ${workspace}` }) });
}

/** Picks "Configure automatic access" in the row's actions menu; returns the host's dialog and its frame. */
async function openConfigureDialog(app: FrameLocator, workspace: string): Promise<{ dialog: Locator; frame: FrameLocator }> {
  await app.getByRole('button', { name: `Actions for ${workspace}` }).click();
  await app.getByRole('menu', { name: `Actions for ${workspace}` }).getByRole('menuitem', { name: 'Configure automatic access' }).click();
  return configureDialog();
}

async function configureDialog(): Promise<{ dialog: Locator; frame: FrameLocator }> {
  const dialog = page.getByRole('dialog', { name: DIALOG });
  await dialog.waitFor();
  const frame = dialog.frameLocator('iframe');
  await frame.getByRole('heading', { name: DIALOG }).waitFor();
  return { dialog, frame };
}

function invitationRows(app: FrameLocator): Locator {
  return app.getByRole('table', { name: 'Recent invitations' }).locator('tbody tr');
}

/** Text content (not innerText: the lozenges are upper-cased by CSS), whitespace collapsed. */
async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Creates a user with the sandbox's "Create a Jira user" form, which sends the app the user_created webhook. */
async function createJiraUser(displayName: string, email: string): Promise<void> {
  const panel = page.getByRole('region', { name: 'Create a Jira user' });
  await panel.getByRole('textbox', { name: 'Display name' }).fill(displayName);
  await panel.getByRole('textbox', { name: 'Email' }).fill(email);
  await panel.getByRole('button', { name: 'Create user' }).click();
  await panel.getByRole('list', { name: 'Created users' }).getByText(email).waitFor();
}

/** Dismisses the host's flags (for a clean screenshot). */
async function dismissFlags(): Promise<void> {
  const dismiss = page.getByRole('region', { name: 'Notifications' }).getByRole('button', { name: 'Dismiss' });
  while ((await dismiss.count()) > 0) await dismiss.first().click();
}

async function screenshot(target: Page | Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await target.screenshot({ path: path.join(SCREENSHOTS, name), animations: 'disabled', caret: 'hide' });
}

/** What has the keyboard focus inside `frame`, and whether it shows a focus indicator. */
async function focusIn(frame: FrameLocator): Promise<{ name: string; role: string | null; indicator: string }> {
  return frame.locator(':root').evaluate((root) => {
    const element = root.ownerDocument.activeElement as HTMLElement | null;
    if (!element || element === root.ownerDocument.body) return { name: '', role: null, indicator: '' };
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 ? `outline ${style.outlineWidth} ${style.outlineStyle}` : '';
    const shadow = style.boxShadow !== 'none' ? `box-shadow ${style.boxShadow}` : '';
    const label = (element as HTMLInputElement).labels?.[0]?.textContent;
    return {
      name: (element.getAttribute('aria-label') ?? label ?? element.textContent ?? '').trim(),
      role: element.getAttribute('role') ?? element.tagName.toLowerCase(),
      indicator: [outline, shadow].filter(Boolean).join('; '),
    };
  });
}

// --- tests ---------------------------------------------------------------------------------

describe('the admin page in the sandbox', () => {
  it('links the demo workspace, configures automatic access and shows the invitations sent for a new Jira user', async () => {
    const app = await openSandbox();
    const form = await demoCredentials();
    expect(form).toEqual({ workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' });

    const row = await linkWorkspace(app, form);
    await row.getByText('No automatic invitations').waitFor();
    await page.getByRole('alert').filter({ hasText: 'Linked acme-demo' }).waitFor();

    const { dialog, frame } = await openConfigureDialog(app, 'acme-demo');
    await frame.getByRole('checkbox', { name: 'Developers' }).check();
    await frame.getByRole('checkbox', { name: 'QA' }).check();
    expect(await frame.getByRole('checkbox', { checked: true }).count()).toBe(2);
    await screenshot(dialog, 'configure-dialog.png');
    await frame.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('alert').filter({ hasText: 'Automatic access saved' }).waitFor();
    const tags = row.getByRole('list', { name: /^Default groups of / }).getByRole('listitem');
    await expect.poll(() => tags.allTextContents()).toEqual(['Developers', 'QA']);

    await createJiraUser('Grace Hopper', 'grace@example.com');
    // No click needed: the app's page refreshes its invitations by itself.
    const rows = invitationRows(app);
    await expect
      .poll(async () => (await rows.allTextContents()).map((text) => text.includes('grace@example.com') && /sent/.test(text)), {
        timeout: 15_000,
        interval: 250,
      })
      .toEqual([true, true]);
    for (const group of ['Developers', 'QA']) {
      const invitation = rows.filter({ hasText: group });
      expect(await textOf(invitation.getByRole('cell').nth(4))).toBe('sent');
      expect(await textOf(invitation.getByRole('cell').first())).toBe('Grace Hopper');
    }
    await row.getByText('just now').waitFor(); // "Last invitation sent"

    await dismissFlags();
    await screenshot(page, 'admin-page.png');
    expect(problems).toEqual([]);
  });

  it("shows why the workspace couldn't be linked when Bitbucket rejects the credentials, and links nothing", async () => {
    const app = await openSandbox();
    const [badSecret] = await demoHintValues('To see Bitbucket refuse the link');
    expect(badSecret).toBe('wrong-secret');
    const form = { ...(await demoCredentials()), secret: badSecret! };

    const modal = await submitLinkForm(app, form);
    const message = modal.locator('.ads-section-message').filter({ hasText: "Couldn't link the workspace" });
    await message.waitFor();
    expect(await textOf(message)).toMatch(/Bitbucket rejected these credentials for "acme-demo"/);
    // The form stays open with what was typed, ready for a corrected secret.
    expect(await modal.getByRole('textbox', { name: 'Workspace' }).inputValue()).toBe('acme-demo');
    expect(await modal.getByRole('button', { name: 'Link account' }).isEnabled()).toBe(true);

    await modal.getByRole('button', { name: 'Cancel' }).click();
    await modal.waitFor({ state: 'detached' });
    await app.getByRole('heading', { name: 'No linked accounts yet' }).waitFor();
    expect(await app.getByRole('table', { name: 'Linked accounts' }).count()).toBe(0);
    // The link request failed on purpose (the browser logs that); nothing else may have gone wrong.
    const expected = /^HTTP 422: POST .*\/api\/linked-accounts$|^console error: Failed to load resource: .* 422 .*\/api\/linked-accounts\)$/;
    expect(problems.filter((problem) => !expected.test(problem))).toEqual([]);
  });

  it('says so when the linked workspace has no Bitbucket groups', async () => {
    const app = await openSandbox();
    const [workspace, key] = await demoHintValues('A workspace without groups');
    expect(workspace).toBe('empty-demo');
    await linkWorkspace(app, { workspace: workspace!, key: key!, secret: await demoValue('OAuth secret') });

    const { dialog, frame } = await openConfigureDialog(app, 'empty-demo');
    await frame.getByText(EMPTY_GROUPS, { exact: true }).waitFor();
    expect(await frame.getByRole('checkbox').count()).toBe(0);

    await frame.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await accountRow(app, 'empty-demo').getByText('No automatic invitations').waitFor();
    expect(problems).toEqual([]);
  });

  it('shows a user name holding HTML as text, never as markup', async () => {
    await linkThroughApi(
      { workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' },
      ['developers'],
    );
    const app = await openSandbox();
    const name = `${XSS} Mallory`;
    await createJiraUser(name, 'mallory@example.com');

    const invitation = invitationRows(app).filter({ hasText: 'mallory@example.com' });
    await invitation.waitFor({ timeout: 15_000 });
    expect(await textOf(invitation.getByRole('cell').first())).toBe(name);
    await page.getByRole('list', { name: 'Created users' }).getByText(name, { exact: true }).waitFor();
    expect(await app.locator('img').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(problems).toEqual([]); // no alert() either
  });

  it('works the actions menu and the dialog with the keyboard, with a visible focus', async () => {
    await linkThroughApi(
      { workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' },
      ['developers'],
    );
    const app = await openSandbox();
    const trigger = app.getByRole('button', { name: 'Actions for acme-demo' });
    const menu = app.getByRole('menu', { name: 'Actions for acme-demo' });
    const visibleFocusOn = async (name: string, role: string) => {
      const focus = await focusIn(app);
      expect(focus).toMatchObject({ name, role });
      expect(focus.indicator, `focus indicator of ${name}`).not.toBe('');
    };

    // The trigger is in the tab order, after the workspace's link.
    await app.getByRole('button', { name: 'Link Bitbucket Cloud account' }).focus();
    for (let tabs = 0; (await focusIn(app)).name !== 'Actions for acme-demo' && tabs < 5; tabs++) await page.keyboard.press('Tab');
    await visibleFocusOn('Actions for acme-demo', 'button');
    await page.keyboard.press('Enter');
    await menu.waitFor();
    expect(await trigger.getAttribute('aria-expanded')).toBe('true');
    await visibleFocusOn('Configure automatic access', 'menuitem');

    await page.keyboard.press('ArrowDown');
    await visibleFocusOn('Refresh groups', 'menuitem');
    await page.keyboard.press('ArrowDown');
    await visibleFocusOn('Update credentials', 'menuitem');
    await page.keyboard.press('ArrowDown');
    await visibleFocusOn('Unlink', 'menuitem');
    await page.keyboard.press('ArrowDown'); // wraps around
    await visibleFocusOn('Configure automatic access', 'menuitem');
    await page.keyboard.press('ArrowUp');
    await visibleFocusOn('Unlink', 'menuitem');

    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await visibleFocusOn('Actions for acme-demo', 'button');

    await page.keyboard.press(' ');
    await menu.waitFor();
    await visibleFocusOn('Configure automatic access', 'menuitem');
    await page.keyboard.press('Tab'); // leaves the menu, which closes
    await menu.waitFor({ state: 'detached' });

    await trigger.focus();
    await page.keyboard.press('ArrowDown');
    await visibleFocusOn('Configure automatic access', 'menuitem');
    await page.keyboard.press('Enter');
    const { dialog, frame } = await configureDialog();
    const designers = frame.getByRole('checkbox', { name: 'Designers' });
    await designers.waitFor();
    // Tab reaches the groups; Space ticks one.
    for (let tabs = 0; (await focusIn(frame)).name !== 'Designers' && tabs < 5; tabs++) await page.keyboard.press('Tab');
    const focus = await focusIn(frame);
    expect(focus).toMatchObject({ name: 'Designers', role: 'input' });
    expect(focus.indicator).not.toBe('');
    await page.keyboard.press('Space');
    expect(await designers.isChecked()).toBe(true);
    await page.keyboard.press('Escape'); // cancels
    await dialog.waitFor({ state: 'detached' });
    // The focus goes back to the menu's trigger, as after a modal.
    await expect.poll(() => focusIn(app)).toMatchObject({ name: 'Actions for acme-demo', role: 'button' });
    expect((await focusIn(app)).indicator).not.toBe('');
    const tags = accountRow(app, 'acme-demo').getByRole('listitem');
    expect(await tags.allTextContents()).toEqual(['Developers']);
    expect(problems).toEqual([]);
  });
});
