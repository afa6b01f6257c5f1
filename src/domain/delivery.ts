import { DomainError, JiraUnavailableError, TargetError, ThrottledError } from './errors.js';
import { unlinkedReason } from './linked-accounts.js';
import type { LinkedAccount } from './model.js';
import { notAPersonReason } from './new-users.js';
import type { ExplainedFailure, InvitationTargets, JiraGatewayFactory } from './ports.js';
import type { DeliverableInvitation, FinalOutcome, InvitationStore, LinkedAccountStore, RetryPlan, StalledDecision } from './stores.js';

export type DeliveryDeps = {
  invitations: Pick<InvitationStore, 'claim' | 'extendLease' | 'deferUntilLeaseEnds' | 'finish' | 'reschedule' | 'release' | 'recoverStalled'>;
  linkedAccounts: Pick<LinkedAccountStore, 'find' | 'credentialsOf' | 'markStatus' | 'recordInvitationSent'>;
  targets: InvitationTargets;
  jira: JiraGatewayFactory;
  maxAttempts: number;
  /** First retry delay when nobody said how long to wait; it doubles each time. */
  retryBaseMs: number;
  /** The longest a Retry-After (a target's, Jira's) or our own rate limit may hold an invitation back. */
  retryAfterCapMs: number;
  /** How long a run holds its invitation: longer than any run takes, so a second run of the same job cannot send it too. */
  leaseMs: number;
};

/** What the admin's actions on one invitation need. */
export type InvitationAdminDeps = { invitations: Pick<InvitationStore, 'find' | 'requeue' | 'sendNow'> };

/** Exponential backoff with jitter: base, 2·base, 4·base … capped at 15 minutes. */
export function backoffMs(attempt: number, baseMs: number): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 15 * 60_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** One run of a delivery job that holds its invitation. */
type Run = { deps: DeliveryDeps; invitation: DeliverableInvitation; lease: string };

/** How an invitation ends when its attempts run out. */
type GivenUp = Pick<FinalOutcome, 'status' | 'reasonCode'>;
const ATTEMPTS_EXHAUSTED: GivenUp = { status: 'failed', reasonCode: 'attempts-exhausted' };

/**
 * Sends one invitation. Safe to run twice for the same job (a crash, a queue retry, a slow run that
 * pg-boss hands out again): only the job that owns the row may claim it, only one run at a time
 * holds it, and the target's "already invited" or "already a member" for a repeat counts as done.
 */
export async function deliverInvitation(deps: DeliveryDeps, invitationId: string, jobId: string): Promise<void> {
  const claim = await deps.invitations.claim(invitationId, jobId, deps.leaseMs);
  if (claim.outcome === 'not-owner') return;
  if (claim.outcome === 'leased-elsewhere') {
    // Come back when the lease ends: the run holding it has finished by then, or died and left it to us.
    await deps.invitations.deferUntilLeaseEnds(invitationId, jobId);
    return;
  }
  try {
    await deliver({ deps, invitation: claim.invitation, lease: claim.lease });
  } catch (error) {
    // Unexpected (a bug, the database): free the row for the queue's retry of this job, and let the
    // job layer log the error. A failed release only delays that retry until the lease runs out.
    await deps.invitations.release(invitationId, claim.lease).catch(() => undefined);
    throw error;
  }
}

