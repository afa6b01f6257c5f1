import { describe, expect, it } from 'vitest';
import { withClient } from '../support/test-database.js';
import { expectSentInvitations, textOf, useSandboxBrowser } from './support.js';

/*
 * The main flow of sandbox-connect.test.ts once more, with the sandbox playing the Forge host
 * (/sandbox/?host=forge): the same UI bundle, served as Forge serves the Custom UI resource (no
 * host info, so it picks its @forge/bridge bridge), talks to a stand-in for the Forge host behind
 * @forge/bridge. Its invokeRemote calls reach the app with Forge Invocation Tokens, its Modal is
 * the host's modal, and the new user comes as Forge's avi:jira:created:user event.
 * Needs `npm run build:ui` first.
 */

const session = useSandboxBrowser('forge');

type SandboxState = {
  contextTokensIssued: number;
  forge: { appPageUrl: string; cloudId: string; invocations: number; refusedInvocations: number };
};

async function sandboxState(): Promise<SandboxState> {
  const response = await fetch(`${session.sandbox.baseUrl}/sandbox/api/state`);
  if (!response.ok) throw new Error(`GET /sandbox/api/state answered ${response.status}`);
  return (await response.json()) as SandboxState;
}

/** Which host's tenant the app stored each thing under. */
async function storedHosts(): Promise<{ linkedAccounts: string[]; newUsers: string[] }> {
  return withClient(session.sandbox.databaseUrl, async (client) => {
    const hosts = async (table: 'linked_accounts' | 'new_users') =>
      (await client.query<{ host: string }>(`SELECT t.host FROM ${table} x JOIN tenants t ON t.id = x.tenant_id ORDER BY t.host`)).rows.map(
        (r) => r.host,
      );
    return { linkedAccounts: await hosts('linked_accounts'), newUsers: await hosts('new_users') };
  });
}

const pathOf = (url: string) => new URL(url).pathname;

describe('the admin page in the sandbox playing Forge', () => {
  it('links the demo workspace, configures automatic access in the Forge modal and shows the invitations sent for a new Jira user', async () => {
    const { page, ui, problems, requests } = session;
    const app = await ui.open();
    const hostPlayed = page.getByRole('group', { name: 'Host played' });
    expect(await textOf(hostPlayed)).toMatch(/Playing the Forge host/);
    expect(await hostPlayed.getByRole('link', { name: 'Switch to Connect' }).getAttribute('href')).toBe('/sandbox/?host=connect');
    expect(await page.locator('main iframe').getAttribute('src')).toBe('/sandbox/forge-app');

    const form = await ui.demoCredentials();
    expect(form).toEqual({ workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' });
    const row = await ui.linkWorkspace(app, form);
    await row.getByText('No automatic invitations').waitFor();
    await page.getByRole('alert').filter({ hasText: 'Linked acme-demo' }).waitFor();

    // The Modal opens the same resource; its frame finds the account in getContext's extension.modal.
    const { dialog, frame } = await ui.openConfigureDialog(app, 'acme-demo');
    expect(await dialog.locator('iframe').getAttribute('src')).toBe('/sandbox/forge-app');
    await frame.getByRole('checkbox', { name: 'Developers' }).check();
    await frame.getByRole('checkbox', { name: 'QA' }).check();
    expect(await frame.getByRole('checkbox', { checked: true }).count()).toBe(2);
    await frame.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('alert').filter({ hasText: 'Automatic access saved' }).waitFor();
    const tags = row.getByRole('list', { name: /^Default groups of / }).getByRole('listitem');
    await expect.poll(() => tags.allTextContents()).toEqual(['Developers', 'QA']);

    const panel = page.getByRole('region', { name: 'Create a Jira user' });
    expect(await textOf(panel)).toMatch(/avi:jira:created:user/);
    await ui.createJiraUser('Grace Hopper', 'grace@example.com');
    const rows = await expectSentInvitations(app, 'grace@example.com', 2);
    for (const group of ['Developers', 'QA']) {
      const invitation = rows.filter({ hasText: group });
      expect(await textOf(invitation.getByRole('cell').nth(4))).toBe('sent');
      expect(await textOf(invitation.getByRole('cell').first())).toBe('Grace Hopper');
    }
    await row.getByText('just now').waitFor(); // "Last invitation sent"

    // The Forge path, not Connect's: the frames loaded the @forge/bridge stand-in and never all.js,
    // asked for no Connect context token, and never called the admin API themselves: every call
    // went through invokeRemote, which reached the app with a Forge Invocation Token it accepted.
    const paths = requests.map(pathOf);
    expect(paths.filter((p) => p === '/sandbox/forge-bridge.js').length).toBeGreaterThanOrEqual(2); // the page and the modal
    expect(paths.filter((p) => p === '/sandbox/all.js' || p.startsWith('/connect/'))).toEqual([]);
    expect(paths.filter((p) => p === '/sandbox/api/context-token' || p.startsWith('/api/'))).toEqual([]);
    const invokes = paths.filter((p) => p === '/sandbox/api/forge-invoke').length;
    expect(invokes).toBeGreaterThanOrEqual(5); // page load, link, groups, save, invitations
    const state = await sandboxState();
    expect(state.contextTokensIssued).toBe(0);
    expect(state.forge.invocations).toBeGreaterThanOrEqual(5);
    expect(state.forge.refusedInvocations).toBe(0);
    // What the app stored belongs to the Forge site (a tenant of its own), not the Connect one.
    expect(await storedHosts()).toEqual({ linkedAccounts: ['forge'], newUsers: ['forge'] });
    expect(problems).toEqual([]);
  });
});
