// Typed calls of the offboarding admin API (docs/admin-api.md "Offboarding") through the host bridge.
import type { ApiResult, HostBridge } from '../host/host-bridge';

export type OffboardingMode = 'keep' | 'remove';

export interface DepartedMember {
  accountId: string;
  displayName: string | null;
  cause: 'deleted' | 'deactivated';
  detectedAt: string;
  groups: { slug: string; name: string }[];
}

export interface Offboarding {
  mode: OffboardingMode;
  threshold: number | null;
  effectiveThreshold: number;
  preview: DepartedMember[];
  removalCount: number;
  held: number;
  version: number;
}

export type RemovalStatus = 'held' | 'queued' | 'removed' | 'not-a-member' | 'invitation-pending' | 'failed' | 'cancelled';

export interface Removal {
  id: string;
  linkedAccountId: string;
  linkedAccountName: string;
  accountId: string;
  displayName: string | null;
  groupSlug: string;
  groupName: string;
  cause: 'deleted' | 'deactivated';
  status: RemovalStatus;
  reason: string | null;
  attempts: number;
  createdAt: string;
  finishedAt: string | null;
}

export interface UserCheck {
  id: string;
  trigger: 'schedule' | 'admin';
  status: 'running' | 'finished' | 'failed';
  total: number;
  checked: number;
  inactive: number;
  reactivated: number;
  unknown: number;
  reason: string | null;
  startedAt: string;
  finishedAt: string | null;
}

const id = (value: string) => encodeURIComponent(value);

export function getOffboarding(bridge: HostBridge, accountId: string): Promise<ApiResult<{ offboarding: Offboarding }>> {
  return bridge.request('GET', `/api/linked-accounts/${id(accountId)}/offboarding`);
}

/** Turning removal on with people in the preview needs `confirmRemovals`: their exact number of memberships. */
export function saveOffboarding(
  bridge: HostBridge,
  accountId: string,
  change: { mode: OffboardingMode; confirmRemovals?: number },
): Promise<ApiResult<{ offboarding: Offboarding }>> {
  return bridge.request('PUT', `/api/linked-accounts/${id(accountId)}/offboarding`, change);
}

export function confirmHeldRemovals(bridge: HostBridge, accountId: string, count: number): Promise<ApiResult<{ released: number }>> {
  return bridge.request('POST', `/api/linked-accounts/${id(accountId)}/removals/confirm`, { count });
}

export function discardHeldRemovals(bridge: HostBridge, accountId: string): Promise<ApiResult<{ discarded: number }>> {
  return bridge.request('POST', `/api/linked-accounts/${id(accountId)}/removals/discard`);
}

export function listRemovals(
  bridge: HostBridge,
  page = 1,
): Promise<ApiResult<{ removals: Removal[]; total: number; page: number; pageSize: number }>> {
  return bridge.request('GET', `/api/removals?page=${page}&pageSize=25`);
}

export function startUserCheck(bridge: HostBridge): Promise<ApiResult<{ userCheck: UserCheck }>> {
  return bridge.request('POST', '/api/user-checks');
}

export function latestUserCheck(bridge: HostBridge): Promise<ApiResult<{ userCheck: UserCheck | null }>> {
  return bridge.request('GET', '/api/user-checks/latest');
}
