import { QueryTypes, type Sequelize } from 'sequelize';
import type { Tenant } from '../domain/model.js';
import type { SiteEventStore, SiteEvents } from '../domain/site-status.js';

type TenantRow = { id: string; host: 'connect' | 'forge'; host_key: string; site_url: string; cloud_id: string | null };

const toTenant = (row: TenantRow): Tenant => ({
  id: row.id,
  host: row.host,
  hostKey: row.host_key,
  siteUrl: row.site_url,
  cloudId: row.cloud_id,
});

export class TenantRepository implements SiteEventStore {
  constructor(private readonly sequelize: Sequelize) {}

  async upsertConnect(clientKey: string, siteUrl: string, cloudId: string | null): Promise<Tenant> {
    const [row] = await this.sequelize.query<TenantRow>(
      `INSERT INTO tenants (host, host_key, site_url, cloud_id) VALUES ('connect', :clientKey, :siteUrl, :cloudId)
       ON CONFLICT (host, host_key) DO UPDATE SET site_url = EXCLUDED.site_url,
         cloud_id = COALESCE(EXCLUDED.cloud_id, tenants.cloud_id), updated_at = now()
       RETURNING *`,
      { replacements: { clientKey, siteUrl, cloudId }, type: QueryTypes.SELECT },
    );
    return toTenant(row!);
  }

  async findByHostKey(host: Tenant['host'], hostKey: string): Promise<Tenant | null> {
    const [row] = await this.sequelize.query<TenantRow>('SELECT * FROM tenants WHERE host = :host AND host_key = :hostKey', {
      replacements: { host, hostKey },
      type: QueryTypes.SELECT,
    });
    return row ? toTenant(row) : null;
  }

  async findById(id: string): Promise<Tenant | null> {
    const [row] = await this.sequelize.query<TenantRow>('SELECT * FROM tenants WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
    });
    return row ? toTenant(row) : null;
  }

  /** The tenant's last event, and that of the same site's other installation (same cloudId), if any. */
  async siteEvents(tenantId: string): Promise<SiteEvents | null> {
    const rows = await this.sequelize.query<{ id: string; host: Tenant['host']; last_event_at: Date | null; installed_at: Date }>(
      `SELECT id, host, last_event_at, installed_at FROM tenants
       WHERE id = :tenantId OR cloud_id = (SELECT cloud_id FROM tenants WHERE id = :tenantId)`,
      { replacements: { tenantId }, type: QueryTypes.SELECT },
    );
    const own = rows.find((row) => row.id === tenantId);
    if (!own) return null;
    const latest = (host: Tenant['host']) =>
      rows
        .filter((row) => row.host === host && row.last_event_at)
        .map((row) => row.last_event_at!)
        .reduce<Date | null>((a, b) => (a && a > b ? a : b), null);
    return { host: own.host, lastEvent: { connect: latest('connect'), forge: latest('forge') }, installedAt: own.installed_at };
  }

  /** Removes the tenant and, by cascade, its linked accounts, credentials, selections, invitations and audit log. */
  async delete(host: Tenant['host'], hostKey: string): Promise<boolean> {
    const [, result] = await this.sequelize.query('DELETE FROM tenants WHERE host = :host AND host_key = :hostKey', {
      replacements: { host, hostKey },
    });
    return ((result as { rowCount?: number }).rowCount ?? 0) > 0;
  }
}
