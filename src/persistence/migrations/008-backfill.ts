import type { Migration } from '../migrator.js';

/**
 * Backfills (existing Jira users invited to a linked account's default groups), the invitations
 * each one planned, the audit log's linked account, and the indexes the invitations list's
 * search uses (prefixes of the email address and of the name, case aside).
 */
export const backfill: Migration = {
  name: '008-backfill',
  async up({ context: sequelize }) {
    await sequelize.query(`
      CREATE TABLE backfills (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        linked_account_id uuid NOT NULL REFERENCES linked_accounts(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('counting', 'awaiting-confirmation', 'running', 'completed', 'cancelled', 'failed')),
        groups jsonb NOT NULL,
        threshold integer NOT NULL,
        cursor integer NOT NULL DEFAULT 0,
        users_scanned integer NOT NULL DEFAULT 0,
        to_invite integer NOT NULL DEFAULT 0,
        confirmed_count integer,
        invitations_created integer NOT NULL DEFAULT 0,
        job_id uuid,
        reason text,
        failures integer NOT NULL DEFAULT 0,
        started_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
      -- One open backfill per linked account: a second start is refused, not run twice.
      CREATE UNIQUE INDEX backfills_one_open ON backfills (linked_account_id)
        WHERE status IN ('counting', 'awaiting-confirmation', 'running');
      CREATE INDEX backfills_by_tenant ON backfills (tenant_id, created_at DESC);

      ALTER TABLE invitations ADD COLUMN backfill_id uuid REFERENCES backfills(id) ON DELETE SET NULL;
      CREATE INDEX invitations_by_backfill ON invitations (backfill_id, status) WHERE backfill_id IS NOT NULL;
      -- The list filtered by status, in its exact order (newest first, then id): a page is an index range.
      CREATE INDEX invitations_by_tenant_status_recent ON invitations (tenant_id, status, created_at DESC, id DESC);
      CREATE INDEX invitations_by_email_prefix ON invitations (tenant_id, lower(email) text_pattern_ops);
      CREATE INDEX invitations_by_name_prefix ON invitations (tenant_id, lower(display_name) text_pattern_ops);

      ALTER TABLE audit_log ADD COLUMN linked_account_id uuid;
      CREATE INDEX audit_log_by_linked_account ON audit_log (tenant_id, linked_account_id, at DESC);
    `);
  },
};