async function deliver(run: Run): Promise<void> {
  const { deps, invitation } = run;
  const account = await deps.linkedAccounts.find(invitation.tenantId, invitation.linkedAccountId);
  if (!account) return; // the tenant was removed, and the invitation with it
  const target = deps.targets.of(account.targetType);
  if (account.status === 'unlinked') {
    await finish(run, { status: 'skipped', reason: unlinkedReason(target.noun), reasonCode: 'unlinked', attempted: false });
    return;
  }

  // Planning skipped such accounts; an invitation queued again (a retry, new credentials) is checked once more.
  const notAPerson = notAPersonReason(invitation.accountType);
  if (notAPerson) {
    await finish(run, { status: 'skipped', reason: notAPerson, reasonCode: 'not-a-person', attempted: false });
    return;
  }

  if (account.status !== 'active') {
    await finishHeldBack(run, account);
    return;
  }

  // Only a target that invites by email needs the address; an organization adds the account id.
  const email = invitation.email ?? (target.needsEmail ? await lookUpEmail(run) : null);
  if (target.needsEmail && !email) return;
  const withEmail = email ? { email } : {};

  const credentials = await deps.linkedAccounts.credentialsOf(invitation.tenantId, account.id);
  // The lease must outlast the call: renewed here, after the Jira lookup. Lost meanwhile (this run
  // was slower than its lease and another run took over), this run must not send as well.
  if (!(await deps.invitations.extendLease(invitation.id, run.lease, deps.leaseMs))) return;
  const group = { slug: invitation.groupSlug, name: invitation.groupName };
  let outcome: 'sent' | 'already-invited';
  try {
    outcome = await target.addMember(account, credentials!, { accountId: invitation.accountId, email }, group);
  } catch (error) {
    if (error instanceof ThrottledError) {
      await reschedule(run, { delayMs: Math.min(error.waitMs, deps.retryAfterCapMs), reason: null, attempted: false, ...withEmail });
      return;
    }
    if (!(error instanceof TargetError)) throw error;
    await handleTargetFailure(run, account, error, target.explainFailure(account, error, group), withEmail);
    return;
  }
  const finished = await finish(run, {
    status: outcome,
    reason: outcome === 'already-invited' ? target.alreadyInvitedReason : null,
    reasonCode: null,
    attempted: true,
    ...withEmail,
  });
  if (finished) await deps.linkedAccounts.recordInvitationSent(account.id);
}

/** The address Jira gives for the user, or null when the invitation was skipped or put off instead. */
async function lookUpEmail(run: Run): Promise<string | null> {
  const { deps, invitation } = run;
  try {
    const lookup = await (await deps.jira.forTenant(invitation.tenantId)).getUserEmail(invitation.accountId);
    if (lookup.found) return lookup.email;
    await finish(run, { status: 'skipped', reason: lookup.reason, reasonCode: 'no-email', attempted: false });
  } catch (error) {
    if (!(error instanceof JiraUnavailableError)) throw error;
    await retryLater(run, {
      reason: error.message,
      retryAfterMs: error.retryAfterMs,
      // Jira never shared the address, as when it refuses to: skipped, like that case.
      givenUp: error.awaiting === 'fresh-credentials' ? { status: 'skipped', reasonCode: 'no-email' } : ATTEMPTS_EXHAUSTED,
    });
  }
  return null;
}

/** What the target explained decides: another attempt later, a mark on the linked account, or the invitation's end. */
async function handleTargetFailure(
  run: Run,
  account: LinkedAccount,
  error: TargetError,
  explained: ExplainedFailure,
  withEmail: { email?: string },
): Promise<void> {
  if (error.retryable) {
    await retryLater(run, { reason: explained.message, retryAfterMs: error.retryAfterMs, ...withEmail });
    return;
  }
  if (explained.marks) {
    await markAccount(run, account, explained.marks, explained.message, withEmail);
    return;
  }
  await finish(run, { status: 'failed', reason: explained.message, reasonCode: explained.reasonCode, attempted: true, ...withEmail });
}

/** Only a run that still holds its invitation speaks for the linked account. */
async function markAccount(
  run: Run,
  account: LinkedAccount,
  status: NonNullable<ExplainedFailure['marks']>,
  reason: string,
  withEmail: { email?: string },
): Promise<void> {
  if (!(await finish(run, { status: 'failed', reason, reasonCode: status, attempted: true, ...withEmail }))) return;
  await run.deps.linkedAccounts.markStatus(account.id, status, reason, account.credentialsVersion);
}

/** The linked account needs the admin first (credentials invalid, invitations refused): the invitation waits as failed, unsent. */
async function finishHeldBack(run: Run, account: LinkedAccount): Promise<void> {
  await finish(run, {
    status: 'failed',
    reason: account.statusReason ?? `The linked account "${account.displayName}" needs attention.`,
    reasonCode: account.status === 'credentials-invalid' ? 'credentials-invalid' : 'invitations-refused',
    attempted: false,
  });
}

/**
 * This attempt did not get through but a later one may: try again after the wait that was asked
 * for (capped), or after a backoff; once the attempts are used up, end with the last reason.
 */
