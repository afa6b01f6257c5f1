import { describe, expect, it } from 'vitest';
import {
  accountRow,
  adminApi as callAdminApi,
  expectSentInvitations,
  focusIn,
  invitationRows,
  screenshot,
  textOf,
  useSandboxBrowser,
  type LinkForm,
  sectionMessage,
  optionsOf,
} from './support.js';

/*
 * The admin UI in a real browser, hosted by the local sandbox: a simulated Jira that frames the
 * app like Connect does (the admin page, its host dialog and flags), a simulated Bitbucket behind
 * it. Each test gets its own app and database (the sandbox's Jira site is always the same one),
 * so no test depends on what another one linked or created. Needs `npm run build:ui` first.
 * sandbox-forge.test.ts runs the main flow again with the sandbox playing Forge.
 */

const EMPTY_GROUPS = 'There are no Bitbucket groups configured for the selected account.';
const XSS = '<img src=x onerror=alert(1)>';

const session = useSandboxBrowser('connect');

const adminApi = (method: string, apiPath: string, body?: unknown) => callAdminApi(session.sandbox.baseUrl, method, apiPath, body);

/** Links a workspace and picks its default groups through the admin API; returns the linked account's id. */
async function linkThroughApi(form: LinkForm, groups: string[]): Promise<string> {
  const linked = await adminApi('POST', '/api/linked-accounts', {
    workspace: form.workspace,
    credentials: { type: 'oauth-consumer', key: form.key, secret: form.secret },
  });
  const id = linked.linkedAccount!.id;
  await adminApi('PUT', `/api/linked-accounts/${id}/default-groups`, { groups });
  return id;
}

