import type { Migration } from '../migrator.js';

/**
 * A linked account is a Bitbucket workspace or an Atlassian organization's directory. Workspace
 * rows stay exactly as they were: the new columns are null for them, and the checks hold for them.
 */
export const organizationTargets: Migration = {
  name: '004-organization-targets',
  async up({ context: sequelize }) {
    await sequelize.query(`
      ALTER TABLE linked_accounts ALTER COLUMN workspace DROP NOT NULL;
      ALTER TABLE linked_accounts
        ADD COLUMN organization_id text,
        ADD COLUMN organization_name text,
        ADD COLUMN directory_id text,
        ADD COLUMN directory_name text;
      -- Each kind names its target its own way, with its own kind of credentials.
      ALTER TABLE linked_accounts ADD CONSTRAINT linked_accounts_target CHECK (
        (target_type = 'bitbucket-workspace' AND workspace IS NOT NULL
          AND organization_id IS NULL AND organization_name IS NULL AND directory_id IS NULL AND directory_name IS NULL
          AND credential_type IN ('oauth-consumer', 'api-token'))
        OR
        (target_type = 'atlassian-organization' AND workspace IS NULL
          AND organization_id IS NOT NULL AND organization_name IS NOT NULL AND directory_id IS NOT NULL AND directory_name IS NOT NULL
          AND credential_type = 'organization-api-key'));
      -- An organization's directory is linked once at a time, as a workspace is (linked_accounts_linked_workspace).
      CREATE UNIQUE INDEX linked_accounts_linked_organization
        ON linked_accounts (tenant_id, organization_id, directory_id) WHERE status <> 'unlinked' AND target_type = 'atlassian-organization';

      ALTER TABLE invitations ALTER COLUMN workspace DROP NOT NULL;
      ALTER TABLE invitations ADD COLUMN target_type text NOT NULL DEFAULT 'bitbucket-workspace';
      ALTER TABLE invitations ADD CONSTRAINT invitations_target CHECK (
        (target_type = 'bitbucket-workspace' AND workspace IS NOT NULL) OR (target_type = 'atlassian-organization' AND workspace IS NULL));
    `);
  },
};
