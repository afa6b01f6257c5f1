import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlassianAdminClient } from '../../src/clients/atlassian-admin/atlassian-admin-client.js';
import { explain } from '../../src/clients/atlassian-admin/organization-refusal.js';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import {
  ORG_GROUPS,
  ORG_READ_ONLY_KEY,
  ORGANIZATION,
  eventually,
  linkOrganization,
  startHarness,
  type ApiAnswer,
  type Harness,
} from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

type InvitationJson = {
  id: string;
  targetType: string;
  linkedAccountName: string;
  workspace: string | null;
  email: string | null;
  accountId: string;
  groupSlug: string;
  status: string;
  reason: string | null;
  reasonCode: string | null;
  attempts: number;
};

const ORG = ORGANIZATION.id;
const DIR = ORGANIZATION.directories[0]!.id;

/** One Jira site with the organization linked and `groupIds` chosen, and what a test does through it. */
type OrgSite = {
  site: JiraConnectSimulator;
  id: string;
  api: (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;
  /** A new Jira user (no email shared) created through Connect's webhook; `inDirectory` makes it a user of the organization's directory. */
  newUser: (options?: { inDirectory?: boolean }) => Promise<string>;
  settled: (accountId: string, count?: number) => Promise<InvitationJson[]>;
  account: () => Promise<{ status: string; statusReason: string | null }>;
};

let counter = 0;

async function orgSite(harness: Harness, groupIds: string[], credentials?: { apiKey: string }): Promise<OrgSite> {
  const site = await harness.addSite();
  const api = (method: string, path: string, body?: unknown) => harness.api(method, path, body, { site });
  const id = await linkOrganization(api, groupIds, credentials);
  const invitationsOf = async (accountId: string) =>
    ((await api('GET', '/api/invitations?pageSize=100')).body.invitations as InvitationJson[]).filter((i) => i.accountId === accountId);
  return {
    site,
    id,
    api,
    newUser: async ({ inDirectory = true } = {}) => {
      const accountId = `org-user-${++counter}`;
      if (inDirectory) harness.admin.addUsers(ORG, DIR, [accountId]);
      const sent = await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, { accountId, displayName: `User ${counter}` });
      expect(sent.status).toBe(204);
      return accountId;
    },
    settled: (accountId, count = groupIds.length) =>
      eventually(
        async () => {
          const found = await invitationsOf(accountId);
          return found.length === count && found.every((i) => i.status !== 'queued') ? found : undefined;
        },
        20_000,
        `the invitations of ${accountId}`,
      ),
    account: async () => (await api('GET', '/api/linked-accounts')).body.linkedAccounts[0],
  };
}

