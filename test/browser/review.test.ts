import { describe, expect, it } from 'vitest';
import { accountRow, adminApi as callAdminApi, expectSentInvitations, invitationRows, screenshot, textOf, useSandboxBrowser } from './support.js';

/*
 * Invitation strategies in a real browser, in the sandbox playing Connect: Review first chosen in
 * "Configure automatic access" and a new user sent from Pending review with changed groups; a rule
 * added in the Rules section choosing another group for one email domain. Needs `npm run build:ui` first.
 */

const session = useSandboxBrowser('connect');
const DEMO = { workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' };

async function linkDemo(groups: string[]): Promise<string> {
  const linked = await callAdminApi(session.sandbox.baseUrl, 'POST', '/api/linked-accounts', {
    workspace: DEMO.workspace,
    credentials: { type: 'oauth-consumer', key: DEMO.key, secret: DEMO.secret },
  });
  const id = linked.linkedAccount!.id;
  await callAdminApi(session.sandbox.baseUrl, 'PUT', `/api/linked-accounts/${id}/default-groups`, { groups });
  return id;
}

describe('invitation strategies on the admin page', () => {
  it(
    'holds a new user in Pending review when the mode is Review first, and sends them to the groups the admin changed',
    { timeout: 120_000 },
    async () => {
      const { page, ui, problems } = session;
      await linkDemo(['developers']);
      const app = await ui.open();
      await accountRow(app, DEMO.workspace).waitFor();

      const { dialog, frame } = await ui.openConfigureDialog(app, DEMO.workspace);
      await frame.getByRole('radio', { name: 'Review first' }).check();
      await frame.getByText('New Jira users wait in Pending review').waitFor();
      await screenshot(dialog, 'configure-dialog-review-first.png');
      await frame.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });

      await ui.createJiraUser('Rae Review', 'rae@example.com');
      const section = app.getByRole('region', { name: 'Pending review' });
      // The section asks again every 15 s (or sooner, when the invitations list changes): allow two rounds.
      await section.getByText('1 waiting').waitFor({ timeout: 35_000 });
      const entry = section.getByTestId('pending-review-entry').filter({ hasText: 'Rae Review' });
      await entry.getByText('Developers').waitFor();
      expect(await invitationRows(app).filter({ hasText: 'rae@example.com' }).count()).toBeLessThanOrEqual(1);
      await ui.dismissFlags();
      await screenshot(section, 'pending-review.png');

      await entry.getByRole('button', { name: 'Change groups' }).click();
      await entry.getByRole('checkbox', { name: 'Developers' }).uncheck();
      await entry.getByRole('checkbox', { name: 'QA' }).check();
      await entry.getByRole('button', { name: 'Send to these groups' }).click();
      await page.getByRole('alert').filter({ hasText: 'Invitations for Rae Review are on their way' }).waitFor();
      await section.waitFor({ state: 'detached' });

      const rows = invitationRows(app);
      await expect
        .poll(async () => (await rows.filter({ hasText: 'rae@example.com' }).allTextContents()).map((t) => t.replace(/\s+/g, ' ')).sort(), {
          timeout: 15_000,
        })
        .toEqual([expect.stringMatching(/Developers.*skipped.*Default groups/), expect.stringMatching(/QA.*sent.*Chosen in review/)]);
      expect(problems).toEqual([]);
    },
  );

  it('invites a new user by the first rule that matches their email domain, and says so in the invitations list', async () => {
    const { ui, problems } = session;
    await linkDemo(['developers']);
    const app = await ui.open();
    const rules = app.getByRole('region', { name: 'Rules' });
    await rules.getByText('No rules: every new user gets the default groups.').waitFor();
    await rules.getByRole('button', { name: 'Add rule' }).click();

    const modal = app.getByRole('dialog', { name: 'Add rule' });
    await modal.getByRole('textbox', { name: 'Rule name' }).fill('Designers by domain');
    await modal.getByRole('radio', { name: 'Email domain' }).check();
    await modal.getByRole('textbox', { name: 'Email domains' }).fill('Design.Example');
    await modal.getByRole('checkbox', { name: 'Designers' }).check();
    await screenshot(modal, 'rule-dialog.png');
    await modal.getByRole('button', { name: 'Save rule' }).click();
    await modal.waitFor({ state: 'detached' });
    await rules.getByText('When email domain is design.example (or a subdomain): invite to Designers.').waitFor();

    await ui.createJiraUser('Dana Designer', 'dana@studio.design.example');
    const rows = await expectSentInvitations(app, 'dana@studio.design.example', 1);
    const row = rows.filter({ hasText: 'dana@studio.design.example' });
    expect(await textOf(row.getByRole('cell').nth(3))).toBe('Designers');
    expect(await textOf(row.getByRole('cell').nth(6))).toBe('Rule “Designers by domain”');
    expect(problems).toEqual([]);
  });
});
