import { JiraUnavailableError } from './errors.js';
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

/** Account types that are not people: Jira's bots and Jira Service Management customers. */
const NOT_PEOPLE: Record<string, string> = {
  app: 'This is an app (bot) account, not a person.',
  customer: 'This is a Jira Service Management customer account, not a licensed Jira user.',
};

/** Why a Jira account of this type gets no invitation, or null for a person. */
export function notAPersonReason(accountType: string | null): string | null {
  return accountType !== null && Object.hasOwn(NOT_PEOPLE, accountType) ? NOT_PEOPLE[accountType]! : null;
}

/** Decides the invitations of one new user: one per (linked account, default group). */
export async function planInvitations(deps: NewUserDeps, newUserId: string): Promise<void> {
  const user = await deps.newUsers.find(newUserId);
  if (!user || user.plannedAt) return; // already planned: a repeated job changes nothing

  const accounts = await deps.linkedAccounts.withDefaultGroups(user.tenantId);
  const skipReason = notAPersonReason(user.accountType);
  const needsEmail = (account: LinkedAccount) => deps.targets.of(account.targetType).needsEmail;

  let email = user.email;
  let noEmailReason: string | null = null;
  let waitingReason: string | null = null;
  // Jira is asked for the address only when a chosen target invites by email: an organization adds the account id.
  if (accounts.some(needsEmail) && !skipReason && !email) {
    try {
      const lookup = await (await deps.jira.forTenant(user.tenantId)).getUserEmail(user.accountId);
      if (lookup.found) email = lookup.email;
      else noEmailReason = lookup.reason;
    } catch (error) {
      if (!(error instanceof JiraUnavailableError)) throw error;
      // Jira cannot say now (an outage, credentials a fresh token cures): the invitations are queued
      // without the address, and each delivery asks Jira again, with its backoff and attempt limit.
      waitingReason = error.message;
    }
  }

  const planned: PlannedInvitation[] = accounts.flatMap((account) =>
    account.defaultGroups.map((group): PlannedInvitation => {
      const base = { linkedAccountId: account.id, targetType: account.targetType, workspace: account.workspace, group };
      if (skipReason) return { ...base, status: 'skipped', reason: skipReason, reasonCode: 'not-a-person' };
      if (email || !needsEmail(account)) return { ...base, status: 'queued', reason: null, reasonCode: null };
      if (waitingReason) return { ...base, status: 'queued', reason: waitingReason, reasonCode: 'retrying' };
      return { ...base, status: 'skipped', reason: noEmailReason, reasonCode: 'no-email' };
    }),
  );
  await deps.invitations.createPlanned(user, email, planned);
}
