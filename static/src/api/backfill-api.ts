// Typed calls for bringing existing users in line (docs/admin-api.md): preview, backfill, retry all
// failed, the audit log, and what needs the admin's attention.
import type { ApiResult, HostBridge } from '../host/host-bridge';
import type { RuleInput } from './types';

const id = (value: string) => encodeURIComponent(value);

export interface GroupPreview {
  slug: string;
  name: string;
  invitations: number;
  sample: string[];
}

export interface InvitationPreview {
  usersScanned: number;
  excluded: number;
  /** Users a "never invite" rule keeps out. */
  neverInvited: number;
  alreadyInvited: number;
  invitations: number;
  groups: GroupPreview[];
  truncated: boolean;
}

export type BackfillStatus = 'counting' | 'awaiting-confirmation' | 'running' | 'completed' | 'cancelled' | 'failed';

export interface Backfill {
  id: string;
  linkedAccountId: string;
  status: BackfillStatus;
  groups: { slug: string; name: string }[];
  threshold: number;
  usersScanned: number;
  toInvite: number;
  confirmationRequired: boolean;
  confirmedCount: number | null;
  invitationsCreated: number;
  invitations: { queued: number; sent: number; failed: number; skipped: number };
  progress: number | null;
  reason: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface Attention {
  failedInvitations: number;
  accounts: { id: string; displayName: string; status: 'credentials-invalid' | 'invitations-refused'; reason: string | null }[];
}

export interface AuditEntry {
  id: string;
  at: string;
  actorAccountId: string | null;
  linkedAccountId: string | null;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
}

/** What to preview instead of what is saved: other default groups, another whole list of rules (in order), or both. */
export type PreviewProposal = { groups?: string[]; rules?: RuleInput[] };

export function previewInvitations(
  bridge: HostBridge,
  linkedAccountId: string,
  proposal: PreviewProposal,
): Promise<ApiResult<{ preview: InvitationPreview }>> {
  return bridge.request('POST', `/api/linked-accounts/${id(linkedAccountId)}/preview`, proposal);
}

export function startBackfill(bridge: HostBridge, linkedAccountId: string): Promise<ApiResult<{ backfill: Backfill }>> {
  return bridge.request('POST', `/api/linked-accounts/${id(linkedAccountId)}/backfills`);
}

export function listBackfills(bridge: HostBridge): Promise<ApiResult<{ backfills: Backfill[]; threshold: number }>> {
  return bridge.request('GET', '/api/backfills');
}

export function confirmBackfill(bridge: HostBridge, backfillId: string, count: number): Promise<ApiResult<{ backfill: Backfill }>> {
  return bridge.request('POST', `/api/backfills/${id(backfillId)}/confirm`, { count });
}

export function cancelBackfill(bridge: HostBridge, backfillId: string): Promise<ApiResult<{ backfill: Backfill }>> {
  return bridge.request('POST', `/api/backfills/${id(backfillId)}/cancel`);
}

export function retryAllFailed(
  bridge: HostBridge,
  filter: { linkedAccountId?: string; search?: string },
  count: number,
): Promise<ApiResult<{ retried: number; unchanged: number }>> {
  return bridge.request('POST', '/api/invitations/retry-failed', { ...filter, count });
}

export function getAttention(bridge: HostBridge): Promise<ApiResult<{ attention: Attention }>> {
  return bridge.request('GET', '/api/site-status');
}

export function listAuditLog(
  bridge: HostBridge,
  query: { linkedAccountId: string; page: number; pageSize: number },
): Promise<ApiResult<{ entries: AuditEntry[]; total: number }>> {
  const params = new URLSearchParams({ page: String(query.page), pageSize: String(query.pageSize) });
  if (query.linkedAccountId) params.set('linkedAccountId', query.linkedAccountId);
  return bridge.request('GET', `/api/audit-log?${params.toString()}`);
}

/** The CSV wrapped in JSON: both hosts' bridges read JSON answers. */
/** The newest entries up to what one answer can carry; `complete` is false when older ones were left out. */
export function exportAuditLog(
  bridge: HostBridge,
  linkedAccountId: string,
): Promise<ApiResult<{ filename: string; csv: string; rows: number; complete: boolean }>> {
  const params = new URLSearchParams({ as: 'json' });
  if (linkedAccountId) params.set('linkedAccountId', linkedAccountId);
  return bridge.request('GET', `/api/audit-log/export?${params.toString()}`);
}

/**
 * How the attention banner's link reaches the invitations list (another section of the page):
 * a request to show these filters, which the list applies.
 */
export const SHOW_INVITATIONS_EVENT = 'ati:show-invitations';
export type ShowInvitations = { status?: 'failed'; linkedAccountId?: string };

export function showInvitations(filter: ShowInvitations): void {
  window.dispatchEvent(new CustomEvent<ShowInvitations>(SHOW_INVITATIONS_EVENT, { detail: filter }));
  document.getElementById('ati-invitations-title')?.scrollIntoView({ behavior: 'smooth' });
}
