// Typed calls of the admin REST API (docs/admin-api.md) through the host bridge.
import type { ApiResult, HostBridge } from '../host/host-bridge';
import type {
  Credentials,
  DiscoveredOrganization,
  GroupList,
  Invitation,
  InvitationPage,
  InvitationMode,
  InvitationStatus,
  LinkRequest,
  LinkedAccount,
  OrganizationSuggestion,
} from './types';

const id = (value: string) => encodeURIComponent(value);

/** `includeUnlinked` adds the unlinked accounts, which the invitation history still names. */
export function listLinkedAccounts(
  bridge: HostBridge,
  options: { includeUnlinked?: boolean } = {},
): Promise<ApiResult<{ linkedAccounts: LinkedAccount[] }>> {
  return bridge.request('GET', `/api/linked-accounts${options.includeUnlinked ? '?include=unlinked' : ''}`);
}

/** Links a workspace or an organization directory; a workspace managed in Atlassian Administration answers 422 with `code` WORKSPACE_ADMIN_MANAGED. */
export function linkAccount(bridge: HostBridge, request: LinkRequest): Promise<ApiResult<{ linkedAccount: LinkedAccount }>> {
  return bridge.request('POST', '/api/linked-accounts', request);
}

/** The organizations and directories an organization API key can see (the key is not stored). */
export function discoverOrganizations(bridge: HostBridge, apiKey: string): Promise<ApiResult<{ organizations: DiscoveredOrganization[] }>> {
  return bridge.request('POST', '/api/organizations/discover', { apiKey });
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

export interface GroupQuery {
  /** Ask the workspace's Bitbucket afresh (workspaces; an organization is always asked). */
  refresh?: boolean;
  /** Groups whose name contains this (the server searches the organization). */
  search?: string;
  /** The `nextCursor` of the previous page of the same search. */
  cursor?: string;
}

export function groupsPath(accountId: string, query: GroupQuery = {}): string {
  const params = new URLSearchParams();
  if (query.refresh) params.set('refresh', 'true');
  if (query.search) params.set('search', query.search);
  if (query.cursor) params.set('cursor', query.cursor);
  const search = params.toString();
  return `/api/linked-accounts/${id(accountId)}/groups${search ? `?${search}` : ''}`;
}

export function listGroups(bridge: HostBridge, accountId: string, query: GroupQuery = {}): Promise<ApiResult<GroupList>> {
  return bridge.request('GET', groupsPath(accountId, query));
}

/**
 * The groups of the linked organization `organizationAccountId` named like the default groups of the
 * linked workspace `workspaceAccountId` (the server searches them with the organization's stored key).
 */
export function organizationSuggestion(
  bridge: HostBridge,
  workspaceAccountId: string,
  organizationAccountId: string,
): Promise<ApiResult<OrganizationSuggestion>> {
  const params = new URLSearchParams({ organizationAccountId });
  return bridge.request('GET', `/api/linked-accounts/${id(workspaceAccountId)}/organization-suggestion?${params.toString()}`);
}

/** Saves the default groups, and the mode when one is given. */
export function saveDefaultGroups(
  bridge: HostBridge,
  accountId: string,
  slugs: string[],
  mode?: InvitationMode,
): Promise<ApiResult<{ linkedAccount: LinkedAccount }>> {
  return bridge.request('PUT', `/api/linked-accounts/${id(accountId)}/default-groups`, mode ? { groups: slugs, mode } : { groups: slugs });
}

export interface InvitationQuery {
  status?: InvitationStatus | '';
  linkedAccountId?: string;
  page: number;
  pageSize: number;
  /** An email address or a name, from its start, or an account ID. */
  search?: string;
}

export function invitationsPath(query: InvitationQuery): string {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.linkedAccountId) params.set('linkedAccountId', query.linkedAccountId);
  if (query.search) params.set('search', query.search);
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
