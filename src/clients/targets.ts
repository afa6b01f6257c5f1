import type { InvitationTarget, InvitationTargets, OrganizationDiscovery } from '../domain/ports.js';
import type { TargetType } from '../domain/model.js';
import type { AtlassianAdminClient } from './atlassian-admin/atlassian-admin-client.js';
import { OrganizationTarget, type OrganizationTargetOptions } from './atlassian-admin/organization-target.js';
import { BitbucketTarget, type BitbucketGateway } from './bitbucket/bitbucket-target.js';

export type TargetClients = {
  bitbucket: BitbucketGateway;
  atlassianAdmin: AtlassianAdminClient;
  organization: OrganizationTargetOptions;
};

/**
 * Every kind of target the app adds new users to, by its target type. A new kind is a folder
 * beside bitbucket/ and atlassian-admin/ with its adapter, and one line here.
 */
export function createTargets(clients: TargetClients): InvitationTargets & { organizations: OrganizationDiscovery } {
  const organizations = new OrganizationTarget(clients.atlassianAdmin, clients.organization);
  const targets: Record<TargetType, InvitationTarget> = {
    'bitbucket-workspace': new BitbucketTarget(clients.bitbucket),
    'atlassian-organization': organizations,
  };
  return { of: (type) => targets[type], organizations };
}
