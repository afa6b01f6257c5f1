import { describe, expect, it } from 'vitest';
import { JiraUnavailableError } from '../../src/domain/errors.js';
import { planInvitations, type NewUserDeps } from '../../src/domain/new-users.js';
import type { LinkedAccount } from '../../src/domain/model.js';
import type { PlannedInvitation, StoredNewUser } from '../../src/domain/stores.js';
import { anAccount, bitbucketTargets, FakeBitbucket, FakeJira } from './delivery-fakes.js';

function setUp(user: Partial<StoredNewUser> = {}, account: Partial<LinkedAccount> = {}) {
  const stored: StoredNewUser = {
    id: 'new-user-1',
    tenantId: 'tenant-1',
    accountId: 'jira-user-1',
    displayName: 'Nina New',
    email: null,
    accountType: 'atlassian',
    plannedAt: null,
    ...user,
  };
  const jira = new FakeJira();
  const plans: { email: string | null; planned: PlannedInvitation[] }[] = [];
  const deps: NewUserDeps = {
    newUsers: {
      find: async () => stored,
      record: async () => ({ outcome: 'recorded', newUserId: 'new-user-1', tenantId: 'tenant-1' }),
      recoverUnplanned: async () => 0,
    },
    linkedAccounts: { withDefaultGroups: async () => [anAccount(account)] },
    invitations: {
      createPlanned: async (_user, email, planned) => {
        plans.push({ email, planned });
        return planned.filter((p) => p.status === 'queued').length;
      },
    },
    targets: bitbucketTargets(new FakeBitbucket()),
    jira,
  };
  return { plan: () => planInvitations(deps, stored.id), jira, plans };
}

describe("planning a new user's invitations", () => {
  it('queues one invitation per default group with the address Jira gives', async () => {
    const { plan, plans } = setUp();
    await plan();
    expect(plans).toEqual([{ email: 'from-jira@example.com', planned: [expect.objectContaining({ status: 'queued', reason: null })] }]);
  });

  it('skips with the reason when Jira refuses to share the address', async () => {
    const { plan, jira, plans } = setUp();
    jira.emailAnswer = async () => ({ found: false, reason: "Jira did not share this user's email address (HTTP 403)." });
    await plan();
    expect(plans[0]!.planned).toEqual([expect.objectContaining({ status: 'skipped', reasonCode: 'no-email' })]);
  });

  it.each([
    [
      'answers 401 (waiting for a fresh app token)',
      new JiraUnavailableError("it refused the app's credentials (HTTP 401).", 401, null, 'fresh-credentials'),
    ],
    ['is unavailable', new JiraUnavailableError('Jira is unavailable: the email address lookup answered HTTP 503.', 503)],
  ])('queues the invitations without an address, saying why, when Jira %s', async (_what, error) => {
    const { plan, jira, plans } = setUp();
    jira.emailAnswer = async () => Promise.reject(error);
    await plan();
    expect(plans).toEqual([{ email: null, planned: [expect.objectContaining({ status: 'queued', reason: error.message, reasonCode: 'retrying' })] }]);
  });

  it('skips an app account without asking Jira for an address', async () => {
    const { plan, jira, plans } = setUp({ accountType: 'app' });
    await plan();
    expect(jira.lookups).toBe(0);
    expect(plans[0]!.planned).toEqual([expect.objectContaining({ status: 'skipped', reasonCode: 'not-a-person' })]);
  });

  it('holds the invitations for review in an account in Review first mode, chosen by the defaults', async () => {
    const { plan, plans } = setUp({}, { mode: 'review' });
    await plan();
    expect(plans[0]!.planned).toEqual([expect.objectContaining({ status: 'pending-review', chosenBy: { kind: 'defaults' } })]);
  });

  it("asks Jira for the user's groups only when a rule looks at them, and records the rule that chose", async () => {
    const qa = { slug: 'qa', name: 'QA' };
    const rules: LinkedAccount['rules'] = [
      { id: 'r1', name: 'Testers', conditions: [{ kind: 'jira-group', groups: ['testers'] }], action: { kind: 'invite', groups: [qa] } },
    ];
    const withoutRules = setUp();
    await withoutRules.plan();
    expect(withoutRules.jira.groupLookups).toBe(0);

    const { plan, jira, plans } = setUp({}, { rules });
    jira.jiraGroups = ['Testers'];
    await plan();
    expect(jira.groupLookups).toBe(1);
    expect(plans[0]!.planned).toEqual([
      expect.objectContaining({ group: qa, status: 'queued', chosenBy: { kind: 'rule', ruleId: 'r1', ruleName: 'Testers' } }),
    ]);
  });

  it('waits for Jira rather than guess when a domain rule needs the address Jira cannot give now', async () => {
    const rules: LinkedAccount['rules'] = [
      {
        id: 'r1',
        name: 'Partners',
        conditions: [{ kind: 'email-domain', domains: ['partner.example'], includeSubdomains: false }],
        action: { kind: 'never-invite' },
      },
    ];
    const { plan, jira, plans } = setUp({}, { rules });
    jira.emailAnswer = async () => Promise.reject(new JiraUnavailableError('Jira is unavailable.', 503));
    await expect(plan()).rejects.toThrow(JiraUnavailableError);
    expect(plans).toEqual([]);
  });
});
