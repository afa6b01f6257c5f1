import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORGE_USER_CREATED_PATH } from '../../src/entry/forge/user-created-event.js';
import { countRows, forgeTenantRows, linkWorkspaceThroughForge, startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { eventually, NON_ADMIN, OAUTH, WORKSPACE } from '../support/test-app.js';

type InvitationJson = { groupSlug: string; status: string; reason: string | null; email: string | null; accountId: string };

async function invitationsOf(h: ForgeHarness, accountId: string): Promise<InvitationJson[]> {
  const answer = await h.api('GET', '/api/invitations?pageSize=100');
  expect(answer.status).toBe(200);
  return (answer.body.invitations as InvitationJson[]).filter((i) => i.accountId === accountId);
}

async function settled(h: ForgeHarness, accountId: string, count: number): Promise<InvitationJson[]> {
  return eventually(
    async () => {
      const found = await invitationsOf(h, accountId);
      return found.length === count && found.every((i) => i.status !== 'queued') ? found : undefined;
    },
    10_000,
    `${count} settled invitations for ${accountId}`,
  );
}

const putsFor = (h: ForgeHarness, email: string) =>
  h.harness.bitbucket.received.filter((r) => r.method === 'PUT' && (r.body as { email?: string } | null)?.email === email);

describe('a Jira site that installed the app through Forge', () => {
  let h: ForgeHarness;
  let base: string;

  beforeAll(async () => {
    h = await startForgeHarness();
    base = h.harness.app.baseUrl;
  });
  afterAll(() => h?.stop());

  it('is installed, configured on the admin page, and has each new user invited to the chosen groups, once', async () => {
    const installed = await h.forge.sendInstalled(base);
    expect(installed.status).toBe(200);
    expect(await forgeTenantRows(h)).toEqual([
      expect.objectContaining({
        host_key: h.forge.cloudId,
        cloud_id: h.forge.cloudId,
        forge_installation_id: h.forge.installationId,
        forge_api_base_url: h.forge.apiBaseUrl,
      }),
    ]);

    // The admin page: link the workspace and choose groups through invokeRemote.
    await linkWorkspaceThroughForge(h, ['developers', 'qa']);
    const listed = await h.api('GET', '/api/linked-accounts');
    expect(listed.body.linkedAccounts).toEqual([
      expect.objectContaining({
        workspace: WORKSPACE.slug,
        defaultGroups: [
          { slug: 'developers', name: 'Developers' },
          { slug: 'qa', name: 'QA' },
        ],
      }),
    ]);
    // The page's call carried the site URL, which the install event did not.
    expect((await forgeTenantRows(h))[0]!.site_url).toBe(h.forge.siteUrl);

    const user = { accountId: 'forge-new-1', displayName: 'Nora Forge', emailAddress: 'nora@example.com', emailVisible: true };
    const started = Date.now();
    const first = await h.forge.sendUserCreated(base, user);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(first).toEqual({ status: 200, body: { recorded: true } });

    // Forge redelivers (its answer timed out, say) with retryContext: nothing new is recorded.
    const retries = await Promise.all([1, 2, 3].map((retryCount) => h.forge.sendUserCreated(base, user, { retryCount })));
    expect(retries).toEqual(Array(3).fill({ status: 200, body: { recorded: false } }));

    const invitations = await settled(h, 'forge-new-1', 2);
    expect(invitations.map((i) => [i.groupSlug, i.status]).sort()).toEqual([
      ['developers', 'sent'],
      ['qa', 'sent'],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for a duplicate job to show up
    expect(putsFor(h, 'nora@example.com')).toHaveLength(2);
    expect(h.harness.bitbucket.invitations('acme').filter((i) => i.email === 'nora@example.com')).toHaveLength(2);
  });

  it('accepts the event wrapped in `payload`, with the retry context inside it, just the same', async () => {
    const user = { accountId: 'forge-new-2', displayName: 'Wanda Wrapped', emailAddress: 'wanda@example.com', emailVisible: true };
    expect(await h.forge.sendUserCreated(base, user, { wrapInPayload: true, withContext: true })).toEqual({ status: 200, body: { recorded: true } });
    expect(await h.forge.sendUserCreated(base, user, { wrapInPayload: true, retryCount: 2 })).toEqual({ status: 200, body: { recorded: false } });

    const invitations = await settled(h, 'forge-new-2', 2);
    expect(invitations.every((i) => i.status === 'sent' && i.email === 'wanda@example.com')).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(putsFor(h, 'wanda@example.com')).toHaveLength(2);
  });

  it("looks the address up at the site's apiBaseUrl, with the app token, when the event leaves it out", async () => {
    h.forge.addUser({ accountId: 'forge-hidden-1', displayName: 'Hidden Hanna', emailAddress: 'hanna@example.com' });
    await h.forge.sendUserCreated(base, { accountId: 'forge-hidden-1', displayName: 'Hidden Hanna', emailAddress: 'hanna@example.com' });

    const invitations = await settled(h, 'forge-hidden-1', 2);
    expect(invitations.every((i) => i.status === 'sent' && i.email === 'hanna@example.com')).toBe(true);
    expect(h.forge.received).toContainEqual(expect.objectContaining({ method: 'GET', path: '/rest/api/3/user/email', status: 200 }));
  });

  it('uses the newest app token Forge sent for later Jira calls', async () => {
    await h.forge.rotateAppToken(); // from now on the site takes only the new token
    h.forge.addUser({ accountId: 'forge-hidden-2', displayName: 'Rotated Rita', emailAddress: 'rita.rotated@example.com' });
    await h.forge.sendUserCreated(base, { accountId: 'forge-hidden-2', displayName: 'Rotated Rita' });

    const invitations = await settled(h, 'forge-hidden-2', 2);
    expect(invitations.every((i) => i.status === 'sent' && i.email === 'rita.rotated@example.com')).toBe(true);
    expect(h.forge.received.filter((call) => call.status === 401)).toEqual([]);
  });

  it('explains, per invitation, why it was skipped when the site will not share the address', async () => {
    h.forge.setEmailApi('forbidden');
    try {
      await h.forge.sendUserCreated(base, { accountId: 'forge-private-1', displayName: 'Private Pia', emailAddress: 'pia@example.com' });
      const invitations = await settled(h, 'forge-private-1', 2);
      expect(invitations.every((i) => i.status === 'skipped' && i.reason?.includes('read:email-address:jira'))).toBe(true);
    } finally {
      h.forge.setEmailApi('ok');
    }
  });

  it('refuses the admin API to a user who is not a Jira administrator: 403, and nothing changes', async () => {
    const before = await countRows(h, 'linked_accounts');
    const answer = await h.api('POST', '/api/linked-accounts', { workspace: 'another', credentials: OAUTH }, { accountId: NON_ADMIN.accountId });
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(/Jira administrators/);
    expect(await countRows(h, 'linked_accounts')).toBe(before);
    // Asked at the site, as the app: the permission check with the app token.
    expect(h.forge.received).toContainEqual(expect.objectContaining({ method: 'POST', path: '/rest/api/3/permissions/check', status: 200 }));
  });

  it('answers an event that is not a new user, or is malformed, with 400 and records nothing', async () => {
    const before = await countRows(h, 'new_users');
    const token = await h.forge.fit({ type: 'core:endpoint', key: 'user-created-event' }, { context: null });
    const send = (body: unknown) =>
      fetch(`${base}${FORGE_USER_CREATED_PATH}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const updated = await send({ eventType: 'avi:jira:updated:user', user: { accountId: 'forge-updated-1', displayName: 'Up Dated' } });
    const malformed = await send({ payload: { eventType: 'avi:jira:created:user', user: { displayName: 'No Account Id' } } });
    expect([updated.status, malformed.status]).toEqual([400, 400]);
    expect((await malformed.json()).message).toMatch(/not valid/);
    expect(await countRows(h, 'new_users')).toBe(before);
  });
});
