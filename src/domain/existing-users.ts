import type { LinkedAccount, TargetGroup } from './model.js';
import { notAPersonReason } from './new-users.js';
import type { ListedJiraUser } from './ports.js';

/** What a linked account would give one existing Jira user: groups, or none and why. */
export type ExistingUserChoice = { groups: TargetGroup[]; excludedReason: string | null };

/** The part of a linked account the choice reads: today its default groups (rules will add theirs). */
export type ChoosingAccount = Pick<LinkedAccount, 'id' | 'targetType' | 'defaultGroups'>;

/**
 * Which groups of `account` this existing Jira user would be invited to. The one decision that
 * preview and backfill share: when rules arrive, this is the call to point at them. Async so that
 * a rule may look something up (a Jira group membership).
 */
export function groupsForExistingUser(account: ChoosingAccount, user: ListedJiraUser): Promise<ExistingUserChoice> {
  return Promise.resolve(chooseDefaults(account, user));
}

function chooseDefaults(account: ChoosingAccount, user: ListedJiraUser): ExistingUserChoice {
  if (!user.active) return { groups: [], excludedReason: 'This account is deactivated in Jira.' };
  const notAPerson = notAPersonReason(user.accountType);
  if (notAPerson) return { groups: [], excludedReason: notAPerson };
  return { groups: account.defaultGroups, excludedReason: null };
}

/** The invitations one page of existing users needs: their choice, less what they already have. */
export type ExistingUserPlan = { user: ListedJiraUser; groups: TargetGroup[] };

/** The key an invitation is unique by, within one site and linked account (as the invitations table's). */
export const invitationKey = (accountId: string, groupSlug: string): string => `${accountId}\u0000${groupSlug}`;

export type PlannedPage = { plans: ExistingUserPlan[]; invitations: number; excluded: number; alreadyInvited: number };

export async function planExistingUsers(account: ChoosingAccount, users: ListedJiraUser[], existing: ReadonlySet<string>): Promise<PlannedPage> {
  const page: PlannedPage = { plans: [], invitations: 0, excluded: 0, alreadyInvited: 0 };
  const seen = new Set<string>();
  for (const user of users) {
    // A listing that moved under us can name an account twice: it is planned once.
    if (seen.has(user.accountId)) continue;
    seen.add(user.accountId);
    const choice = await groupsForExistingUser(account, user);
    if (choice.excludedReason !== null) {
      page.excluded++;
      continue;
    }
    const groups = choice.groups.filter((group) => !existing.has(invitationKey(user.accountId, group.slug)));
    page.alreadyInvited += choice.groups.length - groups.length;
    if (groups.length === 0) continue;
    page.plans.push({ user, groups });
    page.invitations += groups.length;
  }
  return page;
}
