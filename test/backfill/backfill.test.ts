import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { ADMIN, eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
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

  it('answers an unknown backfill with 404, and a confirmation of one that waits for none with a sentence', async () => {
    expect(await h.api('GET', '/api/backfills/not-an-id')).toMatchObject({ status: 404, body: { message: 'No backfill with this id.' } });
    const done = (await h.api('GET', '/api/backfills')).body.backfills[0];
    const late = await h.api('POST', `/api/backfills/${done.id}/confirm`, { count: 0 });
    expect(late).toMatchObject({ status: 409, body: { message: 'This backfill does not wait for a confirmation: it is completed.' } });
    const text = await h.api('POST', `/api/backfills/${done.id}/confirm`, { count: 'ten' });
    expect(text).toMatchObject({ status: 400, body: { message: 'The number of invitations to send must be a whole number.' } });
  });

  it('finds invitations by email, name or account id, and retries all failed ones of the filter once the count is confirmed', async () => {
    h.bitbucket.failInvitations('acme', { status: 400, count: 3 });
    for (const i of [1, 2, 3]) {
      const user = { accountId: `late-${i}`, displayName: `Late Comer ${i}`, emailAddress: `late${i}@example.com`, emailVisible: true };
      expect((await h.site.sendUserCreated(h.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    }
    await eventually(
      async () => (await h.api('GET', '/api/invitations?status=failed')).body.total === 3 || undefined,
      20_000,
      'three failed invitations',
    );
    const status = await h.api('GET', '/api/site-status');
    expect(status.body.attention).toEqual({ failedInvitations: 3, accounts: [] });

    const byEmail = await h.api('GET', '/api/invitations?search=LATE2%40exa');
    expect(byEmail.body.invitations.map((i: { accountId: string }) => i.accountId)).toEqual(['late-2']);
    const byName = await h.api('GET', `/api/invitations?search=${encodeURIComponent('late comer')}&linkedAccountId=${accountId}`);
    expect(byName.body.total).toBe(3);
    // Any part of a name or an email, from three characters on; one or two match the start only.
    const byPartOfName = await h.api('GET', `/api/invitations?search=${encodeURIComponent('comer 3')}`);
    expect(byPartOfName.body.invitations.map((i: { accountId: string }) => i.accountId)).toEqual(['late-3']);
    const byPartOfEmail = await h.api('GET', '/api/invitations?search=ATE1%40EXAMPLE');
    expect(byPartOfEmail.body.invitations.map((i: { accountId: string }) => i.accountId)).toEqual(['late-1']);
    expect((await h.api('GET', '/api/invitations?search=at')).body.total).toBe(0);
    expect((await h.api('GET', '/api/invitations?search=la')).body.total).toBe(3);
    const byAccount = await h.api('GET', '/api/invitations?search=old-3');
    expect(byAccount.body.invitations.map((i: { displayName: string }) => i.displayName)).toEqual(['old Person 3']);
    // A wildcard typed by the admin is a character to find, not a pattern.
    expect((await h.api('GET', '/api/invitations?search=%25')).body.total).toBe(0);
    expect((await h.api('GET', '/api/invitations?search=late_')).body.total).toBe(0);

    const wrong = await h.api('POST', '/api/invitations/retry-failed', { search: 'late', count: 2 });
    expect(wrong).toMatchObject({
      status: 409,
      body: { message: '3 failed invitations match this filter now, not 2. Check the list and confirm again.' },
    });
    const retried = await h.api('POST', '/api/invitations/retry-failed', { search: 'late', linkedAccountId: accountId, count: 3 });
    expect(retried).toMatchObject({ status: 200, body: { retried: 3, unchanged: 0 } });
    await eventually(
      async () => (await h.api('GET', '/api/invitations?search=late&status=sent')).body.total === 3 || undefined,
      20_000,
      'the retried invitations sent',
    );
    const after = await h.api('GET', '/api/invitations?search=late');
    expect(after.body.invitations.every((i: { attempts: number }) => i.attempts === 1)).toBe(true);
    expect((await h.api('GET', '/api/site-status')).body.attention.failedInvitations).toBe(0);
    const audit = await h.api('GET', '/api/audit-log?pageSize=1');
    expect(audit.body.entries[0]).toMatchObject({
      action: 'invitations.retried-all-failed',
      actorAccountId: ADMIN.accountId,
      after: { retried: 3, unchanged: 0 },
    });
  });

  it('exports the audit log as CSV, quoting quotes, commas and line breaks, and defusing cells a spreadsheet would run as formulas', async () => {
    const sneaky = { accountId: '=HYPERLINK("http://evil.example")', displayName: 'Sneaky Admin', administrator: true };
    h.site.addUser(sneaky);
    const search = 'he said "hi", then\nleft';
    const done = await h.api('POST', '/api/invitations/retry-failed', { search, count: 0 }, { accountId: sneaky.accountId });
    expect(done).toMatchObject({ status: 200, body: { retried: 0 } });
    const response = await fetch(`${h.app.baseUrl}/api/audit-log/export`, {
      headers: { Authorization: `JWT ${h.site.contextToken(ADMIN.accountId)}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    const csv = await response.text();
    expect(csv.startsWith('at,actorAccountId,linkedAccountId,action,subject,before,after\r\n')).toBe(true);
    const first = csv.split('\r\n')[1]!;
    const cells = first.split(',invitations.retried-all-failed,');
    expect(cells[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z,"'=HYPERLINK\(""http:\/\/evil\.example""\)",$/);
    expect(cells[1]).toBe('"Failed invitations matching ""he said ""hi"", then\nleft""","{""failed"":0}","{""retried"":0,""unchanged"":0}"');
    expect(csv.split('\r\n').filter((line) => line.includes('backfill.started'))).toHaveLength(2);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('refuses a backfill of a linked account without default groups, with a sentence', async () => {
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

describe('a backfill above the confirmation threshold', () => {
  let h: Harness;
  let accountId: string;

  beforeAll(async () => {
    // Bitbucket takes 2 invitations a minute here, so the backfill is still sending when cancelled.
    h = await startHarness({
      env: {
        BACKFILL_PAGE_SIZE: '7',
        BACKFILL_RETRY_SECONDS: '0.2',
        BACKFILL_CONFIRM_THRESHOLD: '5',
        BITBUCKET_INVITATIONS_PER_MINUTE: '2',
        QUEUE_MAINTENANCE_SECONDS: '1',
      },
    });
    addPeople(h.site, 'many', 20);
    accountId = await linkWorkspace(h, ['developers']);
  });
  afterAll(() => h?.stop());

  it('waits for the admin to confirm the exact count, refuses another number, and stops sending when cancelled', { timeout: 90_000 }, async () => {
    const started = await h.api('POST', `/api/linked-accounts/${accountId}/backfills`);
    const id = started.body.backfill.id as string;
    const waiting = await settledBackfill(h, id, ['awaiting-confirmation']);
    expect(waiting).toMatchObject({ toInvite: 22, threshold: 5, confirmationRequired: true, invitationsCreated: 0, progress: null });
    expect(putsOf(h)).toHaveLength(0);

    const again = await h.api('POST', `/api/linked-accounts/${accountId}/backfills`);
    expect(again).toMatchObject({ status: 409, body: { message: expect.stringContaining('already being invited') } });

    const wrong = await h.api('POST', `/api/backfills/${id}/confirm`, { count: 21 });
    expect(wrong).toMatchObject({
      status: 409,
      body: { message: 'This would send 22 invitations, not 21. Check the number and confirm it exactly.' },
    });
    const missing = await h.api('POST', `/api/backfills/${id}/confirm`, {});
    expect(missing).toMatchObject({ status: 400, body: { message: 'Confirm the number of invitations to send: send "count".' } });
    expect((await h.api('GET', `/api/backfills/${id}`)).body.backfill.status).toBe('awaiting-confirmation');

    const confirmed = await h.api('POST', `/api/backfills/${id}/confirm`, { count: 22 });
    expect(confirmed).toMatchObject({ status: 200, body: { backfill: { status: 'running', confirmedCount: 22 } } });
    await eventually(async () => putsOf(h).some((r) => r.status === 200) || undefined, 20_000, 'a first invitation sent');

    const cancelled = await h.api('POST', `/api/backfills/${id}/cancel`);
    expect(cancelled).toMatchObject({ status: 200, body: { backfill: { status: 'cancelled' } } });
    const settled = await eventually(
      async () => {
        const backfill = (await h.api('GET', `/api/backfills/${id}`)).body.backfill;
        return backfill.invitations.queued === 0 ? backfill : undefined;
      },
      30_000,
      'the invitations a run held when cancelled to end',
    );
    // Only the first page was written; what was not being sent right then is skipped, saying why.
    expect(settled.invitationsCreated).toBe(7);
    expect(settled.invitations.skipped).toBeGreaterThan(0);
    expect(settled.invitations.sent + settled.invitations.skipped).toBe(7);
    expect(putsOf(h).filter((r) => r.status === 200)).toHaveLength(settled.invitations.sent);
    const skipped = await h.api('GET', '/api/invitations?status=skipped');
    expect(skipped.body.invitations[0]).toMatchObject({
      reasonCode: 'backfill-cancelled',
      reason: 'Not sent: the admin cancelled the invitation of existing users.',
    });

    const twice = await h.api('POST', `/api/backfills/${id}/cancel`);
    expect(twice).toMatchObject({ status: 409, body: { message: 'This backfill has already ended (cancelled); there is nothing to cancel.' } });
    const audit = await h.api('GET', `/api/audit-log?linkedAccountId=${accountId}`);
    expect(audit.body.entries.slice(0, 3).map((e: { action: string }) => e.action)).toEqual([
      'backfill.cancelled',
      'backfill.confirmed',
      'backfill.started',
    ]);
    expect(audit.body.entries[1]).toMatchObject({ actorAccountId: ADMIN.accountId, before: { toInvite: 22 }, after: { confirmedCount: 22 } });
  });
});
