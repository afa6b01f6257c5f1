// Typed calls of the admin REST API (docs/admin-api.md) through the host bridge.
import type { ApiResult, HostBridge } from '../host/host-bridge';
import type { Credentials, GroupList, Invitation, InvitationPage, InvitationStatus, LinkedAccount } from './types';

const id = (value: string) => encodeURIComponent(value);

/** `includeUnlinked` adds the unlinked accounts, which the invitation history still names. */
export function listLinkedAccounts(
  bridge: HostBridge,
  options: { includeUnlinked?: boolean } = {},
): Promise<ApiResult<{ linkedAccounts: LinkedAccount[] }>> {
  return bridge.request('GET', `/api/linked-accounts${options.includeUnlinked ? '?include=unlinked' : ''}`);
}

export function linkAccount(bridge: HostBridge, workspace: string, credentials: Credentials): Promise<ApiResult<{ linkedAccount: LinkedAccount }>> {
  return bridge.request('POST', '/api/linked-accounts', { workspace, credentials });
}

export function unlinkAccount(bridge: HostBridge, accountId: string): Promise<ApiResult<unknown>> {
  return bridge.request('DELETE', `/api/linked-accounts/${id(accountId)}`);
}

export function updateCredentials(
  bridge: HostBridge,
  accountId: string,
  credentials: Credentials,
): Promise<ApiResult<{ linkedAccount: LinkedAccount }>> {
  return bridge.request('PUT', `/api/linked-accounts/${id(accountId)}/credentials`, { credentials });
}

export function listGroups(bridge: HostBridge, accountId: string, refresh: boolean): Promise<ApiResult<GroupList>> {
  return bridge.request('GET', `/api/linked-accounts/${id(accountId)}/groups${refresh ? '?refresh=true' : ''}`);
}

export function saveDefaultGroups(bridge: HostBridge, accountId: string, slugs: string[]): Promise<ApiResult<{ linkedAccount: LinkedAccount }>> {
  return bridge.request('PUT', `/api/linked-accounts/${id(accountId)}/default-groups`, { groups: slugs });
}

export interface InvitationQuery {
  status?: InvitationStatus | '';
  linkedAccountId?: string;
  page: number;
  pageSize: number;
}

export function invitationsPath(query: InvitationQuery): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.linkedAccountId) params.set('linkedAccountId', query.linkedAccountId);
  params.set('page', String(query.page));
  params.set('pageSize', String(query.pageSize));
  return `/api/invitations?${params.toString()}`;
}

export function listInvitations(bridge: HostBridge, query: InvitationQuery): Promise<ApiResult<InvitationPage>> {
  return bridge.request('GET', invitationsPath(query));
}

export function retryInvitation(bridge: HostBridge, invitationId: string): Promise<ApiResult<{ invitation: Invitation }>> {
  return bridge.request('POST', `/api/invitations/${id(invitationId)}/retry`);
}

export function sendInvitationNow(bridge: HostBridge, invitationId: string): Promise<ApiResult<{ invitation: Invitation }>> {
  return bridge.request('POST', `/api/invitations/${id(invitationId)}/send-now`);
}
