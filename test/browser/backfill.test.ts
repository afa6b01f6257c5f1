import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { adminApi as callAdminApi, invitationRows, screenshot, useSandboxBrowser } from './support.js';

/*
 * "Invite existing users" in a real browser, hosted by the sandbox playing Connect: people who
 * were on the site before its workspace was linked are invited from the page, with a progress bar.
 * Needs `npm run build:ui` first.
 */

const session = useSandboxBrowser('connect');
const DEMO = { workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' };
const PEOPLE = [
  { name: 'Ada Early', email: 'ada.early@example.com' },
  { name: 'Ben Early', email: 'ben.early@example.com' },
];

describe('inviting the existing users of the site from the admin page', () => {
  it('starts a backfill, shows its progress bar until every existing user is invited, and lists the invitations', async () => {
    const { page, ui, problems } = session;
    const app = await ui.open();
    // On the site before any workspace is linked: nobody invites them automatically.
    for (const person of PEOPLE) await ui.createJiraUser(person.name, person.email);
    const adminApi = (method: string, path: string, body?: unknown) => callAdminApi(session.sandbox.baseUrl, method, path, body);
    const linked = await adminApi('POST', '/api/linked-accounts', {
      workspace: DEMO.workspace,
      credentials: { type: 'oauth-consumer', key: DEMO.key, secret: DEMO.secret },
    });
    await adminApi('PUT', `/api/linked-accounts/${linked.linkedAccount!.id}/default-groups`, { groups: ['developers'] });
    await page.reload();

    const section = app.getByRole('region', { name: 'Invite existing users' });
    await section.getByRole('button', { name: 'Invite existing users' }).click();
    const bar = section.getByRole('progressbar');
    await bar.waitFor();
    const status = section.getByTestId('backfill-status');
    await expect.poll(() => status.textContent(), { timeout: 30_000, interval: 250 }).toMatch(/^Done: \d+ of \d+ invitations sent, 0 failed\.$/);
    expect(await bar.getAttribute('aria-valuenow')).toBe('1');
    await screenshot(section, 'invite-existing-users.png');

    // The list refreshes on its own every 30 s; a reload shows it at once.
    await page.reload();
    for (const person of PEOPLE) {
      await expect
        .poll(async () => (await invitationRows(app).allTextContents()).some((text) => text.includes(person.email) && text.includes('sent')), {
          timeout: 15_000,
        })
        .toBe(true);
    }
    // A second run finds nothing left to send.
    await section.getByRole('button', { name: 'Invite existing users' }).click();
    await expect.poll(() => status.textContent(), { timeout: 30_000, interval: 250 }).toMatch(/^Done: 0 of 0 invitations sent/);

    // Both backfills are in the audit log, and its export downloads as a CSV file.
    const audit = app.getByRole('region', { name: 'Audit log' });
    const [download] = await Promise.all([page.waitForEvent('download'), audit.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.split('\r\n')[0]).toBe('at,actorAccountId,linkedAccountId,action,subject,before,after');
    expect(csv.split('\r\n').filter((line) => line.includes(',backfill.started,'))).toHaveLength(2);
    expect(problems).toEqual([]);
  });
});
