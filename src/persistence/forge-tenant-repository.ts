import { QueryTypes, type Sequelize } from 'sequelize';
import type { Tenant } from '../domain/model.js';
import { forgeAppTokenBinding, type SecretBox } from './secret-box.js';

type ForgeTenantRow = {
  id: string;
  host: 'forge';
  host_key: string;
  site_url: string;
  cloud_id: string | null;
  forge_installation_id: string | null;
  forge_api_base_url: string | null;
};

/** A site installed through Forge, with the installation Forge last told us about. */
export type ForgeTenant = Tenant & { installationId: string | null; apiBaseUrl: string | null };

export type ForgeInstallation = {
  cloudId: string;
  installationId: string;
  apiBaseUrl: string;
  /** Absent from some invocations (events): the one stored is kept then. */
  siteUrl: string | null;
};

/** What the Forge Jira client needs: where Jira is and the app token Forge last sent. */
export type ForgeAppCredentials = { apiBaseUrl: string; appToken: string; expiresAt: Date };

const toTenant = (row: ForgeTenantRow): ForgeTenant => ({
  id: row.id,
  host: 'forge',
  hostKey: row.host_key,
  siteUrl: row.site_url,
  cloudId: row.cloud_id,
  installationId: row.forge_installation_id,
  apiBaseUrl: row.forge_api_base_url,
});

/**
 * Forge tenants are keyed by the site's cloudId (host_key), not by the installationId Forge
 * recommends: a reinstall gives a new installationId, and keying by it would leave the admin's
 * linked accounts and invitations behind with the old one. The configuration belongs to the site,
 * so a new installation of a known cloudId takes the tenant over (and is recorded as current).
 */
export class ForgeTenantRepository {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly secrets: SecretBox,
  ) {}

  /** Creates or updates the site's tenant; `previousInstallationId` differs from the new one on a reinstall. */
  async upsertInstallation(installation: ForgeInstallation): Promise<{ tenant: ForgeTenant; previousInstallationId: string | null }> {
    const [row] = await this.sequelize.query<ForgeTenantRow & { previous_installation_id: string | null }>(
      `WITH previous AS (
         SELECT forge_installation_id FROM tenants WHERE host = 'forge' AND host_key = :cloudId
       )
       INSERT INTO tenants (host, host_key, site_url, cloud_id, forge_installation_id, forge_api_base_url)
       VALUES ('forge', :cloudId, COALESCE(:siteUrl, ''), :cloudId, :installationId, :apiBaseUrl)
       ON CONFLICT (host, host_key) DO UPDATE SET
         site_url = COALESCE(:siteUrl, tenants.site_url),
         forge_installation_id = EXCLUDED.forge_installation_id,
         forge_api_base_url = EXCLUDED.forge_api_base_url,
         updated_at = now()
       RETURNING *, (SELECT forge_installation_id FROM previous) AS previous_installation_id`,
      {
        replacements: {
          cloudId: installation.cloudId,
          siteUrl: installation.siteUrl || null,
          installationId: installation.installationId,
          apiBaseUrl: installation.apiBaseUrl,
        },
        type: QueryTypes.SELECT,
      },
    );
    return { tenant: toTenant(row!), previousInstallationId: row!.previous_installation_id };
  }

  /** For invocations that name no site: the tenant whose current installation this is. */
  async findByInstallationId(installationId: string): Promise<ForgeTenant | null> {
    const [row] = await this.sequelize.query<ForgeTenantRow>(
      "SELECT * FROM tenants WHERE host = 'forge' AND forge_installation_id = :installationId",
      { replacements: { installationId }, type: QueryTypes.SELECT },
    );
    return row ? toTenant(row) : null;
  }

  /**
   * Stores the app token sealed (AES-256-GCM), never in plain text. A token that expires before
   * the stored one is not written: instances and retried events can deliver tokens out of order.
   */
  async saveAppToken(tenantId: string, appToken: string, expiresAt: Date): Promise<void> {
    await this.sequelize.query(
      `UPDATE tenants SET forge_app_token_sealed = :sealed, forge_app_token_expires_at = :expiresAt
       WHERE id = :tenantId AND host = 'forge'
         AND (forge_app_token_expires_at IS NULL OR forge_app_token_expires_at <= :expiresAt)`,
      { replacements: { tenantId, sealed: this.secrets.seal(appToken, forgeAppTokenBinding(tenantId)), expiresAt } },
    );
  }

  async appCredentials(tenantId: string): Promise<ForgeAppCredentials | null> {
    const [row] = await this.sequelize.query<{
      forge_api_base_url: string | null;
      forge_app_token_sealed: string | null;
      forge_app_token_expires_at: Date | null;
    }>(
      `SELECT forge_api_base_url, forge_app_token_sealed, forge_app_token_expires_at
       FROM tenants WHERE id = :tenantId AND host = 'forge'`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
    if (!row?.forge_api_base_url || !row.forge_app_token_sealed || !row.forge_app_token_expires_at) return null;
    return {
      apiBaseUrl: row.forge_api_base_url,
      appToken: this.secrets.open(row.forge_app_token_sealed, forgeAppTokenBinding(tenantId)),
      expiresAt: new Date(row.forge_app_token_expires_at),
    };
  }
}