const DEMO = { workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' };
/** What the browser reports about the 404s a page gets for an account unlinked elsewhere. */
const NOT_FOUND_AFTER_UNLINK =
  /^HTTP 404: (GET|PUT) .*\/api\/linked-accounts\/[^/]+\/(groups\?refresh=true|default-groups)$|^console error: Failed to load resource: .* 404 /;

// --- tests ---------------------------------------------------------------------------------

describe('the admin page in the sandbox', () => {
  it('links the demo workspace, configures automatic access and shows the invitations sent for a new Jira user', async () => {
    const { page, ui, problems } = session;
    const app = await ui.open();
    const form = await ui.demoCredentials();
    expect(form).toEqual({ workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' });

    const row = await ui.linkWorkspace(app, form);
    await row.getByText('No automatic invitations').waitFor();
    await page.getByRole('alert').filter({ hasText: 'Linked acme-demo' }).waitFor();

    const { dialog, frame } = await ui.openConfigureDialog(app, 'acme-demo');
    await frame.getByRole('checkbox', { name: 'Developers' }).check();
    await frame.getByRole('checkbox', { name: 'QA' }).check();
    expect(await frame.getByRole('checkbox', { checked: true }).count()).toBe(2);
    await screenshot(dialog, 'configure-dialog.png');
    await frame.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('alert').filter({ hasText: 'Automatic access saved' }).waitFor();
    const tags = row.getByRole('list', { name: /^Default groups of / }).getByRole('listitem');
    await expect.poll(() => tags.allTextContents()).toEqual(['Developers', 'QA']);

    await ui.createJiraUser('Grace Hopper', 'grace@example.com');
    // No click needed: the app's page refreshes its invitations by itself.
    const rows = await expectSentInvitations(app, 'grace@example.com', 2);
    for (const group of ['Developers', 'QA']) {
      const invitation = rows.filter({ hasText: group });
      expect(await textOf(invitation.getByRole('cell').nth(4))).toBe('sent');
      expect(await textOf(invitation.getByRole('cell').first())).toBe('Grace Hopper');
    }
    await row.getByText('just now').waitFor(); // "Last invitation sent"

    await ui.dismissFlags();
    await screenshot(page, 'admin-page.png');
    expect(problems).toEqual([]);
  });

  it("shows why the workspace couldn't be linked when Bitbucket rejects the credentials, and links nothing", async () => {
    const { ui, problems } = session;
    const app = await ui.open();
    const [badSecret] = await ui.demoHintValues('To see Bitbucket refuse the link');
    expect(badSecret).toBe('wrong-secret');
    const form = { ...(await ui.demoCredentials()), secret: badSecret! };

    const modal = await ui.submitLinkForm(app, form);
    const message = sectionMessage(modal, "Couldn't link the workspace");
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
    const { ui, problems } = session;
    const app = await ui.open();
    const [workspace, key] = await ui.demoHintValues('A workspace without groups');
    expect(workspace).toBe('empty-demo');
    await ui.linkWorkspace(app, { workspace: workspace!, key: key!, secret: await ui.demoValue('OAuth secret') });

    const { dialog, frame } = await ui.openConfigureDialog(app, 'empty-demo');
    await frame.getByText(EMPTY_GROUPS, { exact: true }).waitFor();
    expect(await frame.getByRole('checkbox').count()).toBe(0);

    await frame.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    await accountRow(app, 'empty-demo').getByText('No automatic invitations').waitFor();
    expect(problems).toEqual([]);
  });

  it('shows a user name holding HTML as text, never as markup', async () => {
    const { page, ui, problems } = session;
    await linkThroughApi(DEMO, ['developers']);
    const app = await ui.open();
    const name = `${XSS} Mallory`;
    await ui.createJiraUser(name, 'mallory@example.com');

    const invitation = invitationRows(app).filter({ hasText: 'mallory@example.com' });
    await invitation.waitFor({ timeout: 15_000 });
    expect(await textOf(invitation.getByRole('cell').first())).toBe(name);
    await page.getByRole('list', { name: 'Created users' }).getByText(name, { exact: true }).waitFor();
    expect(await app.locator('img').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(problems).toEqual([]); // no alert() either
  });

  it('works the actions menu and the dialog with the keyboard, with a visible focus', async () => {
    const { page, ui, problems } = session;
    await linkThroughApi(DEMO, ['developers']);
    const app = await ui.open();
    const trigger = app.getByRole('button', { name: 'Actions for acme-demo' });
    const menu = app.getByRole('menu');
    // The menu moves the focus when it has opened, a moment after the key: wait for it.
    const visibleFocusOn = async (name: string, role: string) => {
      await expect
        .poll(async () => {
          const focus = await focusIn(app);
          return { name: focus.name, role: focus.role };
        })
        .toEqual({ name, role });
      expect((await focusIn(app)).indicator, `focus indicator of ${name}`).not.toBe('');
    };

    // The trigger is in the tab order, after the workspace's link.
    await app.getByRole('button', { name: 'Link account' }).focus();
    for (let tabs = 0; (await focusIn(app)).name !== 'Actions for acme-demo' && tabs < 15; tabs++) await page.keyboard.press('Tab');
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
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });

    await trigger.focus();
    await page.keyboard.press('ArrowDown');
    await menu.waitFor();
    await visibleFocusOn('Configure automatic access', 'menuitem');
    await page.keyboard.press('Enter');
    const { dialog, frame } = await ui.configureDialog();
    const designers = frame.getByRole('checkbox', { name: 'Designers' });
    await designers.waitFor();
    // Tab reaches the groups; Space ticks one.
    for (let tabs = 0; (await focusIn(frame)).name !== 'Designers' && tabs < 15; tabs++) await page.keyboard.press('Tab');
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

  it('unlinks a workspace after saying what happens, and keeps its invitations, marked Unlinked', async () => {
    const { page, ui, problems } = session;
    await linkThroughApi(DEMO, ['developers']);
    const app = await ui.open();
    await ui.createJiraUser('Ada Lovelace', 'ada@example.com');
    await expectSentInvitations(app, 'ada@example.com', 1);

    await app.getByRole('button', { name: 'Actions for acme-demo' }).click();
    await app.getByRole('menu').getByRole('menuitem', { name: 'Unlink' }).click();
    const modal = app.getByRole('dialog', { name: 'Unlink acme-demo?' });
    for (const consequence of [
      'The record of its invitations stays in Recent invitations, marked Unlinked.',
      'Its credentials are deleted from this app.',
      'Invitations still queued for it are cancelled and show as skipped.',
    ]) {
      await modal.getByText(consequence, { exact: true }).waitFor();
    }
    await modal.getByRole('button', { name: 'Unlink' }).click();
    await modal.waitFor({ state: 'detached' });

    await page.getByRole('alert').filter({ hasText: 'Unlinked acme-demo' }).waitFor();
    await app.getByRole('heading', { name: 'No linked accounts yet' }).waitFor();
    const invitation = invitationRows(app).filter({ hasText: 'ada@example.com' });
    await expect.poll(() => textOf(invitation.getByRole('cell').nth(2))).toBe('acme-demoUnlinked');
    expect(await textOf(invitation.getByRole('cell').nth(4))).toBe('sent');
    await expect.poll(() => optionsOf(app, 'Linked account')).toEqual(['All', expect.stringMatching(/^acme-demo \(unlinked \d{1,2} \w{3} \d{4}\)$/)]);
    expect(problems).toEqual([]);
  });

  it('says the workspace was unlinked in another tab when Refresh groups or Save finds it gone, and updates the list', async () => {
    const { page, ui, problems } = session;
    const id = await linkThroughApi(DEMO, ['developers']);
    const app = await ui.open();

    const { dialog, frame } = await ui.openConfigureDialog(app, 'acme-demo');
    await frame.getByRole('checkbox', { name: 'QA' }).check();
    await adminApi('DELETE', `/api/linked-accounts/${id}`);
    await frame.getByRole('button', { name: 'Save' }).click();
    const banner = sectionMessage(frame, 'acme-demo is no longer linked');
    await banner.waitFor();
    expect(await textOf(banner)).toContain('It was unlinked in another tab or by another administrator, so nothing was saved.');
    expect(await frame.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await frame.getByRole('button', { name: 'Close' }).click();
    await dialog.waitFor({ state: 'detached' });
    await app.getByRole('heading', { name: 'No linked accounts yet' }).waitFor();

    const relinked = await linkThroughApi(DEMO, ['qa']);
    await page.reload();
    const again = await ui.open();
    await adminApi('DELETE', `/api/linked-accounts/${relinked}`);
    await again.getByRole('button', { name: 'Actions for acme-demo' }).click();
    await again.getByRole('menu').getByRole('menuitem', { name: 'Refresh groups' }).click();
    await page.getByRole('alert').filter({ hasText: 'acme-demo is no longer linked' }).waitFor();
    await again.getByRole('heading', { name: 'No linked accounts yet' }).waitFor();
    expect(problems.filter((problem) => !NOT_FOUND_AFTER_UNLINK.test(problem))).toEqual([]);
  });
});
