import { describe, expect, it } from 'vitest';
import type { HostBridge, HttpMethod } from '../host/host-bridge';
import { discoverOrganizations, groupsPath, invitationsPath, linkAccount, listGroups, organizationSuggestion, updateCredentials } from './admin-api';

/** A bridge that records the requests and answers each with an empty success. */
function recordingBridge(): { bridge: HostBridge; requests: { method: HttpMethod; path: string; body?: unknown }[] } {
  const requests: { method: HttpMethod; path: string; body?: unknown }[] = [];
  const bridge: HostBridge = {
    request: <T>(method: HttpMethod, path: string, body?: unknown) => {
      requests.push(body === undefined ? { method, path } : { method, path, body });
      return Promise.resolve({ ok: true as const, status: 200, body: {} as T });
    },
    openConfigureDialog: () => Promise.resolve({ saved: false }),
    dialogData: () => Promise.resolve(null),
    closeDialog: () => Promise.resolve(),
    showFlag: () => undefined,
    enableTheming: () => Promise.resolve(),
  };
  return { bridge, requests };
}

describe('invitationsPath', () => {
  it('leaves out empty filters', () => {
    expect(invitationsPath({ status: '', page: 1, pageSize: 25 })).toBe('/api/invitations?page=1&pageSize=25');
  });

  it('adds status and linked account', () => {
    expect(invitationsPath({ status: 'already-invited', linkedAccountId: 'a b', page: 2, pageSize: 25 })).toBe(
      '/api/invitations?status=already-invited&linkedAccountId=a+b&page=2&pageSize=25',
    );
  });
});

describe('groupsPath', () => {
  it('asks a workspace to refresh, and an organization for one page of a search', () => {
    expect(groupsPath('a/1', { refresh: true })).toBe('/api/linked-accounts/a%2F1/groups?refresh=true');
    expect(groupsPath('a1')).toBe('/api/linked-accounts/a1/groups');
    expect(groupsPath('a1', { search: 'dev ops&co', cursor: 'c=2' })).toBe('/api/linked-accounts/a1/groups?search=dev+ops%26co&cursor=c%3D2');
    expect(groupsPath('a1', { search: '' })).toBe('/api/linked-accounts/a1/groups');
  });
});

describe('the requests of the organization calls', () => {
  it('links an organization with its ids and API key, and a workspace with its target type', async () => {
    const { bridge, requests } = recordingBridge();
    await linkAccount(bridge, {
      targetType: 'atlassian-organization',
      organizationId: 'org-1',
      directoryId: 'dir-1',
      credentials: { type: 'organization-api-key', apiKey: 'k' },
    });
    await linkAccount(bridge, {
      targetType: 'bitbucket-workspace',
      workspace: 'acme',
      credentials: { type: 'oauth-consumer', key: 'k', secret: 's' },
    });
    expect(requests).toEqual([
      {
        method: 'POST',
        path: '/api/linked-accounts',
        body: {
          targetType: 'atlassian-organization',
          organizationId: 'org-1',
          directoryId: 'dir-1',
          credentials: { type: 'organization-api-key', apiKey: 'k' },
        },
      },
      {
        method: 'POST',
        path: '/api/linked-accounts',
        body: { targetType: 'bitbucket-workspace', workspace: 'acme', credentials: { type: 'oauth-consumer', key: 'k', secret: 's' } },
      },
    ]);
  });

  it('asks which organizations a key sees, searches groups, asks for the suggestion and replaces an API key', async () => {
    const { bridge, requests } = recordingBridge();
    await discoverOrganizations(bridge, 'k');
    await listGroups(bridge, 'org-account', { search: 'dev', cursor: 'next' });
    await organizationSuggestion(bridge, 'workspace-account', 'org account');
    await updateCredentials(bridge, 'org-account', { type: 'organization-api-key', apiKey: 'new' });
    expect(requests).toEqual([
      { method: 'POST', path: '/api/organizations/discover', body: { apiKey: 'k' } },
      { method: 'GET', path: '/api/linked-accounts/org-account/groups?search=dev&cursor=next' },
      { method: 'GET', path: '/api/linked-accounts/workspace-account/organization-suggestion?organizationAccountId=org+account' },
      { method: 'PUT', path: '/api/linked-accounts/org-account/credentials', body: { credentials: { type: 'organization-api-key', apiKey: 'new' } } },
    ]);
  });
});
