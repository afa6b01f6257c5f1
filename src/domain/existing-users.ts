import { chooseGroups, needsEmailForRules, needsJiraGroups, notAPersonReason, type ChosenBy, type GroupRule } from './group-choice.js';
import type { LinkedAccount, TargetGroup } from './model.js';
import type { JiraUserDirectory, ListedJiraUser } from './ports.js';

/**
 * What a linked account would give one existing Jira user: groups and who chose them, or none and
 * why (`byRule` when a "never invite" rule said so, rather than a built-in exclusion).
 */
export type ExistingUserChoice = { groups: TargetGroup[]; chosenBy: ChosenBy; excludedReason: string | null; byRule: boolean };

/** The part of a linked account the choice reads: its default groups (or the ones being previewed) and its rules. */
export type ChoosingAccount = Pick<LinkedAccount, 'id' | 'targetType' | 'defaultGroups'> & { rules: readonly GroupRule[] };

/** What is asked of Jira about one user, only when one of the account's rules needs it: group names, and an address the listing hid. */
export type JiraLookups = Pick<JiraUserDirectory, 'getUserGroups' | 'getUserEmail'>;

/**
 * Which groups of `account` this existing Jira user would be invited to: the same decision as for a
 * new user (`chooseGroups`: built-in exclusions, then the first matching rule, else the defaults,
 * with Jira asked for the user's groups, and for an address the listing hid, when a rule needs
 * them), plus the one only an existing user can need: a deactivated account is never invited.
 * `email` is the address the choice saw.
 */
export async function groupsForExistingUser(
  account: ChoosingAccount,
  user: ListedJiraUser,
  jira: JiraLookups,
): Promise<ExistingUserChoice & { email: string | null }> {
  if (!user.active) {
    return { groups: [], chosenBy: { kind: 'defaults' }, excludedReason: 'This account is deactivated in Jira.', byRule: false, email: user.email };
  }
  const person = notAPersonReason(user.accountType) === null;
  const jiraGroups = person && needsJiraGroups(account.rules) ? await jira.getUserGroups(user.accountId) : null;
  let email = user.email;
  if (person && email === null && needsEmailForRules(account.rules)) {
    const lookup = await jira.getUserEmail(user.accountId);
    if (lookup.found) email = lookup.email;
  }
  const decision = chooseGroups(
    { accountType: user.accountType, email, jiraGroups },
    { defaultGroups: account.defaultGroups, rules: [...account.rules] },
  );
  if (decision.skip) {
    const byRule = decision.skip.reasonCode === 'rule-never-invite';
    return { groups: [], chosenBy: decision.chosenBy, excludedReason: decision.skip.reason, byRule, email };
  }
  return { groups: decision.groups, chosenBy: decision.chosenBy, excludedReason: null, byRule: false, email };
}

/** The invitations one page of existing users needs: their choice, less what they already have, and who chose it. */
export type ExistingUserPlan = { user: ListedJiraUser; groups: TargetGroup[]; chosenBy: ChosenBy };

/** The key an invitation is unique by, within one site and linked account (as the invitations table's). */
export const invitationKey = (accountId: string, groupSlug: string): string => `${accountId}\u0000${groupSlug}`;

/** `excluded` counts built-in exclusions (apps, customers, deactivated accounts); `neverInvited` the users a rule says never to invite. */
export type PlannedPage = { plans: ExistingUserPlan[]; invitations: number; excluded: number; neverInvited: number; alreadyInvited: number };

export async function planExistingUsers(
  account: ChoosingAccount,
  users: ListedJiraUser[],
  existing: ReadonlySet<string>,
  jira: JiraLookups,
): Promise<PlannedPage> {
  const page: PlannedPage = { plans: [], invitations: 0, excluded: 0, neverInvited: 0, alreadyInvited: 0 };
  const seen = new Set<string>();
  for (const user of users) {
    // A listing that moved under us can name an account twice: it is planned once.
    if (seen.has(user.accountId)) continue;
    seen.add(user.accountId);
    const choice = await groupsForExistingUser(account, user, jira);
    if (choice.excludedReason !== null) {
      if (choice.byRule) page.neverInvited++;
      else page.excluded++;
      continue;
    }
    const groups = choice.groups.filter((group) => !existing.has(invitationKey(user.accountId, group.slug)));
    page.alreadyInvited += choice.groups.length - groups.length;
    if (groups.length === 0) continue;
    // An address Jira gave for a rule is kept with the invitation, so delivery need not ask again.
    page.plans.push({ user: { ...user, email: choice.email }, groups, chosenBy: choice.chosenBy });
    page.invitations += groups.length;
  }
  return page;
}
