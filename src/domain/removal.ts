import { backoffMs } from './delivery.js';
import { TargetError, ThrottledError } from './errors.js';
import type { RemovalOutcome, RemovalStore, Removal } from './offboarding-stores.js';
import type { InvitationTargets } from './ports.js';
import type { LinkedAccountStore } from './stores.js';

export type RemovalDeps = {
  removals: Pick<RemovalStore, 'claim' | 'extendLease' | 'deferUntilLeaseEnds' | 'finish' | 'reschedule' | 'release'>;
  linkedAccounts: Pick<LinkedAccountStore, 'find' | 'credentialsOf'>;
  /** Whether the account still asks for removals: an admin who turned it off before the job ran is obeyed. */
  offboardingMode: (tenantId: string, linkedAccountId: string) => Promise<'keep' | 'remove' | null>;
  targets: InvitationTargets;
  maxAttempts: number;
  retryBaseMs: number;
  retryAfterCapMs: number;
  leaseMs: number;
};

type Run = { deps: RemovalDeps; removal: Removal; lease: string };

/**
 * Makes one removal, with delivery's guarantees (src/domain/delivery.ts): only the job that owns
 * the row may claim it, one run at a time holds it, and a repeat finds "not a member" at worst.
 */
export async function deliverRemoval(deps: RemovalDeps, removalId: string, jobId: string): Promise<void> {
  const claim = await deps.removals.claim(removalId, jobId, deps.leaseMs);
  if (claim.outcome === 'not-owner') return;
  if (claim.outcome === 'leased-elsewhere') {
    await deps.removals.deferUntilLeaseEnds(removalId, jobId);
    return;
  }
  try {
    await remove({ deps, removal: claim.removal, lease: claim.lease });
  } catch (error) {
    await deps.removals.release(removalId, claim.lease).catch(() => undefined);
    throw error;
  }
}

const PENDING_REASON =
  "Bitbucket lists no such member of this group: the invitation was not accepted, or they already left. Bitbucket's API cannot revoke a pending invitation: revoke it in the workspace's settings if it is still open.";

async function remove(run: Run): Promise<void> {
  const { deps, removal } = run;
  const finish = (outcome: RemovalOutcome) => deps.removals.finish(removal.id, run.lease, outcome);
  if (removal.returned) {
    await finish({ status: 'cancelled', reason: 'The user is active in Jira again.', attempted: false });
    return;
  }
  const account = await deps.linkedAccounts.find(removal.tenantId, removal.linkedAccountId);
  if (!account || account.status === 'unlinked') {
    await finish({ status: 'cancelled', reason: 'The linked account was unlinked before this removal was made.', attempted: false });
    return;
  }
  if ((await deps.offboardingMode(removal.tenantId, removal.linkedAccountId)) !== 'remove') {
    await finish({ status: 'cancelled', reason: 'Removal was turned off for this linked account before it was made.', attempted: false });
    return;
  }
  const credentials = await deps.linkedAccounts.credentialsOf(removal.tenantId, account.id);
  if (!credentials) {
    await finish({ status: 'cancelled', reason: 'The linked account has no credentials any more.', attempted: false });
    return;
  }
  if (!(await deps.removals.extendLease(removal.id, run.lease, deps.leaseMs))) return;
  const target = deps.targets.of(account.targetType);
  const group = { slug: removal.groupSlug, name: removal.groupName };
  try {
    const outcome = await target.removeMember(account, credentials, { accountId: removal.accountId, email: removal.email }, group);
    await finish({
      status: outcome,
      reason: outcome === 'invitation-pending' ? PENDING_REASON : outcome === 'not-a-member' ? 'They were no longer a member of this group.' : null,
      attempted: true,
    });
  } catch (error) {
    if (error instanceof ThrottledError) {
      await deps.removals.reschedule(removal.id, run.lease, {
        delayMs: Math.min(error.waitMs, deps.retryAfterCapMs),
        reason: 'Waiting for the rate limit.',
        attempted: false,
      });
      return;
    }
    if (!(error instanceof TargetError)) throw error;
    const explained = target.explainFailure(account, error, group).message;
    const attempts = removal.attempts + 1;
    if (!error.retryable || attempts >= deps.maxAttempts) {
      const prefix = error.retryable ? `Gave up after ${attempts} attempts. ` : '';
      await finish({ status: 'failed', reason: `${prefix}${explained}`, attempted: true });
      return;
    }
    const delayMs = Math.min(error.retryAfterMs ?? backoffMs(attempts, deps.retryBaseMs), deps.retryAfterCapMs);
    await deps.removals.reschedule(removal.id, run.lease, { delayMs, reason: explained, attempted: true });
  }
}
