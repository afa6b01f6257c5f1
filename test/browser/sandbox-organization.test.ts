import type { Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { withClient } from '../support/test-database.js';
import {
  accountRow,
  adminApi,
  focusIn,
  invitationRows,
  screenshot,
  textOf,
  useSandboxBrowser,
  sectionMessage,
  chooseOption,
  chosenOf,
  optionsOf,
} from './support.js';

/*
 * Atlassian organizations as the second kind of target, in the sandbox playing Connect: the link
 * form's organization path (API key, Find organizations, Link), the "Configure automatic access"
 * dialog searching and paging an organization's groups, and the way from a workspace managed in
 * Atlassian Administration to its organization. The sandbox's simulated organization "Acme Cloud"
 * (its demo API key on the sandbox page) has the demo workspace's groups, a group synced from an
 * identity provider and a group at its user limit. Needs `npm run build:ui` first.
 *
 * The last three tests answer some admin API calls themselves (page.route), to drive the page
 * through answers the sandbox does not give on demand: a 422 for a workspace managed in Atlassian
 * Administration, a key that sees several organizations and directories, and an organization with
 * pages of groups.
 */

const session = useSandboxBrowser('connect');
const ORGANIZATION = 'Acme Cloud';
const SYNCED_REASON = 'Synced from your identity provider: change it there.';
const DEMO = { workspace: 'acme-demo', key: 'sandbox-consumer-key', secret: 'sandbox-consumer-secret' };

/** An org group's name, whatever its case (the organization keeps the workspace groups' names). */
const named = (name: string) => new RegExp(`^${name}$`, 'i');

describe('an Atlassian organization in the sandbox', () => {
  it('links the demo organization with its API key, ticks groups but not the synced one, and shows a new Jira user added', async () => {
    const { page, ui, problems } = session;
    const app = await ui.open();
    const demo = await ui.demoOrganization();
    expect(demo.name).toBe(ORGANIZATION);

    const modal = await ui.openLinkForm(app);
    // The choice comes first, each with when to use it.
    const organizationChoice = modal.getByRole('radio', { name: 'Atlassian organization' });
    expect(await organizationChoice.getAttribute('aria-describedby')).toBeTruthy();
    await expect.poll(() => textOf(modal)).toMatch(/most created since February 2024/);
    await organizationChoice.check();
    // Find organizations first asks for the key, in a sentence.
    await modal.getByRole('button', { name: 'Find organizations' }).click();
    await modal.getByText('Enter the organization API key.', { exact: true }).waitFor();
    const apiKey = modal.getByLabel('API key', { exact: true });
    expect(await apiKey.getAttribute('type')).toBe('password');
    await apiKey.fill(demo.apiKey);
    await modal.getByRole('button', { name: 'Find organizations' }).click();
    // One organization with one directory: chosen by itself.
    const choice = modal.getByRole('combobox', { name: 'Organization' });
    await choice.waitFor();
    expect(await chosenOf(modal, 'Organization')).toBe(ORGANIZATION);
    await screenshot(modal, 'link-organization.png');
    await modal.getByRole('button', { name: 'Link account' }).click();
    await modal.waitFor({ state: 'detached' });

    const row = accountRow(app, ORGANIZATION);
    await row.waitFor();
    expect(await textOf(row)).toContain('Atlassian organization');
    await row.getByText('No automatic invitations').waitFor();
    await page
      .getByRole('alert')
      .filter({ hasText: `Linked ${ORGANIZATION}` })
      .waitFor();
    expect(await row.getByRole('link', { name: new RegExp(`^${ORGANIZATION}`) }).getAttribute('href')).toMatch(
      /^https:\/\/admin\.atlassian\.com\/o\/[^/]+\/groups$/,
    );

    const { dialog, frame } = await ui.openConfigureDialog(app, ORGANIZATION);
    const synced = frame.locator('.ati-group').filter({ hasText: SYNCED_REASON }).getByRole('checkbox');
    await synced.waitFor();
    expect(await synced.isDisabled()).toBe(true);
    await frame.getByRole('checkbox', { name: named('developers') }).check();
    // A search on the server: QA only, Developers still ticked, listed apart.
    const results = frame.getByRole('group', { name: 'Organization groups' });
    await frame.getByRole('textbox', { name: 'Search groups' }).fill('qa');
    await expect.poll(() => results.getByRole('checkbox', { name: named('developers') }).count()).toBe(0);
    await results.getByRole('checkbox', { name: named('qa') }).check();
    const elsewhere = frame.getByRole('group', { name: 'Selected, not in these results' });
    expect(await elsewhere.getByRole('checkbox', { name: named('developers') }).isChecked()).toBe(true);
    await frame.getByText('2 selected', { exact: true }).waitFor();
    await frame.getByRole('textbox', { name: 'Search groups' }).fill('');
    await expect.poll(() => elsewhere.count()).toBe(0);
    await screenshot(dialog, 'configure-organization-dialog.png');
    await frame.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('alert').filter({ hasText: 'Automatic access saved' }).waitFor();
    const tags = row.getByRole('list', { name: /^Default groups of / }).getByRole('listitem');
    await expect.poll(async () => (await tags.allTextContents()).map((t) => t.toLowerCase())).toEqual(['developers', 'qa']);

    // An organization needs no email: find the user's rows by name.
    await ui.createJiraUser('Katherine Johnson', 'katherine@example.com');
    const rows = invitationRows(app).filter({ hasText: 'Katherine Johnson' });
    await expect
      .poll(async () => (await rows.allTextContents()).map((text) => /added/.test(text)), { timeout: 15_000, interval: 250 })
      .toEqual([true, true]);
    for (const group of ['developers', 'qa']) {
      // The row whose Group cell is exactly this group (a row's whole text holds more than the group).
      const invitation = rows.filter({ has: app.getByRole('cell', { name: named(group) }) });
      expect(await textOf(invitation.getByRole('cell').nth(2))).toBe(ORGANIZATION);
      expect(await textOf(invitation.getByRole('cell').nth(4))).toBe('added');
    }
    expect(await optionsOf(app, 'Status')).toContain('Added');
    expect(problems).toEqual([]);
  });

  it('offers to link the organization of a workspace that refuses invitations, and pre-ticks the groups named like its own', async () => {
    const { page, ui, problems } = session;
    const baseUrl = session.sandbox.baseUrl;
    const linked = await adminApi(baseUrl, 'POST', '/api/linked-accounts', {
      workspace: DEMO.workspace,
      credentials: { type: 'oauth-consumer', key: DEMO.key, secret: DEMO.secret },
    });
    const workspaceId = linked.linkedAccount!.id;
    await adminApi(baseUrl, 'PUT', `/api/linked-accounts/${workspaceId}/default-groups`, { groups: ['developers', 'qa'] });
    // As delivery marks a workspace whose invitations Bitbucket refuses once it moved to Atlassian Administration.
    await withClient(session.sandbox.databaseUrl, (client) =>
      client.query(`UPDATE linked_accounts SET status = 'invitations-refused', status_reason = $2 WHERE id = $1`, [
        workspaceId,
        'Bitbucket refuses group invitations for "acme-demo": it is admin-managed.',
      ]),
    );
    const app = await ui.open();
    const demo = await ui.demoOrganization();

    const workspaceRow = accountRow(app, DEMO.workspace);
    await workspaceRow.getByText('Invitations refused').waitFor();
    await workspaceRow.getByRole('button', { name: 'Link the organization' }).click();
    const modal = app.getByRole('dialog', { name: 'Link account' });
    await modal.getByText(/acme-demo refuses invitations: it is managed in Atlassian Administration now/).waitFor();
    expect(await modal.getByRole('radio', { name: 'Atlassian organization' }).isChecked()).toBe(true);
    await ui.linkOrganizationIn(modal, demo.apiKey, ORGANIZATION);

    // The dialog opens by itself, the like-named groups ticked, saying where they came from.
    const { dialog, frame } = await ui.configureDialog();
    const suggestion = sectionMessage(frame, 'Groups ticked from acme-demo');
    await suggestion.waitFor();
    expect(await textOf(suggestion)).toMatch(/Check them, then Save/);
    await expect.poll(() => frame.getByText('2 selected', { exact: true }).count()).toBe(1);
    expect(await frame.getByRole('checkbox', { name: named('developers') }).isChecked()).toBe(true);
    expect(await frame.getByRole('checkbox', { name: named('qa') }).isChecked()).toBe(true);
    expect(await frame.getByRole('checkbox', { name: named('designers') }).isChecked()).toBe(false);
    await frame.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const tags = accountRow(app, ORGANIZATION)
      .getByRole('list', { name: /^Default groups of / })
      .getByRole('listitem');
    await expect.poll(async () => (await tags.allTextContents()).map((t) => t.toLowerCase())).toEqual(['developers', 'qa']);
    await page.getByRole('alert').filter({ hasText: 'Automatic access saved' }).waitFor();
    expect(problems).toEqual([]);
  });

  it('offers the organization when the workspace to link is managed in Atlassian Administration, and checks the API key first', async () => {
    const { page, ui, problems } = session;
    const message = 'acme-demo is managed in Atlassian Administration: Bitbucket no longer takes invitations to its groups.';
    await page.route('**/api/linked-accounts', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ message, code: 'workspace-admin-managed' }) })
        : route.fallback(),
    );
    const app = await ui.open();
    const modal = await ui.submitLinkForm(app, DEMO);
    const banner = sectionMessage(modal, "Couldn't link the workspace");
    await banner.getByText(message, { exact: true }).waitFor();
    // No field to point at: the banner itself takes the focus, so that it is in view and read out.
    await expect.poll(() => banner.evaluate((el) => el.parentElement === el.ownerDocument.activeElement)).toBe(true);
    await banner.getByRole('button', { name: 'Link the organization instead' }).click();

    expect(await modal.getByRole('radio', { name: 'Atlassian organization' }).isChecked()).toBe(true);
    expect(await banner.count()).toBe(0);
    const apiKey = modal.getByLabel('API key', { exact: true });
    await expect.poll(() => apiKey.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await textOf(modal)).toContain('admin.atlassian.com → Settings → API keys');
    // Enter, like the Find organizations button, checks the key before asking.
    await page.keyboard.press('Enter');
    await modal.getByText('Enter the organization API key.', { exact: true }).waitFor();
    expect(await apiKey.getAttribute('aria-invalid')).toBe('true');
    // The 422 was the answer asked for (the browser logs it); nothing else may have gone wrong.
    const expected = /^HTTP 422: POST .*\/api\/linked-accounts$|^console error: Failed to load resource: .* 422 .*\/api\/linked-accounts\)$/;
    expect(problems.filter((problem) => !expected.test(problem))).toEqual([]);
  });

  it('shows a refused API key next to its field, then offers the organizations and directories a good key sees', async () => {
    const { page, ui, problems } = session;
    const refusal = 'Atlassian Administration refused this API key: it is revoked or has expired. Create a new one.';
    const links: unknown[] = [];
    await page.route('**/api/organizations/discover', (route) => {
      const { apiKey } = route.request().postDataJSON() as { apiKey: string };
      return apiKey === 'revoked-key'
        ? route.fulfill({
            status: 422,
            contentType: 'application/json',
            body: JSON.stringify({ message: refusal, fieldErrors: { apiKey: refusal } }),
          })
        : route.fulfill({
            status: 200,
            contentType: 'application/json',
            body: JSON.stringify({
              organizations: [
                { id: 'org-1', name: 'Acme Cloud', directories: [{ id: 'dir-1', name: 'Acme Cloud' }] },
                {
                  id: 'org-2',
                  name: 'Globex',
                  directories: [
                    { id: 'dir-2', name: 'Employees' },
                    { id: 'dir-3', name: 'Contractors' },
                  ],
                },
              ],
            }),
          });
    });
    await page.route('**/api/linked-accounts', (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      links.push(route.request().postDataJSON());
      return route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ message: 'Stop here: the request was read.' }) });
    });
    const app = await ui.open();
    const modal = await ui.openLinkForm(app);
    await modal.getByRole('radio', { name: 'Atlassian organization' }).check();
    const apiKey = modal.getByLabel('API key', { exact: true });
    await apiKey.fill('revoked-key');
    await modal.getByRole('button', { name: 'Find organizations' }).click();
    await sectionMessage(modal, "Couldn't find the organizations").getByText(refusal).waitFor();
    expect(await apiKey.getAttribute('aria-invalid')).toBe('true');
    expect(await apiKey.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

    await apiKey.fill('good-key');
    await page.keyboard.press('Enter');
    const organization = modal.getByRole('combobox', { name: 'Organization' });
    await organization.waitFor();
    // Two organizations: the admin chooses, starting there.
    await expect.poll(() => organization.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await chosenOf(modal, 'Organization')).toBe('');
    expect(await optionsOf(modal, 'Organization')).toEqual(['Acme Cloud', 'Globex']);
    // Escape in the open menu closes the menu, not the form around it.
    await organization.focus();
    await page.keyboard.press('ArrowDown');
    await modal.getByRole('listbox').waitFor();
    await page.keyboard.press('Escape');
    await modal.getByRole('listbox').waitFor({ state: 'detached' });
    expect(await modal.isVisible()).toBe(true);
    expect(await apiKey.inputValue()).toBe('good-key');
    await modal.getByRole('button', { name: 'Link account' }).click();
    await modal.getByText('Choose the organization to link.', { exact: true }).waitFor();
    await chooseOption(modal, 'Organization', 'Globex');
    expect(await optionsOf(modal, 'Directory')).toEqual(['Employees', 'Contractors']);
    await chooseOption(modal, 'Directory', 'Contractors');
    await modal.getByRole('button', { name: 'Link account' }).click();
    await modal.getByText('Stop here: the request was read.').waitFor();
    expect(links).toEqual([
      {
        targetType: 'atlassian-organization',
        organizationId: 'org-2',
        directoryId: 'dir-3',
        credentials: { type: 'organization-api-key', apiKey: 'good-key' },
      },
    ]);

    // A changed key must find its organizations again before linking.
    await apiKey.fill('another-key');
    expect(await organization.count()).toBe(0);
    expect(await modal.getByRole('button', { name: 'Find organizations' }).isVisible()).toBe(true);
    // With no menu open, Escape still closes the form.
    await apiKey.press('Escape');
    await modal.waitFor({ state: 'detached' });
    const expected = /^HTTP 422: POST .*\/api\/(organizations\/discover|linked-accounts)$|^console error: Failed to load resource: .* 422 /;
    expect(problems.filter((problem) => !expected.test(problem))).toEqual([]);
  });

  it("searches and pages an organization's groups on the server, keeping the ticked ones, with the keyboard", async () => {
    const { page, ui, problems } = session;
    const api = fakeOrganizationApi();
    await page.route('**/api/**', (route) => api.answer(route));
    const app = await ui.open();

    const { dialog, frame } = await ui.openConfigureDialog(app, 'Globex');
    const results = frame.getByRole('group', { name: 'Organization groups' });
    await results.getByRole('checkbox', { name: 'team-01' }).waitFor();
    expect(await results.getByRole('checkbox').count()).toBe(12);
    // The reasons are text, not only a tooltip; the description and member count show too.
    const synced = results.locator('.ati-group').filter({ hasText: 'okta-engineering' });
    expect(await textOf(synced)).toContain(SYNCED_REASON);
    expect(await synced.getByRole('checkbox').isDisabled()).toBe(true);
    const admins = results.locator('.ati-group').filter({ hasText: 'org-admins' });
    expect(await textOf(admins)).toContain('Grants organization admin rights: not offered.');
    expect(await textOf(results.locator('.ati-group').filter({ hasText: 'team-01' }))).toBe('team-01Team 1 · 1 member');

    await results.getByRole('checkbox', { name: 'team-01' }).check();
    await frame.getByRole('button', { name: 'Show more' }).focus();
    await page.keyboard.press('Enter');
    // The focus carries on to the first new group.
    await expect.poll(() => focusIn(frame).then((f) => f.name)).toBe('team-11');
    await page.keyboard.press('Space');
    expect(await results.getByRole('checkbox', { name: 'team-11' }).isChecked()).toBe(true);
    expect(await results.getByRole('checkbox').count()).toBe(22);

    // Typing searches once it pauses, not at each key.
    const search = frame.getByRole('textbox', { name: 'Search groups' });
    await search.pressSequentially('team-2', { delay: 30 });
    await expect.poll(() => results.getByRole('checkbox').count()).toBe(10);
    expect(api.searches()).toEqual(['team-2']);
    const elsewhere = frame.getByRole('group', { name: 'Selected, not in these results' });
    expect(await elsewhere.getByRole('checkbox', { checked: true }).count()).toBe(2);
    expect(await elsewhere.getByRole('checkbox', { name: 'team-01' }).isChecked()).toBe(true);
    expect(await elsewhere.getByRole('checkbox', { name: 'team-11' }).isChecked()).toBe(true);
    await frame.getByText('2 selected', { exact: true }).waitFor();

    // Unticked, it leaves the list; the focus moves on to the next ticked group, not to the page's start.
    await elsewhere.getByRole('checkbox', { name: 'team-11' }).focus();
    await page.keyboard.press('Space');
    await expect.poll(() => elsewhere.getByRole('checkbox', { name: 'team-11' }).count()).toBe(0);
    expect((await focusIn(frame)).name).toBe('team-01');
    await frame.getByText('1 selected', { exact: true }).waitFor();
    await results.getByRole('checkbox', { name: 'team-22' }).check();
    await frame.getByText('2 selected', { exact: true }).waitFor();

    // A search without results, then all groups again: the search box stays, with the focus.
    await search.fill('zzz');
    await frame.getByText('No group’s name contains “zzz”.', { exact: true }).waitFor();
    await search.fill('');
    await expect.poll(() => results.getByRole('checkbox').count()).toBe(12);
    expect((await focusIn(frame)).name).toBe('Search groups');
    await frame.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(api.saved()).toEqual([['g-01', 'g-22']]);
    expect(problems).toEqual([]);
  });
});

