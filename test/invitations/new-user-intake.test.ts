import { Sequelize } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { JobQueue } from '../../src/jobs/job-queue.js';
import { createLogger } from '../../src/logger.js';
import { NewUserRepository } from '../../src/persistence/new-user-repository.js';
import { startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import type { SimulatedUser } from '../support/simulators/jira-connect-simulator.js';
import { ADMIN, eventually, linkWorkspace } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const NUL = '\u0000';

/** 40 valid users and 4 whose account ID, display name or account type carries a NUL, shuffled together. */
function burst(prefix: string): { good: SimulatedUser[]; bad: SimulatedUser[]; all: SimulatedUser[] } {
  const good: SimulatedUser[] = Array.from({ length: 40 }, (_, i) => ({
    accountId: `${prefix}-good-${i}`,
    displayName: `Good ${i}`,
    emailAddress: `${prefix}-good-${i}@example.com`,
    emailVisible: true,
  }));
  const bad: SimulatedUser[] = [
    { accountId: `${prefix}-bad-0${NUL}`, displayName: 'Bad Account Id' },
    { accountId: `${prefix}-bad-1`, displayName: `Bad${NUL}Name` },
    { accountId: `${prefix}-bad-2`, displayName: 'Bad Type', accountType: `atlassian${NUL}` as SimulatedUser['accountType'] },
    { accountId: `${prefix}-bad-3`, displayName: `${NUL}` },
  ];
  // Spread the bad ones through the burst, so each lands in a batch with good ones.
  const all = [...good];
  bad.forEach((user, i) => all.splice(i * 11 + 5, 0, user));
  return { good, bad, all };
}

async function newUserCounts(h: ForgeHarness): Promise<Record<string, number>> {
  return withClient(h.harness.databaseUrl, async (client) => {
    const { rows } = await client.query<{ host: string; count: string }>(
      'SELECT t.host, count(n.id) FROM tenants t LEFT JOIN new_users n ON n.tenant_id = t.id GROUP BY t.host',
    );
    return Object.fromEntries(rows.map((row) => [row.host, Number(row.count)]));
  });
}

describe('recording the users Jira creates', () => {
  let h: ForgeHarness;
  let base: string;

  beforeAll(async () => {
    h = await startForgeHarness();
    base = h.harness.app.baseUrl;
    expect((await h.forge.sendInstalled(base)).status).toBe(200);
  });
  afterAll(() => h?.stop());

  it('records the 40 valid webhooks of a concurrent burst and refuses only the 4 carrying a NUL, with 400 (Connect)', async () => {
    const { good, all } = burst('connect');
    const statuses = await Promise.all(
      all.map((user) => h.harness.site.sendUserCreated(base, USER_CREATED_PATH, user).then((r) => [user, r.status] as const)),
    );

    for (const [user, status] of statuses) expect(status, JSON.stringify(user.accountId)).toBe(good.includes(user) ? 204 : 400);
    expect((await newUserCounts(h)).connect).toBe(40);
  });

  it('records the 40 valid events of a concurrent burst and refuses only the 4 carrying a NUL, with 400 (Forge)', async () => {
    const { good, all } = burst('forge');
    const answers = await Promise.all(all.map((user) => h.forge.sendUserCreated(base, user).then((r) => [user, r] as const)));

    for (const [user, answer] of answers) {
      if (good.includes(user)) expect(answer, user.accountId).toEqual({ status: 200, body: { recorded: true } });
      else expect(answer.status, JSON.stringify(user.accountId)).toBe(400);
    }
    expect((await newUserCounts(h)).forge).toBe(40);
  });

  it('says in a sentence which field of the event cannot be stored', async () => {
    const forge = await h.forge.sendUserCreated(base, { accountId: 'forge-nul-name', displayName: `Nu${NUL}ll` });
    expect(forge.status).toBe(400);
    expect(forge.body.message).toMatch(/display name.*cannot be stored/i);
    expect(forge.body.fieldErrors).toEqual({ 'user.displayName': expect.stringMatching(/display name/i) });

    const token = h.harness.site.signRequest('POST', USER_CREATED_PATH);
    const response = await fetch(`${base}${USER_CREATED_PATH}`, {
      method: 'POST',
      headers: { Authorization: `JWT ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ webhookEvent: 'user_created', user: { accountId: `nul${NUL}id`, displayName: 'Nul Id' } }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.message).toMatch(/account ID.*cannot be stored/i);
    expect(body.fieldErrors).toEqual({ 'user.accountId': expect.any(String) });
  });

  it('records the other users of a batch when the database refuses one of them', async () => {
    // Straight to the store, as if validation had let a NUL through: only its own request may fail.
    const sequelize = new Sequelize(h.harness.databaseUrl, { dialect: 'postgres', logging: false });
    const queue = new JobQueue(
      { databaseUrl: h.harness.databaseUrl, jobExpireSeconds: 60, maintenanceSeconds: 300, pollSeconds: 1 },
      createLogger('silent'),
    );
    await queue.start();
    try {
      const store = new NewUserRepository(sequelize, queue);
      const site = { host: 'connect' as const, hostKey: h.harness.site.clientKey };
      const user = (accountId: string, displayName = 'Direct') => ({ accountId, displayName, email: null, accountType: 'atlassian' });
      const records = [
        ...Array.from({ length: 30 }, (_, i) => user(`direct-good-${i}`)),
        user('direct-bad-1', `Direct${NUL}`),
        ...Array.from({ length: 30 }, (_, i) => user(`direct-good-${30 + i}`)),
        user(`direct-bad-2${NUL}`),
        user('direct-good-60'),
      ];
      const results = await Promise.allSettled(records.map((u) => store.record(site, u, null)));

      const outcomes = results.map((result, i) => [records[i]!.accountId, result.status === 'fulfilled' ? result.value.outcome : 'failed']);
      expect(outcomes.filter(([, outcome]) => outcome === 'failed').map(([id]) => id)).toEqual(['direct-bad-1', `direct-bad-2${NUL}`]);
      expect(outcomes.filter(([, outcome]) => outcome === 'recorded')).toHaveLength(61);
      const stored = await withClient(h.harness.databaseUrl, async (client) =>
        Number((await client.query("SELECT count(*) FROM new_users WHERE account_id LIKE 'direct-%'")).rows[0].count),
      );
      expect(stored).toBe(61);
    } finally {
      await queue.stop({ graceful: false });
      await sequelize.close();
    }
  });

  it('links a workspace whose Bitbucket groups carry a NUL, leaving out only what cannot be stored', async () => {
    h.harness.bitbucket.addWorkspace({
      slug: 'odd-groups',
      groups: [
        { slug: 'developers', name: `Develop${NUL}ers` },
        { slug: `broken${NUL}`, name: 'Broken' },
        { slug: 'qa', name: 'QA \ud800' },
        { slug: 'ops', name: NUL },
      ],
      oauthConsumers: [{ key: 'odd-key', secret: 'odd-secret-value-1234' }],
      apiTokens: [],
    });

    const linked = await h.harness.api('POST', '/api/linked-accounts', {
      workspace: 'odd-groups',
      credentials: { type: 'oauth-consumer', key: 'odd-key', secret: 'odd-secret-value-1234' },
    });
    expect(linked.status, JSON.stringify(linked.body)).toBe(201);
    const id = linked.body.linkedAccount.id as string;
    const groups = await h.harness.api('GET', `/api/linked-accounts/${id}/groups?refresh=true`);
    expect(groups.status).toBe(200);
    expect(groups.body.groups.map((g: { slug: string; name: string }) => [g.slug, g.name])).toEqual([
      ['developers', 'Developers'],
      ['ops', 'ops'],
      ['qa', 'QA '],
    ]);
  });

  it('skips, with the reason, a user whose email Jira answers with a NUL in it', async () => {
    await linkWorkspace(h.harness, ['qa']);
    h.harness.site.addUser({ accountId: 'nul-email', displayName: 'Nul Email', emailAddress: `nul${NUL}@example.com` });
    const sent = await h.harness.site.sendUserCreated(base, USER_CREATED_PATH, { accountId: 'nul-email', displayName: 'Nul Email' });
    expect(sent.status).toBe(204);

    const invitation = await eventually(
      async () => {
        const answer = await h.harness.api('GET', '/api/invitations?pageSize=100', undefined, { accountId: ADMIN.accountId });
        return (answer.body.invitations as { accountId: string; status: string; reason: string | null }[]).find((i) => i.accountId === 'nul-email');
      },
      10_000,
      'the invitation of the user with a NUL email',
    );
    expect(invitation).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/email address/i) });
  });
});
