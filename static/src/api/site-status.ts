// GET /api/site-status (docs/admin-api.md): whether Jira still sends this site's events.
import type { ApiResult, HostBridge } from '../host/host-bridge';

export interface SiteStatus {
  /** When each host last delivered an event for this site (ISO), or null when it never did. */
  lastEvent: { connect: string | null; forge: string | null };
  /** A sentence when a site that invites new users has heard nothing from Jira for long. */
  warning: string | null;
}

export function getSiteStatus(bridge: HostBridge): Promise<ApiResult<SiteStatus>> {
  return bridge.request('GET', '/api/site-status');
}
