import type { Tenant } from '../../domain/model.js';
import type { TenantRepository } from '../../persistence/tenant-repository.js';

const TTL_MS = 30_000;

/**
 * clientKey → tenant for authenticated Connect requests, kept briefly in memory because every
 * webhook and API call needs it. Another instance's uninstall is seen within the TTL.
 */
export class ConnectTenantDirectory {
  readonly #cache = new Map<string, { tenant: Tenant; until: number }>();

  constructor(private readonly tenants: TenantRepository) {}

  async byClientKey(clientKey: string, siteUrl: string | undefined): Promise<Tenant> {
    const cached = this.#cache.get(clientKey);
    if (cached && cached.until > Date.now()) return cached.tenant;
    // An install recorded by ACE but not by us (an older version of the app) is adopted here.
    const tenant =
      (await this.tenants.findByHostKey('connect', clientKey)) ??
      (await this.tenants.upsertConnect(clientKey, siteUrl ?? '', null));
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(clientKey, { tenant, until: Date.now() + TTL_MS });
    return tenant;
  }

  forget(clientKey: string): void {
    this.#cache.delete(clientKey);
  }
}
