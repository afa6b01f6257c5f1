import type { Invitation, LinkedAccount } from '../../domain/model.js';
import type { ReasonCode } from '../../domain/stores.js';

/** The JSON shapes of docs/admin-api.md. Credentials have no field here, by construction. */
export function presentLinkedAccount(account: LinkedAccount) {
  return {
    id: account.id,
    targetType: account.targetType,
    workspace: account.workspace,
    organization: account.organization,
    displayName: account.displayName,
    url: account.organization
      ? `https://admin.atlassian.com/o/${encodeURIComponent(account.organization.id)}/groups`
      : `https://bitbucket.org/${encodeURIComponent(account.workspace ?? '')}`,
    credentialType: account.credentialType,
    status: account.status,
    statusReason: account.statusReason,
    defaultGroups: account.defaultGroups,
    mode: account.mode,
    rules: account.rules,
    // An organization's groups are searched, not kept: it has no count to show.
    groupCount: account.organization ? null : account.groups.length,
    groupsRefreshedAt: account.groupsRefreshedAt,
    lastInvitationSentAt: account.lastInvitationSentAt,
    createdAt: account.createdAt,
    unlinkedAt: account.unlinkedAt,
  };
}

export function presentInvitation(invitation: Invitation & { reasonCode: ReasonCode | null }) {
  return {
    id: invitation.id,
    linkedAccountId: invitation.linkedAccountId,
    targetType: invitation.targetType,
    linkedAccountName: invitation.linkedAccountName,
    workspace: invitation.workspace,
    groupSlug: invitation.groupSlug,
    groupName: invitation.groupName,
    accountId: invitation.accountId,
    displayName: invitation.displayName,
    email: invitation.email,
    status: invitation.status,
    reason: invitation.reason,
    reasonCode: invitation.reasonCode,
    attempts: invitation.attempts,
    nextAttemptAt: invitation.nextAttemptAt,
    createdAt: invitation.createdAt,
    updatedAt: invitation.updatedAt,
    sentAt: invitation.sentAt,
    // Invitations planned before rules existed were all chosen by the defaults.
    chosenBy: invitation.chosenBy ?? { kind: 'defaults' },
  };
}
