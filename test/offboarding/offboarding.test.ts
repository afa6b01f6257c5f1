import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { USER_DELETED_PATH } from '../../src/entry/connect/user-deleted-webhook.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import {
  ORG_GROUPS,
  ORGANIZATION,
  eventually,
  linkOrganization,
  linkWorkspace,
  startHarness,
  type ApiAnswer,
  type Harness,
} from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const ORG = ORGANIZATION.id;
const DIR = ORGANIZATION.directories[0]!.id;
let counter = 0;

type Site = {
  site: JiraConnectSimulator;
  api: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;
  id: string;
};

async function removalsOf(site: Site, accountId: string): Promise<any[]> {
  const answer = await site.api('GET', '/api/removals?pageSize=100');
  expect(answer.status).toBe(200);
  return answer.body.removals.filter((r: any) => r.accountId === accountId);
}

async function settledRemovals(site: Site, accountId: string, count: number): Promise<any[]> {
  return eventually(
    async () => {
      const found = await removalsOf(site, accountId);
      return found.length === count && found.every((r) => r.status !== 'queued') ? found : undefined;
    },
    20_000,
    `the removals of ${accountId}`,
  );
}

async function finishedCheck(site: Site): Promise<any> {
  const started = await site.api('POST', '/api/user-checks');
  expect(started.status).toBe(202);
  return eventually(
    async () => {
      const latest = (await site.api('GET', '/api/user-checks/latest')).body.userCheck;
      return latest?.id === started.body.userCheck.id && latest.status !== 'running' ? latest : undefined;
    },
    20_000,
    'the check to finish',
  );
}

