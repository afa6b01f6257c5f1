import { DomainError } from './errors.js';
import type { Actor } from './linked-accounts.js';
import type { AuditEntry, InvitationFilter, InvitationStore, LinkedAccountStore } from './stores.js';

export type RetryFilter = Pick<InvitationFilter, 'linkedAccountId' | 'search'>;

/** The failed invitations a filter matches, for the admin's "Retry all failed". */
export interface FailedInvitationFinder {
  /** Their ids, oldest first, at most `limit`. */
  failedIds: (tenantId: string, filter: RetryFilter, limit: number) => Promise<string[]>;
}

/** An audit entry written on its own, for an action that spans many transactions. */
export interface AuditTrail {
  append: (entry: AuditEntry) => Promise<void>;
}

export type RetryAllDeps = {
  linkedAccounts: Pick<LinkedAccountStore, 'find'>;
  failed: FailedInvitationFinder;
  invitations: Pick<InvitationStore, 'requeue'>;
  audit: AuditTrail;
};

/** Most invitations one "Retry all failed" takes; a larger set is narrowed first (by linked account or search). */
export const MAX_RETRY_ALL = 5_000;

export type RetryAllOutcome = { retried: number; unchanged: number };

/**
 * Queues every failed invitation of the filter again, each with a fresh series of attempts, once the
 * admin confirmed how many that is. Each is requeued on its own: one that changed meanwhile (retried
 * already) or cannot be requeued is counted as unchanged and never stops the others.
 */
export async function retryAllFailed(deps: RetryAllDeps, actor: Actor, filter: RetryFilter, confirmedCount: number): Promise<RetryAllOutcome> {
  // Another site's id (or none) matches nothing, but would still be written to this site's audit log.
  if (filter.linkedAccountId && !(await deps.linkedAccounts.find(actor.tenantId, filter.linkedAccountId))) {
    throw new DomainError('not-found', 'No linked account with this id.');
  }
  const ids = await deps.failed.failedIds(actor.tenantId, filter, MAX_RETRY_ALL + 1);
  if (ids.length > MAX_RETRY_ALL) {
    throw new DomainError(
      'invalid',
      `More than ${MAX_RETRY_ALL} failed invitations match: narrow the list by linked account or search, then retry those.`,
    );
  }
  if (ids.length !== confirmedCount) {
    throw new DomainError(
      'conflict',
      `${ids.length} failed ${ids.length === 1 ? 'invitation matches' : 'invitations match'} this filter now, not ${confirmedCount}. Check the list and confirm again.`,
    );
  }
  const outcome: RetryAllOutcome = { retried: 0, unchanged: 0 };
  for (const id of ids) {
    const requeued = await deps.invitations.requeue(actor.tenantId, id).catch(() => 'failed' as const);
    if (typeof requeued === 'object') outcome.retried++;
    else outcome.unchanged++;
  }
  await deps.audit.append({
    tenantId: actor.tenantId,
    actorAccountId: actor.accountId,
    linkedAccountId: filter.linkedAccountId ?? null,
    action: 'invitations.retried-all-failed',
    subject: filter.search ? `Failed invitations matching "${filter.search}"` : 'Failed invitations',
    before: { failed: ids.length },
    after: outcome,
  });
  return outcome;
}
