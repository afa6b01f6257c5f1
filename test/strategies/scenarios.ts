import { expect } from 'vitest';
import type { SimulatedUser } from '../support/simulators/jira-connect-simulator.js';
import type { BitbucketSimulator } from '../support/simulators/bitbucket-simulator.js';
import { eventually, type ApiAnswer } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

/** One host (Connect or Forge) as the strategy scenarios drive it: its admin API, and Jira creating a user. */
export type Host = {
  api: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;
  /** The user joins the Jira site and Jira tells the app. */
  createUser: (user: SimulatedUser) => Promise<void>;
  /** The user is on the Jira site already (found by the user search), and Jira tells the app nothing. */
  addUser: (user: SimulatedUser) => void;
  /** Jira deletes the user and tells the app. */
  deleteUser: (accountId: string) => Promise<void>;
  bitbucket: BitbucketSimulator;
  databaseUrl: string;
};

export type InvitationJson = {
  id: string;
  accountId: string;
  groupSlug: string;
  status: string;
  reasonCode: string | null;
  reason: string | null;
  chosenBy: { kind: string; ruleName?: string; actorAccountId?: string };
};

export async function invitationsOf(host: Host, accountId: string): Promise<InvitationJson[]> {
  const answer = await host.api('GET', '/api/invitations?pageSize=100');
  expect(answer.status).toBe(200);
  return (answer.body.invitations as InvitationJson[])
    .filter((i) => i.accountId === accountId)
    .sort((a, b) => a.groupSlug.localeCompare(b.groupSlug));
}

/** Waits until the user's invitations are all planned and none is queued, then answers them by group. */
export function settled(host: Host, accountId: string, count: number): Promise<InvitationJson[]> {
  return eventually(
    async () => {
      const found = await invitationsOf(host, accountId);
      return found.length === count && found.every((i) => i.status !== 'queued') ? found : undefined;
    },
    15_000,
    `${count} settled invitations for ${accountId}`,
  );
}

export function planned(host: Host, accountId: string): Promise<true> {
  return eventually(
    () =>
      withClient(host.databaseUrl, async (client) => {
        const rows = await client.query('SELECT planned_at FROM new_users WHERE account_id = $1', [accountId]);
        return rows.rows[0]?.planned_at ? (true as const) : undefined;
      }),
    15_000,
    `${accountId} planned`,
  );
}

export const sentTo = (host: Host, email: string) =>
  host.bitbucket
    .invitations('acme')
    .filter((i) => i.email === email)
    .map((i) => i.groupSlug)
    .sort();

const person = (accountId: string, displayName: string, emailAddress: string, extra: Partial<SimulatedUser> = {}): SimulatedUser => ({
  accountId,
  displayName,
  emailAddress,
  emailVisible: true,
  ...extra,
});

