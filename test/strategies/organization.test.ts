import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { eventually, linkOrganization, ORG_GROUPS, ORGANIZATION, startHarness, type Harness } from '../support/test-app.js';

const ORG = ORGANIZATION.id;
const DIR = ORGANIZATION.directories[0]!.id;

type Invitation = { accountId: string; groupSlug: string; status: string; chosenBy: { kind: string; ruleName?: string } };

/** The strategies are target-agnostic: an organization's directory gets Review first, rules and Invite someone now as a workspace does. */
describe('invitation strategies for a linked Atlassian organization', () => {
  let harness: Harness;
  let accountId: string;
  const api = (method: string, path: string, body?: unknown) => harness.api(method, path, body);
  const invitationsOf = async (jiraAccountId: string): Promise<Invitation[]> =>
    ((await api('GET', '/api/invitations?pageSize=100')).body.invitations as Invitation[]).filter((i) => i.accountId === jiraAccountId);
  const join = async (user: { accountId: string; displayName: string; emailAddress: string }) => {
    harness.admin.addUsers(ORG, DIR, [user.accountId]);
    const sent = await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, { ...user, emailVisible: true });
    expect(sent.status).toBe(204);
  };

  beforeAll(async () => {
    harness = await startHarness();
    accountId = await linkOrganization(api, [ORG_GROUPS.developers.id]);
  });
  afterAll(() => harness?.stop());

  it('holds a new user for review, then adds them to the groups the admin sends, and a rule chooses by domain', async () => {
    const configured = await api('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: [ORG_GROUPS.developers.id], mode: 'review' });
    expect(configured.body.linkedAccount.mode).toBe('review');
    const rule = await api('POST', `/api/linked-accounts/${accountId}/rules`, {
      name: 'QA partners',
      conditions: [{ kind: 'email-domain', domains: ['qa.example'] }],
      action: { kind: 'invite', groups: [ORG_GROUPS.qa.id] },
    });
    expect(rule.status).toBe(201);

    await join({ accountId: 'org-review-1', displayName: 'Olive Org', emailAddress: 'olive@example.com' });
    await join({ accountId: 'org-review-2', displayName: 'Quinn QA', emailAddress: 'quinn@QA.example' });
    await eventually(async () => ((await api('GET', '/api/pending-review')).body.total === 2 ? true : undefined));
    expect(harness.admin.members(ORG, ORG_GROUPS.developers.id)).not.toContain('org-review-1');

    for (const user of ['org-review-1', 'org-review-2']) {
      expect((await api('POST', `/api/linked-accounts/${accountId}/pending-review/${user}/send`, {})).status).toBe(200);
    }
    await eventually(async () => harness.admin.members(ORG, ORG_GROUPS.qa.id).includes('org-review-2') || undefined);
    await eventually(async () => harness.admin.members(ORG, ORG_GROUPS.developers.id).includes('org-review-1') || undefined);
    expect((await invitationsOf('org-review-2')).map((i) => [i.groupSlug, i.chosenBy.ruleName])).toEqual([[ORG_GROUPS.qa.id, 'QA partners']]);
  });

  it('previews a proposed rule over the existing users, asking Jira for an address the listing hides, and saves nothing', async () => {
    harness.site.addUser({ accountId: 'org-old-1', displayName: 'Otto Old', emailAddress: 'otto@qa.example', emailVisible: false });
    const saved = (await api('GET', `/api/linked-accounts/${accountId}/rules`)).body.rules;
    const preview = async (rules: unknown[]) => {
      const answer = await api('POST', `/api/linked-accounts/${accountId}/preview`, { rules });
      expect(answer.status).toBe(200);
      return answer.body.preview as { groups: { slug: string; invitations: number; sample: string[] }[] };
    };
    const slugs = (shown: { groups: { slug: string }[] }) => shown.groups.map((g) => g.slug);
    expect(slugs(await preview([]))).toEqual([ORG_GROUPS.developers.id]);
    const proposed = await preview([
      {
        name: 'QA partners',
        conditions: [{ kind: 'email-domain', domains: ['qa.example'] }],
        action: { kind: 'invite', groups: [ORG_GROUPS.qa.id] },
      },
    ]);
    // Quinn has the QA invitation already; Otto would get it.
    expect(proposed.groups.find((g) => g.slug === ORG_GROUPS.qa.id)).toMatchObject({ invitations: 1, sample: ['Otto Old'] });
    expect((await api('GET', `/api/linked-accounts/${accountId}/rules`)).body.rules).toEqual(saved);
  });

  it('adds someone by hand to a group shown by a search, and refuses a group its searches never showed', async () => {
    harness.admin.addUsers(ORG, DIR, ['org-manual-1']);
    harness.site.addUser({ accountId: 'org-manual-1', displayName: 'Manny Manual', emailAddress: 'manny@example.com' });
    const invited = await api('POST', '/api/invitations/manual', {
      accountIds: ['org-manual-1'],
      targets: [{ linkedAccountId: accountId, groups: [ORG_GROUPS.designers.id] }],
    });
    expect(invited.status).toBe(200);
    await eventually(async () => harness.admin.members(ORG, ORG_GROUPS.designers.id).includes('org-manual-1') || undefined);

    const unknown = await api('POST', '/api/invitations/manual', {
      accountIds: ['org-manual-1'],
      targets: [{ linkedAccountId: accountId, groups: ['grp-nope'] }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('The organization "Acme Cloud" has no group "grp-nope". Search for the group again and tick it.');
  });
});
