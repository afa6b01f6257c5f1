import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import {
  ADMIN,
  OAUTH,
  ORG_API_KEY,
  ORG_GROUPS,
  ORG_KEY,
  ORG_READ_ONLY_KEY,
  ORGANIZATION,
  SECRETS,
  WORKSPACE,
  eventually,
  linkOrganization,
  startHarness,
  type Harness,
} from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const API_TOKEN = { type: 'api-token', email: 'owner@acme.example', token: 'acme-api-token-789' } as const;
const READONLY = { type: 'oauth-consumer', key: 'acme-readonly-key', secret: 'acme-readonly-secret-456' } as const;
/** A whole JWT (header.payload.signature): a bearer credential for as long as it is valid. */
const WHOLE_JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{20,}/;

describe('secrets', () => {
  let harness: Harness;
  let second: JiraConnectSimulator;
  /** The raw text of every admin API answer of the flow. */
  const responses: string[] = [];

  const call = async (method: string, path: string, body?: unknown, options: { site?: JiraConnectSimulator } = {}) => {
    const site = options.site ?? harness.site;
    const response = await fetch(`${harness.app.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `JWT ${site.contextToken(ADMIN.accountId)}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    responses.push(text);
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  /** Every secret the flow handed the app: Bitbucket credentials and both sites' shared secrets. */
  const allSecrets = () => [...SECRETS, harness.site.sharedSecret, second.sharedSecret];

  beforeAll(async () => {
    // The install of the first site happens inside startHarness, so its log lines are captured too.
    harness = await startHarness({ env: { DELIVERY_RETRY_BASE_SECONDS: '0.2' } });
    second = await harness.addSite();

    // Link: refused (bad secret, no admin rights, wrong token), then accepted with each credential type.
    expect(
      (await call('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: { ...OAUTH, secret: `${OAUTH.secret}-wrong` } })).status,
    ).toBe(422);
    expect((await call('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: READONLY })).status).toBe(422);
    expect(
      (
        await call(
          'POST',
          '/api/linked-accounts',
          { workspace: WORKSPACE.slug, credentials: { ...API_TOKEN, token: `${API_TOKEN.token}x` } },
          { site: second },
        )
      ).status,
    ).toBe(422);
    const linked = await call('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: OAUTH });
    expect(linked.status).toBe(201);
    const id = linked.body.linkedAccount.id as string;
    const linkedSecond = await call('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: API_TOKEN }, { site: second });
    expect(linkedSecond.status).toBe(201);

    // Update (refused, then accepted), select groups, list, refresh.
    expect((await call('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: READONLY })).status).toBe(422);
    expect((await call('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: API_TOKEN })).status).toBe(200);
    expect((await call('PUT', `/api/linked-accounts/${id}/credentials`, { credentials: OAUTH })).status).toBe(200);
    expect((await call('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: ['developers', 'qa'] })).status).toBe(200);
    expect(
      (await call('PUT', `/api/linked-accounts/${linkedSecond.body.linkedAccount.id}/default-groups`, { groups: ['qa'] }, { site: second })).status,
    ).toBe(200);
    expect((await call('GET', '/api/linked-accounts')).status).toBe(200);
    expect((await call('GET', '/api/linked-accounts', undefined, { site: second })).status).toBe(200);
    expect((await call('GET', `/api/linked-accounts/${id}/groups?refresh=true`)).status).toBe(200);

    // An organization: looked up with a wrong key and the right one, linked, its key replaced and put back.
    expect((await call('POST', '/api/organizations/discover', { apiKey: `${ORG_API_KEY}-wrong` })).status).toBe(422);
    expect((await call('POST', '/api/organizations/discover', { apiKey: ORG_API_KEY })).status).toBe(200);
    const organization = await linkOrganization(call, [ORG_GROUPS.developers.id]);
    const readOnly = { credentials: { type: 'organization-api-key', apiKey: ORG_READ_ONLY_KEY } };
    expect((await call('PUT', `/api/linked-accounts/${organization}/credentials`, readOnly)).status).toBe(200);
    expect((await call('PUT', `/api/linked-accounts/${organization}/credentials`, { credentials: ORG_KEY })).status).toBe(200);
    harness.admin.addUsers(ORGANIZATION.id, ORGANIZATION.directories[0]!.id, ['secret-flow-1', 'secret-flow-2']);

    // Webhooks: one user whose address Jira shares, one looked up through the email API; a forged one.
    const shown = { accountId: 'secret-flow-1', displayName: 'Sam Shown', emailAddress: 'sam@example.com', emailVisible: true };
    const hidden = { accountId: 'secret-flow-2', displayName: 'Hana Hidden', emailAddress: 'hana@example.com' };
    expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, shown)).status).toBe(204);
    expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, hidden)).status).toBe(204);
    const elsewhere = { accountId: 'secret-flow-3', displayName: 'Esa Elsewhere', emailAddress: 'esa@example.com', emailVisible: true };
    expect((await second.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, elsewhere)).status).toBe(204);
    expect(
      (await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, shown, { secret: 'forged-secret-0123456789abcdef' })).status,
    ).toBe(401);

    // Delivery, including an invitation Bitbucket and a membership Atlassian cannot take at first (retried).
    harness.bitbucket.failInvitations('acme', { status: 503, count: 1 });
    harness.admin.failRequests(ORGANIZATION.id, { status: 429, count: 1, retryAfterSeconds: 1, on: 'membership' });
    await eventually(
      async () => {
        const first = await call('GET', '/api/invitations?status=sent');
        const other = await call('GET', '/api/invitations?status=sent', undefined, { site: second });
        return first.body.total === 6 && other.body.total === 1;
      },
      20_000,
      'every invitation to be sent',
    );

    // An API call refused for a bad token, after all of the above.
    const refused = await fetch(`${harness.app.baseUrl}/api/linked-accounts`, {
      headers: { Authorization: `JWT ${harness.site.contextToken(ADMIN.accountId, { secret: 'not-the-shared-secret-0123456789' })}` },
    });
    expect(refused.status).toBe(401);
    responses.push(await refused.text());

    // The uninstall of the second site ends the flow.
    expect(await second.uninstall(harness.app.baseUrl)).toBe(204);
  }, 60_000);
  afterAll(() => harness?.stop());

  it('never appear in an API answer: list, link, look up, update, groups or invitations', () => {
    expect(responses.length).toBeGreaterThan(15);
    for (const text of responses) {
      for (const secret of allSecrets()) expect(text).not.toContain(secret);
    }
  });

  it('never appear in a log line, at debug level, after install, link, webhooks, delivery and uninstall', () => {
    const logs = harness.logs.join('');
    // The lines most likely to carry a secret were written: ACE's dump of each install, the refused tokens.
    expect(logs.match(/Saved tenant details/g)).toHaveLength(2);
    expect(logs).toMatch(/Authentication verification error/);
    expect(logs).toContain('uninstalled through Connect');
    for (const secret of allSecrets()) expect(logs).not.toContain(secret);
    // Nor any whole JWT, which carries the holder's rights until it expires.
    expect(logs).not.toMatch(WHOLE_JWT);
  });

  it('are stored sealed: the credentials column holds no secret in plain text', async () => {
    const rows = await withClient(
      harness.databaseUrl,
      async (client) => (await client.query('SELECT credential_type, credentials_sealed FROM linked_accounts')).rows,
    );

    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      for (const secret of SECRETS) expect(row.credentials_sealed).not.toContain(secret);
      expect(row.credentials_sealed).not.toContain(Buffer.from(OAUTH.secret).toString('base64'));
      expect(row.credentials_sealed).not.toMatch(/"(key|secret|token|email|apiKey)"/);
    }
  });

  it("appear nowhere else in the app's own tables or its job queue", async () => {
    const leaks = await withClient(harness.databaseUrl, async (client) => {
      const { rows: tables } = await client.query(
        `SELECT table_schema, table_name FROM information_schema.tables
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
           AND table_name <> 'AddonSettings' -- ACE's store: the shared secret must be there for ACE to verify tokens`,
      );
      expect(tables.length).toBeGreaterThan(5);
      const found: string[] = [];
      for (const { table_schema: schema, table_name: table } of tables) {
        const { rows } = await client.query(`SELECT row_to_json(t)::text AS json FROM "${schema}"."${table}" t`);
        for (const { json } of rows) {
          for (const secret of allSecrets()) if (json.includes(secret)) found.push(`${schema}.${table}`);
        }
      }
      return found;
    });
    expect(leaks).toEqual([]);
  });
});
