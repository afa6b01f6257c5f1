import { describe, expect, it } from 'vitest';
import { adminApi, textOf, useSandboxBrowser } from './support.js';

/*
 * Offboarding in the sandbox playing Connect: a person the app added to an organization group is
 * deleted in Jira while removal is off; the "Configure automatic access" dialog previews them when
 * the admin chooses removal, turns it on for exactly that, and the Removals section shows the
 * removal. Needs `npm run build:ui` first.
 */

const session = useSandboxBrowser('connect');

describe('offboarding in the sandbox', () => {
  it('turns removal on through its preview, and shows the removal in the Removals section', async () => {
    const { sandbox, ui, problems } = session;
    const base = sandbox.baseUrl;
    await ui.open();
    const demo = await ui.demoOrganization();
    const state = await (await fetch(`${base}/sandbox/api/state`)).json();
    const org = state.demo.organization as { organizationId: string; directoryId: string };

    const { linkedAccount } = await adminApi<{ linkedAccount: { id: string } }>(base, 'POST', '/api/linked-accounts', {
      targetType: 'atlassian-organization',
      organizationId: org.organizationId,
      directoryId: org.directoryId,
      credentials: { type: 'organization-api-key', apiKey: demo.apiKey },
    });
    await adminApi(base, 'GET', `/api/linked-accounts/${linkedAccount.id}/groups`);
    await adminApi(base, 'PUT', `/api/linked-accounts/${linkedAccount.id}/default-groups`, { groups: ['sandbox-grp-developers'] });
    const created = await fetch(`${base}/sandbox/api/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ displayName: 'Lee Leaver', host: 'connect' }),
    });
    const { accountId } = (await created.json()) as { accountId: string };
    await expect
      .poll(async () => (await adminApi<{ invitations: { status: string }[] }>(base, 'GET', '/api/invitations')).invitations[0]?.status, {
        timeout: 20_000,
      })
      .toBe('sent');
    expect((await fetch(`${base}/sandbox/api/users/${accountId}/delete`, { method: 'POST' })).status).toBe(200);

    // Loaded again: the page shows the account linked meanwhile.
    const page = await ui.open();
    const { dialog, frame } = await ui.openConfigureDialog(page, demo.name);
    await frame.getByRole('radio', { name: 'Remove them from the groups this app added' }).check();
    const preview = frame.getByTestId('offboarding-preview');
    await expect.poll(() => textOf(preview), { timeout: 10_000 }).toContain('Lee Leaver (deleted): Developers');
    await frame.getByRole('button', { name: 'Turn on and remove 1 membership' }).click();
    await frame.getByText('Removal is on; removing 1 membership.').waitFor();
    await frame.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    const removals = page.getByRole('table', { name: 'Removals' });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Check now' }).click();
          return textOf(removals);
        },
        { timeout: 20_000, interval: 1500 },
      )
      .toMatch(/Lee Leaver.*Developers.*Removed/s);
    expect(problems).toEqual([]);
  });
});
