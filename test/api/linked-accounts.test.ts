import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { ADMIN, OAUTH, WORKSPACE, eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const API_TOKEN = { type: 'api-token', email: 'owner@acme.example', token: 'acme-api-token-789' } as const;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UNLINKED_REASON = 'The workspace was unlinked before this invitation was sent.';

type Invitation = {
  id: string;
  linkedAccountId: string;
  workspace: string;
  accountId: string;
  groupSlug: string;
  status: string;
  reason: string | null;
};

describe('linked Bitbucket workspaces', () => {
  let harness: Harness;
  /** Each test works on its own Jira site, so links and selections never collide. */
  let site: JiraConnectSimulator;

  const api = (method: string, path: string, body?: unknown) => harness.api(method, path, body, { site });
  const link = (body: unknown) => api('POST', '/api/linked-accounts', body);
  /** Rows of the site's linked accounts that are still linked (unlinked ones stay as history). */
  const linkedAccountRows = () =>
    withClient(harness.databaseUrl, async (client) =>
      Number(
        (
          await client.query(
            `SELECT count(*) FROM linked_accounts l JOIN tenants t ON t.id = l.tenant_id WHERE t.host_key = $1 AND l.status <> 'unlinked'`,
            [site.clientKey],
          )
        ).rows[0].count,
      ),
    );
  const storedAccount = (id: string) =>
    withClient(
      harness.databaseUrl,
      async (client) => (await client.query('SELECT status, credentials_sealed, default_groups FROM linked_accounts WHERE id = $1', [id])).rows[0],
    );
  const invitationsOf = async (query = '') => (await api('GET', `/api/invitations?pageSize=100${query}`)).body.invitations as Invitation[];
  const newUser = async (accountId: string) => {
    const user = { accountId, displayName: accountId, emailAddress: `${accountId}@example.com`, emailVisible: true };
    expect((await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    return user;
  };
  /** Makes every later write to the audit log fail, as a full disk or a lost connection would; returns the undo. */
  const breakAuditLog = async () => {
    await withClient(harness.databaseUrl, (client) =>
      client.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_broken_in_test CHECK (false) NOT VALID`),
    );
    return () => withClient(harness.databaseUrl, (client) => client.query('ALTER TABLE audit_log DROP CONSTRAINT audit_log_broken_in_test'));
  };
  const auditEntries = () =>
    withClient(
      harness.databaseUrl,
      async (client) =>
        (
          await client.query(
            `SELECT a.actor_account_id, a.action, a.subject, a.before, a.after, a.at FROM audit_log a
           JOIN tenants t ON t.id = a.tenant_id WHERE t.host_key = $1 ORDER BY a.id`,
            [site.clientKey],
          )
        ).rows,
    );
  const groupListings = () => harness.bitbucket.received.filter((r) => r.method === 'GET' && r.path === `/1.0/groups/${WORKSPACE.slug}`).length;

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.stop());

  describe('linking', () => {
    beforeAll(async () => {
      site = await harness.addSite();
    });

    it('links a workspace with an OAuth consumer and shows it as docs/admin-api.md describes', async () => {
      const linked = await link({ workspace: WORKSPACE.slug, credentials: OAUTH });

      expect(linked.status).toBe(201);
      expect(linked.body).toEqual({
        linkedAccount: {
          id: expect.stringMatching(UUID),
          targetType: 'bitbucket-workspace',
          workspace: 'acme',
          organization: null,
          displayName: 'acme',
          url: 'https://bitbucket.org/acme',
          credentialType: 'oauth-consumer',
          status: 'active',
          statusReason: null,
          defaultGroups: [],
          mode: 'automatic',
          rules: [],
          groupCount: 3,
          groupsRefreshedAt: expect.stringMatching(ISO_DATE),
          lastInvitationSentAt: null,
          createdAt: expect.stringMatching(ISO_DATE),
          unlinkedAt: null,
        },
      });
      expect(await api('GET', '/api/linked-accounts')).toEqual({ status: 200, body: { linkedAccounts: [linked.body.linkedAccount] } });
    });

    it('refuses to link the same workspace twice (whatever its spelling) with 409', async () => {
      for (const workspace of ['acme', 'ACME', ' acme ']) {
        const again = await link({ workspace, credentials: OAUTH });
        expect(again.status, workspace).toBe(409);
        expect(again.body.message).toMatch(/already linked/i);
      }
      expect(await linkedAccountRows()).toBe(1);
    });

    it('links a workspace with an Atlassian API token', async () => {
      site = await harness.addSite();
      const linked = await link({ workspace: 'acme', credentials: API_TOKEN });

      expect(linked.status).toBe(201);
      expect(linked.body.linkedAccount).toMatchObject({
        workspace: 'acme',
        credentialType: 'api-token',
        status: 'active',
        groupCount: 3,
        defaultGroups: [],
      });
    });
  });

  describe('refusals from Bitbucket, answered with 422 and nothing linked', () => {
    beforeAll(async () => {
      site = await harness.addSite();
    });

    it('says the credentials were rejected when the secret is wrong', async () => {
      const answer = await link({ workspace: 'acme', credentials: { ...OAUTH, secret: 'not-the-secret' } });
      expect(answer.status).toBe(422);
      expect(answer.body.message).toMatch(/rejected these credentials/i);
      expect(await linkedAccountRows()).toBe(0);
    });

    it('says the credentials were rejected when the API token is wrong', async () => {
      const answer = await link({ workspace: 'acme', credentials: { ...API_TOKEN, token: 'not-the-token' } });
      expect(answer.status).toBe(422);
      expect(answer.body.message).toMatch(/rejected these credentials/i);
      expect(await linkedAccountRows()).toBe(0);
    });

    it('says admin rights are missing for credentials of a non-administrator', async () => {
      const answer = await link({
        workspace: 'acme',
        credentials: { type: 'oauth-consumer', key: 'acme-readonly-key', secret: 'acme-readonly-secret-456' },
      });
      expect(answer.status).toBe(422);
      expect(answer.body.message).toMatch(/no admin rights/i);
      expect(await linkedAccountRows()).toBe(0);
    });

    it('points to Atlassian Administration for an admin-managed workspace', async () => {
      harness.bitbucket.setAdminManaged('acme', true);
      try {
        const answer = await link({ workspace: 'acme', credentials: OAUTH });
        expect(answer.status).toBe(422);
        expect(answer.body.message).toMatch(/Atlassian Administration/);
        expect(await linkedAccountRows()).toBe(0);
      } finally {
        harness.bitbucket.setAdminManaged('acme', false);
      }
    });

    it('refuses a workspace Bitbucket does not know', async () => {
      const answer = await link({ workspace: 'no-such-workspace', credentials: OAUTH });
      expect(answer.status).toBe(422);
      expect(answer.body.message).toMatch(/no-such-workspace/);
      expect(await linkedAccountRows()).toBe(0);
    });
  });

  describe('default groups', () => {
    let id: string;
    beforeAll(async () => {
      site = await harness.addSite();
      id = (await link({ workspace: 'acme', credentials: OAUTH })).body.linkedAccount.id;
    });

    it("lists the workspace's groups by name, none selected at first, without asking Bitbucket", async () => {
      const listings = groupListings();
      const answer = await api('GET', `/api/linked-accounts/${id}/groups`);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        groups: [
          { slug: 'designers', name: 'Designers', selected: false },
          { slug: 'developers', name: 'Developers', selected: false },
          { slug: 'qa', name: 'QA', selected: false },
        ],
        nextCursor: null,
        refreshedAt: expect.stringMatching(ISO_DATE),
      });
      expect(groupListings()).toBe(listings);
    });

    it('saves the chosen groups and shows them as selected', async () => {
      const saved = await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['qa', 'developers'] });

      expect(saved.status).toBe(200);
      expect(saved.body.linkedAccount.defaultGroups).toEqual([
        { slug: 'developers', name: 'Developers' },
        { slug: 'qa', name: 'QA' },
      ]);
      const groups = await api('GET', `/api/linked-accounts/${id}/groups`);
      expect(groups.body.groups.filter((g: { selected: boolean }) => g.selected).map((g: { slug: string }) => g.slug)).toEqual(['developers', 'qa']);
    });

    it('asks Bitbucket again when refresh=true, keeping the selection', async () => {
      const listings = groupListings();
      const before = (await api('GET', `/api/linked-accounts/${id}/groups`)).body.refreshedAt;
      await new Promise((resolve) => setTimeout(resolve, 5));

      const answer = await api('GET', `/api/linked-accounts/${id}/groups?refresh=true`);

      expect(answer.status).toBe(200);
      expect(groupListings()).toBe(listings + 1);
      expect(new Date(answer.body.refreshedAt).getTime()).toBeGreaterThan(new Date(before).getTime());
      expect(answer.body.groups.filter((g: { selected: boolean }) => g.selected).map((g: { slug: string }) => g.slug)).toEqual(['developers', 'qa']);
    });

    it('refuses a group the workspace does not have with 400, and keeps the previous selection', async () => {
      const answer = await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['developers', 'no-such-group'] });

      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/no-such-group/);
      const list = await api('GET', '/api/linked-accounts');
      expect(list.body.linkedAccounts[0].defaultGroups.map((g: { slug: string }) => g.slug)).toEqual(['developers', 'qa']);
    });

    it('accepts an empty selection, after which a new user is invited nowhere', async () => {
      const saved = await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: [] });
      expect(saved.status).toBe(200);
      expect(saved.body.linkedAccount.defaultGroups).toEqual([]);

      const user = { accountId: 'nobody-invited', displayName: 'Nils None', emailAddress: 'nils@example.com', emailVisible: true };
      expect((await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
      await eventually(
        () =>
          withClient(harness.databaseUrl, async (client) =>
            Boolean((await client.query('SELECT planned_at FROM new_users WHERE account_id = $1', [user.accountId])).rows[0]?.planned_at),
          ),
        15_000,
        'the new user to be planned',
      );

      expect((await api('GET', '/api/invitations')).body.total).toBe(0);
      expect(harness.bitbucket.invitations('acme').filter((i) => i.email === user.emailAddress)).toEqual([]);
    });
  });

  describe('credentials and unlinking', () => {
    it('reactivates an account whose credentials Bitbucket stopped accepting when new ones are saved, and resends what failed', async () => {
      site = await harness.addSite();
      // An API token: no cached OAuth token to renew, so one refusal is final.
      const linked = await link({ workspace: 'acme', credentials: API_TOKEN });
      const id = linked.body.linkedAccount.id as string;
      expect((await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['developers'] })).status).toBe(200);
      harness.bitbucket.failInvitations('acme', { status: 401, count: 1 });
      const user = { accountId: 'rejected-once', displayName: 'Rita Retry', emailAddress: 'rita@example.com', emailVisible: true };
      expect((await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);

      const broken = await eventually(
        async () => {
          const account = (await api('GET', '/api/linked-accounts')).body.linkedAccounts[0];
          return account.status === 'credentials-invalid' ? account : undefined;
        },
        15_000,
        'the account to be marked credentials-invalid',
      );
      expect(broken.statusReason).toMatch(/rejected/i);
      expect((await api('GET', '/api/invitations?status=failed')).body.total).toBe(1);
      expect((await auditEntries()).at(-1)).toMatchObject({
        actor_account_id: null,
        action: 'linked-account.status-changed',
        subject: 'acme',
        before: { status: 'active' },
        after: { status: 'credentials-invalid', statusReason: broken.statusReason },
      });

      const updated = await api('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: OAUTH });

      expect(updated.status).toBe(200);
      expect(updated.body.linkedAccount).toMatchObject({ id, status: 'active', statusReason: null, credentialType: 'oauth-consumer' });
      await eventually(
        async () => {
          const sent = await api('GET', '/api/invitations?status=sent');
          return sent.body.invitations.some((i: { email: string }) => i.email === user.emailAddress);
        },
        15_000,
        'the failed invitation to be sent again',
      );
      expect(harness.bitbucket.invitations('acme').filter((i) => i.email === user.emailAddress)).toHaveLength(1);
    });

    it('keeps the working credentials when the new ones are rejected', async () => {
      site = await harness.addSite();
      const id = await linkWorkspace(harness, ['qa'], site);

      const answer = await api('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: { ...OAUTH, secret: 'wrong' } });

      expect(answer.status).toBe(422);
      expect(answer.body.message).toMatch(/rejected these credentials/i);
      const account = (await api('GET', '/api/linked-accounts')).body.linkedAccounts[0];
      expect(account).toMatchObject({ status: 'active', credentialType: 'oauth-consumer' });
      // The stored credentials still work: a refresh asks Bitbucket and succeeds.
      expect((await api('GET', `/api/linked-accounts/${id}/groups?refresh=true`)).status).toBe(200);
    });
  });

  describe('unlinking', () => {
    it('keeps the invitation history of an unlinked workspace, destroys its credentials and skips what was still queued', async () => {
      site = await harness.addSite();
      const id = await linkWorkspace(harness, ['developers', 'qa'], site);
      await newUser('sent-before');
      await eventually(async () => (await invitationsOf('&status=sent')).length === 2, 15_000, 'two invitations to be sent');
      // Bitbucket is down for the next two: they wait, queued, for a retry in ten minutes.
      harness.bitbucket.failInvitations('acme', { status: 503, count: 2, retryAfterSeconds: 600 });
      await newUser('queued-at-unlink');
      await eventually(
        async () => (await invitationsOf('&status=queued')).filter((i) => i.reason !== null).length === 2,
        15_000,
        'two invitations to wait for a retry',
      );

      const removed = await api('DELETE', `/api/linked-accounts/${id}`);

      expect(removed).toEqual({ status: 200, body: { unlinked: id } });
      const history = await invitationsOf();
      expect(history).toHaveLength(4);
      expect(history.every((i) => i.linkedAccountId === id && i.workspace === 'acme')).toBe(true);
      expect(history.filter((i) => i.accountId === 'sent-before').map((i) => i.status)).toEqual(['sent', 'sent']);
      expect(history.filter((i) => i.accountId === 'queued-at-unlink').map((i) => [i.status, i.reason])).toEqual([
        ['skipped', UNLINKED_REASON],
        ['skipped', UNLINKED_REASON],
      ]);
      expect(await storedAccount(id)).toEqual({ status: 'unlinked', credentials_sealed: null, default_groups: [] });
    });

    it('lists only linked accounts by default, and unlinked ones too with include=unlinked', async () => {
      site = await harness.addSite();
      const id = await linkWorkspace(harness, ['qa'], site);
      expect((await api('DELETE', `/api/linked-accounts/${id}`)).status).toBe(200);

      expect(await api('GET', '/api/linked-accounts')).toEqual({ status: 200, body: { linkedAccounts: [] } });
      const all = await api('GET', '/api/linked-accounts?include=unlinked');
      expect(all.status).toBe(200);
      expect(all.body.linkedAccounts).toEqual([
        expect.objectContaining({
          id,
          workspace: 'acme',
          status: 'unlinked',
          statusReason: null,
          defaultGroups: [],
          unlinkedAt: expect.stringMatching(ISO_DATE),
        }),
      ]);
      const wrong = await api('GET', '/api/linked-accounts?include=everything');
      expect(wrong.status).toBe(400);
      expect(wrong.body.fieldErrors).toEqual({ include: 'The only value of "include" is "unlinked".' });
    });

    it('answers 404 to every change of an unlinked account', async () => {
      site = await harness.addSite();
      const id = await linkWorkspace(harness, ['qa'], site);
      expect((await api('DELETE', `/api/linked-accounts/${id}`)).status).toBe(200);
      const listings = groupListings();

      for (const [method, path, body] of [
        ['GET', `/api/linked-accounts/${id}/groups`],
        ['GET', `/api/linked-accounts/${id}/groups?refresh=true`],
        ['POST', `/api/linked-accounts/${id}/refresh-groups`],
        ['PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['qa'] }],
        ['PUT', `/api/linked-accounts/${id}/credentials`, { credentials: OAUTH }],
        ['DELETE', `/api/linked-accounts/${id}`],
      ] as const) {
        expect(await api(method, path, body), `${method} ${path}`).toEqual({ status: 404, body: { message: 'No linked account with this id.' } });
      }
      expect(groupListings()).toBe(listings);
      expect(await storedAccount(id)).toEqual({ status: 'unlinked', credentials_sealed: null, default_groups: [] });
    });

    it('links the workspace again as a new linked account, while the old invitations keep naming the unlinked one', async () => {
      site = await harness.addSite();
      const oldId = await linkWorkspace(harness, ['designers'], site);
      await newUser('before-relink');
      await eventually(async () => (await invitationsOf('&status=sent')).length === 1, 15_000, 'the invitation to be sent');
      expect((await api('DELETE', `/api/linked-accounts/${oldId}`)).status).toBe(200);

      const relinked = await link({ workspace: 'ACME', credentials: OAUTH });

      expect(relinked.status).toBe(201);
      const newId = relinked.body.linkedAccount.id as string;
      expect(newId).not.toBe(oldId);
      expect(relinked.body.linkedAccount).toMatchObject({ status: 'active', defaultGroups: [], unlinkedAt: null });
      expect((await link({ workspace: 'acme', credentials: OAUTH })).status).toBe(409);
      expect(
        (await api('GET', '/api/linked-accounts?include=unlinked')).body.linkedAccounts.map((a: { id: string; status: string }) => [a.id, a.status]),
      ).toEqual([
        [newId, 'active'],
        [oldId, 'unlinked'],
      ]);
      expect((await invitationsOf(`&linkedAccountId=${oldId}`)).map((i) => [i.accountId, i.status])).toEqual([['before-relink', 'sent']]);
      expect(await invitationsOf(`&linkedAccountId=${newId}`)).toEqual([]);
    });

    it('still removes unlinked accounts and their invitations when the app is uninstalled', async () => {
      site = await harness.addSite();
      const id = await linkWorkspace(harness, ['qa'], site);
      await newUser('before-uninstall');
      await eventually(async () => (await invitationsOf('&status=sent')).length === 1, 15_000, 'the invitation to be sent');
      expect((await api('DELETE', `/api/linked-accounts/${id}`)).status).toBe(200);

      expect(await site.uninstall(harness.app.baseUrl)).toBe(204);

      const left = await withClient(
        harness.databaseUrl,
        async (client) =>
          (
            await client.query(
              `SELECT (SELECT count(*) FROM linked_accounts WHERE id = $1)::int AS linked_accounts,
                    (SELECT count(*) FROM invitations WHERE linked_account_id = $1)::int AS invitations`,
              [id],
            )
          ).rows[0],
      );
      expect(left).toEqual({ linked_accounts: 0, invitations: 0 });
    });
  });

  it('answers a change that races an unlink with 404, never with a server error, and never brings credentials back', async () => {
    site = await harness.addSite();
    for (let round = 0; round < 10; round += 1) {
      const id = (await link({ workspace: 'acme', credentials: OAUTH })).body.linkedAccount.id as string;
      const [removed, ...changes] = await Promise.all([
        api('DELETE', `/api/linked-accounts/${id}`),
        api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['qa'] }),
        api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['developers'] }),
        api('GET', `/api/linked-accounts/${id}/groups?refresh=true`),
        api('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: API_TOKEN }),
      ]);

      expect(removed.status).toBe(200);
      for (const change of changes) {
        expect([200, 404], JSON.stringify(change.body)).toContain(change.status);
        if (change.status === 404) expect(change.body.message).toMatch(/no linked account/i);
      }
      expect(await linkedAccountRows()).toBe(0);
      expect(await storedAccount(id)).toEqual({ status: 'unlinked', credentials_sealed: null, default_groups: [] });
    }
  });

  describe('changes made while another one waits for Bitbucket', () => {
    beforeEach(async () => {
      site = await harness.addSite();
    });

    it('keeps default groups saved while new credentials were being checked with Bitbucket', async () => {
      const id = await linkWorkspace(harness, ['qa'], site);
      const slow = harness.bitbucket.hold('groups', 'acme');
      const credentialsSaved = api('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: API_TOKEN });
      await slow.arrived;

      const groupsSaved = await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['developers', 'designers'] });
      slow.release();

      expect(groupsSaved.status).toBe(200);
      expect((await credentialsSaved).status).toBe(200);
      const [account] = (await api('GET', '/api/linked-accounts')).body.linkedAccounts;
      expect(account.credentialType).toBe('api-token');
      expect(account.defaultGroups.map((g: { slug: string }) => g.slug)).toEqual(['designers', 'developers']);
    });

    it('keeps default groups saved while the groups were being refreshed from Bitbucket', async () => {
      const id = await linkWorkspace(harness, ['qa'], site);
      const slow = harness.bitbucket.hold('groups', 'acme');
      const refreshed = api('POST', `/api/linked-accounts/${id}/refresh-groups`);
      await slow.arrived;

      const groupsSaved = await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['developers'] });
      slow.release();

      expect(groupsSaved.status).toBe(200);
      const refresh = await refreshed;
      expect(refresh.status).toBe(200);
      expect(refresh.body.linkedAccount.defaultGroups).toEqual([{ slug: 'developers', name: 'Developers' }]);
      const [account] = (await api('GET', '/api/linked-accounts')).body.linkedAccounts;
      expect(account.defaultGroups).toEqual([{ slug: 'developers', name: 'Developers' }]);
    });

    it('does not mark new credentials invalid because of a refusal of the old ones', async () => {
      // An API token first: the client does not retry a refused one, so the 401 reaches delivery.
      const linked = await link({ workspace: 'acme', credentials: API_TOKEN });
      const id = linked.body.linkedAccount.id as string;
      expect((await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['qa'] })).status).toBe(200);
      const slow = harness.bitbucket.hold('invitations', 'acme');
      await newUser('sent-with-old-credentials');
      await slow.arrived;

      expect((await api('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: OAUTH })).status).toBe(200);
      harness.bitbucket.failInvitations('acme', { status: 401, count: 1 });
      slow.release();

      await eventually(async () => (await invitationsOf('&status=failed')).length === 1, 15_000, 'the refused invitation to fail');
      const [account] = (await api('GET', '/api/linked-accounts')).body.linkedAccounts;
      expect(account).toMatchObject({ status: 'active', statusReason: null, credentialType: 'oauth-consumer' });
    });
  });

  it('records who linked, changed the default groups and unlinked, when, and what was before and after', async () => {
    site = await harness.addSite();
    const startedAt = Date.now();
    const id = (await link({ workspace: 'acme', credentials: OAUTH })).body.linkedAccount.id;
    expect((await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['qa'] })).status).toBe(200);
    expect((await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['developers', 'designers'] })).status).toBe(200);
    expect((await api('DELETE', `/api/linked-accounts/${id}`)).status).toBe(200);

    const entries = await auditEntries();

    expect(entries.map(({ actor_account_id, action, subject, before, after }) => ({ actor_account_id, action, subject, before, after }))).toEqual([
      {
        actor_account_id: ADMIN.accountId,
        action: 'linked-account.linked',
        subject: 'acme',
        before: null,
        after: { workspace: 'acme', credentialType: 'oauth-consumer', groups: 3 },
      },
      { actor_account_id: ADMIN.accountId, action: 'linked-account.default-groups-changed', subject: 'acme', before: [], after: ['qa'] },
      {
        actor_account_id: ADMIN.accountId,
        action: 'linked-account.default-groups-changed',
        subject: 'acme',
        before: ['qa'],
        after: ['designers', 'developers'],
      },
      {
        actor_account_id: ADMIN.accountId,
        action: 'linked-account.unlinked',
        subject: 'acme',
        before: { workspace: 'acme', defaultGroups: ['designers', 'developers'] },
        after: null,
      },
    ]);
    for (const entry of entries) {
      const at = new Date(entry.at).getTime();
      expect(at).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    }
  });

  it('records nothing in the audit log for a refused change', async () => {
    site = await harness.addSite();
    const id = (await link({ workspace: 'acme', credentials: OAUTH })).body.linkedAccount.id;
    const before = (await auditEntries()).length;

    expect((await link({ workspace: 'acme', credentials: OAUTH })).status).toBe(409);
    expect((await api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['nope'] })).status).toBe(400);
    expect((await link({ workspace: 'other', credentials: { ...OAUTH, secret: 'bad' } })).status).toBe(422);

    expect((await auditEntries()).length).toBe(before);
  });

  it('records refreshes that change the status or the groups, with the groups added and removed', async () => {
    site = await harness.addSite();
    const beta = (groups: { slug: string; name: string }[], admin: boolean) => ({
      slug: 'beta',
      groups,
      apiTokens: [{ email: 'owner@beta.example', token: 'beta-api-token-321', admin }],
    });
    const developers = { slug: 'developers', name: 'Developers' };
    harness.bitbucket.addWorkspace(beta([developers, { slug: 'qa', name: 'QA' }], true));
    const id = (await link({ workspace: 'beta', credentials: { type: 'api-token', email: 'owner@beta.example', token: 'beta-api-token-321' } })).body
      .linkedAccount.id;
    const before = (await auditEntries()).length;

    harness.bitbucket.addWorkspace(beta([developers, { slug: 'qa', name: 'QA' }], false));
    const refused = await api('POST', `/api/linked-accounts/${id}/refresh-groups`);
    expect(refused.status).toBe(422);
    harness.bitbucket.addWorkspace(beta([developers, { slug: 'ops', name: 'Ops' }], true));
    const refreshed = await api('POST', `/api/linked-accounts/${id}/refresh-groups`);
    expect(refreshed.status).toBe(200);
    expect((await api('POST', `/api/linked-accounts/${id}/refresh-groups`)).status).toBe(200);

    const entries = (await auditEntries())
      .slice(before)
      .map(({ actor_account_id, action, subject, before, after }) => ({ actor_account_id, action, subject, before, after }));
    expect(entries).toEqual([
      {
        actor_account_id: ADMIN.accountId,
        action: 'linked-account.status-changed',
        subject: 'beta',
        before: { status: 'active' },
        after: { status: 'credentials-invalid', statusReason: refused.body.message },
      },
      {
        actor_account_id: ADMIN.accountId,
        action: 'linked-account.groups-refreshed',
        subject: 'beta',
        before: { status: 'credentials-invalid', statusReason: refused.body.message },
        after: { status: 'active', groupsAdded: ['ops'], groupsRemoved: ['qa'] },
      },
    ]);
  });

  it('changes nothing when the audit entry of the change cannot be written', async () => {
    site = await harness.addSite();
    const failsOnItsAuditEntry = async (request: () => Promise<unknown>) => {
      const restore = await breakAuditLog();
      try {
        expect(await request()).toEqual({ status: 500, body: { message: 'Something went wrong on our side. Please try again.' } });
      } finally {
        await restore();
      }
    };

    await failsOnItsAuditEntry(() => link({ workspace: 'acme', credentials: OAUTH }));
    expect(await api('GET', '/api/linked-accounts?include=unlinked')).toEqual({ status: 200, body: { linkedAccounts: [] } });

    const id = await linkWorkspace(harness, ['qa'], site);
    const accountsBefore = await api('GET', '/api/linked-accounts');
    await failsOnItsAuditEntry(() => api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['developers'] }));
    await failsOnItsAuditEntry(() => api('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: API_TOKEN }));
    await failsOnItsAuditEntry(() => api('DELETE', `/api/linked-accounts/${id}`));

    expect(await api('GET', '/api/linked-accounts')).toEqual(accountsBefore);
    expect(await storedAccount(id)).toMatchObject({ status: 'active', default_groups: [{ slug: 'qa', name: 'QA' }] });
  });
});
