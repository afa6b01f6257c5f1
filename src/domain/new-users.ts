import { JiraUnavailableError } from './errors.js';
import { chooseGroups, needsEmailForRules, needsJiraGroups, notAPersonReason } from './group-choice.js';
import type { LinkedAccount } from './model.js';
import type { InvitationTargets, JiraGatewayFactory } from './ports.js';
import type { InvitationStore, LinkedAccountStore, NewUserStore, PlannedInvitation } from './stores.js';

export type NewUserDeps = {
  newUsers: NewUserStore;
  linkedAccounts: Pick<LinkedAccountStore, 'withDefaultGroups'>;
  invitations: Pick<InvitationStore, 'createPlanned'>;
  targets: Pick<InvitationTargets, 'of'>;
  jira: JiraGatewayFactory;
};

export { notAPersonReason };

/**
 * Decides the invitations of one new user: in each linked account that is not Off, the groups its
 * rules or defaults choose (src/domain/group-choice.ts), queued (Automatic) or held for review
 * (Review first), or skipped with the reason.
 */
export async function planInvitations(deps: NewUserDeps, newUserId: string): Promise<void> {
  const user = await deps.newUsers.find(newUserId);
  if (!user || user.plannedAt) return; // already planned: a repeated job changes nothing

  const accounts = await deps.linkedAccounts.withDefaultGroups(user.tenantId);
  const notAPerson = notAPersonReason(user.accountType);
  const needsEmail = (account: LinkedAccount) => deps.targets.of(account.targetType).needsEmail;
  const rulesNeedEmail = accounts.some((account) => needsEmailForRules(account.rules));

  let email = user.email;
  let noEmailReason: string | null = null;
  let waitingReason: string | null = null;
  // Jira is asked for the address only when a target invites by email or a rule looks at the domain: an organization adds the account id.
  if (!notAPerson && !email && (rulesNeedEmail || accounts.some(needsEmail))) {
    try {
      const lookup = await (await deps.jira.forTenant(user.tenantId)).getUserEmail(user.accountId);
      if (lookup.found) email = lookup.email;
      else noEmailReason = lookup.reason;
    } catch (error) {
      if (!(error instanceof JiraUnavailableError)) throw error;
      // A rule cannot be decided on an address Jira has not given yet: planning waits and runs again.
      if (rulesNeedEmail) throw error;
      // Jira cannot say now (an outage, credentials a fresh token cures): the invitations are queued
      // without the address, and each delivery asks Jira again, with its backoff and attempt limit.
      waitingReason = error.message;
    }
  }
  // Looked up once, when a rule asks; Jira failing to answer fails this run, and the planning job tries again.
  const jiraGroups =
    !notAPerson && accounts.some((account) => needsJiraGroups(account.rules))
      ? await (await deps.jira.forTenant(user.tenantId)).getUserGroups(user.accountId)
      : null;

  const planned: PlannedInvitation[] = accounts.flatMap((account) => {
    const decision = chooseGroups({ accountType: user.accountType, email, jiraGroups }, account);
    const ready = account.mode === 'review' ? 'pending-review' : 'queued';
    return decision.groups.map((group): PlannedInvitation => {
      const base = { linkedAccountId: account.id, targetType: account.targetType, workspace: account.workspace, group, chosenBy: decision.chosenBy };
      if (decision.skip) return { ...base, status: 'skipped', ...decision.skip };
      if (email || !needsEmail(account)) return { ...base, status: ready, reason: null, reasonCode: null };
      if (waitingReason) {
        // Held for review, the address is looked up again when the administrator sends it.
        return ready === 'queued'
          ? { ...base, status: 'queued', reason: waitingReason, reasonCode: 'retrying' }
          : { ...base, status: ready, reason: null, reasonCode: null };
      }
      return { ...base, status: 'skipped', reason: noEmailReason, reasonCode: 'no-email' };
    });
  });
  await deps.invitations.createPlanned(user, email, planned);
}
