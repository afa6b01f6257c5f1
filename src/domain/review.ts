import { DomainError } from './errors.js';
import { resolveGroups } from './group-rules.js';
import type { GroupOutcome, InvitationDecisionStore, PendingReviewFilter, PendingReviewPage } from './invitation-decisions.js';
import { requireAccount, type Actor } from './linked-accounts.js';
import type { InvitationTargets } from './ports.js';
import type { LinkedAccountStore } from './stores.js';

/*
 * The Pending review list of a linked account in Review first mode: each new user's planned
 * invitations wait (they never expire) until an administrator sends them, with the groups as
 * planned or changed, or skips the user. Either way the decision is audited.
 */

export type ReviewDeps = {
  linkedAccounts: Pick<LinkedAccountStore, 'find'>;
  decisions: InvitationDecisionStore;
  targets: InvitationTargets;
};

export function listPendingReview(deps: ReviewDeps, actor: Actor, filter: PendingReviewFilter): Promise<PendingReviewPage> {
  return deps.decisions.listPendingReview(actor.tenantId, filter);
}

/** Sends the user's waiting invitations; with `groupSlugs`, to exactly those groups (the others are skipped, new ones added). */
export async function sendFromReview(
  deps: ReviewDeps,
  actor: Actor,
  linkedAccountId: string,
  accountId: string,
  groupSlugs?: string[],
): Promise<GroupOutcome[]> {
  const account = await requireAccount(deps, actor, linkedAccountId);
  const current = await pendingGroups(deps, actor, linkedAccountId, accountId);
  const groups = groupSlugs ? resolveGroups(deps.targets, account, groupSlugs) : current;
  if (groups.length === 0) throw new DomainError('invalid', 'Tick at least one group to send, or Skip this user instead.');
  const outcome = await deps.decisions.decideReview(
    actor.tenantId,
    account,
    accountId,
    { send: groups, addedBy: { kind: 'review', actorAccountId: actor.accountId } },
    {
      tenantId: actor.tenantId,
      actorAccountId: actor.accountId,
      action: 'review.sent',
      subject: account.displayName,
      before: { accountId, groups: current.map((g) => g.slug) },
      after: { accountId, groups: groups.map((g) => g.slug) },
    },
  );
  if (outcome === 'nothing-pending') throw decidedAlready();
  return outcome;
}

export async function skipFromReview(deps: ReviewDeps, actor: Actor, linkedAccountId: string, accountId: string): Promise<GroupOutcome[]> {
  const account = await requireAccount(deps, actor, linkedAccountId);
  const current = await pendingGroups(deps, actor, linkedAccountId, accountId);
  const outcome = await deps.decisions.decideReview(
    actor.tenantId,
    account,
    accountId,
    { skip: { reason: 'An administrator skipped this user in review.', reasonCode: 'review-skipped' } },
    {
      tenantId: actor.tenantId,
      actorAccountId: actor.accountId,
      action: 'review.skipped',
      subject: account.displayName,
      before: { accountId, groups: current.map((g) => g.slug) },
      after: null,
    },
  );
  if (outcome === 'nothing-pending') throw decidedAlready();
  return outcome;
}

async function pendingGroups(deps: ReviewDeps, actor: Actor, linkedAccountId: string, accountId: string) {
  const page = await deps.decisions.listPendingReview(actor.tenantId, { linkedAccountId, accountId, page: 1, pageSize: 1 });
  const entry = page.entries[0];
  if (!entry) throw decidedAlready();
  return entry.groups.map(({ slug, name }) => ({ slug, name }));
}

const decidedAlready = () =>
  new DomainError(
    'conflict',
    'Nothing of this user waits for review in this linked account any more: another administrator decided. Reload the list.',
  );
