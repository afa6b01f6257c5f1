import type { Migration } from '../migrator.js';

/**
 * Unlinking keeps the linked account as an *unlinked* record (credentials destroyed) so that its
 * invitations stay in the history; versions make read-modify-write changes conditional.
 */
export const unlinkedAccounts: Migration = {
  name: '003-unlinked-accounts',
  async up({ context: sequelize }) {
    await sequelize.query(`
      ALTER TABLE linked_accounts DROP CONSTRAINT linked_accounts_status_check;
      ALTER TABLE linked_accounts ADD CONSTRAINT linked_accounts_status_check
        CHECK (status IN ('active', 'credentials-invalid', 'invitations-refused', 'unlinked'));

      ALTER TABLE linked_accounts ALTER COLUMN credentials_sealed DROP NOT NULL;
      ALTER TABLE linked_accounts
        ADD COLUMN unlinked_at timestamptz,
        ADD COLUMN version integer NOT NULL DEFAULT 1,
        ADD COLUMN credentials_version integer NOT NULL DEFAULT 1;
      -- An unlinked account has no credentials, and only an unlinked one.
      ALTER TABLE linked_accounts ADD CONSTRAINT linked_accounts_credentials_while_linked
        CHECK ((status = 'unlinked') = (credentials_sealed IS NULL) AND (status = 'unlinked') = (unlinked_at IS NOT NULL));

      -- A workspace is linked once at a time; unlinked records of it may pile up beside.
      ALTER TABLE linked_accounts DROP CONSTRAINT linked_accounts_tenant_id_target_type_workspace_key;
      CREATE UNIQUE INDEX linked_accounts_linked_workspace
        ON linked_accounts (tenant_id, target_type, workspace) WHERE status <> 'unlinked';

      -- History is never deleted as a side effect of a linked account; the tenant's removal
      -- still removes both (each cascades from tenants, and this check runs once they are gone).
      ALTER TABLE invitations DROP CONSTRAINT invitations_linked_account_id_fkey;
      ALTER TABLE invitations ADD CONSTRAINT invitations_linked_account_id_fkey
        FOREIGN KEY (linked_account_id) REFERENCES linked_accounts (id);
      CREATE INDEX invitations_by_linked_account ON invitations (linked_account_id, status);
    `);
  },
};
