import type { Tenant } from '../../domain/model.js';
import type { TenantRepository } from '../../persistence/tenant-repository.js';

/**
 * clientKey → tenant for authenticated Connect requests. Looked up on every request (one indexed
 * query, beside the one ACE makes for the shared secret) and never kept in memory: a site can be
 * uninstalled and reinstalled through another instance, which gives it a new tenant row, and a
 * remembered id would then point at rows that are gone.
 */
export class ConnectTenantDirectory {
  constructor(private readonly tenants: TenantRepository) {}

  /**
   * The site's tenant; null when it has uninstalled the app meanwhile. An install recorded by ACE
   * but not by us (an older version of the app) is adopted, but only while ACE still holds it:
   * the uninstall removes ACE's record first, so a request that raced it cannot bring the site back.
   */
  async byClientKey(clientKey: string, siteUrl: string | undefined, stillInstalled: () => Promise<boolean>): Promise<Tenant | null> {
    const tenant = await this.tenants.findByHostKey('connect', clientKey);
    if (tenant) return tenant;
    if (!(await stillInstalled())) return null;
    return this.tenants.upsertConnect(clientKey, siteUrl ?? '', null);
  }
}
