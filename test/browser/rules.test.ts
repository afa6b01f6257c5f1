import { describe, expect, it } from 'vitest';
import { adminApi as callAdminApi, expectSentInvitations, screenshot, textOf, useSandboxBrowser, type BrowserSession } from './support.js';

/*
 * A rule with its preview in a real browser, in the sandbox playing Connect and Forge: the admin
 * adds a rule on the page, sees what it would change among the existing users before saving
 * (counted by the server over Jira's user listing), saves, and a new user gets the rule's groups.
 * Needs `npm run build:ui` first.
 */

const DEMO = { workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' };

const A_RULE_WITH_ITS_PREVIEW = 'a rule with its preview: the counts follow the rule before it is saved, and a new user then gets its groups';

function aRuleWithItsPreview(session: BrowserSession) {
  return async () => {
    // Everything through the page, so each host's bridge carries every call.
    const { ui, problems } = session;
    const app = await ui.open();
    // On the site before the workspace is linked: nobody invites them.
    await ui.createJiraUser('Ada Early', 'ada.early@example.com');
    await ui.createJiraUser('Dora Design', 'dora@studio.design.example');
    await ui.linkWorkspace(app, DEMO);
    const { dialog, frame } = await ui.openConfigureDialog(app, DEMO.workspace);
    await frame.getByRole('checkbox', { name: 'Developers' }).check();
    await frame.getByRole('button', { name: 'Preview for existing users' }).click();
    const defaults = await textOf(frame.getByTestId('invitation-preview').getByRole('listitem').filter({ hasText: 'Developers' }));
    const developersBefore = Number(/^Developers: (\d+)/.exec(defaults)![1]);
    expect(defaults).toContain('Dora Design');
    await frame.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const rules = app.getByRole('region', { name: 'Rules' });
    await rules.getByText('No rules: every new user gets the default groups.').waitFor();
    await rules.getByRole('button', { name: 'Add rule' }).click();
    const modal = app.getByRole('dialog', { name: 'Add rule' });
    await modal.getByRole('textbox', { name: 'Rule name' }).fill('Design team');
    await modal.getByRole('radio', { name: 'Email domain' }).check();
    await modal.getByRole('textbox', { name: 'Email domains' }).fill('design.example');
    await modal.getByRole('checkbox', { name: 'Designers' }).check();

    await modal.getByRole('button', { name: 'Preview for existing users' }).click();
    const preview = modal.getByTestId('invitation-preview');
    const designers = preview.getByRole('listitem').filter({ hasText: 'Designers' });
    expect(await textOf(designers)).toBe('Designers: 1 (Dora Design)');
    const developers = await textOf(preview.getByRole('listitem').filter({ hasText: 'Developers' }));
    expect(developers).toMatch(new RegExp(`^Developers: ${developersBefore - 1}\\b`));
    expect(developers).not.toContain('Dora Design');
    if (ui.host === 'connect') await screenshot(modal, 'rule-preview.png');
    // Nothing is saved by a preview.
    expect(await rules.getByText('No rules: every new user gets the default groups.').count()).toBe(1);

    // A changed rule makes the preview shown stale: it goes until asked again.
    await modal.getByRole('radio', { name: 'Never invite' }).check();
    await preview.getByRole('list').waitFor({ state: 'detached' });
    await modal.getByRole('button', { name: 'Preview for existing users' }).click();
    await preview.getByText('1 user is never invited by a rule.').waitFor();
    await modal.getByRole('radio', { name: 'Invite to these groups instead of the defaults' }).check();

    await modal.getByRole('button', { name: 'Save rule' }).click();
    await modal.waitFor({ state: 'detached' });
    await rules.getByText('When email domain is design.example (or a subdomain): invite to Designers.').waitFor();

    await ui.createJiraUser('Desi New', 'desi@design.example');
    const rows = await expectSentInvitations(app, 'desi@design.example', 1);
    const row = rows.filter({ hasText: 'desi@design.example' });
    expect(await textOf(row.getByRole('cell').nth(3))).toBe('Designers');
    expect(await textOf(row.getByRole('cell').nth(6))).toBe('Rule “Design team”');
    expect(problems).toEqual([]);
  };
}

describe('rules on the admin page, hosted by Connect', () => {
  const session = useSandboxBrowser('connect');

  it(A_RULE_WITH_ITS_PREVIEW, aRuleWithItsPreview(session));

  it('keeps moving and removing rules as a draft with its preview until the admin saves or discards it', async () => {
    const { page, ui, problems } = session;
    const adminApi = <T>(method: string, path: string, body?: unknown) => callAdminApi<T>(session.sandbox.baseUrl, method, path, body);
    const app = await ui.open();
    await ui.createJiraUser('Dora Design', 'dora@design.example');
    const linked = await adminApi<{ linkedAccount: { id: string } }>('POST', '/api/linked-accounts', {
      workspace: DEMO.workspace,
      credentials: { type: 'oauth-consumer', key: DEMO.key, secret: DEMO.secret },
    });
    const accountId = linked.linkedAccount.id;
    const rulesPath = `/api/linked-accounts/${accountId}/rules`;
    await adminApi('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: ['developers'] });
    const domain = [{ kind: 'email-domain', domains: ['design.example'] }];
    await adminApi('POST', rulesPath, { name: 'Keep out', conditions: domain, action: { kind: 'never-invite' } });
    await adminApi('POST', rulesPath, { name: 'Designers', conditions: domain, action: { kind: 'invite', groups: ['designers'] } });
    const names = async () => (await adminApi<{ rules: { name: string }[] }>('GET', rulesPath)).rules.map((r) => r.name);
    await page.reload();

    const rules = app.getByTestId('rules-acme-demo');
    await rules.getByText('Keep out').waitFor();
    const draft = app.getByTestId('rules-draft-acme-demo');
    // Designers first: Dora would be invited to Designers instead of being kept out.
    await rules.getByRole('listitem').filter({ hasText: 'Designers' }).getByRole('button', { name: 'Move up' }).click();
    await draft.getByRole('button', { name: 'Preview for existing users' }).click();
    expect(await textOf(draft.getByTestId('invitation-preview').getByRole('listitem').filter({ hasText: 'Designers' }))).toBe(
      'Designers: 1 (Dora Design)',
    );
    expect(await names()).toEqual(['Keep out', 'Designers']);
    await draft.getByRole('button', { name: 'Save changes' }).click();
    await draft.waitFor({ state: 'detached' });
    await expect.poll(names).toEqual(['Designers', 'Keep out']);
    await expect
      .poll(async () => (await rules.getByRole('listitem').allTextContents()).map((text) => text.split('When')[0]))
      .toEqual(['Designers', 'Keep out']);

    // Removing both: a draft too, which Discard changes drops.
    for (const name of ['Designers', 'Keep out']) {
      await rules.getByRole('listitem').filter({ hasText: name }).getByRole('button', { name: 'Remove' }).click();
    }
    await rules.getByText('No rules once saved: every new user gets the default groups.').waitFor();
    await draft.getByRole('button', { name: 'Preview for existing users' }).click();
    const developers = draft.getByTestId('invitation-preview').getByRole('listitem').filter({ hasText: 'Developers' });
    await expect.poll(() => textOf(developers)).toMatch(/^Developers: \d+ \(.*Dora Design/);
    await draft.getByRole('button', { name: 'Discard changes' }).click();
    await rules.getByText('Keep out').waitFor();
    expect(await names()).toEqual(['Designers', 'Keep out']);
    expect(problems).toEqual([]);
  });
});

describe('rules on the admin page, hosted by Forge', () => {
  it(A_RULE_WITH_ITS_PREVIEW, aRuleWithItsPreview(useSandboxBrowser('forge')));
});
