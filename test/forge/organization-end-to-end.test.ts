import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain } from '../../src/clients/atlassian-admin/organization-refusal.js';
import { linkOrganizationThroughForge, startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { ORG_API_KEY, ORG_GROUPS, ORGANIZATION, eventually } from '../support/test-app.js';

type InvitationJson = { groupSlug: string; status: string; reason: string | null; reasonCode: string | null; attempts: number; accountId: string };

const ORG = ORGANIZATION.id;
const DIR = ORGANIZATION.directories[0]!.id;

/** The organization path through Forge: the admin page's invokeRemote calls and Forge's avi:jira:created:user events. */
describe('a Forge site that adds new users to Atlassian organization groups', () => {
  let h: ForgeHarness;
  let base: string;
  let accountId: string;
  let counter = 0;

  const settled = (user: string, count: number) =>
    eventually(
      async () => {
        const answer = await h.api('GET', '/api/invitations?pageSize=100');
        const found = (answer.body.invitations as InvitationJson[]).filter((i) => i.accountId === user);
        return found.length === count && found.every((i) => i.status !== 'queued') ? found : undefined;
      },
      20_000,
      `the invitations of ${user}`,
    );
  /** A new Jira user, a user of the organization's directory unless said otherwise, announced by Forge's event. */
  const newUser = async (options: { inDirectory?: boolean; retries?: number } = {}) => {
    const user = { accountId: `forge-org-user-${++counter}`, displayName: `Forge User ${counter}` };
    if (options.inDirectory !== false) h.harness.admin.addUsers(ORG, DIR, [user.accountId]);
    expect(await h.forge.sendUserCreated(base, user)).toEqual({ status: 200, body: { recorded: true } });
    for (let retryCount = 1; retryCount <= (options.retries ?? 0); retryCount++) {
      expect(await h.forge.sendUserCreated(base, user, { retryCount })).toEqual({ status: 200, body: { recorded: false } });
    }
    return user.accountId;
  };

  beforeAll(async () => {
    h = await startForgeHarness({ env: { DELIVERY_RETRY_BASE_SECONDS: '0.2', DELIVERY_MAX_ATTEMPTS: '3' } });
    base = h.harness.app.baseUrl;
    expect((await h.forge.sendInstalled(base)).status).toBe(200);
  });
  afterAll(() => h?.stop());

  it('finds the organization by its key, links it, and adds each new user to the ticked groups once, whatever Forge redelivers', async () => {
    const found = await h.api('POST', '/api/organizations/discover', { apiKey: ORG_API_KEY });
    expect(found).toEqual({
      status: 200,
      body: { organizations: [{ id: ORG, name: 'Acme Cloud', directories: [{ id: DIR, name: 'Acme users' }] }] },
    });
    accountId = await linkOrganizationThroughForge(h, [ORG_GROUPS.developers.id, ORG_GROUPS.qa.id]);

    const user = await newUser({ retries: 2 });

    const invitations = await settled(user, 2);
    expect(invitations.map((i) => [i.groupSlug, i.status]).sort()).toEqual([
      [ORG_GROUPS.developers.id, 'sent'],
      [ORG_GROUPS.qa.id, 'sent'],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for a repeated membership to show up
    expect(h.harness.admin.membershipAttempts(user, ORG_GROUPS.developers.id)).toBe(1);
    expect(h.harness.admin.membershipAttempts(user, ORG_GROUPS.qa.id)).toBe(1);
    // No email is needed to add an account id: Jira is never asked for one.
    expect(h.forge.received.filter((call) => call.path.includes('/user/email'))).toEqual([]);
  });

  it('retries after a 429 and a server error, then adds the member once', async () => {
    h.harness.admin.failRequests(ORG, { status: 429, count: 1, retryAfterSeconds: 1, on: 'membership' });
    h.harness.admin.failRequests(ORG, { status: 502, count: 1, on: 'membership' });
    const user = await newUser();

    const invitations = await settled(user, 2);

    expect(invitations.every((i) => i.status === 'sent')).toBe(true);
    const answers = h.harness.admin.received.filter((r) => r.method === 'POST' && (r.body as { accountId?: string } | null)?.accountId === user);
    expect(answers.map((r) => r.status).sort()).toEqual([204, 204, 429, 502]);
    expect(invitations.reduce((sum, i) => sum + i.attempts, 0)).toBe(4);
  });

  it("fails, with the sentence to act on, the memberships of a user outside the organization's directory", async () => {
    const user = await newUser({ inDirectory: false });

    const invitations = await settled(user, 2);

    for (const invitation of invitations) {
      expect(invitation).toMatchObject({ status: 'failed', reasonCode: 'rejected' });
      const group = invitation.groupSlug === ORG_GROUPS.qa.id ? 'qa' : 'developers';
      expect(invitation.reason!.startsWith(explain('not-in-directory', group))).toBe(true);
    }
    expect((await h.api('GET', '/api/linked-accounts')).body.linkedAccounts[0].status).toBe('active');
  });

  it('marks the key invalid once Atlassian refuses it, and adds what it held back once the admin saves a new key through the page', async () => {
    h.harness.admin.revokeApiKey(ORG_API_KEY);
    const user = await newUser();
    const refused = await settled(user, 2);
    expect(refused.map((i) => [i.status, i.reasonCode])).toEqual([
      ['failed', 'credentials-invalid'],
      ['failed', 'credentials-invalid'],
    ]);
    // The run marks the account right after failing the invitation.
    await eventually(
      async () => (await h.api('GET', '/api/linked-accounts')).body.linkedAccounts[0].status === 'credentials-invalid',
      10_000,
      'the organization to be marked Credentials invalid',
    );

    const newKey = 'acme-org-new-key-7c21e0';
    h.harness.admin.addApiKey(newKey, [ORG]);
    const updated = await h.api('PUT', `/api/linked-accounts/${accountId}/credentials`, {
      credentials: { type: 'organization-api-key', apiKey: newKey },
    });
    expect(updated.status).toBe(200);

    await eventually(async () => (await settled(user, 2)).every((i) => i.status === 'sent'), 20_000, 'the held-back memberships to be added');
    expect(h.harness.admin.members(ORG, ORG_GROUPS.developers.id)).toContain(user);
    expect(h.harness.admin.members(ORG, ORG_GROUPS.qa.id)).toContain(user);
  });
});
