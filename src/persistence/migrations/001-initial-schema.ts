import type { Migration } from '../migrator.js';

export const initialSchema: Migration = {
  name: '001-initial-schema',
  async up({ context: sequelize }) {
    await sequelize.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        host text NOT NULL CHECK (host IN ('connect', 'forge')),
        host_key text NOT NULL,
        site_url text NOT NULL,
        cloud_id text,
        forge_installation_id text,
        forge_api_base_url text,
        forge_app_token_sealed text,
        forge_app_token_expires_at timestamptz,
        installed_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (host, host_key)
      );

      CREATE TABLE linked_accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        target_type text NOT NULL DEFAULT 'bitbucket-workspace',
        workspace text NOT NULL,
        display_name text NOT NULL,
        credential_type text NOT NULL,
        credentials_sealed text NOT NULL,
        status text NOT NULL DEFAULT 'active'
          CHECK (status IN ('active', 'credentials-invalid', 'invitations-refused')),
        status_reason text,
        groups jsonb NOT NULL DEFAULT '[]',
        groups_refreshed_at timestamptz,
        default_groups jsonb NOT NULL DEFAULT '[]',
        last_invitation_sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, target_type, workspace)
      );

      CREATE TABLE new_users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        account_id text NOT NULL,
        display_name text,
        email text,
        account_type text,
        event_id text,
        received_at timestamptz NOT NULL DEFAULT now(),
        planned_at timestamptz,
        UNIQUE (tenant_id, account_id)
      );

      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        new_user_id uuid NOT NULL REFERENCES new_users(id) ON DELETE CASCADE,
        linked_account_id uuid NOT NULL REFERENCES linked_accounts(id) ON DELETE CASCADE,
        account_id text NOT NULL,
        display_name text,
        email text,
        workspace text NOT NULL,
        group_slug text NOT NULL,
        group_name text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'sent', 'already-invited', 'skipped', 'failed')),
        reason text,
        reason_code text,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        job_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        UNIQUE (tenant_id, account_id, linked_account_id, group_slug)
      );
      CREATE INDEX invitations_by_tenant_recent ON invitations (tenant_id, created_at DESC, id);
      CREATE INDEX invitations_by_tenant_status ON invitations (tenant_id, status, created_at DESC);

      CREATE TABLE audit_log (
        id bigserial PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        actor_account_id text,
        action text NOT NULL,
        subject text NOT NULL,
        before jsonb,
        after jsonb,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_log_by_tenant ON audit_log (tenant_id, at DESC);

      -- atlassian-connect-express's store, created here so that several instances starting
      -- at once do not race on its own CREATE TABLE (its sync() then finds them in place).
      CREATE TABLE IF NOT EXISTS "AddonSettings" (
        id serial PRIMARY KEY, "clientKey" varchar(255), key varchar(255), val json
      );
      CREATE INDEX IF NOT EXISTS addon_settings_client_key_key ON "AddonSettings" ("clientKey", key);
      CREATE TABLE IF NOT EXISTS "InstallationClientKeys" (
        id serial PRIMARY KEY, "installationId" varchar(255) NOT NULL, "clientKey" varchar(255) NOT NULL
      );
      CREATE INDEX IF NOT EXISTS installation_client_keys_installation_id ON "InstallationClientKeys" ("installationId");
      CREATE INDEX IF NOT EXISTS installation_client_keys_client_key ON "InstallationClientKeys" ("clientKey");
      CREATE TABLE IF NOT EXISTS "ForgeSettings" (
        id serial PRIMARY KEY, "installationId" varchar(255) NOT NULL, key varchar(255) NOT NULL, val json NOT NULL
      );
      CREATE INDEX IF NOT EXISTS forge_settings_installation_id_key ON "ForgeSettings" ("installationId", key);

      CREATE TABLE rate_buckets (
        bucket text PRIMARY KEY,
        tokens double precision NOT NULL,
        granted boolean NOT NULL,
        updated_at timestamptz NOT NULL
      );
    `);
  },
};
