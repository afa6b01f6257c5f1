import { TargetError } from '../../domain/errors.js';

/**
 * Why Atlassian Administration refused one membership while the API key itself is fine.
 * - synced-group: the group is synced from an identity provider (SCIM); only the provider changes it.
 * - user-limit: an app the group grants access to has reached its user limit.
 * - not-in-directory: the account is not a user of the group's directory.
 * - admin-group: the group grants organization admin rights, which groups no longer hand out.
 * - group-not-manageable: Atlassian refused to change this group without saying which of the above applies.
 */
export type OrganizationRefusalKind = 'synced-group' | 'user-limit' | 'not-in-directory' | 'admin-group' | 'group-not-manageable';

/** Groups that cannot be offered for ticking, and why; the same sentences explain them. */
export type GroupUnavailableReason = Extract<OrganizationRefusalKind, 'synced-group' | 'admin-group'>;

/** One sentence per refusal that tells an admin what to do next. */
export function explain(refusal: OrganizationRefusalKind, groupName?: string | null): string {
  const group = groupName ? `Group "${groupName}"` : 'This group';
  switch (refusal) {
    case 'synced-group':
      return `${group} is synced from your identity provider, so Atlassian Administration only lets the identity provider change its members. Add the person to the group in your identity provider, or choose a group that is not synced.`;
    case 'user-limit':
      return `${group} grants access to an app that has reached its user limit. Raise the app's user limit or free a seat in Atlassian Administration, then retry.`;
    case 'not-in-directory':
      return `This person is not a user of the directory that ${groupName ? `group "${groupName}"` : 'this group'} belongs to. Add them to that directory in Atlassian Administration, or choose a group from their directory, then retry.`;
    case 'admin-group':
      return `${group} grants organization admin rights, which Atlassian no longer lets apps give through group membership. Assign organization admins in Atlassian Administration and choose another group here.`;
    case 'group-not-manageable':
      return `Atlassian Administration does not let this API key change the members of ${groupName ? `group "${groupName}"` : 'this group'} (it may be synced from an identity provider or grant admin rights). Check the group in Atlassian Administration, or choose another group.`;
  }
}

/**
 * A membership Atlassian refused for a reason of the group or the user, not of the key: the
 * invitation fails with a sentence to act on, and the linked account stays valid. Its kind is
 * always 'rejected' (never 'forbidden', even for a 403) so nobody mistakes it for bad credentials,
 * and it is never retried.
 */
export class OrganizationRefusal extends TargetError {
  constructor(
    readonly refusal: OrganizationRefusalKind,
    status: number,
    /** Atlassian's own words, already scrubbed of secrets; null when it said nothing useful. */
    readonly atlassianSaid: string | null,
  ) {
    super('rejected', `${explain(refusal)}${atlassianSaid ? ` Atlassian said: "${atlassianSaid}"` : ''}`, status, null);
    this.name = 'OrganizationRefusal';
  }
}
