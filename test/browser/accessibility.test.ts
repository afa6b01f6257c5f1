import { describe, expect, it } from 'vitest';
import {
  accountRow,
  adminApi as callAdminApi,
  appFrame,
  expectSentInvitations,
  focusIn,
  screenshot,
  seriousAxeViolations,
  useSandboxBrowser,
  type AxeViolation,
} from './support.js';

/*
 * The admin page in the host's light and dark themes: themed (the frame follows the sandbox's
 * Jira), checked by axe-core (no serious or critical violation on the page, the link form, the
 * dialog and the invitations list), and its main flow walked with the keyboard alone.
 */

const session = useSandboxBrowser('connect');
const adminApi = (method: string, apiPath: string, body?: unknown) => callAdminApi(session.sandbox.baseUrl, method, apiPath, body);

async function linkDemo(groups: string[]): Promise<void> {
  const linked = await adminApi('POST', '/api/linked-accounts', {
    workspace: 'acme-demo',
    credentials: { type: 'oauth-consumer', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' },
  });
  await adminApi('PUT', `/api/linked-accounts/${linked.linkedAccount!.id}/default-groups`, { groups });
}

const describeViolations = (violations: AxeViolation[]) => violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`);

/** The relative luminance of a CSS rgb() colour (0 black, 1 white). */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map((c) => {
    const v = Number(c) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

describe.each(['light', 'dark'] as const)('the admin page in the %s theme', (theme) => {
  it('follows the host theme and has no serious or critical accessibility violation on the page, the invitations, the link form and the dialog', async () => {
    const { page, ui, problems } = session;
    await linkDemo(['developers']);
    const app = await ui.open({ theme });
    await ui.createJiraUser('Ada Lovelace', 'ada@example.com');
    await expectSentInvitations(app, 'ada@example.com', 1);
    await ui.dismissFlags();
    const frame = await appFrame(page);

    // The host wrote its theme on the frame's <html>, and the page is drawn in it.
    await expect.poll(() => frame.evaluate(() => document.documentElement.dataset.atiThemeDrawn)).toBe(theme);
    expect(await frame.evaluate(() => document.documentElement.dataset.colorMode)).toBe(theme);
    const background = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    if (theme === 'dark') expect(luminance(background)).toBeLessThan(0.1);
    else expect(luminance(background)).toBeGreaterThan(0.9);
    // The sandbox's own chrome follows the theme too.
    expect(await page.evaluate(() => document.documentElement.dataset.colorMode)).toBe(theme);

    expect(describeViolations(await seriousAxeViolations(frame))).toEqual([]);
    expect(describeViolations(await seriousAxeViolations(frame, 'section[aria-labelledby="ati-invitations-title"]'))).toEqual([]);
    await screenshot(page, theme === 'dark' ? 'admin-page-dark.png' : 'admin-page-light-theme.png');

    // The link form (a modal of the page).
    await app.getByRole('button', { name: 'Link account' }).first().click();
    const modal = app.getByRole('dialog', { name: 'Link account' });
    await modal.getByRole('radio', { name: 'Bitbucket workspace' }).waitFor();
    expect(describeViolations(await seriousAxeViolations(frame))).toEqual([]);
    if (theme === 'dark') await screenshot(modal, 'link-form-dark.png');
    await modal.getByRole('button', { name: 'Cancel' }).click();
    await modal.waitFor({ state: 'detached' });

    // The dialog (its own frame in the host's dialog).
    await accountRow(app, 'acme-demo').getByRole('button', { name: 'Actions for acme-demo' }).click();
    await app.getByRole('menu').getByRole('menuitem', { name: 'Configure automatic access' }).click();
    const { dialog, frame: dialogView } = await ui.configureDialog();
    await dialogView.getByRole('checkbox', { name: 'Developers' }).waitFor();
    const dialogFrame = await appFrame(page, 'iframe[title="Configure automatic access"]');
    await expect.poll(() => dialogFrame.evaluate(() => document.documentElement.dataset.atiThemeDrawn)).toBe(theme);
    expect(describeViolations(await seriousAxeViolations(dialogFrame))).toEqual([]);
    if (theme === 'dark') await screenshot(dialog, 'configure-dialog-dark.png');
    await dialogView.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(problems).toEqual([]);
  });
});

describe('the theme', () => {
  it('follows the browser when the host matches it, and changes with the host without a reload', async () => {
    const { page, ui, problems } = session;
    await page.emulateMedia({ colorScheme: 'dark' });
    await ui.open({ theme: 'auto' });
    const frame = await appFrame(page);
    await expect.poll(() => frame.evaluate(() => document.documentElement.dataset.atiThemeDrawn)).toBe('dark');
    expect(await frame.evaluate(() => document.documentElement.hasAttribute('data-color-mode-auto'))).toBe(true);
    await page.emulateMedia({ colorScheme: 'light' });
    // Following the browser, the design system itself redraws and writes the mode it now draws.
    await expect.poll(() => frame.evaluate(() => document.documentElement.dataset.colorMode)).toBe('light');

    // The sandbox's theme switch, as Jira's: the open page follows at once.
    await page.getByRole('button', { name: /^Theme:/ }).click();
    await page.getByRole('menuitemradio', { name: 'Dark' }).click();
    await expect.poll(() => frame.evaluate(() => document.documentElement.dataset.atiThemeDrawn)).toBe('dark');
    expect(await frame.evaluate(() => document.documentElement.hasAttribute('data-color-mode-auto'))).toBe(false);
    const background = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(luminance(background)).toBeLessThan(0.1);
    expect(problems).toEqual([]);
  });
});

describe('the keyboard alone', () => {
  it('links a workspace, configures automatic access and saves it without a mouse', async () => {
    const { page, ui, problems } = session;
    const app = await ui.open();
    const demo = await ui.demoCredentials();
    /** Presses Tab until the focus in `frame` is on `name` (a bounded walk: failing means it is not reachable). */
    const tabTo = async (frame: Parameters<typeof focusIn>[0], name: string) => {
      for (let tabs = 0; tabs < 40 && (await focusIn(frame)).name !== name; tabs++) await page.keyboard.press('Tab');
      const focus = await focusIn(frame);
      expect(focus.name).toBe(name);
      expect(focus.indicator, `focus indicator of ${name}`).not.toBe('');
    };

    await tabTo(app, 'Link account');
    await page.keyboard.press('Enter');
    const modal = app.getByRole('dialog', { name: 'Link account' });
    await modal.waitFor();
    await tabTo(app, 'Workspace');
    await page.keyboard.type(demo.workspace);
    await tabTo(app, 'Key');
    await page.keyboard.type(demo.key);
    await tabTo(app, 'Secret');
    await page.keyboard.type(demo.secret);
    await page.keyboard.press('Enter');
    await modal.waitFor({ state: 'detached' });
    await accountRow(app, 'acme-demo').waitFor();

    await tabTo(app, 'Actions for acme-demo');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await focusIn(app)).name).toBe('Configure automatic access');
    await page.keyboard.press('Enter');
    const { dialog, frame } = await ui.configureDialog();
    await frame.getByRole('checkbox', { name: 'Developers' }).waitFor();
    await tabTo(frame, 'Developers');
    await page.keyboard.press('Space');
    await tabTo(frame, 'Save');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('alert').filter({ hasText: 'Automatic access saved' }).waitFor();
    await expect.poll(() => accountRow(app, 'acme-demo').getByRole('listitem').allTextContents()).toEqual(['Developers']);
    expect(problems).toEqual([]);
  });
});
