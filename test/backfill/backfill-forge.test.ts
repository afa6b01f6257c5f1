import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkWorkspaceThroughForge, startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { eventually } from '../support/test-app.js';

describe('bringing the existing users of a Forge site in line', () => {
  let h: ForgeHarness;
  let accountId: string;

  beforeAll(async () => {
    h = await startForgeHarness({ env: { BACKFILL_PAGE_SIZE: '4', BACKFILL_RETRY_SECONDS: '0.2' } });
    expect((await h.forge.sendInstalled(h.harness.app.baseUrl)).status).toBe(200);
    for (let i = 0; i < 8; i++) {
      // Forge Old 7 is in the Jira group a rule looks for.
      const groups = i === 7 ? { groups: ['Partners'] } : {};
      h.forge.addUser({ accountId: `forge-old-${i}`, displayName: `Forge Old ${i}`, emailAddress: `fold${i}@example.com`, ...groups });
    }
    h.forge.addUser({ accountId: 'forge-bot', displayName: 'Forge Bot', accountType: 'app' });
    accountId = await linkWorkspaceThroughForge(h, ['qa']);
  });
  afterAll(() => h?.stop());

  it('previews, then invites every matching existing user once through the app token (recording the rule that chose), and a second run sends nothing', async () => {
    const preview = await h.api('POST', `/api/linked-accounts/${accountId}/preview`, {});
    // 8 people plus the harness's admin and user; the bot is left out.
    expect(preview).toMatchObject({
      status: 200,
      body: { preview: { usersScanned: 11, excluded: 1, invitations: 10, groups: [{ slug: 'qa', invitations: 10 }] } },
    });
    expect(h.forge.received.filter((r) => r.path === '/rest/api/3/users/search').length).toBeGreaterThan(0);

    const rule = await h.api('POST', `/api/linked-accounts/${accountId}/rules`, {
      name: 'Partners',
      conditions: [{ kind: 'jira-group', groups: ['partners'] }],
      action: { kind: 'invite', groups: ['developers'] },
    });
    expect(rule.status).toBe(201);
    const withRule = await h.api('POST', `/api/linked-accounts/${accountId}/preview`, {});
    expect(withRule.body.preview).toMatchObject({
      invitations: 10,
      groups: [
        { slug: 'qa', invitations: 9 },
        { slug: 'developers', invitations: 1, sample: ['Forge Old 7'] },
      ],
    });

    const started = await h.api('POST', `/api/linked-accounts/${accountId}/backfills`);
    expect(started.status).toBe(201);
    const backfillOf = async (id: string) => (await h.api('GET', `/api/backfills/${id}`)).body.backfill;
    const done = await eventually(
      async () => {
        const backfill = await backfillOf(started.body.backfill.id);
        return backfill.status === 'completed' && backfill.invitations.queued === 0 ? backfill : undefined;
      },
      30_000,
      'the backfill to complete',
    );
    expect(done).toMatchObject({ invitationsCreated: 10, invitations: { sent: 10 }, progress: 1 });
    const puts = () => h.harness.bitbucket.received.filter((r) => r.method === 'PUT' && r.status === 200);
    expect(puts()).toHaveLength(10);

    const again = await h.api('POST', `/api/linked-accounts/${accountId}/backfills`);
    const second = await eventually(async () => {
      const backfill = await backfillOf(again.body.backfill.id);
      return backfill.status === 'completed' ? backfill : undefined;
    });
    expect(second.invitationsCreated).toBe(0);
    expect(puts()).toHaveLength(10);

    const invitations = (await h.api('GET', '/api/invitations?pageSize=100')).body.invitations as {
      accountId: string;
      groupSlug: string;
      chosenBy: unknown;
    }[];
    expect(invitations.filter((i) => i.accountId === 'forge-old-7').map((i) => [i.groupSlug, i.chosenBy])).toEqual([
      ['developers', { kind: 'rule', ruleId: rule.body.rule.id, ruleName: 'Partners' }],
    ]);
    expect(invitations.find((i) => i.accountId === 'forge-old-0')?.chosenBy).toEqual({ kind: 'defaults' });

    const listed = await h.api('GET', `/api/backfills?linkedAccountId=${accountId}`);
    expect(listed.body).toMatchObject({ threshold: 100, backfills: [{ id: again.body.backfill.id }, { id: started.body.backfill.id }] });
  });

  it('searches the invitations, and exports the audit log wrapped in JSON for invokeRemote', async () => {
    const found = await h.api('GET', '/api/invitations?search=forge%20old%203');
    expect(found.body.invitations).toEqual([expect.objectContaining({ accountId: 'forge-old-3', status: 'sent' })]);
    const retry = await h.api('POST', '/api/invitations/retry-failed', { count: 1 });
    expect(retry).toMatchObject({
      status: 409,
      body: { message: '0 failed invitations match this filter now, not 1. Check the list and confirm again.' },
    });
    const exported = await h.api('GET', `/api/audit-log/export?as=json&linkedAccountId=${accountId}`);
    expect(exported.status).toBe(200);
    expect(exported.body.filename).toMatch(/^audit-log-.*\.csv$/);
    expect(exported.body.complete).toBe(true);
    const lines = (exported.body.csv as string).split('\r\n');
    expect(lines[0]).toBe('at,actorAccountId,linkedAccountId,action,subject,before,after');
    expect(lines.filter((line) => line.includes(',backfill.started,'))).toHaveLength(2);
    expect(lines.every((line) => line === '' || line.startsWith('at,') || line.includes(accountId))).toBe(true);
  });
});
