import { decodeJwt } from 'jose';
import { REQUEST_NOT_AUTHENTICATED } from '../../src/entry/api/host-authentication.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, forgeTenantRows, linkWorkspaceThroughForge, startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { withClient } from '../support/test-database.js';
import { eventually } from '../support/test-app.js';

type InvitationJson = { status: string; email: string | null; accountId: string };

async function sentTo(h: ForgeHarness, accountId: string, count: number): Promise<InvitationJson[]> {
  return eventually(
    async () => {
      const answer = await h.api('GET', '/api/invitations?pageSize=100');
      const found = (answer.body.invitations as InvitationJson[]).filter((i) => i.accountId === accountId);
      return found.length === count && found.every((i) => i.status === 'sent') ? found : undefined;
    },
    10_000,
    `${count} sent invitations for ${accountId}`,
  );
}

/** Every row of every table in the app's database, as text. */
async function wholeDatabase(h: ForgeHarness): Promise<string> {
  return withClient(h.harness.databaseUrl, async (client) => {
    const tables = await client.query<{ schemaname: string; tablename: string }>(
      "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    );
    const dumps: string[] = [];
    for (const { schemaname, tablename } of tables.rows) {
      const rows = await client.query(`SELECT row_to_json(t)::text AS row FROM "${schemaname}"."${tablename}" t`);
      dumps.push(...rows.rows.map((r: { row: string }) => r.row));
    }
    return dumps.join('\n');
  });
}

describe('Forge sites as tenants', () => {
  let h: ForgeHarness;
  let base: string;

  beforeAll(async () => {
    h = await startForgeHarness();
    base = h.harness.app.baseUrl;
    expect((await h.forge.sendInstalled(base)).status).toBe(200);
  });
  afterAll(() => h?.stop());

  it("keeps the admin's configuration when the app is reinstalled on the site (new installationId, same cloudId)", async () => {
    const linkedAccountId = await linkWorkspaceThroughForge(h, ['qa']);
    const oldInstallation = h.forge.installationId;

    await h.forge.reinstall(); // a new installationId, and a new app token the site now requires
    expect(h.forge.installationId).not.toBe(oldInstallation);
    expect((await h.forge.sendInstalled(base)).status).toBe(200);

    const rows = await forgeTenantRows(h);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ host_key: h.forge.cloudId, forge_installation_id: h.forge.installationId });

    const listed = await h.api('GET', '/api/linked-accounts');
    expect(listed.status).toBe(200);
    expect(listed.body.linkedAccounts).toEqual([expect.objectContaining({ id: linkedAccountId, defaultGroups: [{ slug: 'qa', name: 'QA' }] })]);

    // And the new installation invites with that configuration, calling Jira with its own token.
    h.forge.addUser({ accountId: 'after-reinstall-1', displayName: 'Renate Reinstall', emailAddress: 'renate@example.com' });
    await h.forge.sendUserCreated(base, { accountId: 'after-reinstall-1', displayName: 'Renate Reinstall' });
    await sentTo(h, 'after-reinstall-1', 1);
    expect(h.harness.logs.join('')).toContain('Forge reinstall: the site keeps its configuration under the new installation');
  });

  it('knows the site of an event whose token has no context, from its apiBaseUrl', async () => {
    const answer = await h.forge.sendUserCreated(base, { accountId: 'no-context-1', displayName: 'Nico Context' });
    expect(answer.status).toBe(200);
    expect(await forgeTenantRows(h)).toHaveLength(1);
  });

  it('refuses with 401, creating nothing, a valid token that names no site it knows', async () => {
    const tenantsBefore = await forgeTenantRows(h);
    const usersBefore = await countRows(h, 'new_users');
    const answer = await h.forge.sendUserCreated(
      base,
      { accountId: 'nowhere-1', displayName: 'Nowhere Man' },
      {
        fit: {
          context: null,
          app: {
            installationId: 'ari:cloud:ecosystem::installation/never-seen',
            apiBaseUrl: `${h.forge.url}/somewhere-else`,
            installation: undefined,
          },
        },
      },
    );
    expect(answer).toEqual({ status: 401, body: { message: REQUEST_NOT_AUTHENTICATED } });
    expect(h.harness.logs.join('')).toContain('the invocation names no site this app knows');
    expect(await forgeTenantRows(h)).toEqual(tenantsBefore);
    expect(await countRows(h, 'new_users')).toBe(usersBefore);
  });

  it('stores the app token only sealed, with its expiry, and never writes a Forge token to the database or the logs', async () => {
    // A UI call that also carries a user token (x-forge-oauth-user), which is never kept.
    expect((await h.api('GET', '/api/linked-accounts', undefined, { userToken: true })).status).toBe(200);

    const [row] = await forgeTenantRows(h);
    expect(row!.forge_app_token_sealed).toMatch(/^v2:/);
    expect(new Date(row!.forge_app_token_expires_at!).getTime()).toBe((decodeJwt(h.forge.appToken).exp as number) * 1000);

    const database = await wholeDatabase(h);
    const logs = h.harness.logs.join('');
    const secrets = [...h.forge.appTokensIssued, ...h.forge.userTokensIssued, ...h.forge.fitsIssued];
    expect(h.forge.appTokensIssued.length).toBeGreaterThanOrEqual(2);
    expect(h.forge.userTokensIssued.length).toBeGreaterThanOrEqual(1);
    for (const secret of secrets) {
      // The signature part alone identifies a token, whatever else is logged around it.
      const signature = secret.split('.').at(-1)!;
      expect(database.includes(secret) || (signature.length > 20 && database.includes(signature))).toBe(false);
      expect(logs.includes(secret) || (signature.length > 20 && logs.includes(signature))).toBe(false);
    }
  });
});