/** Review first: new users wait; Send with changed groups, Skip; a decision is made once. */
export async function reviewFirst(host: Host, accountId: string): Promise<void> {
  const configured = await host.api('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: ['developers'], mode: 'review' });
  expect(configured.status).toBe(200);
  expect(configured.body.linkedAccount.mode).toBe('review');

  await host.createUser(person('review-1', 'Rae Review', 'rae@example.com'));
  await host.createUser(person('review-2', 'Sam Skip', 'sam@example.com'));
  const waiting = await eventually(async () => {
    const list = await host.api('GET', `/api/pending-review?linkedAccountId=${accountId}`);
    return list.body.total === 2 ? list.body : undefined;
  });
  expect(waiting.counts).toEqual([{ linkedAccountId: accountId, users: 2 }]);
  const entries = waiting.entries as { accountId: string; groups: { slug: string }[] }[];
  expect(entries.map((e) => [e.accountId, e.groups.map((g) => g.slug)]).sort()).toEqual([
    ['review-1', ['developers']],
    ['review-2', ['developers']],
  ]);
  expect((await invitationsOf(host, 'review-1')).map((i) => i.status)).toEqual(['pending-review']);
  expect(sentTo(host, 'rae@example.com')).toEqual([]);

  const sent = await host.api('POST', `/api/linked-accounts/${accountId}/pending-review/review-1/send`, { groups: ['qa'] });
  expect(sent.status).toBe(200);
  expect(sent.body.outcomes.map((o: { groupSlug: string; outcome: string }) => [o.groupSlug, o.outcome])).toEqual([
    ['developers', 'skipped'],
    ['qa', 'queued'],
  ]);
  const afterSend = await settled(host, 'review-1', 2);
  expect(afterSend.map((i) => [i.groupSlug, i.status, i.reasonCode, i.chosenBy.kind])).toEqual([
    ['developers', 'skipped', 'review-skipped', 'defaults'],
    ['qa', 'sent', null, 'review'],
  ]);
  expect(sentTo(host, 'rae@example.com')).toEqual(['qa']);

  const skipped = await host.api('POST', `/api/linked-accounts/${accountId}/pending-review/review-2/skip`);
  expect(skipped.status).toBe(200);
  expect((await invitationsOf(host, 'review-2')).map((i) => [i.status, i.reason])).toEqual([
    ['skipped', 'An administrator skipped this user in review.'],
  ]);
  const again = await host.api('POST', `/api/linked-accounts/${accountId}/pending-review/review-2/send`);
  expect(again.status).toBe(409);
  expect(again.body.message).toMatch(/another administrator decided/);
  expect((await host.api('GET', '/api/pending-review')).body).toMatchObject({ total: 0, counts: [] });
  expect(sentTo(host, 'sam@example.com')).toEqual([]);

  const audit = await auditOf(host, ['linked-account.mode-changed', 'review.sent', 'review.skipped']);
  expect(audit).toEqual([
    { action: 'linked-account.mode-changed', actor: 'admin-1', before: { mode: 'automatic' }, after: { mode: 'review' } },
    {
      action: 'review.sent',
      actor: 'admin-1',
      before: { accountId: 'review-1', groups: ['developers'] },
      after: { accountId: 'review-1', groups: ['qa'] },
    },
    { action: 'review.skipped', actor: 'admin-1', before: { accountId: 'review-2', groups: ['developers'] }, after: null },
  ]);
}

async function auditOf(host: Host, actions: string[]) {
  return withClient(
    host.databaseUrl,
    async (client) =>
      (await client.query('SELECT action, actor_account_id AS actor, before, after FROM audit_log WHERE action = ANY($1) ORDER BY id', [actions]))
        .rows,
  );
}

/** Off: nothing automatic; Invite someone now still works, with the groups picked for it. */
export async function offWithManualInvite(host: Host, accountId: string): Promise<void> {
  const off = await host.api('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: ['developers'], mode: 'off' });
  expect(off.body.linkedAccount.mode).toBe('off');
  await host.createUser(person('off-1', 'Olga Off', 'olga@example.com'));
  await planned(host, 'off-1');
  expect(await invitationsOf(host, 'off-1')).toEqual([]);

  const found = await host.api('GET', '/api/jira-users?query=olg');
  expect(found.status).toBe(200);
  expect(found.body.users).toEqual([expect.objectContaining({ accountId: 'off-1', displayName: 'Olga Off', accountType: 'atlassian' })]);

  const invited = await host.api('POST', '/api/invitations/manual', {
    accountIds: ['off-1'],
    targets: [{ linkedAccountId: accountId, groups: ['qa', 'designers'] }],
  });
  expect(invited.status).toBe(200);
  expect(invited.body.results).toEqual([expect.objectContaining({ accountId: 'off-1', error: null })]);
  const invitations = await settled(host, 'off-1', 2);
  expect(invitations.map((i) => [i.groupSlug, i.status, i.chosenBy])).toEqual([
    ['designers', 'sent', { kind: 'manual', actorAccountId: 'admin-1' }],
    ['qa', 'sent', { kind: 'manual', actorAccountId: 'admin-1' }],
  ]);

  // Someone already on the site, whom Jira never announced, and a repeat of a group already sent: nothing goes twice.
  host.addUser(person('existing-1', 'Eli Existing', 'eli@example.com'));
  const again = await host.api('POST', '/api/invitations/manual', {
    accountIds: ['off-1', 'existing-1', 'nobody'],
    targets: [{ linkedAccountId: accountId, groups: ['qa'] }],
  });
  expect(again.status).toBe(200);
  expect(
    again.body.results.map((r: { accountId: string; groups: { outcome: string }[]; error: string | null }) => [
      r.accountId,
      r.groups.map((g) => g.outcome),
      r.error,
    ]),
  ).toEqual([
    ['off-1', ['already-sent'], null],
    ['existing-1', ['queued'], null],
    ['nobody', [], 'Jira has no user with this account ID.'],
  ]);
  await settled(host, 'existing-1', 1);
  expect(sentTo(host, 'olga@example.com')).toEqual(['designers', 'qa']);
  expect(sentTo(host, 'eli@example.com')).toEqual(['qa']);
  expect((await auditOf(host, ['invitation.manual'])).map((row) => [row.actor, row.after])).toEqual([
    ['admin-1', { accountId: 'off-1', displayName: 'Olga Off', groups: ['qa', 'designers'] }],
    ['admin-1', { accountId: 'off-1', displayName: 'Olga Off', groups: ['qa'] }],
    ['admin-1', { accountId: 'existing-1', displayName: 'Eli Existing', groups: ['qa'] }],
  ]);

  const unknownGroup = await host.api('POST', '/api/invitations/manual', {
    accountIds: ['off-1'],
    targets: [{ linkedAccountId: accountId, groups: ['nope'] }],
  });
  expect(unknownGroup.status).toBe(400);
  expect(unknownGroup.body.message).toBe('The workspace "acme" has no group "nope". Refresh the groups and try again.');
}

/** Rules: first match wins, else the defaults; each invitation says who chose its group. */
export async function rules(host: Host, accountId: string): Promise<void> {
  await host.api('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: ['developers'], mode: 'automatic' });
  const add = (body: unknown) => host.api('POST', `/api/linked-accounts/${accountId}/rules`, body);
  const partners = await add({
    name: 'Partners',
    conditions: [{ kind: 'email-domain', domains: ['Partner.Example'], includeSubdomains: true }],
    action: { kind: 'invite', groups: ['qa'] },
  });
  expect(partners.status).toBe(201);
  expect(partners.body.rule.conditions).toEqual([{ kind: 'email-domain', domains: ['partner.example'], includeSubdomains: true }]);
  const idn = await add({
    name: 'Bücher',
    conditions: [{ kind: 'email-domain', domains: ['bücher.example'] }],
    action: { kind: 'never-invite' },
  });
  expect(idn.body.rule.conditions[0].domains).toEqual(['xn--bcher-kva.example']);
  const testers = await add({
    name: 'Testers',
    conditions: [{ kind: 'jira-group', groups: ['testers'] }],
    action: { kind: 'invite', groups: ['designers'] },
  });
  expect(testers.status).toBe(201);

  const refused = await add({ name: 'Bad', conditions: [{ kind: 'email-domain', domains: ['not a domain'] }], action: { kind: 'never-invite' } });
  expect(refused).toEqual({ status: 400, body: { message: '"not a domain" is not an email domain: enter one like example.com.' } });
  const noConditions = await add({ name: 'Empty', conditions: [], action: { kind: 'never-invite' } });
  expect(noConditions.status).toBe(400);
  expect(noConditions.body.message).toBe('Give the rule at least one condition.');
  const unknownGroup = await add({
    name: 'X',
    conditions: [{ kind: 'account-type', accountTypes: ['atlassian'] }],
    action: { kind: 'invite', groups: ['nope'] },
  });
  expect(unknownGroup.status).toBe(400);

  await host.createUser(person('rule-1', 'Pia Partner', 'pia@EU.Partner.example'));
  await host.createUser(person('rule-2', 'Bea Books', 'bea@BÜCHER.example'));
  await host.createUser(person('rule-3', 'Tim Tester', 'tim@example.com', { groups: ['Testers', 'jira-software-users'] }));
  await host.createUser(person('rule-4', 'Dee Default', 'dee@example.com'));
  expect((await settled(host, 'rule-1', 1)).map((i) => [i.groupSlug, i.status, i.chosenBy])).toEqual([
    ['qa', 'sent', { kind: 'rule', ruleId: partners.body.rule.id, ruleName: 'Partners' }],
  ]);
  expect((await settled(host, 'rule-2', 1)).map((i) => [i.groupSlug, i.status, i.reason])).toEqual([
    ['developers', 'skipped', 'The rule "Bücher" says never to invite this user.'],
  ]);
  expect((await settled(host, 'rule-3', 1)).map((i) => [i.groupSlug, i.chosenBy.kind, i.chosenBy.ruleName])).toEqual([
    ['designers', 'rule', 'Testers'],
  ]);
  expect((await settled(host, 'rule-4', 1)).map((i) => [i.groupSlug, i.chosenBy])).toEqual([['developers', { kind: 'defaults' }]]);
  expect(sentTo(host, 'bea@BÜCHER.example')).toEqual([]);

  // Reorder, change, remove: each audited with before and after.
  const ids = [testers.body.rule.id, partners.body.rule.id, idn.body.rule.id];
  const reordered = await host.api('PUT', `/api/linked-accounts/${accountId}/rules/order`, { ruleIds: ids });
  expect(reordered.body.rules.map((r: { name: string }) => r.name)).toEqual(['Testers', 'Partners', 'Bücher']);
  const badOrder = await host.api('PUT', `/api/linked-accounts/${accountId}/rules/order`, { ruleIds: ids.slice(1) });
  expect(badOrder.status).toBe(400);
  const changed = await host.api('PUT', `/api/linked-accounts/${accountId}/rules/${partners.body.rule.id}`, {
    name: 'Partners',
    conditions: [{ kind: 'email-domain', domains: ['partner.example'], includeSubdomains: false }],
    action: { kind: 'never-invite' },
  });
  expect(changed.body.rule.action).toEqual({ kind: 'never-invite' });
  expect((await host.api('DELETE', `/api/linked-accounts/${accountId}/rules/${idn.body.rule.id}`)).status).toBe(200);
  expect((await host.api('DELETE', `/api/linked-accounts/${accountId}/rules/${idn.body.rule.id}`)).status).toBe(404);
  const listed = await host.api('GET', `/api/linked-accounts/${accountId}/rules`);
  expect(listed.body.rules.map((r: { name: string }) => r.name)).toEqual(['Testers', 'Partners']);
  const audit = await withClient(
    host.databaseUrl,
    async (client) => (await client.query("SELECT action, before, after FROM audit_log WHERE action LIKE 'rule.%' ORDER BY id")).rows,
  );
  expect(audit.map((row) => row.action)).toEqual(['rule.added', 'rule.added', 'rule.added', 'rule.reordered', 'rule.changed', 'rule.removed']);
  expect(audit[4]).toMatchObject({ before: { action: { kind: 'invite' } }, after: { action: { kind: 'never-invite' } } });
  expect(audit[5]).toMatchObject({ before: { name: 'Bücher' }, after: null });
}

type PreviewJson = {
  usersScanned: number;
  excluded: number;
  neverInvited: number;
  invitations: number;
  groups: { slug: string; name: string; invitations: number; sample: string[] }[];
};

/**
 * A preview of a proposed list of rules, before it is saved: the server reads Jira's listing and
 * asks Jira for group memberships as planning would, and the counts follow the proposal. Nothing
 * is saved: no rule, no invitation, no audit entry.
 */
export async function rulePreview(host: Host, accountId: string): Promise<void> {
  await host.api('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: ['developers'], mode: 'automatic' });
  // On the site already; Jira tells the app nothing about them.
  host.addUser(person('preview-1', 'Pam Preview', 'pam@Preview-Partner.example'));
  host.addUser(person('preview-2', 'Gil Grouped', 'gil@example.com', { groups: ['Previewers'] }));
  host.addUser(person('preview-3', 'Nia Never', 'nia@never.example'));
  // Jira's listing hides this address: the preview asks Jira for it, as planning a new user does.
  host.addUser(person('preview-4', 'Hal Hidden', 'hal@preview-partner.example', { emailVisible: false }));
  const stored = () =>
    withClient(host.databaseUrl, async (client) => {
      const count = async (sql: string) => Number((await client.query(sql)).rows[0].count);
      return {
        invitations: await count('SELECT count(*) FROM invitations'),
        audit: await count('SELECT count(*) FROM audit_log'),
        rules: (await client.query('SELECT rules FROM linked_accounts WHERE id = $1', [accountId])).rows[0].rules,
      };
    });
  const before = await stored();
  const preview = async (body: unknown): Promise<PreviewJson> => {
    const answer = await host.api('POST', `/api/linked-accounts/${accountId}/preview`, body);
    expect(answer.status).toBe(200);
    return answer.body.preview as PreviewJson;
  };
  const invitationsTo = (shown: PreviewJson, slug: string) => shown.groups.find((g) => g.slug === slug)?.invitations ?? 0;

  const noRules = await preview({ rules: [] });
  expect(noRules.neverInvited).toBe(0);
  expect(noRules.groups.map((g) => g.slug)).toEqual(['developers']);
  const proposed = await preview({
    rules: [
      {
        name: 'Preview partners',
        conditions: [{ kind: 'email-domain', domains: ['preview-partner.example'] }],
        action: { kind: 'invite', groups: ['qa'] },
      },
      { name: 'Previewers', conditions: [{ kind: 'jira-group', groups: ['previewers'] }], action: { kind: 'invite', groups: ['designers'] } },
      { name: 'Never', conditions: [{ kind: 'email-domain', domains: ['never.example'] }], action: { kind: 'never-invite' } },
    ],
  });
  expect(proposed).toMatchObject({ usersScanned: noRules.usersScanned, excluded: noRules.excluded, neverInvited: 1 });
  expect(invitationsTo(proposed, 'developers')).toBe(invitationsTo(noRules, 'developers') - 4);
  expect(proposed.groups.filter((g) => g.slug !== 'developers')).toEqual([
    { slug: 'qa', name: 'QA', invitations: 2, sample: ['Pam Preview', 'Hal Hidden'] },
    { slug: 'designers', name: 'Designers', invitations: 1, sample: ['Gil Grouped'] },
  ]);
  expect(proposed.invitations).toBe(noRules.invitations - 1);

  // A bad proposed rule is refused as saving it would be.
  const refused = async (rule: unknown) => (await host.api('POST', `/api/linked-accounts/${accountId}/preview`, { rules: [rule] })).body;
  expect(await refused({ conditions: [{ kind: 'account-type', accountTypes: ['atlassian'] }], action: { kind: 'never-invite' } })).toMatchObject({
    message: 'Name the rule.',
  });
  expect(await refused({ name: 'x', conditions: [{ kind: 'email-domain', domains: ['not a domain'] }], action: { kind: 'never-invite' } })).toEqual({
    message: '"not a domain" is not an email domain: enter one like example.com.',
  });
  expect(
    await refused({ name: 'x', conditions: [{ kind: 'account-type', accountTypes: ['atlassian'] }], action: { kind: 'invite', groups: ['nope'] } }),
  ).toEqual({ message: expect.stringContaining('has no group "nope"') });
  expect((await host.api('POST', `/api/linked-accounts/${accountId}/preview`, { rules: 'all' })).body.message).toBe(
    'The rules to preview must be a list of rules.',
  );
  expect(await stored()).toEqual(before);
}

/** Bad input: a 4xx with a sentence, and nothing written (no rule, no invitation, no audit entry). */
export async function refusals(host: Host, accountId: string): Promise<void> {
  const rows = () =>
    withClient(host.databaseUrl, async (client) => {
      const count = async (sql: string) => Number((await client.query(sql)).rows[0].count);
      return {
        invitations: await count('SELECT count(*) FROM invitations'),
        audit: await count('SELECT count(*) FROM audit_log'),
        rules: await count('SELECT coalesce(sum(jsonb_array_length(rules)), 0) AS count FROM linked_accounts'),
      };
    });
  const before = await rows();
  const unknown = '00000000-0000-4000-8000-000000000000';
  const cases: [string, string, unknown, number, string | RegExp][] = [
    ['POST', `/api/linked-accounts/${accountId}/rules`, { conditions: [], action: { kind: 'never-invite' } }, 400, 'Name the rule.'],
    [
      'POST',
      `/api/linked-accounts/${accountId}/rules`,
      { name: 'x', conditions: [{ kind: 'email-domain', domains: [] }], action: { kind: 'never-invite' } },
      400,
      'Enter at least one email domain.',
    ],
    [
      'POST',
      `/api/linked-accounts/${accountId}/rules`,
      { name: 'x', conditions: [{ kind: 'shoe-size', value: 42 }], action: { kind: 'never-invite' } },
      400,
      'Each condition is "email-domain", "account-type" or "jira-group".',
    ],
    [
      'POST',
      `/api/linked-accounts/${accountId}/rules`,
      { name: 'x', conditions: [{ kind: 'account-type', accountTypes: ['atlassian'] }], action: { kind: 'invite', groups: [] } },
      400,
      'Choose at least one group to invite to.',
    ],
    [
      'POST',
      `/api/linked-accounts/${unknown}/rules`,
      { name: 'x', conditions: [{ kind: 'account-type', accountTypes: ['atlassian'] }], action: { kind: 'never-invite' } },
      404,
      'No linked account with this id.',
    ],
    [
      'PUT',
      `/api/linked-accounts/${accountId}/rules/${unknown}`,
      { name: 'x', conditions: [{ kind: 'account-type', accountTypes: ['app'] }], action: { kind: 'never-invite' } },
      404,
      /No rule with this id/,
    ],
    [
      'POST',
      '/api/invitations/manual',
      { accountIds: [], targets: [{ linkedAccountId: accountId, groups: ['qa'] }] },
      400,
      'Choose at least one Jira user to invite.',
    ],
    [
      'POST',
      '/api/invitations/manual',
      { accountIds: ['off-1'], targets: [{ linkedAccountId: accountId, groups: [] }] },
      400,
      'Tick at least one group to invite to.',
    ],
    [
      'POST',
      '/api/invitations/manual',
      { accountIds: ['off-1'], targets: [{ linkedAccountId: unknown, groups: ['qa'] }] },
      404,
      'No linked account with this id.',
    ],
    ['POST', `/api/linked-accounts/${accountId}/pending-review/nobody/send`, {}, 409, /another administrator decided/],
    ['POST', `/api/linked-accounts/${accountId}/pending-review/nobody/skip`, {}, 409, /another administrator decided/],
    ['GET', '/api/jira-users', undefined, 400, 'Type part of a name or an email address to search.'],
    ['GET', '/api/pending-review?pageSize=1000', undefined, 400, 'The page size must be a whole number from 1 to 100.'],
    [
      'PUT',
      `/api/linked-accounts/${accountId}/default-groups`,
      { groups: ['developers'], mode: 'sometimes' },
      400,
      'Choose a mode: "automatic", "review" or "off".',
    ],
  ];
  for (const [method, path, body, status, message] of cases) {
    const answer = await host.api(method, path, body);
    expect({ path, status: answer.status }).toEqual({ path, status });
    expect(answer.body.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  }
  expect(await rows()).toEqual(before);
}

/** Jira deletes a user whose invitation still waits (here: for review): it ends skipped, is never sent, and cannot be retried. */
export async function deletedBeforeSent(host: Host, accountId: string): Promise<void> {
  expect((await host.api('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: ['developers'], mode: 'review' })).status).toBe(200);
  await host.createUser(person('gone-1', 'Gil Gone', 'gil@example.com'));
  await eventually(async () => ((await invitationsOf(host, 'gone-1'))[0]?.status === 'pending-review' ? true : undefined));

  await host.deleteUser('gone-1');
  const [skipped] = await invitationsOf(host, 'gone-1');
  expect(skipped).toMatchObject({
    status: 'skipped',
    reasonCode: 'user-deleted',
    reason: 'Jira deleted this user before the invitation was sent, so there is no one to invite.',
  });
  const waiting = await host.api('GET', `/api/pending-review?linkedAccountId=${accountId}`);
  expect(waiting.body.entries.map((e: { accountId: string }) => e.accountId)).not.toContain('gone-1');
  const retried = await host.api('POST', `/api/invitations/${skipped!.id}/retry`);
  expect(retried.status).toBe(409);
  expect(retried.body.message).toBe('Jira deleted this user, and a deleted account never comes back, so this invitation cannot be retried.');
  expect(sentTo(host, 'gil@example.com')).toEqual([]);

  expect((await host.api('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: ['developers'], mode: 'automatic' })).status).toBe(200);
}
