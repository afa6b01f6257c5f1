import { DomainError, JiraUnavailableError } from './errors.js';
import { notAPersonReason } from './group-choice.js';
import { resolveGroups } from './group-rules.js';
import type { GroupOutcome, InvitationDecisionStore } from './invitation-decisions.js';
import { requireAccount, type Actor } from './linked-accounts.js';
import type { LinkedAccount, TargetGroup } from './model.js';
import type { InvitationTargets, JiraGatewayFactory, JiraUser } from './ports.js';
import type { LinkedAccountStore } from './stores.js';

/*
 * "Invite someone now": an administrator picks Jira users and, per linked account, the groups
 * (the defaults pre-ticked on the page), whatever the account's mode. The invitations are the same
 * records as planned ones, delivered, deduplicated and retried the same way.
 */

export type ManualInvitationDeps = {
  linkedAccounts: Pick<LinkedAccountStore, 'find'>;
  decisions: InvitationDecisionStore;
  targets: InvitationTargets;
  jira: JiraGatewayFactory;
};

/** Most users one search shows. */
export const USER_SEARCH_LIMIT = 20;

/** Jira's user search (by name or address), through the server: people only are useful here, but all are shown, marked. */
export async function searchJiraUsers(deps: Pick<ManualInvitationDeps, 'jira'>, actor: Actor, query: string): Promise<JiraUser[]> {
  try {
    return await (await deps.jira.forTenant(actor.tenantId)).searchUsers(query, USER_SEARCH_LIMIT);
  } catch (error) {
    throw error instanceof JiraUnavailableError
      ? new DomainError('upstream-unavailable', `Jira could not search its users just now. ${error.message}`)
      : error;
  }
}

export type ManualInviteRequest = { accountIds: string[]; targets: { linkedAccountId: string; groups: string[] }[] };

/** What became of one user: their groups' outcomes, or why nothing was recorded for them. */
export type ManualInviteResult = { accountId: string; displayName: string | null; groups: GroupOutcome[]; error: string | null };

/**
 * Invites each user to the chosen groups of each linked account. Every group is checked before
 * anything is written; then each user is written on their own, so a user Jira does not know is
 * reported without holding back the others.
 */
export async function inviteNow(deps: ManualInvitationDeps, actor: Actor, request: ManualInviteRequest): Promise<ManualInviteResult[]> {
  const targets: { account: LinkedAccount; groups: TargetGroup[] }[] = [];
  for (const target of request.targets) {
    const account = await requireAccount(deps, actor, target.linkedAccountId);
    const groups = resolveGroups(deps.targets, account, target.groups);
    if (groups.length > 0) targets.push({ account, groups });
  }
  if (targets.length === 0) throw new DomainError('invalid', 'Tick at least one group to invite to.');
  const jira = await deps.jira.forTenant(actor.tenantId);
  const results: ManualInviteResult[] = [];
  for (const accountId of [...new Set(request.accountIds)]) {
    let user: JiraUser | null;
    try {
      user = await jira.findUser(accountId);
    } catch (error) {
      if (!(error instanceof JiraUnavailableError) && !(error instanceof DomainError)) throw error;
      results.push({ accountId, displayName: null, groups: [], error: `Jira could not say who this is just now: ${error.message}` });
      continue;
    }
    if (!user) {
      results.push({ accountId, displayName: null, groups: [], error: 'Jira has no user with this account ID.' });
      continue;
    }
    const notAPerson = notAPersonReason(user.accountType);
    const groups: GroupOutcome[] = [];
    for (const { account, groups: chosen } of targets) {
      const outcomes = await deps.decisions.inviteManually(
        actor.tenantId,
        {
          user,
          account,
          groups: chosen,
          chosenBy: { kind: 'manual', actorAccountId: actor.accountId },
          skip: notAPerson ? { reason: notAPerson, reasonCode: 'not-a-person' } : null,
        },
        {
          tenantId: actor.tenantId,
          actorAccountId: actor.accountId,
          action: 'invitation.manual',
          subject: account.displayName,
          before: null,
          after: { accountId: user.accountId, displayName: user.displayName, groups: chosen.map((g) => g.slug) },
        },
      );
      groups.push(...outcomes);
    }
    results.push({ accountId, displayName: user.displayName, groups, error: null });
  }
  return results;
}
