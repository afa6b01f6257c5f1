import { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { initialSchema } from '../../src/persistence/migrations/001-initial-schema.js';
import { migrate } from '../../src/persistence/migrator.js';
import { createTestDatabase, withClient } from '../support/test-database.js';

/** A database created by the first release, with data in it, upgraded to the current schema. */
describe('the migration to unlinked accounts', () => {
  let database: { url: string; drop: () => Promise<void> };
  let sequelize: Sequelize;
  const sql = <T = Record<string, unknown>>(text: string, values: unknown[] = []) =>
    withClient(database.url, async (client) => (await client.query(text, values)).rows as T[]);

  beforeAll(async () => {
    database = await createTestDatabase();
    sequelize = new Sequelize(database.url, { dialect: 'postgres', logging: false });
    await new Umzug({
      migrations: [initialSchema],
      context: sequelize,
      storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
      logger: undefined,
    }).up();
    await sql(`
      INSERT INTO tenants (id, host, host_key, site_url) VALUES ('00000000-0000-4000-8000-000000000001', 'connect', 'site-1', 'https://one.example');
      INSERT INTO linked_accounts (id, tenant_id, workspace, display_name, credential_type, credentials_sealed, status, status_reason, default_groups)
        VALUES ('00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-000000000001', 'acme', 'acme', 'api-token', 'sealed-bytes',
                'credentials-invalid', 'Bitbucket rejected these credentials.', '[{"slug": "qa", "name": "QA"}]');
      INSERT INTO new_users (id, tenant_id, account_id) VALUES ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-000000000001', 'user-1');
      INSERT INTO invitations (tenant_id, new_user_id, linked_account_id, account_id, workspace, group_slug, group_name, status)
        VALUES ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-00000000000a',
                'user-1', 'acme', 'qa', 'QA', 'sent');
      INSERT INTO audit_log (tenant_id, actor_account_id, action, subject) VALUES ('00000000-0000-4000-8000-000000000001', 'admin-1', 'linked-account.linked', 'acme');
    `);

    await migrate(sequelize, createLogger('warn'));
  });
  afterAll(async () => {
    await sequelize?.close();
    await database?.drop();
  });

  it('keeps every linked account as it was, at version 1 and still linked', async () => {
    expect(
      await sql(
        'SELECT workspace, credentials_sealed, status, status_reason, default_groups, unlinked_at, version, credentials_version FROM linked_accounts',
      ),
    ).toEqual([
      {
        workspace: 'acme',
        credentials_sealed: 'sealed-bytes',
        status: 'credentials-invalid',
        status_reason: 'Bitbucket rejected these credentials.',
        default_groups: [{ slug: 'qa', name: 'QA' }],
        unlinked_at: null,
        version: 1,
        credentials_version: 1,
      },
    ]);
    expect(await sql('SELECT count(*)::int AS n FROM invitations')).toEqual([{ n: 1 }]);
    expect(await sql('SELECT count(*)::int AS n FROM audit_log')).toEqual([{ n: 1 }]);
  });

  it('no longer deletes invitations with their linked account', async () => {
    await expect(sql(`DELETE FROM linked_accounts WHERE id = '00000000-0000-4000-8000-00000000000a'`)).rejects.toThrow(/foreign key/);
  });

  it('lets a workspace be linked again beside its unlinked record, but not twice at once', async () => {
    const tenant = '00000000-0000-4000-8000-000000000001';
    await sql(`UPDATE linked_accounts SET status = 'unlinked', credentials_sealed = NULL, unlinked_at = now() WHERE workspace = 'acme'`);
    await sql(
      `INSERT INTO linked_accounts (tenant_id, workspace, display_name, credential_type, credentials_sealed) VALUES ($1, 'acme', 'acme', 'api-token', 'x')`,
      [tenant],
    );
    await expect(
      sql(
        `INSERT INTO linked_accounts (tenant_id, workspace, display_name, credential_type, credentials_sealed) VALUES ($1, 'acme', 'acme', 'api-token', 'y')`,
        [tenant],
      ),
    ).rejects.toThrow(/linked_accounts_linked_workspace/);
  });

  it('refuses credentials on an unlinked account, and a linked account without them', async () => {
    await expect(sql(`UPDATE linked_accounts SET credentials_sealed = 'back' WHERE status = 'unlinked'`)).rejects.toThrow(
      /linked_accounts_credentials_while_linked/,
    );
    await expect(sql(`UPDATE linked_accounts SET credentials_sealed = NULL WHERE status = 'active'`)).rejects.toThrow(
      /linked_accounts_credentials_while_linked/,
    );
  });

  it('still removes everything of a tenant with the tenant', async () => {
    await sql(`DELETE FROM tenants`);
    expect(
      await sql(
        `SELECT (SELECT count(*) FROM linked_accounts)::int AS accounts, (SELECT count(*) FROM invitations)::int AS invitations, (SELECT count(*) FROM audit_log)::int AS audit`,
      ),
    ).toEqual([{ accounts: 0, invitations: 0, audit: 0 }]);
  });
});
