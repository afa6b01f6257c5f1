import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import type { Logger } from '../../logger.js';
import type { ForgeTenant, ForgeTenantRepository } from '../../persistence/forge-tenant-repository.js';
import type { ForgeInvocation } from './forge-invocation-token.js';

const TTL_MS = 30_000;
/** Forge treats app tokens as opaque; when one carries no readable expiry, assume this much. */
const ASSUMED_TOKEN_LIFETIME_MS = 50 * 60_000;

/** The invocation names no site this server knows: answer 401, nothing is recorded. */
export class UnknownForgeSiteError extends Error {
  override readonly name = 'UnknownForgeSiteError';
}

/**
 * installationId → tenant for verified Forge invocations, kept briefly in memory because every
 * event and API call needs it. Every invocation may be the first this server sees of a site (the
 * install event can be missed or come later), so a miss creates or updates the tenant.
 */
export class ForgeTenantDirectory {
  readonly #cache = new Map<string, { tenant: ForgeTenant; apiBaseUrl: string; until: number }>();
  /** SHA-256 of the app token last stored per tenant: an unchanged token costs no write. */
  readonly #storedTokens = new Map<string, string>();

  constructor(
    private readonly tenants: ForgeTenantRepository,
    private readonly log: Logger,
  ) {}

  async tenantOf(invocation: ForgeInvocation): Promise<ForgeTenant> {
    const { installationId, apiBaseUrl } = invocation.app;
    const siteUrl = invocation.context?.siteUrl || null;
    const cached = this.#cache.get(installationId);
    // A site URL not seen before (events carry none, UI calls do) is worth a write.
    const current = cached && cached.until > Date.now() && cached.apiBaseUrl === apiBaseUrl && (!siteUrl || cached.tenant.siteUrl === siteUrl);
    if (current) return cached.tenant;

    const cloudId = cloudIdOf(invocation);
    let tenant: ForgeTenant | null;
    if (cloudId) {
      const upserted = await this.tenants.upsertInstallation({ cloudId, installationId, apiBaseUrl, siteUrl });
      tenant = upserted.tenant;
      const previous = upserted.previousInstallationId;
      if (previous === null) {
        this.log.info({ cloudId, installationId, siteUrl: tenant.siteUrl }, 'new site through Forge');
      } else if (previous !== installationId) {
        this.log.info(
          { cloudId, installationId, previousInstallationId: previous },
          'Forge reinstall: the site keeps its configuration under the new installation',
        );
      }
    } else {
      tenant = await this.tenants.findByInstallationId(installationId);
      if (!tenant) throw new UnknownForgeSiteError('the invocation names no site this app knows');
    }
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(installationId, { tenant, apiBaseUrl, until: Date.now() + TTL_MS });
    return tenant;
  }

  /**
   * Keeps the app token Forge sent (x-forge-oauth-system) for the jobs that call Jira later, when
   * no invocation is at hand. Only a token this instance has not stored yet is written.
   */
  async rememberAppToken(tenant: ForgeTenant, appToken: string): Promise<void> {
    const digest = createHash('sha256').update(appToken).digest('base64url');
    if (this.#storedTokens.get(tenant.id) === digest) return;
    this.#storedTokens.set(tenant.id, digest);
    try {
      await this.tenants.saveAppToken(tenant.id, appToken, appTokenExpiry(appToken));
    } catch (error) {
      this.#storedTokens.delete(tenant.id);
      throw error;
    }
  }
}

/**
 * The site's cloudId: `context.cloudId` when Forge sends it (UI calls), else read from the
 * apiBaseUrl (`.../ex/jira/<cloudId>`) or the installation's context ARI, since Forge documents
 * no `context` for invocations that do not come from the UI.
 */
export function cloudIdOf(invocation: ForgeInvocation): string | null {
  if (invocation.context?.cloudId) return invocation.context.cloudId;
  const fromApi = /\/ex\/jira\/([0-9a-f-]{8,})(?:\/|$)/i.exec(invocation.app.apiBaseUrl)?.[1];
  if (fromApi) return fromApi;
  for (const context of invocation.app.installation?.contexts ?? []) {
    const fromAri = /^ari:cloud:jira::site\/([0-9a-f-]{8,})$/i.exec(context.name ?? '')?.[1];
    if (fromAri) return fromAri;
  }
  return null;
}

function appTokenExpiry(appToken: string): Date {
  try {
    const { exp } = decodeJwt(appToken);
    if (typeof exp === 'number') return new Date(exp * 1000);
  } catch {
    // Not a JWT: Forge documents app tokens as opaque.
  }
  return new Date(Date.now() + ASSUMED_TOKEN_LIFETIME_MS);
}
