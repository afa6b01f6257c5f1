import { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { initialSchema } from '../../src/persistence/migrations/001-initial-schema.js';
import { deliveryLeases } from '../../src/persistence/migrations/002-delivery-leases.js';
import { unlinkedAccounts } from '../../src/persistence/migrations/003-unlinked-accounts.js';
import { migrate } from '../../src/persistence/migrator.js';
import { createTestDatabase, withClient } from '../support/test-database.js';

const TENANT = '00000000-0000-4000-8000-000000000001';
const WORKSPACE_ACCOUNT = '00000000-0000-4000-8000-00000000000a';

/** A database of the release before organizations, with a workspace and its invitations, upgraded to the current schema. */
describe('the migration to organization targets', () => {
  let database: { url: string; drop: () => Promise<void> };
  let sequelize: Sequelize;
  const sql = <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    withClient(database.url, async (client) => (await client.query(text, values)).rows as T[]);
  const linkOrganization = (directoryId: string, overrides: Record<string, string | null> = {}) => {
    const row = {
      organization_id: 'org-acme',
      organization_name: 'Acme Cloud',
      directory_id: directoryId,
      directory_name: 'Acme users',
      credential_type: 'organization-api-key',
      workspace: null,
      ...overrides,
    };
    return sql(
      `INSERT INTO linked_accounts (tenant_id, target_type, workspace, organization_id, organization_name, directory_id, directory_name,
         display_name, credential_type, credentials_sealed)
       VALUES ($1, 'atlassian-organization', $2, $3, $4, $5, $6, 'Acme Cloud', $7, 'sealed') RETURNING id`,
      [TENANT, row.workspace, row.organization_id, row.organization_name, row.directory_id, row.directory_name, row.credential_type],
    );
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    sequelize = new Sequelize(database.url, { dialect: 'postgres', logging: false });
    await new Umzug({
      migrations: [initialSchema, deliveryLeases, unlinkedAccounts],
      context: sequelize,
      storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
      logger: undefined,
    }).up();
    await sql(`
      INSERT INTO tenants (id, host, host_key, site_url) VALUES ('${TENANT}', 'connect', 'site-1', 'https://one.example');
      INSERT INTO linked_accounts (id, tenant_id, workspace, display_name, credential_type, credentials_sealed, status, default_groups, version)
        VALUES ('${WORKSPACE_ACCOUNT}', '${TENANT}', 'acme', 'acme', 'oauth-consumer', 'sealed-bytes', 'active', '[{"slug": "qa", "name": "QA"}]', 3);
      INSERT INTO new_users (id, tenant_id, account_id) VALUES ('00000000-0000-4000-8000-0000000000b1', '${TENANT}', 'user-1');
      INSERT INTO invitations (tenant_id, new_user_id, linked_account_id, account_id, workspace, group_slug, group_name, status)
        VALUES ('${TENANT}', '00000000-0000-4000-8000-0000000000b1', '${WORKSPACE_ACCOUNT}', 'user-1', 'acme', 'qa', 'QA', 'sent');
    `);

    await migrate(sequelize, createLogger('warn'));
  });
  afterAll(async () => {
    await sequelize?.close();
    await database?.drop();
  });

  it('keeps every linked workspace as it was, a workspace without an organization', async () => {
    expect(
      await sql(`SELECT target_type, workspace, organization_id, organization_name, directory_id, directory_name, display_name, credential_type,
                        credentials_sealed, status, default_groups, version FROM linked_accounts`),
    ).toEqual([
      {
        target_type: 'bitbucket-workspace',
        workspace: 'acme',
        organization_id: null,
        organization_name: null,
        directory_id: null,
        directory_name: null,
        display_name: 'acme',
        credential_type: 'oauth-consumer',
        credentials_sealed: 'sealed-bytes',
        status: 'active',
        default_groups: [{ slug: 'qa', name: 'QA' }],
        version: 3,
      },
    ]);
  });

  it('keeps every invitation, each now a workspace invitation', async () => {
    expect(await sql('SELECT target_type, workspace, group_slug, status FROM invitations')).toEqual([
      { target_type: 'bitbucket-workspace', workspace: 'acme', group_slug: 'qa', status: 'sent' },
    ]);
  });

  it('links an organization directory once at a time, beside the workspace', async () => {
    await linkOrganization('dir-1');
    await expect(linkOrganization('dir-1')).rejects.toThrow(/linked_accounts_linked_organization/);
    await linkOrganization('dir-2');
    await sql(`UPDATE linked_accounts SET status = 'unlinked', credentials_sealed = NULL, unlinked_at = now() WHERE directory_id = 'dir-1'`);
    await linkOrganization('dir-1');
    expect(await sql(`SELECT count(*)::int AS n FROM linked_accounts WHERE target_type = 'atlassian-organization'`)).toEqual([{ n: 3 }]);
  });

  it("refuses an organization without its directory, with a workspace, or with a workspace's kind of credentials", async () => {
    await expect(linkOrganization('dir-3', { directory_id: null })).rejects.toThrow(/linked_accounts_target/);
    await expect(linkOrganization('dir-3', { workspace: 'acme-too' })).rejects.toThrow(/linked_accounts_target/);
    await expect(linkOrganization('dir-3', { credential_type: 'oauth-consumer' })).rejects.toThrow(/linked_accounts_target/);
    await expect(sql(`UPDATE linked_accounts SET credential_type = 'organization-api-key' WHERE id = '${WORKSPACE_ACCOUNT}'`)).rejects.toThrow(
      /linked_accounts_target/,
    );
  });

  it("takes an organization's invitation without a workspace, and no workspace invitation without one", async () => {
    const [organization] = await sql<{ id: string }>(`SELECT id FROM linked_accounts WHERE directory_id = 'dir-2'`);
    const invite = (targetType: string, workspace: string | null) =>
      sql(
        `INSERT INTO invitations (tenant_id, new_user_id, linked_account_id, account_id, target_type, workspace, group_slug, group_name, status)
         VALUES ($1, '00000000-0000-4000-8000-0000000000b1', $2, 'user-1', $3, $4, 'grp-developers', 'developers', 'queued')`,
        [TENANT, organization!.id, targetType, workspace],
      );
    await expect(invite('bitbucket-workspace', null)).rejects.toThrow(/invitations_target/);
    await expect(invite('atlassian-organization', 'acme')).rejects.toThrow(/invitations_target/);
    await invite('atlassian-organization', null);
  });
});