describe('offboarding through Connect', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function orgSite(groupIds: string[]): Promise<Site & { newUser: () => Promise<string> }> {
    const site = await harness.addSite();
    const api = (method: string, path: string, body?: unknown) => harness.api(method, path, body, { site });
    const id = await linkOrganization(api, groupIds);
    const newUser = async () => {
      const accountId = `leaver-${++counter}`;
      harness.admin.addUsers(ORG, DIR, [accountId]);
      expect((await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, { accountId, displayName: `Leaver ${counter}` })).status).toBe(204);
      await eventually(async () => harness.admin.members(ORG, groupIds[0]!).includes(accountId), 20_000, `${accountId} added to ${groupIds[0]}`);
      return accountId;
    };
    return { site, api, id, newUser };
  }

  it('removes a deleted user from the workspace group the app added them to, exactly once, and leaves other members alone', async () => {
    const site = harness.site;
    const api = (method: string, path: string, body?: unknown) => harness.api(method, path, body);
    const id = await linkWorkspace(harness, ['developers']);
    const s: Site = { site, api, id };
    harness.bitbucket.addMember('acme', 'developers', 'outsider-1');
    const user = { accountId: 'bb-leaver', displayName: 'Bea Leaver', emailAddress: 'bea@example.com', emailVisible: true };
    expect((await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    await eventually(async () => harness.bitbucket.invitations('acme').some((i) => i.email === 'bea@example.com'), 20_000, 'the invitation');
    harness.bitbucket.acceptInvitation('acme', 'bea@example.com', 'developers', 'bb-leaver');

    const turnedOn = await api('PUT', `/api/linked-accounts/${id}/offboarding`, { mode: 'remove' });
    expect(turnedOn.status).toBe(200);
    expect(turnedOn.body.offboarding).toMatchObject({ mode: 'remove', removalCount: 0, effectiveThreshold: 20 });

    const first = await site.sendUserDeleted(harness.app.baseUrl, USER_DELETED_PATH, 'bb-leaver');
    expect(first.status).toBe(204);
    // Jira's retry of the same event, and a second event for the same user.
    expect((await site.sendUserDeleted(harness.app.baseUrl, USER_DELETED_PATH, 'bb-leaver', { identifier: first.identifier, retry: 1 })).status).toBe(
      204,
    );
    expect((await site.sendUserDeleted(harness.app.baseUrl, USER_DELETED_PATH, 'bb-leaver')).status).toBe(204);

    const [removal] = await settledRemovals(s, 'bb-leaver', 1);
    expect(removal).toMatchObject({ status: 'removed', groupSlug: 'developers', cause: 'deleted', workspace: 'acme' });
    expect(harness.bitbucket.members('acme', 'developers')).toEqual(['outsider-1']);
    const deletes = harness.bitbucket.received.filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    const audit = await withClient(harness.databaseUrl, (c) => c.query("SELECT action FROM audit_log WHERE subject = 'user:bb-leaver'"));
    expect(audit.rows.map((r) => r.action)).toEqual(['offboarding.removal-removed']);
  });

  it('records an invitation Bitbucket still holds as pending, since its API cannot revoke one', async () => {
    const user = { accountId: 'bb-pending', displayName: 'Pat Pending', emailAddress: 'pat@example.com', emailVisible: true };
    expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    await eventually(async () => harness.bitbucket.invitations('acme').some((i) => i.email === 'pat@example.com'), 20_000, 'the invitation');
    expect((await harness.site.sendUserDeleted(harness.app.baseUrl, USER_DELETED_PATH, 'bb-pending')).status).toBe(204);
    const s: Site = { site: harness.site, api: (m, p, b) => harness.api(m, p, b), id: '' };
    const [removal] = await settledRemovals(s, 'bb-pending', 1);
    expect(removal.status).toBe('invitation-pending');
    expect(removal.reason).toMatch(/cannot revoke a pending invitation/);
  });

  it('finds a deactivated user by checking Jira, and removes the organization membership the app added, never one it did not', async () => {
    const s = await orgSite([ORG_GROUPS.developers.id]);
    expect((await s.api('PUT', `/api/linked-accounts/${s.id}/offboarding`, { mode: 'remove' })).status).toBe(200);
    const leaver = await s.newUser();
    const stayer = await s.newUser();
    // Already a member before the app existed: the app never added them, so it never removes them.
    harness.admin.addUsers(ORG, DIR, ['old-hand']);
    const before = harness.admin.members(ORG, ORG_GROUPS.developers.id);
    s.site.directory.deactivate(leaver);
    s.site.directory.deactivate('old-hand');

    const check = await finishedCheck(s);
    expect(check).toMatchObject({ status: 'finished', checked: 2, inactive: 1, unknown: 0 });
    const [removal] = await settledRemovals(s, leaver, 1);
    expect(removal).toMatchObject({ status: 'removed', cause: 'deactivated', groupSlug: ORG_GROUPS.developers.id });
    expect(harness.admin.members(ORG, ORG_GROUPS.developers.id)).toEqual(before.filter((m) => m !== leaver));
    expect(await removalsOf(s, stayer)).toEqual([]);
  });

  it('starts a scheduled check under way over from the first user when the admin asks to check now', async () => {
    const s = await orgSite([ORG_GROUPS.developers.id]);
    expect((await s.api('PUT', `/api/linked-accounts/${s.id}/offboarding`, { mode: 'remove' })).status).toBe(200);
    const leaver = await s.newUser();
    const stayer = await s.newUser();
    // A scheduled check is under way on another instance and has passed both users already, while they were
    // still active (inserted once the one the schedule may have started when removal was turned on has ended).
    await eventually(
      async () => {
        const inserted = await withClient(harness.databaseUrl, (c) =>
          c.query(
            `INSERT INTO user_checks (tenant_id, trigger, status, job_id, total, checked, cursor, lease_owner, lease_expires_at)
             SELECT tenant_id, 'schedule', 'running', gen_random_uuid(), 2, 2, 'zzz', gen_random_uuid(), now() + interval '1 hour'
             FROM linked_accounts WHERE id = $1
             ON CONFLICT (tenant_id) WHERE status = 'running' DO NOTHING`,
            [s.id],
          ),
        );
        return inserted.rowCount === 1 ? true : undefined;
      },
      20_000,
      'a scheduled check under way',
    );
    s.site.directory.deactivate(leaver);

    const check = await finishedCheck(s);
    expect(check).toMatchObject({ trigger: 'admin', status: 'finished', checked: 2, inactive: 1, unknown: 0 });
    const [removal] = await settledRemovals(s, leaver, 1);
    expect(removal).toMatchObject({ status: 'removed', cause: 'deactivated' });
    expect(await removalsOf(s, stayer)).toEqual([]);
  });

  it('treats a Jira that cannot answer as unknown, never as inactive', async () => {
    const s = await orgSite([ORG_GROUPS.qa.id]);
    expect((await s.api('PUT', `/api/linked-accounts/${s.id}/offboarding`, { mode: 'remove' })).status).toBe(200);
    const user = await s.newUser();
    s.site.failNext(503, 1000);
    const check = await finishedCheck(s).finally(() => s.site.failNext(503, 0));
    expect(check).toMatchObject({ checked: 1, inactive: 0, unknown: 1 });
    expect(harness.admin.members(ORG, ORG_GROUPS.qa.id)).toContain(user);
  });

  it('holds a mass removal over the threshold until the admin confirms the exact count', async () => {
    const s = await orgSite([ORG_GROUPS.designers.id]);
    expect((await s.api('PUT', `/api/linked-accounts/${s.id}/offboarding`, { mode: 'remove', threshold: 2 })).status).toBe(200);
    const users = [await s.newUser(), await s.newUser(), await s.newUser()];
    for (const user of users) s.site.directory.deactivate(user);
    expect(await finishedCheck(s)).toMatchObject({ inactive: 3 });

    const held = await eventually(async () => {
      const view = (await s.api('GET', `/api/linked-accounts/${s.id}/offboarding`)).body.offboarding;
      return view.held === 3 ? view : undefined;
    });
    expect(held.effectiveThreshold).toBe(2);
    for (const user of users) expect(harness.admin.members(ORG, ORG_GROUPS.designers.id)).toContain(user);

    const wrong = await s.api('POST', `/api/linked-accounts/${s.id}/removals/confirm`, { count: 2 });
    expect(wrong.status).toBe(409);
    expect(wrong.body.message).toMatch(/3 removals are waiting now, not 2/);
    const bad = await s.api('POST', `/api/linked-accounts/${s.id}/removals/confirm`, { count: 'all' });
    expect(bad.status).toBe(400);

    expect((await s.api('POST', `/api/linked-accounts/${s.id}/removals/confirm`, { count: 3 })).body).toEqual({ released: 3 });
    for (const user of users) expect((await settledRemovals(s, user, 1))[0].status).toBe('removed');
    const audit = await withClient(harness.databaseUrl, (c) =>
      c.query('SELECT action, actor_account_id FROM audit_log WHERE subject = $1 ORDER BY id', [`linked-account:${s.id}`]),
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['offboarding.changed', 'offboarding.removals-held', 'offboarding.held-removals-confirmed']);
  });

  it('holds the delete events past the threshold within an hour, and ends them cancelled when the admin discards them', async () => {
    const s = await orgSite([ORG_GROUPS.qa.id]);
    expect((await s.api('PUT', `/api/linked-accounts/${s.id}/offboarding`, { mode: 'remove', threshold: 1 })).status).toBe(200);
    const [first, second] = [await s.newUser(), await s.newUser()];
    expect((await s.site.sendUserDeleted(harness.app.baseUrl, USER_DELETED_PATH, first)).status).toBe(204);
    expect((await settledRemovals(s, first, 1))[0].status).toBe('removed');
    expect((await s.site.sendUserDeleted(harness.app.baseUrl, USER_DELETED_PATH, second)).status).toBe(204);
    expect((await settledRemovals(s, second, 1))[0].status).toBe('held');

    expect((await s.api('POST', `/api/linked-accounts/${s.id}/removals/discard`)).body).toEqual({ discarded: 1 });
    const [discarded] = await removalsOf(s, second);
    expect(discarded).toMatchObject({ status: 'cancelled', reason: 'An administrator chose not to make these removals.' });
    expect(harness.admin.members(ORG, ORG_GROUPS.qa.id)).toContain(second);
    const audit = await withClient(harness.databaseUrl, (c) =>
      c.query('SELECT action FROM audit_log WHERE subject = $1 ORDER BY id', [`linked-account:${s.id}`]),
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['offboarding.changed', 'offboarding.removals-held', 'offboarding.held-removals-discarded']);
  });

  it('previews who would be removed before the setting is turned on, and removes only after the admin confirms that number', async () => {
    const s = await orgSite([ORG_GROUPS.developers.id]);
    const user = await s.newUser();
    expect((await s.site.sendUserDeleted(harness.app.baseUrl, USER_DELETED_PATH, user)).status).toBe(204);
    const view = await eventually(async () => {
      const answer = (await s.api('GET', `/api/linked-accounts/${s.id}/offboarding`)).body.offboarding;
      return answer.removalCount === 1 ? answer : undefined;
    });
    expect(view).toMatchObject({ mode: 'keep', preview: [{ accountId: user, cause: 'deleted', groups: [{ slug: ORG_GROUPS.developers.id }] }] });
    expect(harness.admin.members(ORG, ORG_GROUPS.developers.id)).toContain(user);

    const unconfirmed = await s.api('PUT', `/api/linked-accounts/${s.id}/offboarding`, { mode: 'remove' });
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.message).toMatch(/removes 1 membership/);
    const confirmed = await s.api('PUT', `/api/linked-accounts/${s.id}/offboarding`, { mode: 'remove', confirmRemovals: 1 });
    expect(confirmed.status).toBe(200);
    expect((await settledRemovals(s, user, 1))[0].status).toBe('removed');
    expect(harness.admin.members(ORG, ORG_GROUPS.developers.id)).not.toContain(user);
  });

  it('adds a user Jira reactivates back to the groups, as a new user', async () => {
    const s = await orgSite([ORG_GROUPS.qa.id]);
    expect((await s.api('PUT', `/api/linked-accounts/${s.id}/offboarding`, { mode: 'remove' })).status).toBe(200);
    const user = await s.newUser();
    s.site.directory.deactivate(user);
    await finishedCheck(s);
    await settledRemovals(s, user, 1);
    expect(harness.admin.members(ORG, ORG_GROUPS.qa.id)).not.toContain(user);

    s.site.directory.reactivate(user);
    expect(await finishedCheck(s)).toMatchObject({ reactivated: 1 });
    await eventually(async () => harness.admin.members(ORG, ORG_GROUPS.qa.id).includes(user), 20_000, 'the user added again');
  });

  it('refuses a setting it cannot read, with a sentence', async () => {
    const s = await orgSite([ORG_GROUPS.qa.id]);
    const answer = await s.api('PUT', `/api/linked-accounts/${s.id}/offboarding`, { mode: 'sometimes' });
    expect(answer.status).toBe(400);
    expect(answer.body.message).toMatch(/keep.*remove/);
    const missing = await s.api('GET', '/api/linked-accounts/00000000-0000-4000-8000-000000000000/offboarding');
    expect(missing.status).toBe(404);
  });
});
