import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkOrganizationThroughForge, startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { ORG_GROUPS, ORGANIZATION, eventually } from '../support/test-app.js';

const ORG = ORGANIZATION.id;
const DIR = ORGANIZATION.directories[0]!.id;

/** Offboarding on a Forge site: avi:jira:deleted:user events and the check against Jira with the app token. */
describe('offboarding through Forge', () => {
  let h: ForgeHarness;
  let base: string;
  let accountId: string;
  let counter = 0;

  const removalsOf = async (user: string) =>
    ((await h.api('GET', '/api/removals?pageSize=100')).body.removals as { accountId: string; status: string; cause: string }[]).filter(
      (r) => r.accountId === user,
    );
  const settled = (user: string) =>
    eventually(
      async () => {
        const found = await removalsOf(user);
        return found.length === 1 && found[0]!.status !== 'queued' ? found[0] : undefined;
      },
      20_000,
      `the removal of ${user}`,
    );
  const newUser = async () => {
    const user = { accountId: `forge-leaver-${++counter}`, displayName: `Forge Leaver ${counter}` };
    h.harness.admin.addUsers(ORG, DIR, [user.accountId]);
    expect((await h.forge.sendUserCreated(base, user)).status).toBe(200);
    await eventually(async () => h.harness.admin.members(ORG, ORG_GROUPS.developers.id).includes(user.accountId), 20_000, 'the membership');
    return user.accountId;
  };

  beforeAll(async () => {
    h = await startForgeHarness();
    base = h.harness.app.baseUrl;
    expect((await h.forge.sendInstalled(base)).status).toBe(200);
    accountId = await linkOrganizationThroughForge(h, [ORG_GROUPS.developers.id]);
    expect((await h.api('PUT', `/api/linked-accounts/${accountId}/offboarding`, { mode: 'remove' })).status).toBe(200);
  });
  afterAll(() => h?.stop());

  it('removes a user Forge says Jira deleted, exactly once, whatever Forge redelivers', async () => {
    const user = await newUser();
    expect(await h.forge.sendUserDeleted(base, user)).toEqual({ status: 200, body: { recorded: true } });
    expect(await h.forge.sendUserDeleted(base, user, { wrapInPayload: true })).toEqual({ status: 200, body: { recorded: false } });
    expect(await settled(user)).toMatchObject({ status: 'removed', cause: 'deleted' });
    expect(h.harness.admin.members(ORG, ORG_GROUPS.developers.id)).not.toContain(user);
    expect(await removalsOf(user)).toHaveLength(1);
  });

  it('finds a deactivated user by asking Jira with the app token', async () => {
    const user = await newUser();
    const other = await newUser();
    h.forge.directory.deactivate(user);
    const started = await h.api('POST', '/api/user-checks');
    expect(started.status).toBe(202);
    const check = await eventually(async () => {
      const latest = (await h.api('GET', '/api/user-checks/latest')).body.userCheck;
      return latest.status === 'finished' ? latest : undefined;
    });
    expect(check).toMatchObject({ inactive: 1, unknown: 0 });
    expect(await settled(user)).toMatchObject({ status: 'removed', cause: 'deactivated' });
    expect(h.harness.admin.members(ORG, ORG_GROUPS.developers.id)).toContain(other);
    expect(h.forge.received.some((call) => call.path === '/rest/api/3/user' && call.status === 200)).toBe(true);
  });

  it("refuses a page's token on the deleted-user route", async () => {
    const answer = await h.forge.invokeRemote(base, {
      path: '/forge/events/user-deleted',
      method: 'POST',
      body: { user: { accountId: 'x' } },
      accountId: 'admin-1',
    });
    // A page's token names a UI module, which the event route does not accept.
    expect(answer.status).toBe(401);
  });
});