describe('adding new Jira users to organization groups', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ env: { DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_RETRY_BASE_SECONDS: '0.2' } });
  });
  afterAll(() => harness?.stop());

  it('adds each new user to every chosen group by account id, exactly once, without asking Jira for an email address', async () => {
    const org = await orgSite(harness, [ORG_GROUPS.developers.id, ORG_GROUPS.qa.id]);
    const accountId = await org.newUser();

    const invitations = await org.settled(accountId);

    const byGroup = [...invitations].sort((a, b) => a.groupSlug.localeCompare(b.groupSlug));
    expect(
      byGroup.map(({ targetType, linkedAccountName, workspace, email, groupSlug, status, reason, attempts }) => ({
        targetType,
        linkedAccountName,
        workspace,
        email,
        groupSlug,
        status,
        reason,
        attempts,
      })),
    ).toEqual(
      [ORG_GROUPS.developers.id, ORG_GROUPS.qa.id].map((groupSlug) => ({
        targetType: 'atlassian-organization',
        linkedAccountName: 'Acme Cloud',
        workspace: null,
        email: null,
        groupSlug,
        status: 'sent',
        reason: null,
        attempts: 1,
      })),
    );
    expect(harness.admin.membershipAttempts(accountId, ORG_GROUPS.developers.id)).toBe(1);
    expect(harness.admin.membershipAttempts(accountId, ORG_GROUPS.qa.id)).toBe(1);
    expect(harness.admin.members(ORG, ORG_GROUPS.developers.id)).toContain(accountId);
    expect(org.site.received.filter((call) => call.path.startsWith('/rest/api/3/user/email'))).toEqual([]);
    expect((await org.account()).status).toBe('active');
  });

  it('counts a user who is already a member as done', async () => {
    const org = await orgSite(harness, [ORG_GROUPS.designers.id]);
    const accountId = `org-user-${++counter}`;
    harness.admin.addUsers(ORG, DIR, [accountId]);
    harness.admin.addGroups(ORG, DIR, [{ ...ORG_GROUPS.designers, members: [accountId] }]);
    try {
      const sent = await org.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, { accountId, displayName: 'Already In' });
      expect(sent.status).toBe(204);
      const [invitation] = await org.settled(accountId);
      expect(invitation).toMatchObject({
        status: 'already-invited',
        reason: 'Atlassian Administration answered that this account is already a member of the group.',
      });
    } finally {
      harness.admin.addGroups(ORG, DIR, [ORG_GROUPS.designers]);
    }
  });

  it('waits as long as Atlassian asks after a 429, then adds the member once', async () => {
    const org = await orgSite(harness, [ORG_GROUPS.developers.id]);
    harness.admin.failRequests(ORG, { status: 429, count: 1, retryAfterSeconds: 1, on: 'membership' });
    const accountId = await org.newUser();

    const [invitation] = await org.settled(accountId);

    expect(invitation).toMatchObject({ status: 'sent', attempts: 2 });
    const posts = harness.admin.received.filter((r) => r.method === 'POST' && (r.body as { accountId?: string } | null)?.accountId === accountId);
    expect(posts.map((r) => r.status)).toEqual([429, 204]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('retries after server errors until the member is added', async () => {
    const org = await orgSite(harness, [ORG_GROUPS.developers.id]);
    harness.admin.failRequests(ORG, { status: 503, count: 2, on: 'membership' });
    const accountId = await org.newUser();

    const [invitation] = await org.settled(accountId);

    expect(invitation).toMatchObject({ status: 'sent', attempts: 3 });
    expect(harness.admin.membershipAttempts(accountId, ORG_GROUPS.developers.id)).toBe(3);
  });

  describe('refusals of one membership fail that invitation with a sentence, and leave the organization active', () => {
    it('for a group whose app reached its user limit', async () => {
      const org = await orgSite(harness, [ORG_GROUPS.atLimit.id]);
      const accountId = await org.newUser();

      const [invitation] = await org.settled(accountId);

      expect(invitation).toMatchObject({ status: 'failed', reasonCode: 'rejected', attempts: 1 });
      expect(invitation!.reason).toMatch(new RegExp(`^${escape(explain('user-limit', 'bitbucket-users'))}`));
      expect(harness.admin.membershipAttempts(accountId, ORG_GROUPS.atLimit.id)).toBe(1);
      expect((await org.account()).status).toBe('active');
    });

    it('for a user who is not in the directory', async () => {
      const org = await orgSite(harness, [ORG_GROUPS.developers.id]);
      const accountId = await org.newUser({ inDirectory: false });

      const [invitation] = await org.settled(accountId);

      expect(invitation).toMatchObject({ status: 'failed', reasonCode: 'rejected' });
      expect(invitation!.reason).toMatch(new RegExp(`^${escape(explain('not-in-directory', 'developers'))}`));
      expect((await org.account()).status).toBe('active');
    });

    it('for a group that became synced from an identity provider after it was chosen', async () => {
      const org = await orgSite(harness, [ORG_GROUPS.qa.id]);
      harness.admin.addGroups(ORG, DIR, [{ ...ORG_GROUPS.qa, externalSynced: true }]);
      try {
        const accountId = await org.newUser();
        const [invitation] = await org.settled(accountId);
        expect(invitation).toMatchObject({ status: 'failed', reasonCode: 'rejected' });
        expect(invitation!.reason).toMatch(new RegExp(`^${escape(explain('synced-group', 'qa'))}`));
        expect((await org.account()).status).toBe('active');
      } finally {
        harness.admin.addGroups(ORG, DIR, [ORG_GROUPS.qa]);
      }
    });

    it('for a group deleted since it was chosen, saying so', async () => {
      const org = await orgSite(harness, [ORG_GROUPS.designers.id]);
      harness.admin.removeGroups(ORG, DIR, [ORG_GROUPS.designers.id]);
      try {
        const accountId = await org.newUser();
        const [invitation] = await org.settled(accountId);
        expect(invitation).toMatchObject({
          status: 'failed',
          reasonCode: 'group-missing',
          reason: 'The group "designers" no longer exists in "Acme Cloud". Choose the default groups again.',
        });
        expect((await org.account()).status).toBe('active');
      } finally {
        harness.admin.addGroups(ORG, DIR, [ORG_GROUPS.designers]);
      }
    });
  });

  it('marks the organization Credentials invalid when its key is revoked, holds back what follows, and sends both once a new key is saved', async () => {
    const revocable = 'acme-org-revocable-key-9d2e';
    harness.admin.addApiKey(revocable, [ORG]);
    const org = await orgSite(harness, [ORG_GROUPS.developers.id], { apiKey: revocable });
    harness.admin.revokeApiKey(revocable);

    const first = await org.newUser();
    const [refused] = await org.settled(first);
    expect(refused).toMatchObject({ status: 'failed', reasonCode: 'credentials-invalid', attempts: 1 });
    expect(refused!.reason).toMatch(/^Atlassian Administration rejected the API key: it is wrong, revoked or expired/);
    expect(await org.account()).toMatchObject({ status: 'credentials-invalid', statusReason: refused!.reason });

    const second = await org.newUser();
    const [held] = await org.settled(second);
    expect(held).toMatchObject({ status: 'failed', reasonCode: 'credentials-invalid', attempts: 0 });
    expect(harness.admin.membershipAttempts(second, ORG_GROUPS.developers.id)).toBe(0);

    const renewed = 'acme-org-renewed-key-3a7b';
    harness.admin.addApiKey(renewed, [ORG]);
    const updated = await org.api('PUT', `/api/linked-accounts/${org.id}/credentials`, {
      credentials: { type: 'organization-api-key', apiKey: renewed },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.linkedAccount).toMatchObject({ status: 'active', statusReason: null });

    for (const accountId of [first, second]) {
      await eventually(async () => (await org.settled(accountId))[0]!.status === 'sent', 20_000, `${accountId} to be added`);
      expect(harness.admin.members(ORG, ORG_GROUPS.developers.id)).toContain(accountId);
    }
    expect(harness.admin.membershipAttempts(first, ORG_GROUPS.developers.id)).toBe(2);
    expect(harness.admin.membershipAttempts(second, ORG_GROUPS.developers.id)).toBe(1);
  });

  it('marks the organization Credentials invalid when its key may not change memberships', async () => {
    const org = await orgSite(harness, [ORG_GROUPS.developers.id], { apiKey: ORG_READ_ONLY_KEY });
    const accountId = await org.newUser();

    const [invitation] = await org.settled(accountId);

    expect(invitation).toMatchObject({ status: 'failed', reasonCode: 'credentials-invalid' });
    expect(invitation!.reason).toMatch(/^The API key works but may not manage "Acme Cloud"/);
    // The run marks the account right after failing the invitation.
    await eventually(async () => (await org.account()).status === 'credentials-invalid', 10_000, 'the organization to be marked Credentials invalid');
  });
});

describe('several organizations delivering at once', () => {
  let harness: Harness;
  const GLOBEX = { id: 'org-globex', directory: 'dir-globex', key: 'globex-org-api-key-77aa', group: 'grp-globex-devs' };
  const LOAD_GROUPS = Array.from({ length: 12 }, (_, i) => ({ id: `grp-load-${i}`, name: `load-${String(i).padStart(2, '0')}` }));

  beforeAll(async () => {
    harness = await startHarness({
      // The app's pace per organization stays under what Atlassian (the simulator) lets through.
      env: { ATLASSIAN_ADMIN_MEMBERSHIPS_PER_SECOND: '2', DELIVERY_RETRY_BASE_SECONDS: '0.2' },
      admin: { membershipsPerSecond: 3 },
    });
    harness.admin.addGroups(ORG, DIR, LOAD_GROUPS);
    harness.admin.addOrganization({
      id: GLOBEX.id,
      name: 'Globex',
      directories: [{ id: GLOBEX.directory, name: 'Staff', groups: [{ id: GLOBEX.group, name: 'developers' }] }],
    });
    harness.admin.addApiKey(GLOBEX.key, [GLOBEX.id]);
  });
  afterAll(() => harness?.stop());

  /** A site with Globex linked, whose one new user must not wait for Acme's. */
  async function globexSite(): Promise<OrgSite> {
    const site = await harness.addSite();
    const api = (method: string, path: string, body?: unknown) => harness.api(method, path, body, { site });
    const linked = await api('POST', '/api/linked-accounts', {
      targetType: 'atlassian-organization',
      organizationId: GLOBEX.id,
      directoryId: GLOBEX.directory,
      credentials: { type: 'organization-api-key', apiKey: GLOBEX.key },
    });
    expect(linked.status).toBe(201);
    const id = linked.body.linkedAccount.id as string;
    await api('GET', `/api/linked-accounts/${id}/groups`);
    expect((await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: [GLOBEX.group] })).status).toBe(200);
    return {
      site,
      id,
      api,
      newUser: async () => {
        const accountId = `globex-user-${++counter}`;
        harness.admin.addUsers(GLOBEX.id, GLOBEX.directory, [accountId]);
        expect((await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, { accountId, displayName: 'Gil Globex' })).status).toBe(204);
        return accountId;
      },
      settled: async () => [],
      account: async () => (await api('GET', '/api/linked-accounts')).body.linkedAccounts[0],
    };
  }

  const addedAt = (accountId: string) =>
    eventually(
      async () =>
        harness.admin.received.find(
          (r) => r.status === 204 && r.orgId === GLOBEX.id && (r.body as { accountId?: string } | null)?.accountId === accountId,
        )?.at,
      10_000,
      `${accountId} to be added to Globex`,
    );
  const acmeMemberships = () => harness.admin.received.filter((r) => r.method === 'POST' && r.orgId === ORG && r.groupId !== null);

  it('keeps to its pace per organization, so Atlassian never answers 429, and adds every member once', async () => {
    const acme = await orgSite(
      harness,
      LOAD_GROUPS.map((g) => g.id),
    );
    const accountId = await acme.newUser();

    const invitations = await acme.settled(accountId);

    expect(invitations.map((i) => i.status)).toEqual(LOAD_GROUPS.map(() => 'sent'));
    expect(harness.admin.rateLimitedCount).toBe(0);
    for (const group of LOAD_GROUPS) expect(harness.admin.membershipAttempts(accountId, group.id)).toBe(1);
    const posts = acmeMemberships().map((r) => r.at);
    // Two at once, then two a second: twelve memberships take at least five seconds.
    expect(posts.at(-1)! - posts[0]!).toBeGreaterThanOrEqual(4_500);
  });

  it("adds another organization's member promptly while one organization answers every membership with 429", async () => {
    const acme = await orgSite(
      harness,
      LOAD_GROUPS.map((g) => g.id),
    );
    harness.admin.failRequests(ORG, { status: 429, count: 10_000, retryAfterSeconds: 30, on: 'membership' });
    const globex = await globexSite();
    try {
      await acme.newUser();
      await eventually(async () => acmeMemberships().some((r) => r.status === 429), 10_000, 'Acme to answer 429');

      const created = Date.now();
      const accountId = await globex.newUser();
      expect((await addedAt(accountId)) - created).toBeLessThan(3_000);
    } finally {
      harness.admin.reset();
    }
  });

  it("adds another organization's member promptly while one organization answers slowly", async () => {
    const acme = await orgSite(
      harness,
      LOAD_GROUPS.map((g) => g.id),
    );
    harness.admin.slowDownMemberships(ORG, 5_000);
    const globex = await globexSite();
    try {
      // Two new users a moment apart: each fetch loop of the workers takes one's invitations.
      await acme.newUser();
      await eventually(async () => acmeMemberships().length > 0, 10_000, 'a slow Acme membership to be under way');
      await acme.newUser();
      await new Promise((resolve) => setTimeout(resolve, 700));

      const created = Date.now();
      const accountId = await globex.newUser();
      expect((await addedAt(accountId)) - created).toBeLessThan(3_000);
    } finally {
      harness.admin.slowDownMemberships(ORG, 0);
    }
  });
});

