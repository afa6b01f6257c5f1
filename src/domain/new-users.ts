import type { JiraGatewayFactory } from './ports.js';
import type { InvitationStore, LinkedAccountStore, NewUserStore, PlannedInvitation } from './stores.js';

export type NewUserDeps = {
  newUsers: NewUserStore;
  linkedAccounts: Pick<LinkedAccountStore, 'withDefaultGroups'>;
  invitations: Pick<InvitationStore, 'createPlanned'>;
  jira: JiraGatewayFactory;
};

/** Account types that are not people: Jira's bots and Jira Service Management customers. */
const NOT_PEOPLE: Record<string, string> = {
  app: 'This is an app (bot) account, not a person.',
  customer: 'This is a Jira Service Management customer account, not a licensed Jira user.',
};

/** Decides the invitations of one new user: one per (linked account, default group). */
export async function planInvitations(deps: NewUserDeps, newUserId: string): Promise<void> {
  const user = await deps.newUsers.find(newUserId);
  if (!user || user.plannedAt) return; // already planned: a repeated job changes nothing

  const accounts = await deps.linkedAccounts.withDefaultGroups(user.tenantId);
  const skipReason = user.accountType ? NOT_PEOPLE[user.accountType] : undefined;

  let email = user.email;
  let noEmailReason: string | null = null;
  if (accounts.length > 0 && !skipReason && !email) {
    const jira = await deps.jira.forTenant(user.tenantId);
    const lookup = await jira.getUserEmail(user.accountId);
    if (lookup.found) email = lookup.email;
    else noEmailReason = lookup.reason;
  }

  const planned: PlannedInvitation[] = accounts.flatMap((account) =>
    account.defaultGroups.map((group): PlannedInvitation => {
      if (skipReason) return { linkedAccountId: account.id, workspace: account.workspace, group, status: 'skipped', reason: skipReason, reasonCode: 'not-a-person' };
      if (!email) return { linkedAccountId: account.id, workspace: account.workspace, group, status: 'skipped', reason: noEmailReason, reasonCode: 'no-email' };
      return { linkedAccountId: account.id, workspace: account.workspace, group, status: 'queued', reason: null, reasonCode: null };
    }),
  );
  await deps.invitations.createPlanned(user, email, planned);
}
