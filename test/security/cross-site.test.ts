import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { USER_DELETED_PATH } from '../../src/entry/connect/user-deleted-webhook.js';
import { linkWorkspaceThroughForge, startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { eventually, linkWorkspace, NON_ADMIN, type ApiAnswer } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

/**
 * Another site's ids on every route of invitation strategies, backfills, the audit log and
 * offboarding: an administrator of site A (Connect) or of the Forge site reaches none of site B's
 * linked accounts, rules, pending reviews, backfills, removals, user checks, audit entries or
 * invitations. Each id route answers 404 and changes nothing; each filter by B's id finds nothing.
 */

type Call = (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;

const TABLES = ['linked_accounts', 'new_users', 'invitations', 'audit_log', 'backfills', 'removals', 'departures', 'user_checks'];
const RULE = {
  name: 'B contractors',
  conditions: [{ kind: 'email-domain', domains: ['contractor.example'] }],
  action: { kind: 'invite', groups: ['qa'] },
};

describe("another site's ids on the routes of strategies, backfills, the audit log and offboarding", () => {
  let h: ForgeHarness;
  let siteB: JiraConnectSimulator;
  /** Site B's linked account, its rule, its open backfill, its user check, a sent invitation and a user waiting in review. */
  const b = { account: '', rule: '', backfill: '', toInvite: 0, check: '', invitation: '', waiting: 'b-waiting' };
  /** Each caller's own linked account, to pair with B's rule id. */
  const own: Record<string, string> = {};

  const asB: Call = (method, path, body) => h.harness.api(method, path, body, { site: siteB });
  const callers: [string, Call][] = [
    ["site A's administrator, through Connect", (method, path, body) => h.harness.api(method, path, body)],
    ["the Forge site's administrator", (method, path, body) => h.api(method, path, body)],
  ];

  const snapshot = () =>
    withClient(h.harness.databaseUrl, async (client) => {
      const state: Record<string, string> = {};
      for (const table of TABLES) {
        const { rows } = await client.query(
          `SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${table} t`,
        );
        state[table] = `${rows[0].n}:${rows[0].digest}`;
      }
      return state;
    });

  const expectOk = (answer: ApiAnswer, what: string) => expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);

  beforeAll(async () => {
    // Every backfill waits for a confirmation, so B's stays open for the probes.
    h = await startForgeHarness({ env: { BACKFILL_CONFIRM_THRESHOLD: '0' } });
    const base = h.harness.app.baseUrl;
    expect((await h.forge.sendInstalled(base)).status).toBe(200);
    siteB = await h.harness.addSite();
    own.connect = await linkWorkspace(h.harness, ['developers']);
    own.forge = await linkWorkspaceThroughForge(h, ['developers']);
    b.account = await linkWorkspace(h.harness, ['developers'], siteB);

    const backfill = await asB('POST', `/api/linked-accounts/${b.account}/backfills`);
    expectOk(backfill, 'B starts a backfill');
    b.backfill = backfill.body.backfill.id;
    const counted = await eventually(
      async () => {
        const answer = await asB('GET', `/api/backfills/${b.backfill}`);
        return answer.body.backfill.status === 'awaiting-confirmation' ? answer.body.backfill : undefined;
      },
      20_000,
      "B's backfill to wait for its confirmation",
    );
    b.toInvite = counted.toInvite;

    const leaver = { accountId: 'b-leaver', displayName: 'Bo Leaver', emailAddress: 'bo@example.com', emailVisible: true };
    expect((await siteB.sendUserCreated(base, USER_CREATED_PATH, leaver)).status).toBe(204);
    b.invitation = await eventually(
      async () => {
        const answer = await asB('GET', '/api/invitations?status=sent');
        return answer.body.invitations.find((i: any) => i.accountId === leaver.accountId)?.id as string | undefined;
      },
      20_000,
      "B's sent invitation",
    );

    const rule = await asB('POST', `/api/linked-accounts/${b.account}/rules`, RULE);
    expectOk(rule, 'B adds a rule');
    b.rule = rule.body.rule.id;

    expectOk(await asB('PUT', `/api/linked-accounts/${b.account}/offboarding`, { mode: 'remove', threshold: 0 }), 'B turns removal on');
    expect((await siteB.sendUserDeleted(base, USER_DELETED_PATH, leaver.accountId)).status).toBe(204);
    await eventually(async () => (await asB('GET', '/api/removals?status=held')).body.removals.length === 1, 20_000, "B's held removal");

    expectOk(await asB('PUT', `/api/linked-accounts/${b.account}/default-groups`, { groups: ['developers'], mode: 'review' }), 'B turns review on');
    const waiting = { accountId: b.waiting, displayName: 'Wes Waiting', emailAddress: 'wes@example.com', emailVisible: true };
    expect((await siteB.sendUserCreated(base, USER_CREATED_PATH, waiting)).status).toBe(204);
    await eventually(async () => (await asB('GET', '/api/pending-review')).body.total === 1, 20_000, "B's pending review");

    const check = await asB('POST', '/api/user-checks');
    expectOk(check, 'B checks its users');
    b.check = check.body.userCheck.id;
    await eventually(
      async () => {
        const latest = (await asB('GET', '/api/user-checks/latest')).body.userCheck;
        return latest && latest.status !== 'running' && !(await busy());
      },
      20_000,
      "B's user check and every job to end",
    );
  }, 120_000);
  afterAll(() => h?.stop());

  /** Anything still moving in the background (which would change the snapshot by itself). */
  const busy = () =>
    withClient(h.harness.databaseUrl, async (client) => {
      const { rows } = await client.query(
        `SELECT (SELECT count(*) FROM new_users WHERE planned_at IS NULL) + (SELECT count(*) FROM invitations WHERE status = 'queued')
              + (SELECT count(*) FROM removals WHERE status = 'queued') + (SELECT count(*) FROM user_checks WHERE status = 'running') AS busy`,
      );
      return Number(rows[0].busy) > 0;
    });

  /** Every route that takes one of B's ids; `host` is the caller's own linked account, for B's rule under it. */
  const idRoutes = (host: string): [string, string, unknown?][] => [
    ['GET', `/api/linked-accounts/${b.account}/rules`],
    ['POST', `/api/linked-accounts/${b.account}/rules`, RULE],
    ['PUT', `/api/linked-accounts/${b.account}/rules/${b.rule}`, RULE],
    ['PUT', `/api/linked-accounts/${host}/rules/${b.rule}`, { ...RULE, action: { kind: 'invite', groups: ['developers'] } }],
    ['DELETE', `/api/linked-accounts/${b.account}/rules/${b.rule}`],
    ['DELETE', `/api/linked-accounts/${host}/rules/${b.rule}`],
    ['PUT', `/api/linked-accounts/${b.account}/rules/order`, { ruleIds: [b.rule] }],
    ['POST', `/api/linked-accounts/${b.account}/preview`, {}],
    ['POST', `/api/linked-accounts/${b.account}/preview`, { groups: ['developers'], rules: [RULE] }],
    ['POST', `/api/linked-accounts/${b.account}/backfills`],
    ['GET', `/api/backfills/${b.backfill}`],
    ['POST', `/api/backfills/${b.backfill}/confirm`, { count: b.toInvite }],
    ['POST', `/api/backfills/${b.backfill}/cancel`],
    ['POST', `/api/linked-accounts/${b.account}/pending-review/${b.waiting}/send`, {}],
    ['POST', `/api/linked-accounts/${b.account}/pending-review/${b.waiting}/send`, { groups: ['qa'] }],
    ['POST', `/api/linked-accounts/${b.account}/pending-review/${b.waiting}/skip`],
    ['GET', `/api/linked-accounts/${b.account}/offboarding`],
    ['PUT', `/api/linked-accounts/${b.account}/offboarding`, { mode: 'keep' }],
    ['POST', `/api/linked-accounts/${b.account}/removals/confirm`, { count: 1 }],
    ['POST', `/api/linked-accounts/${b.account}/removals/discard`],
    ['POST', '/api/invitations/manual', { accountIds: [b.waiting], targets: [{ linkedAccountId: b.account, groups: ['developers'] }] }],
    ['POST', '/api/invitations/retry-failed', { linkedAccountId: b.account, count: 0 }],
    ['POST', `/api/invitations/${b.invitation}/retry`],
    ['POST', `/api/invitations/${b.invitation}/send-now`],
  ];

  it.each(callers)('%s gets 404 with a sentence for each of B ids, and nothing changes', async (who, call) => {
    const host = who.includes('Forge') ? own.forge! : own.connect!;
    const before = await snapshot();
    for (const [method, path, body] of idRoutes(host)) {
      const answer = await call(method, path, body);
      expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(404);
      expect(answer.body.message, `${method} ${path}`).toMatch(/^No (linked account|rule|backfill|invitation) with this id\b.*\.$/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it.each(callers)("%s finds nothing of B's through a filter by B's linked account", async (who, call) => {
    const before = await snapshot();
    const read = async (path: string) => {
      const answer = await call('GET', path);
      expect(answer.status, `${path}: ${JSON.stringify(answer.body)}`).toBe(200);
      return answer.body;
    };
    expect(await read(`/api/pending-review?linkedAccountId=${b.account}`)).toMatchObject({ entries: [], total: 0 });
    const pending = await read('/api/pending-review');
    expect(pending.entries.filter((e: any) => e.accountId === b.waiting)).toEqual([]);
    expect(pending.counts.filter((c: any) => c.linkedAccountId === b.account)).toEqual([]);
    expect((await read(`/api/backfills?linkedAccountId=${b.account}`)).backfills).toEqual([]);
    expect((await read('/api/backfills')).backfills.map((x: any) => x.id)).not.toContain(b.backfill);
    expect(await read(`/api/audit-log?linkedAccountId=${b.account}`)).toMatchObject({ entries: [], total: 0 });
    expect(JSON.stringify((await read('/api/audit-log?pageSize=100')).entries)).not.toContain(b.account);
    const exported = await read(`/api/audit-log/export?linkedAccountId=${b.account}&as=json`);
    expect(exported.csv).toBe('at,actorAccountId,linkedAccountId,action,subject,before,after\r\n');
    expect((await read('/api/audit-log/export?as=json')).csv).not.toContain(b.account);
    expect((await read(`/api/removals?linkedAccountId=${b.account}`)).removals).toEqual([]);
    expect((await read('/api/removals')).removals).toEqual([]);
    expect((await read(`/api/invitations?linkedAccountId=${b.account}`)).invitations).toEqual([]);
    expect((await read(`/api/invitations?search=${b.waiting}`)).invitations).toEqual([]);
    expect((await read('/api/user-checks/latest')).userCheck?.id).not.toBe(b.check);
    const host = who.includes('Forge') ? own.forge! : own.connect!;
    const suggestion = await call('GET', `/api/linked-accounts/${host}/organization-suggestion?organizationAccountId=${b.account}`);
    expect(suggestion).toMatchObject({ status: 404, body: { message: 'No linked account with this id.' } });
    const accounts = (await read('/api/linked-accounts?include=unlinked')).linkedAccounts.map((a: any) => a.id);
    expect(accounts).not.toContain(b.account);
    expect(await snapshot()).toEqual(before);
  });

  it("leaves B's own data as it was, and B itself reaches every one of those ids (so the 404s are about ownership)", async () => {
    expect((await asB('GET', `/api/backfills/${b.backfill}`)).body.backfill).toMatchObject({ status: 'awaiting-confirmation' });
    expect((await asB('GET', `/api/linked-accounts/${b.account}/rules`)).body.rules.map((r: any) => r.id)).toEqual([b.rule]);
    expect((await asB('GET', '/api/removals?status=held')).body.removals).toHaveLength(1);
    expect((await asB('GET', `/api/pending-review?linkedAccountId=${b.account}`)).body.total).toBe(1);
    expect((await asB('GET', `/api/audit-log?linkedAccountId=${b.account}`)).body.total).toBeGreaterThan(0);
    expect((await asB('GET', '/api/user-checks/latest')).body.userCheck.id).toBe(b.check);
    expect((await asB('GET', `/api/linked-accounts/${b.account}/offboarding`)).body.offboarding).toMatchObject({ mode: 'remove', held: 1 });
  });

  describe('a Jira user who is not an administrator', () => {
    /** Every route of the newer features, with the caller's own ids. */
    const ownRoutes = (account: string): [string, string, unknown?][] => [
      ['GET', `/api/linked-accounts/${account}/rules`],
      ['POST', `/api/linked-accounts/${account}/rules`, RULE],
      ['PUT', `/api/linked-accounts/${account}/rules/${b.rule}`, RULE],
      ['DELETE', `/api/linked-accounts/${account}/rules/${b.rule}`],
      ['PUT', `/api/linked-accounts/${account}/rules/order`, { ruleIds: [b.rule] }],
      ['POST', `/api/linked-accounts/${account}/preview`, { rules: [RULE] }],
      ['POST', `/api/linked-accounts/${account}/backfills`],
      ['GET', '/api/backfills'],
      ['GET', `/api/backfills/${b.backfill}`],
      ['POST', `/api/backfills/${b.backfill}/confirm`, { count: b.toInvite }],
      ['POST', `/api/backfills/${b.backfill}/cancel`],
      ['GET', '/api/pending-review'],
      ['POST', `/api/linked-accounts/${account}/pending-review/${b.waiting}/send`, {}],
      ['POST', `/api/linked-accounts/${account}/pending-review/${b.waiting}/skip`],
      ['GET', '/api/jira-users?query=ada'],
      ['POST', '/api/invitations/manual', { accountIds: [b.waiting], targets: [{ linkedAccountId: account, groups: ['developers'] }] }],
      ['GET', '/api/invitations?search=wes'],
      ['POST', '/api/invitations/retry-failed', { count: 0 }],
      ['POST', `/api/invitations/${b.invitation}/retry`],
      ['POST', `/api/invitations/${b.invitation}/send-now`],
      ['GET', '/api/audit-log'],
      ['GET', '/api/audit-log/export'],
      ['GET', '/api/audit-log/export?as=json'],
      ['GET', '/api/site-status'],
      ['GET', `/api/linked-accounts/${account}/offboarding`],
      ['PUT', `/api/linked-accounts/${account}/offboarding`, { mode: 'keep' }],
      ['POST', `/api/linked-accounts/${account}/removals/confirm`, { count: 1 }],
      ['POST', `/api/linked-accounts/${account}/removals/discard`],
      ['GET', '/api/removals'],
      ['POST', '/api/user-checks'],
      ['GET', '/api/user-checks/latest'],
    ];
    const nonAdmins: [string, () => string, Call][] = [
      [
        "of site B, through Connect, on B's own ids",
        () => b.account,
        (m, p, body) => h.harness.api(m, p, body, { site: siteB, accountId: NON_ADMIN.accountId }),
      ],
      ['of the Forge site', () => own.forge!, (m, p, body) => h.api(m, p, body, { accountId: NON_ADMIN.accountId })],
    ];

    it.each(nonAdmins)('%s gets 403 with a sentence on each route, and nothing changes', async (_who, account, call) => {
      const before = await snapshot();
      for (const [method, path, body] of ownRoutes(account())) {
        const answer = await call(method, path, body);
        expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(403);
        expect(answer.body, `${method} ${path}`).toEqual({ message: 'Only Jira administrators can manage automatic team invitations.' });
      }
      expect(await snapshot()).toEqual(before);
    });
  });
});
