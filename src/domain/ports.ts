import type { BitbucketCredentials, TargetGroup } from './model.js';

/** Calls to Bitbucket Cloud. Implementations throw TargetError for every failure. */
export interface BitbucketGateway {
  listGroups: (workspace: string, credentials: BitbucketCredentials) => Promise<TargetGroup[]>;
  /** 'already-invited' when Bitbucket answers that the address is already invited or a member (409). */
  invite: (workspace: string, credentials: BitbucketCredentials, email: string, groupSlug: string) => Promise<'sent' | 'already-invited'>;
}

export type EmailLookup = { found: true; email: string } | { found: false; reason: string };

/** Calls to the Jira site of one tenant, whichever host (Connect or Forge) it came through. */
export interface JiraGateway {
  getUserEmail: (accountId: string) => Promise<EmailLookup>;
  isAdministrator: (accountId: string) => Promise<boolean>;
}

export interface JiraGatewayFactory {
  forTenant: (tenantId: string) => Promise<JiraGateway>;
}
