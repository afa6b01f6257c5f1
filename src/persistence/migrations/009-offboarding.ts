import type { Migration } from '../migrator.js';

/**
 * Offboarding (README "Offboarding"). Per linked account: whether people the app added are taken
 * out again when Jira deletes or deactivates them, and how many removals may go without the admin's
 * confirmation. `departures` records that Jira deleted or deactivated a user: at most one open
 * departure per user and site (the dedup marker), closed when Jira shows them active again.
 * `removals` holds one removal per (departure, invitation), leased like invitations.
 * `user_checks` is a reconciliation run against Jira, resumable from its cursor.
 */
export const offboarding: Migration = {
  name: '009-offboarding',
  async up({ context: sequelize }) {
    await sequelize.query(`
      ALTER TABLE linked_accounts
        ADD COLUMN offboarding text NOT NULL DEFAULT 'keep' CHECK (offboarding IN ('keep', 'remove')),
        ADD COLUMN removal_threshold integer CHECK (removal_threshold IS NULL OR removal_threshold >= 0);
      ALTER TABLE invitations ADD COLUMN removed_at timestamptz;
      CREATE INDEX invitations_added_members ON invitations (tenant_id, account_id) WHERE status = 'sent' AND removed_at IS NULL;

      CREATE TABLE user_checks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        trigger text NOT NULL CHECK (trigger IN ('schedule', 'admin')),
        actor_account_id text,
        status text NOT NULL CHECK (status IN ('running', 'finished', 'failed')),
        total integer NOT NULL DEFAULT 0,
        checked integer NOT NULL DEFAULT 0,
        inactive integer NOT NULL DEFAULT 0,
        reactivated integer NOT NULL DEFAULT 0,
        unknown integer NOT NULL DEFAULT 0,
        cursor text,
        reason text,
        job_id uuid,
        lease_owner uuid,
        lease_expires_at timestamptz,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      );
      CREATE UNIQUE INDEX user_checks_one_running ON user_checks (tenant_id) WHERE status = 'running';
      CREATE INDEX user_checks_recent ON user_checks (tenant_id, started_at DESC);

      CREATE TABLE departures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        account_id text NOT NULL,
        display_name text,
        cause text NOT NULL CHECK (cause IN ('deleted', 'deactivated')),
        event_id text,
        user_check_id uuid REFERENCES user_checks(id) ON DELETE SET NULL,
        detected_at timestamptz NOT NULL DEFAULT now(),
        planned_at timestamptz,
        returned_at timestamptz
      );
      CREATE UNIQUE INDEX departures_open ON departures (tenant_id, account_id) WHERE returned_at IS NULL;
      CREATE INDEX departures_unplanned ON departures (detected_at) WHERE planned_at IS NULL;

      CREATE TABLE removals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        departure_id uuid NOT NULL REFERENCES departures(id) ON DELETE CASCADE,
        invitation_id uuid NOT NULL REFERENCES invitations(id) ON DELETE CASCADE,
        linked_account_id uuid NOT NULL REFERENCES linked_accounts(id) ON DELETE CASCADE,
        account_id text NOT NULL,
        display_name text,
        email text,
        target_type text NOT NULL,
        workspace text,
        group_slug text NOT NULL,
        group_name text NOT NULL,
        cause text NOT NULL,
        status text NOT NULL CHECK (status IN ('held', 'queued', 'removed', 'not-a-member', 'invitation-pending', 'failed', 'cancelled')),
        reason text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        confirmed_at timestamptz,
        job_id uuid,
        lease_owner uuid,
        lease_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (departure_id, invitation_id)
      );
      CREATE INDEX removals_by_tenant_recent ON removals (tenant_id, created_at DESC, id);
      CREATE INDEX removals_open ON removals (updated_at) WHERE status = 'queued';
      CREATE INDEX removals_held ON removals (linked_account_id) WHERE status = 'held';
    `);
  },
};
