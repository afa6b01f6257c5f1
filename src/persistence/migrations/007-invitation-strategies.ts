import type { Migration } from '../migrator.js';

/**
 * Invitation strategies: each linked account has a mode (Automatic, Review first, Off) and an
 * ordered list of rules; an invitation can wait for review, and records who chose its group.
 * Existing rows keep their meaning: accounts stay Automatic with no rules, and an invitation
 * without `chosen_by` was chosen by the defaults.
 */
export const invitationStrategies: Migration = {
  name: '007-invitation-strategies',
  async up({ context: sequelize }) {
    await sequelize.query(`
      ALTER TABLE linked_accounts
        ADD COLUMN mode text NOT NULL DEFAULT 'automatic' CHECK (mode IN ('automatic', 'review', 'off')),
        ADD COLUMN rules jsonb NOT NULL DEFAULT '[]';

      ALTER TABLE invitations ADD COLUMN chosen_by jsonb;
      ALTER TABLE invitations DROP CONSTRAINT invitations_status_check;
      ALTER TABLE invitations ADD CONSTRAINT invitations_status_check
        CHECK (status IN ('pending-review', 'queued', 'sent', 'already-invited', 'skipped', 'failed'));
      -- The Pending review list and its counts read only the waiting rows.
      CREATE INDEX invitations_pending_review ON invitations (tenant_id, linked_account_id, created_at) WHERE status = 'pending-review';
    `);
  },
};
