import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import type { JiraConnectSimulator, SimulatedUser } from '../support/simulators/jira-connect-simulator.js';

/** People of the site besides the harness's admin and user; some show their address, some do not (delivery asks Jira). */
function addPeople(site: JiraConnectSimulator, prefix: string, count: number): SimulatedUser[] {
  const people: SimulatedUser[] = [];
  for (let i = 0; i < count; i++) {
    const user = {
      accountId: `${prefix}-${i}`,
      displayName: `${prefix} Person ${i}`,
      emailAddress: `${prefix}${i}@example.com`,
      emailVisible: i % 2 === 0,
    };
    site.addUser(user);
    people.push(user);
  }
  site.addUser({ accountId: `${prefix}-bot`, displayName: `${prefix} Bot`, accountType: 'app' });
  site.addUser({
    accountId: `${prefix}-customer`,
    displayName: `${prefix} Customer`,
    accountType: 'customer',
    emailAddress: `${prefix}c@example.com`,
  });
  site.addUser({ accountId: `${prefix}-gone`, displayName: `${prefix} Gone`, emailAddress: `${prefix}g@example.com`, active: false });
  return people;
}

const putsOf = (h: Harness) => h.bitbucket.received.filter((r) => r.method === 'PUT');

async function settledBackfill(h: Harness, id: string, statuses: string[] = ['completed']): Promise<any> {
  return eventually(
    async () => {
      const answer = await h.api('GET', `/api/backfills/${id}`);
      const backfill = answer.body.backfill;
      return statuses.includes(backfill.status) && (backfill.status !== 'completed' || backfill.invitations.queued === 0) ? backfill : undefined;
    },
    30_000,
    `backfill ${id} to be ${statuses.join(' or ')}`,
  );
}

describe('bringing the existing users of a Connect site in line with the default groups', () => {
  let h: Harness;
  let accountId: string;

  beforeAll(async () => {
    h = await startHarness({ env: { BACKFILL_PAGE_SIZE: '7', BACKFILL_RETRY_SECONDS: '0.2' } });
    addPeople(h.site, 'old', 20);
    accountId = await linkWorkspace(h, ['developers']);
  });
  afterAll(() => h?.stop());

  it('previews who would be invited where, with counts per group and a sample of names, without sending anything', async () => {
    const answer = await h.api('POST', `/api/linked-accounts/${accountId}/preview`, { groups: ['developers', 'qa'] });
    expect(answer.status).toBe(200);
    const preview = answer.body.preview;
    // 20 people plus the harness's admin and user; the bot, the customer and the deactivated account are left out.
    expect(preview).toMatchObject({ usersScanned: 25, excluded: 3, alreadyInvited: 0, invitations: 44, truncated: false });
    expect(preview.groups).toEqual([
      { slug: 'developers', name: 'Developers', invitations: 22, sample: expect.arrayContaining(['old Person 0']) },
      { slug: 'qa', name: 'QA', invitations: 22, sample: expect.any(Array) },
    ]);
    expect(preview.groups[0].sample).toHaveLength(5);
    expect(putsOf(h)).toHaveLength(0);
    // Both hosts reach Jira's listing with the app's own credentials, a page at a time.
    expect(h.site.received.filter((r) => r.path === '/rest/api/3/users/search').every((r) => r.status === 200)).toBe(true);
  });

  it('refuses a preview of an unknown linked account, or of groups that are not a list, with a sentence', async () => {
    const unknown = await h.api('POST', '/api/linked-accounts/00000000-0000-4000-8000-000000000000/preview', {});
    expect(unknown).toMatchObject({ status: 404, body: { message: 'No linked account with this id.' } });
    const bad = await h.api('POST', `/api/linked-accounts/${accountId}/preview`, { groups: 'developers' });
    expect(bad).toMatchObject({ status: 400, body: { message: 'The groups to preview must be a list of group slugs.' } });
  });

  it('invites every matching existing user once, and a second backfill sends nothing twice', async () => {
    const started = await h.api('POST', `/api/linked-accounts/${accountId}/backfills`);
    expect(started.status).toBe(201);
    expect(started.body.backfill).toMatchObject({ linkedAccountId: accountId, groups: [{ slug: 'developers', name: 'Developers' }] });
    const done = await settledBackfill(h, started.body.backfill.id);
    expect(done).toMatchObject({ toInvite: 22, invitationsCreated: 22, invitations: { sent: 22, failed: 0, skipped: 0, queued: 0 }, progress: 1 });
    const sent = putsOf(h).filter((r) => r.status === 200);
    expect(sent).toHaveLength(22);
    expect(new Set(sent.map((r) => JSON.stringify(r.body))).size).toBe(22);
    // An address the profile hid was asked of Jira at delivery.
    expect(sent.map((r) => (r.body as { email: string }).email)).toContain('old1@example.com');

    const again = await h.api('POST', `/api/linked-accounts/${accountId}/backfills`);
    expect(again.status).toBe(201);
    const second = await settledBackfill(h, again.body.backfill.id);
    expect(second).toMatchObject({ toInvite: 0, invitationsCreated: 0, reason: expect.stringContaining('nothing to send') });
    expect(putsOf(h)).toHaveLength(22);

    const preview = await h.api('POST', `/api/linked-accounts/${accountId}/preview`, {});
    expect(preview.body.preview).toMatchObject({ invitations: 0, alreadyInvited: 22 });

    const audit = await h.api('GET', `/api/audit-log?linkedAccountId=${accountId}`);
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['backfill.started', 'linked-account.default-groups-changed', 'linked-account.linked']),
    );
  });

  it('refuses a second backfill of the same linked account while one is open, and a backfill with no default groups', async () => {
    const bare = await linkWorkspaceWithoutGroups(h);
    const refused = await h.api('POST', `/api/linked-accounts/${bare}/backfills`);
    expect(refused).toMatchObject({ status: 400, body: { message: expect.stringContaining('Choose default groups') } });
  });
});

async function linkWorkspaceWithoutGroups(h: Harness): Promise<string> {
  h.bitbucket.addWorkspace({ slug: 'bare', groups: [{ slug: 'devs', name: 'Devs' }], oauthConsumers: [{ key: 'bare-key', secret: 'bare-secret' }] });
  const linked = await h.api('POST', '/api/linked-accounts', {
    workspace: 'bare',
    credentials: { type: 'oauth-consumer', key: 'bare-key', secret: 'bare-secret' },
  });
  expect(linked.status).toBe(201);
  return linked.body.linkedAccount.id;
}