/**
 * The admin API of a site with one linked organization, Globex, with 30 groups "team-01" … "team-30"
 * paged by ten, and a synced group and an admin group on the first page. Other calls go to the app.
 */
function fakeOrganizationApi() {
  const account = {
    id: 'org-account',
    targetType: 'atlassian-organization',
    workspace: null,
    organization: { id: 'org-1', name: 'Globex', directoryId: 'dir-1', directoryName: 'Globex' },
    displayName: 'Globex',
    url: 'https://admin.atlassian.com/o/org-1/groups',
    credentialType: 'organization-api-key',
    status: 'active',
    statusReason: null,
    defaultGroups: [] as { slug: string; name: string }[],
    mode: 'automatic',
    rules: [],
    groupCount: 32,
    groupsRefreshedAt: null,
    lastInvitationSentAt: null,
    createdAt: '2026-11-27T10:00:00.000Z',
    unlinkedAt: null,
  };
  const teams = Array.from({ length: 30 }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return { slug: `g-${n}`, name: `team-${n}`, description: `Team ${i + 1}`, memberCount: i + 1, unavailableReason: null, selected: false };
  });
  const special = [
    { slug: 'g-okta', name: 'okta-engineering', unavailableReason: 'synced-group', selected: false },
    { slug: 'g-admins', name: 'org-admins', unavailableReason: 'admin-group', selected: false },
  ];
  const searches: string[] = [];
  const saved: string[][] = [];
  const json = (route: Route, body: unknown) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
  return {
    searches: () => searches,
    saved: () => saved,
    async answer(route: Route): Promise<void> {
      const request = route.request();
      const url = new URL(request.url());
      if (request.method() === 'GET' && url.pathname === '/api/linked-accounts') return json(route, { linkedAccounts: [account] });
      if (request.method() === 'GET' && url.pathname === '/api/linked-accounts/org-account/groups') {
        const search = url.searchParams.get('search') ?? '';
        if (search !== '') searches.push(search);
        const start = Number(url.searchParams.get('cursor') ?? '0');
        const matching = [...(search === '' ? special : []), ...teams].filter((g) => g.name.includes(search));
        // The two special groups come on the first page with ten teams.
        const end = start === 0 && search === '' ? 12 : start + 10;
        return json(route, { groups: matching.slice(start, end), nextCursor: end < matching.length ? String(end) : null, refreshedAt: null });
      }
      if (request.method() === 'GET' && url.pathname === '/api/linked-accounts/org-account/offboarding') {
        return json(route, {
          offboarding: { mode: 'keep', threshold: null, effectiveThreshold: 20, preview: [], removalCount: 0, held: 0, version: 1 },
        });
      }
      if (request.method() === 'PUT' && url.pathname === '/api/linked-accounts/org-account/default-groups') {
        const { groups } = request.postDataJSON() as { groups: string[] };
        saved.push(groups);
        return json(route, { linkedAccount: { ...account, defaultGroups: teams.filter((g) => groups.includes(g.slug)) } });
      }
      return route.fallback();
    },
  };
}
