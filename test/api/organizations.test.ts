import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import {
  ADMIN,
  eventually,
  ORG_API_KEY,
  ORG_GROUPS,
  ORG_KEY,
  ORG_READ_ONLY_KEY,
  ORGANIZATION,
  linkOrganization,
  startHarness,
  type ApiAnswer,
  type Harness,
} from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DIRECTORY = ORGANIZATION.directories[0]!;
const NO_RIGHTS_KEY = 'acme-org-no-rights-key-8e77aa';
const REVOKED_KEY = 'acme-org-revoked-key-1b2c3d';

const linkBody = (overrides: Record<string, unknown> = {}) => ({
  targetType: 'atlassian-organization',
  organizationId: ORGANIZATION.id,
  directoryId: DIRECTORY.id,
  credentials: ORG_KEY,
  ...overrides,
});

describe('linked Atlassian organizations', () => {
  let harness: Harness;
  /** Each block works on its own Jira site, so links and selections never collide. */
  let site: JiraConnectSimulator;

  const api = (method: string, path: string, body?: unknown): Promise<ApiAnswer> => harness.api(method, path, body, { site });
  const link = (body: unknown) => api('POST', '/api/linked-accounts', body);
  const rowsOf = (table: 'linked_accounts' | 'audit_log') =>
    withClient(
      harness.databaseUrl,
      async (client) =>
        (await client.query(`SELECT x.* FROM ${table} x JOIN tenants t ON t.id = x.tenant_id WHERE t.host_key = $1`, [site.clientKey])).rows,
    );
  const auditEntries = () =>
    withClient(
      harness.databaseUrl,
      async (client) =>
        (
          await client.query(
            `SELECT a.actor_account_id, a.action, a.subject, a.before, a.after FROM audit_log a
             JOIN tenants t ON t.id = a.tenant_id WHERE t.host_key = $1 ORDER BY a.id`,
            [site.clientKey],
          )
        ).rows,
    );
  const searches = () => harness.admin.received.filter((r) => r.path.endsWith('/groups/search'));

  beforeAll(async () => {
    harness = await startHarness();
    harness.admin.addApiKey(NO_RIGHTS_KEY, [ORGANIZATION.id], 'none');
    harness.admin.addApiKey(REVOKED_KEY, [ORGANIZATION.id]);
    harness.admin.revokeApiKey(REVOKED_KEY);
    harness.admin.addOrganization({
      id: 'org-globex',
      name: 'Globex',
      directories: [
        { id: 'dir-globex-1', name: 'Staff' },
        { id: 'dir-globex-2', name: 'Contractors' },
      ],
    });
    harness.admin.addApiKey('globex-org-api-key-77aa', ['org-globex']);
  });
  afterAll(() => harness?.stop());

  describe('discovering what an API key reaches', () => {
    beforeAll(async () => {
      site = await harness.addSite();
    });

    it('lists the organizations and directories the key can see, and stores nothing', async () => {
      const answer = await api('POST', '/api/organizations/discover', { apiKey: ORG_API_KEY });

      expect(answer).toEqual({
        status: 200,
        body: { organizations: [{ id: ORGANIZATION.id, name: 'Acme Cloud', directories: [{ id: DIRECTORY.id, name: 'Acme users' }] }] },
      });
      expect(await rowsOf('linked_accounts')).toEqual([]);
      expect(await rowsOf('audit_log')).toEqual([]);
    });

    it('shows an organization whose directories the key may not read without any to pick', async () => {
      const answer = await api('POST', '/api/organizations/discover', { apiKey: NO_RIGHTS_KEY });
      expect(answer.body).toEqual({ organizations: [{ id: ORGANIZATION.id, name: 'Acme Cloud', directories: [] }] });
    });

    it('explains a revoked or expired key with 422, never repeating it', async () => {
      const answer = await api('POST', '/api/organizations/discover', { apiKey: REVOKED_KEY });
      expect(answer.status).toBe(422);
      expect(answer.body.message).toMatch(/^Atlassian Administration rejected the API key: it is wrong, revoked or expired/);
      expect(JSON.stringify(answer.body)).not.toContain(REVOKED_KEY);
    });

    it('asks for the key in a sentence when it is missing or not text', async () => {
      for (const [body, message] of [
        [{}, 'Enter the organization API key.'],
        [{ apiKey: '  ' }, 'Enter the organization API key.'],
        [{ apiKey: 42 }, 'The API key must be text.'],
        [
          { apiKey: 'acme key with spaces and Ā' },
          'The API key has characters no API key has: paste it again exactly as Atlassian Administration showed it.',
        ],
      ] as const) {
        const answer = await api('POST', '/api/organizations/discover', body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body).toEqual({ message, fieldErrors: { apiKey: message } });
      }
    });
  });

  describe('linking', () => {
    beforeAll(async () => {
      site = await harness.addSite();
    });

    it('links a directory after checking the key with a one-group search, and shows it as docs/admin-api.md describes', async () => {
      const before = searches().length;
      const linked = await link(linkBody());

      expect(linked.status).toBe(201);
      expect(linked.body).toEqual({
        linkedAccount: {
          id: expect.stringMatching(UUID),
          targetType: 'atlassian-organization',
          workspace: null,
          organization: { id: ORGANIZATION.id, name: 'Acme Cloud', directoryId: DIRECTORY.id, directoryName: 'Acme users' },
          displayName: 'Acme Cloud',
          url: `https://admin.atlassian.com/o/${ORGANIZATION.id}/groups`,
          credentialType: 'organization-api-key',
          status: 'active',
          statusReason: null,
          defaultGroups: [],
          mode: 'automatic',
          rules: [],
          groupCount: null,
          groupsRefreshedAt: expect.stringMatching(ISO_DATE),
          lastInvitationSentAt: null,
          createdAt: expect.stringMatching(ISO_DATE),
          unlinkedAt: null,
        },
      });
      expect(
        searches()
          .slice(before)
          .map((r) => r.body),
      ).toEqual([{ limit: 1, expand: ['counts.users'] }]);
      expect((await api('GET', '/api/linked-accounts')).body.linkedAccounts).toEqual([linked.body.linkedAccount]);
    });

    it('keeps the key sealed to its row, and records who linked what', async () => {
      const [row] = await rowsOf('linked_accounts');
      expect(row).toMatchObject({ credential_type: 'organization-api-key', organization_id: ORGANIZATION.id, directory_id: DIRECTORY.id });
      expect(row.credentials_sealed).toMatch(/^v2:/);
      expect(row.credentials_sealed).not.toContain(ORG_API_KEY);
      expect(await auditEntries()).toEqual([
        {
          actor_account_id: ADMIN.accountId,
          action: 'linked-account.linked',
          subject: 'Acme Cloud',
          before: null,
          after: { organizationId: ORGANIZATION.id, directoryId: DIRECTORY.id, credentialType: 'organization-api-key' },
        },
      ]);
    });

    it('refuses to link the same directory twice with 409', async () => {
      const again = await link(linkBody());
      expect(again).toEqual({ status: 409, body: { message: 'The organization "Acme Cloud" is already linked.' } });
    });

    it('names the directory too when the organization has several', async () => {
      const linked = await link(
        linkBody({
          organizationId: 'org-globex',
          directoryId: 'dir-globex-2',
          credentials: { type: 'organization-api-key', apiKey: 'globex-org-api-key-77aa' },
        }),
      );
      expect(linked.status).toBe(201);
      expect(linked.body.linkedAccount.displayName).toBe('Globex (Contractors)');
    });

    it('links with a key that may only read groups: the refusal of a membership will say so', async () => {
      site = await harness.addSite();
      const linked = await link(linkBody({ credentials: { type: 'organization-api-key', apiKey: ORG_READ_ONLY_KEY } }));
      expect(linked.status).toBe(201);
    });
  });

  describe('refusals, answered with 422 and a sentence, and nothing linked', () => {
    beforeAll(async () => {
      site = await harness.addSite();
    });

    it.each([
      [
        'a revoked or expired key',
        { credentials: { type: 'organization-api-key', apiKey: REVOKED_KEY } },
        /rejected the API key: it is wrong, revoked or expired/,
      ],
      ['a key unknown to Atlassian', { credentials: { type: 'organization-api-key', apiKey: 'nobody-knows-this-key' } }, /rejected the API key/],
      [
        'a key without rights on the organization',
        { credentials: { type: 'organization-api-key', apiKey: NO_RIGHTS_KEY } },
        /may not manage "org-acme"/,
      ],
      ['an organization the key does not see', { organizationId: 'org-umbrella' }, /^This API key sees no organization with the ID "org-umbrella"\./],
      [
        'a directory the organization does not have',
        { directoryId: 'dir-nope' },
        /^The organization "Acme Cloud" has no directory with the ID "dir-nope"/,
      ],
    ])('explains %s', async (_what, overrides, message) => {
      const answer = await link(linkBody(overrides));
      expect(answer.status).toBe(422);
      expect(answer.body.message).toMatch(message);
      expect(JSON.stringify(answer.body)).not.toMatch(/key-|nobody-knows/);
      expect(await rowsOf('linked_accounts')).toEqual([]);
      expect(await rowsOf('audit_log')).toEqual([]);
    });

    it('refuses a body that names no organization, or Bitbucket credentials for one, naming the field', async () => {
      for (const [body, field, message] of [
        [linkBody({ organizationId: undefined }), 'organizationId', 'Choose the organization.'],
        [linkBody({ directoryId: '' }), 'directoryId', 'Choose the directory.'],
        [
          linkBody({ directoryId: '../../orgs' }),
          'directoryId',
          'The directory ID can only have letters, numbers, dots, colons, dashes and underscores.',
        ],
        [
          linkBody({ credentials: { type: 'oauth-consumer', key: 'k', secret: 's' } }),
          'credentials.type',
          'An organization takes an organization API key: credentials of type "organization-api-key".',
        ],
        [linkBody({ credentials: undefined }), 'credentials', 'Enter the organization API key.'],
        [linkBody({ targetType: 'jira-project' }), 'targetType', 'Choose a target type: "bitbucket-workspace" or "atlassian-organization".'],
      ] as const) {
        const answer = await link(body);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.body.message).toBe(message);
        expect(answer.body.fieldErrors[field]).toBe(message);
      }
      expect(await rowsOf('linked_accounts')).toEqual([]);
    });
  });

  describe('the per-site limit on attempts', () => {
    it('counts looking up organizations with links and credential changes', async () => {
      site = await harness.addSite();
      const limited = await harness.startInstance({ LINK_ATTEMPTS_PER_MINUTE: '3' });
      const call = (method: string, path: string, body: unknown) =>
        fetch(`${limited.baseUrl}${path}`, {
          method,
          headers: { Authorization: `JWT ${site.contextToken(ADMIN.accountId)}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });

      expect((await call('POST', '/api/organizations/discover', { apiKey: ORG_API_KEY })).status).toBe(200);
      expect((await call('POST', '/api/organizations/discover', { apiKey: REVOKED_KEY })).status).toBe(422);
      expect((await call('POST', '/api/linked-accounts', linkBody())).status).toBe(201);
      const refused = await call('POST', '/api/organizations/discover', { apiKey: ORG_API_KEY });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(((await refused.json()) as { message: string }).message).toMatch(
        /^This site has made 3 attempts to link an account, look up organizations or change credentials within a minute\./,
      );
    });
  });

  describe('new credentials', () => {
    let id: string;
    beforeAll(async () => {
      site = await harness.addSite();
      id = await linkOrganization(api, [ORG_GROUPS.developers.id]);
    });

    it('takes a new organization API key after checking it, keeping the default groups', async () => {
      const updated = await api('PUT', `/api/linked-accounts/${id}/credentials`, {
        credentials: { type: 'organization-api-key', apiKey: ORG_READ_ONLY_KEY },
      });
      expect(updated.status).toBe(200);
      expect(updated.body.linkedAccount).toMatchObject({
        status: 'active',
        credentialType: 'organization-api-key',
        defaultGroups: [{ slug: ORG_GROUPS.developers.id, name: 'developers' }],
      });
    });

    it('keeps the working key when the new one is refused', async () => {
      const refused = await api('PUT', `/api/linked-accounts/${id}/credentials`, {
        credentials: { type: 'organization-api-key', apiKey: REVOKED_KEY },
      });
      expect(refused.status).toBe(422);
      expect(refused.body.message).toMatch(/rejected the API key/);
      expect((await api('GET', '/api/linked-accounts')).body.linkedAccounts[0]).toMatchObject({ status: 'active' });
    });

    it('refuses Bitbucket credentials for an organization with 400', async () => {
      const answer = await api('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: { type: 'oauth-consumer', key: 'k', secret: 's' } });
      expect(answer).toEqual({
        status: 400,
        body: { message: 'The organization "Acme Cloud" takes credentials of type "organization-api-key", not "oauth-consumer".' },
      });
    });
  });

  describe('groups', () => {
    let id: string;
    const groupsOf = async (query = '') => api('GET', `/api/linked-accounts/${id}/groups${query}`);
    const choose = (groups: string[]) => api('PUT', `/api/linked-accounts/${id}/default-groups`, { groups });

    beforeAll(async () => {
      site = await harness.addSite();
      id = (await link(linkBody())).body.linkedAccount.id;
    });

    it('searches them live, showing description and member count, and synced or admin groups with the reason they cannot be chosen', async () => {
      const answer = await groupsOf();

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        groups: [
          {
            slug: 'grp-at-limit',
            name: 'bitbucket-users',
            description: 'Grants Bitbucket',
            memberCount: 0,
            unavailableReason: null,
            selected: false,
          },
          { slug: 'grp-designers', name: 'designers', description: null, memberCount: 0, unavailableReason: null, selected: false },
          {
            slug: 'grp-developers',
            name: 'developers',
            description: 'Everyone who writes code',
            memberCount: 0,
            unavailableReason: null,
            selected: false,
          },
          {
            slug: 'grp-okta',
            name: 'okta-engineering',
            description: 'Synced from Okta',
            memberCount: 0,
            unavailableReason: 'synced-group',
            selected: false,
          },
          { slug: 'grp-org-admins', name: 'org-admins', description: null, memberCount: 0, unavailableReason: 'admin-group', selected: false },
          { slug: 'grp-qa', name: 'qa', description: null, memberCount: 0, unavailableReason: null, selected: false },
        ],
        nextCursor: null,
        refreshedAt: expect.stringMatching(ISO_DATE),
      });
    });

    it('finds groups by a part of their name', async () => {
      const answer = await groupsOf('?search=DEV');
      expect(answer.body.groups.map((g: { name: string }) => g.name)).toEqual(['developers']);
    });

    it('saves groups the dialog showed, checking each again, and shows them as selected', async () => {
      const saved = await choose([ORG_GROUPS.qa.id, ORG_GROUPS.developers.id]);

      expect(saved.status).toBe(200);
      expect(saved.body.linkedAccount.defaultGroups).toEqual([
        { slug: 'grp-developers', name: 'developers' },
        { slug: 'grp-qa', name: 'qa' },
      ]);
      const shown = await groupsOf();
      expect(shown.body.groups.filter((g: { selected: boolean }) => g.selected).map((g: { slug: string }) => g.slug)).toEqual([
        'grp-developers',
        'grp-qa',
      ]);
      expect((await auditEntries()).at(-1)).toEqual({
        actor_account_id: ADMIN.accountId,
        action: 'linked-account.default-groups-changed',
        subject: 'Acme Cloud',
        before: [],
        after: ['grp-developers', 'grp-qa'],
      });
    });

    it.each([
      [
        'a group synced from an identity provider',
        ORG_GROUPS.synced.id,
        'The group "okta-engineering" is synced from your identity provider, so only the identity provider can change its members. Choose a group that is not synced.',
      ],
      [
        'a group that grants organization admin',
        ORG_GROUPS.orgAdmins.id,
        'The group "org-admins" grants organization admin rights, which Atlassian does not let apps give through group membership. Choose another group.',
      ],
      [
        'a group id the dialog never showed',
        'grp-unheard-of',
        'The organization "Acme Cloud" has no group "grp-unheard-of" among those shown here. Search for the group again and tick it.',
      ],
    ])('refuses %s with 400 and a sentence, keeping the previous choice', async (_what, groupId, message) => {
      const answer = await choose([ORG_GROUPS.developers.id, groupId]);
      expect(answer).toEqual({ status: 400, body: { message } });
      expect((await api('GET', '/api/linked-accounts')).body.linkedAccounts[0].defaultGroups.map((g: { slug: string }) => g.slug)).toEqual([
        'grp-developers',
        'grp-qa',
      ]);
    });

    it('refuses a group renamed or removed since the dialog showed it', async () => {
      await groupsOf('?search=designers');
      harness.admin.addGroups(ORGANIZATION.id, DIRECTORY.id, [{ id: ORG_GROUPS.designers.id, name: 'product-design' }]);
      try {
        const answer = await choose([ORG_GROUPS.designers.id]);
        expect(answer).toEqual({
          status: 400,
          body: {
            message:
              'The group "designers" was not found in "Acme Cloud" under that name: it was removed or renamed. Search the groups again and tick it.',
          },
        });
      } finally {
        harness.admin.addGroups(ORGANIZATION.id, DIRECTORY.id, [ORG_GROUPS.designers]);
      }
    });

    it('accepts an empty choice: nobody is added anywhere', async () => {
      const saved = await choose([]);
      expect(saved.status).toBe(200);
      expect(saved.body.linkedAccount.defaultGroups).toEqual([]);
    });

    it('pages through thousands of groups with the cursor it hands out', async () => {
      site = await harness.addSite();
      harness.admin.addGroups(
        'org-globex',
        'dir-globex-1',
        Array.from({ length: 120 }, (_, i) => ({ id: `grp-globex-${i}`, name: `team-${String(i).padStart(3, '0')}` })),
      );
      const globex = await link(
        linkBody({
          organizationId: 'org-globex',
          directoryId: 'dir-globex-1',
          credentials: { type: 'organization-api-key', apiKey: 'globex-org-api-key-77aa' },
        }),
      );
      const names: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: ApiAnswer = await api(
          'GET',
          `/api/linked-accounts/${globex.body.linkedAccount.id}/groups${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.status).toBe(200);
        names.push(...page.body.groups.map((g: { name: string }) => g.name));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(new Set(names).size).toBe(120);

      const chosen = await api('PUT', `/api/linked-accounts/${globex.body.linkedAccount.id}/default-groups`, {
        groups: ['grp-globex-119', 'grp-globex-0'],
      });
      expect(chosen.body.linkedAccount.defaultGroups).toEqual([
        { slug: 'grp-globex-0', name: 'team-000' },
        { slug: 'grp-globex-119', name: 'team-119' },
      ]);
    });

    it('marks the organization Credentials invalid when its key stops working, and active again when a refresh finds it working', async () => {
      site = await harness.addSite();
      const expiring = 'acme-org-expiring-key-4f1c';
      harness.admin.addApiKey(expiring, [ORGANIZATION.id]);
      const linked = await link(linkBody({ credentials: { type: 'organization-api-key', apiKey: expiring } }));
      id = linked.body.linkedAccount.id;
      harness.admin.revokeApiKey(expiring);

      const refused = await groupsOf();
      expect(refused.status).toBe(422);
      expect(refused.body.message).toMatch(/^Atlassian Administration rejected the API key/);
      expect((await api('GET', '/api/linked-accounts')).body.linkedAccounts[0]).toMatchObject({
        status: 'credentials-invalid',
        statusReason: refused.body.message,
      });

      harness.admin.addApiKey(expiring, [ORGANIZATION.id]);
      const refreshed = await api('POST', `/api/linked-accounts/${id}/refresh-groups`);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.linkedAccount).toMatchObject({ status: 'active', statusReason: null });
      expect((await auditEntries()).slice(-2).map((e: { action: string; after: unknown }) => [e.action, e.after])).toEqual([
        ['linked-account.status-changed', { status: 'credentials-invalid', statusReason: refused.body.message }],
        ['linked-account.groups-refreshed', { status: 'active' }],
      ]);
    });

    it('answers a search or cursor it cannot use with 400', async () => {
      for (const query of ['?search=%00', '?cursor[]=x', `?search=${'x'.repeat(201)}`]) {
        const answer = await groupsOf(query);
        expect(answer.status, query).toBe(400);
        expect(answer.body.message).toMatch(/^The (search|page cursor)/);
      }
    });
  });

  describe('from a workspace to its organization', () => {
    const MOVED = { type: 'api-token', email: 'owner@moved.example', token: 'moved-api-token-4242' } as const;
    const movedGroups = [
      { slug: 'developers', name: 'Developers' },
      { slug: 'qa', name: 'QA' },
      { slug: 'okta-engineering', name: 'Okta engineering' },
      { slug: 'release-managers', name: 'Release managers' },
    ];
    let workspaceId: string;
    let organizationId: string;

    beforeAll(async () => {
      site = await harness.addSite();
      harness.bitbucket.addWorkspace({ slug: 'moved', groups: movedGroups, apiTokens: [{ email: MOVED.email, token: MOVED.token }] });
    });

    it('answers a workspace Bitbucket refuses as admin-managed with 422, its sentence and the code that offers the organization', async () => {
      harness.bitbucket.setAdminManaged('moved', true);
      try {
        const answer = await link({ workspace: 'moved', credentials: MOVED });
        expect(answer.status).toBe(422);
        expect(answer.body).toEqual({ message: expect.stringMatching(/Atlassian Administration/), code: 'workspace-admin-managed' });
      } finally {
        harness.bitbucket.setAdminManaged('moved', false);
      }
    });

    it('gives no such code for a workspace Bitbucket says does not exist', async () => {
      const answer = await link({ workspace: 'never-existed', credentials: MOVED });
      expect(answer.status).toBe(422);
      expect(answer.body.code).toBeUndefined();
    });

    it('reports a linked workspace that was moved as refusing invitations', async () => {
      const linked = await link({ workspace: 'moved', credentials: MOVED });
      workspaceId = linked.body.linkedAccount.id;
      expect(
        (
          await api('PUT', `/api/linked-accounts/${workspaceId}/default-groups`, {
            groups: ['developers', 'qa', 'okta-engineering', 'release-managers'],
          })
        ).status,
      ).toBe(200);
      harness.bitbucket.setAdminManaged('moved', true);
      await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, {
        accountId: 'moved-user-1',
        displayName: 'Moe Moved',
        emailAddress: 'moe@moved.example',
        emailVisible: true,
      });

      const refused = await eventually(
        async () => {
          const account = (await api('GET', '/api/linked-accounts')).body.linkedAccounts.find((a: { id: string }) => a.id === workspaceId);
          return account.status === 'invitations-refused' ? account : undefined;
        },
        20_000,
        'the workspace to refuse invitations',
      );
      expect(refused.statusReason).toMatch(/admin-managed, in which case user access is managed in Atlassian Administration/);
    });

    it("suggests the organization groups named like the workspace's default groups, case aside, saying which have no match", async () => {
      organizationId = (await link(linkBody())).body.linkedAccount.id;

      const answer = await api('GET', `/api/linked-accounts/${workspaceId}/organization-suggestion?organizationAccountId=${organizationId}`);

      expect(answer).toEqual({
        status: 200,
        body: {
          groups: [
            {
              slug: 'grp-developers',
              name: 'developers',
              description: 'Everyone who writes code',
              memberCount: 0,
              unavailableReason: null,
              selected: false,
              workspaceGroup: { slug: 'developers', name: 'Developers' },
            },
            {
              slug: 'grp-okta',
              name: 'okta-engineering',
              description: 'Synced from Okta',
              memberCount: 0,
              unavailableReason: 'synced-group',
              selected: false,
              workspaceGroup: { slug: 'okta-engineering', name: 'Okta engineering' },
            },
            {
              slug: 'grp-qa',
              name: 'qa',
              description: null,
              memberCount: 0,
              unavailableReason: null,
              selected: false,
              workspaceGroup: { slug: 'qa', name: 'QA' },
            },
          ],
          unmatched: [{ slug: 'release-managers', name: 'Release managers' }],
        },
      });
    });

    it("takes the suggested groups as the organization's default groups without another search by the dialog", async () => {
      const saved = await api('PUT', `/api/linked-accounts/${organizationId}/default-groups`, { groups: ['grp-developers', 'grp-qa'] });
      expect(saved.status).toBe(200);
      expect(saved.body.linkedAccount.defaultGroups).toEqual([
        { slug: 'grp-developers', name: 'developers' },
        { slug: 'grp-qa', name: 'qa' },
      ]);
    });

    it('refuses a suggestion from something that is not a linked organization', async () => {
      const path = `/api/linked-accounts/${organizationId}/organization-suggestion`;
      expect(await api('GET', path)).toEqual({
        status: 400,
        body: {
          message: 'Name the linked organization: organizationAccountId.',
          fieldErrors: { organizationAccountId: 'Name the linked organization: organizationAccountId.' },
        },
      });
      expect((await api('GET', `${path}?organizationAccountId=${workspaceId}`)).body).toEqual({
        message: '"moved" is not a linked organization: suggestions come from one.',
      });
      expect((await api('GET', `${path}?organizationAccountId=00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    });
  });
});
