import { describe, expect, it } from 'vitest';
import { accountRow, adminApi as callAdminApi, expectSentInvitations, invitationRows, useSandboxBrowser } from './support.js';

/*
 * The admin page where it is narrow (a laptop with Jira's sidebar open) and where values are long
 * (one unbroken name or email address): every column and the row actions stay reachable, and a long
 * value is cut with its whole text on hover instead of pushing the other columns out of view.
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

describe('the admin page, narrow and with long values', () => {
  it('keeps every column and the actions menu of the linked accounts reachable when the page is 600 px wide', async () => {
    const { page, ui, problems } = session;
    await linkDemo(['developers']);
    await ui.open();
    // The sandbox's side columns stay: size the window so that the app's frame is 600 px wide.
    const frame = page.locator('main iframe');
    const wide = (await frame.boundingBox())!.width;
    await page.setViewportSize({ width: Math.round(1440 - wide + 600), height: 900 });
    await expect.poll(async () => Math.round((await frame.boundingBox())!.width)).toBe(600);
    const app = await ui.open();

    const scroller = app.getByRole('region', { name: 'Linked accounts table' });
    const sizes = await scroller.evaluate((el) => ({
      client: el.clientWidth,
      scroll: el.scrollWidth,
      pageOverflows: el.ownerDocument.documentElement.scrollWidth > el.ownerDocument.documentElement.clientWidth,
    }));
    // The table is wider than the page: it scrolls inside its own box, and the page itself does not overflow.
    expect(sizes.scroll).toBeGreaterThan(sizes.client);
    expect(sizes.pageOverflows).toBe(false);

    // The last columns are reachable: scrolled to, they are inside the visible box.
    const status = app.getByRole('table', { name: 'Linked accounts' }).getByRole('columnheader', { name: 'Status' });
    await status.scrollIntoViewIfNeeded();
    const box = (await scroller.boundingBox())!;
    const statusBox = (await status.boundingBox())!;
    expect(statusBox.x + statusBox.width).toBeLessThanOrEqual(box.x + box.width + 1);
    // And the row's actions menu opens, offering Configure automatic access.
    await accountRow(app, 'acme-demo').getByRole('button', { name: 'Actions for acme-demo' }).click();
    await app.getByRole('menu').getByRole('menuitem', { name: 'Configure automatic access' }).click();
    const { dialog } = await ui.configureDialog();
    await dialog.getByRole('heading').or(dialog.locator('iframe')).first().waitFor();
    expect(problems).toEqual([]);
  });

  it('cuts a long unbroken name and email address with the whole value on hover, and keeps the other columns in view', async () => {
    const { page, ui, problems } = session;
    await linkDemo(['developers']);
    const app = await ui.open();
    const name = `Maximiliana${'x'.repeat(70)}`;
    const email = `maximiliana.${'y'.repeat(70)}@example.com`;
    await ui.createJiraUser(name, email);
    await expectSentInvitations(app, email, 1);

    const row = invitationRows(app).first();
    // The long values take no more room than a column's share: the columns after them stay in view.
    for (const cell of [row.getByRole('cell').nth(0), row.getByRole('cell').nth(1)]) expect((await cell.boundingBox())!.width).toBeLessThan(260);
    const scroller = app.getByRole('region', { name: 'Recent invitations table' });
    const status = (await row.getByRole('cell').nth(4).boundingBox())!;
    const box = (await scroller.boundingBox())!;
    expect(status.x + status.width).toBeLessThanOrEqual(box.x + box.width + 1);
    // The whole name shows on hover, in a tooltip.
    await row.getByText(name).hover();
    await expect.poll(async () => app.getByRole('tooltip').textContent()).toBe(name);
    // The linked account's name stays on one line.
    const workspace = row.getByRole('cell').nth(2).getByText('acme-demo', { exact: true });
    const height = (await workspace.boundingBox())!.height;
    const line = await workspace.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect(height).toBeLessThan(line * 1.5);

    // The sandbox's "Created users" card keeps the long values inside it.
    const card = page.getByRole('list', { name: 'Created users' }).getByRole('listitem').first();
    const overflow = await card.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await card.getByText(email).hover();
    await expect.poll(async () => page.getByRole('tooltip').textContent()).toBe(email);
    expect(problems).toEqual([]);
  });
});