describe('a membership that runs longer than its job may', () => {
  /** Long enough for pg-boss to expire the job (1 s), retry it (5–10 s later) and hand it out again. */
  const SLOW_ADD_MS = 14_000;
  let harness: Harness;
  let addsStarted = 0;

  beforeAll(async () => {
    harness = await startHarness({
      env: { JOB_EXPIRE_SECONDS: '1', QUEUE_MAINTENANCE_SECONDS: '1' },
      app: {
        // The real client against the simulator, each membership held up before it is sent.
        atlassianAdmin: (options) =>
          new (class extends AtlassianAdminClient {
            override async addMember(...args: Parameters<AtlassianAdminClient['addMember']>) {
              addsStarted++;
              await new Promise((resolve) => setTimeout(resolve, SLOW_ADD_MS));
              return super.addMember(...args);
            }
          })(options),
      },
    });
  });
  afterAll(() => harness?.stop());

  it('is added once, though pg-boss hands its job out a second time while it runs', { timeout: 60_000 }, async () => {
    const org = await orgSite(harness, [ORG_GROUPS.developers.id]);
    const accountId = await org.newUser();
    const jobId = await eventually(
      () =>
        withClient(harness.databaseUrl, (c) => c.query<{ job_id: string }>('SELECT job_id FROM invitations WHERE account_id = $1', [accountId])).then(
          (r) => r.rows[0]?.job_id,
        ),
      10_000,
      'the invitation',
    );

    await eventually(async () => (await org.settled(accountId))[0]!.status === 'sent', 40_000, 'the member to be added');

    const job = await withClient(harness.databaseUrl, (c) =>
      c.query<{ retry_count: number }>('SELECT retry_count FROM pgboss.job WHERE id = $1', [jobId]),
    );
    expect(job.rows[0]!.retry_count).toBeGreaterThanOrEqual(1);
    expect(addsStarted).toBe(1);
    expect(harness.admin.membershipAttempts(accountId, ORG_GROUPS.developers.id)).toBe(1);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