async function retryLater(run: Run, failure: { reason: string; retryAfterMs: number | null; email?: string; givenUp?: GivenUp }): Promise<void> {
  const { deps, invitation } = run;
  const attempts = invitation.attempts + 1;
  const email = failure.email !== undefined ? { email: failure.email } : {};
  if (attempts >= deps.maxAttempts) {
    await finish(run, {
      ...(failure.givenUp ?? ATTEMPTS_EXHAUSTED),
      reason: `Gave up after ${attempts} attempts. ${failure.reason}`,
      attempted: true,
      ...email,
    });
    return;
  }
  let delayMs = failure.retryAfterMs ?? backoffMs(attempts, deps.retryBaseMs);
  let reason = failure.reason;
  if (delayMs > deps.retryAfterCapMs) {
    delayMs = deps.retryAfterCapMs;
    reason = `${reason} That is longer than the app waits between attempts, so it tries again in ${duration(deps.retryAfterCapMs)}.`;
  }
  await reschedule(run, { delayMs, reason, attempted: true, ...email });
}

function finish(run: Run, outcome: FinalOutcome): Promise<boolean> {
  return run.deps.invitations.finish(run.invitation.id, run.lease, outcome);
}

function reschedule(run: Run, change: RetryPlan): Promise<boolean> {
  return run.deps.invitations.reschedule(run.invitation.id, run.lease, change);
}

/**
 * The periodic sweep: a queued invitation whose job ended without finishing it (the job kept
 * failing until the queue gave up, or vanished) gets a fresh job, which counts as an attempt, or,
 * with its attempts used up, fails with a reason. Every invitation thus ends or keeps a live job.
 */
export function recoverStalledInvitations(
  deps: { invitations: Pick<InvitationStore, 'recoverStalled'>; maxAttempts: number; retryBaseMs: number },
  limit = 100,
): Promise<number> {
  return deps.invitations.recoverStalled(limit, (invitation): StalledDecision => {
    const attempts = invitation.attempts + 1;
    if (attempts >= deps.maxAttempts) {
      return {
        finish: {
          status: 'failed',
          reason: `Gave up after ${attempts} attempts: sending this invitation kept failing on the app's side. The server log has the details.`,
          reasonCode: 'attempts-exhausted',
          attempted: true,
        },
      };
    }
    return {
      requeue: {
        delayMs: backoffMs(attempts, deps.retryBaseMs),
        reason: "The app's last attempt to send this invitation stopped before it finished; it tries again.",
      },
    };
  });
}

const invitationNotFound = () => new DomainError('not-found', 'No invitation with this id.');

/** The admin's Retry of a failed or skipped invitation: a fresh series of attempts. */
export async function retryInvitation(deps: InvitationAdminDeps, tenantId: string, id: string): Promise<DeliverableInvitation> {
  const invitation = await deps.invitations.find(tenantId, id);
  if (!invitation) throw invitationNotFound();
  // Sending it would contradict the skip; saying so now is clearer than a retry that skips again.
  const notAPerson = notAPersonReason(invitation.accountType);
  if (notAPerson) throw new DomainError('conflict', `${notAPerson} The app invites people only, so this invitation cannot be retried.`);
  if (invitation.reasonCode === 'user-deleted') {
    throw new DomainError('conflict', 'Jira deleted this user, and a deleted account never comes back, so this invitation cannot be retried.');
  }
  const outcome = await deps.invitations.requeue(tenantId, id);
  if (outcome === 'not-found') throw invitationNotFound();
  if (outcome === 'not-retryable') {
    throw new DomainError(
      'conflict',
      invitation.status === 'queued'
        ? 'This invitation is still queued. To skip its wait, use Send now.'
        : 'Only failed or skipped invitations can be retried.',
    );
  }
  return outcome;
}

/** The admin's Send now: a queued invitation stops waiting for its next attempt. */
export async function sendInvitationNow(deps: InvitationAdminDeps, tenantId: string, id: string): Promise<DeliverableInvitation> {
  const outcome = await deps.invitations.sendNow(tenantId, id);
  if (outcome === 'not-found') throw invitationNotFound();
  if (outcome === 'not-queued') {
    throw new DomainError('conflict', 'Only a queued invitation can be sent now. A failed or skipped one can be retried.');
  }
  if (outcome === 'being-sent') throw new DomainError('conflict', 'This invitation is being sent right now.');
  return outcome;
}

/** "1 hour", "90 minutes", "45 seconds": the cap as an admin reads it. */
function duration(ms: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (ms % 3_600_000 === 0) return plural(ms / 3_600_000, 'hour');
  if (ms % 60_000 === 0) return plural(ms / 60_000, 'minute');
  return plural(Math.ceil(ms / 1000), 'second');
}
