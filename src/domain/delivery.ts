import { TargetError, ThrottledError } from './errors.js';
import { UNLINKED_REASON } from './linked-accounts.js';
import type { LinkedAccount } from './model.js';
import type { BitbucketGateway, JiraGatewayFactory } from './ports.js';
import type { DeliverableInvitation, InvitationStore, LinkedAccountStore } from './stores.js';
import { explainTargetFailure } from './target-failures.js';

export type DeliveryDeps = {
  invitations: Pick<InvitationStore, 'findForDelivery' | 'finish' | 'reschedule'>;
  linkedAccounts: Pick<LinkedAccountStore, 'find' | 'credentialsOf' | 'markStatus' | 'recordInvitationSent'>;
  bitbucket: BitbucketGateway;
  jira: JiraGatewayFactory;
  maxAttempts: number;
  /** First retry delay when Bitbucket does not say how long to wait; it doubles each time. */
  retryBaseMs: number;
};

/** Exponential backoff with jitter: base, 2·base, 4·base … capped at 15 minutes. */
export function backoffMs(attempt: number, baseMs: number): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 15 * 60_000);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Sends one invitation. Safe to run twice for the same job (a crash, a queue retry): only the
 * job that owns the row acts, and Bitbucket's 409 for a repeated invitation counts as done.
 */
export async function deliverInvitation(deps: DeliveryDeps, invitationId: string, jobId: string): Promise<void> {
  const invitation = await deps.invitations.findForDelivery(invitationId);
  if (!invitation || invitation.status !== 'queued' || invitation.jobId !== jobId) return;

  const account = await deps.linkedAccounts.find(invitation.tenantId, invitation.linkedAccountId);
  if (!account) return; // the tenant was removed, and the invitation with it
  if (account.status === 'unlinked') {
    await deps.invitations.finish(invitation.id, jobId, { status: 'skipped', reason: UNLINKED_REASON, reasonCode: 'unlinked', attempted: false });
    return;
  }

  if (account.status !== 'active') {
    await finishFailed(deps, invitation, jobId, account, false);
    return;
  }

  let email = invitation.email;
  if (!email) {
    const lookup = await (await deps.jira.forTenant(invitation.tenantId)).getUserEmail(invitation.accountId);
    if (!lookup.found) {
      await deps.invitations.finish(invitation.id, jobId, { status: 'skipped', reason: lookup.reason, reasonCode: 'no-email', attempted: false });
      return;
    }
    email = lookup.email;
  }

  const credentials = await deps.linkedAccounts.credentialsOf(invitation.tenantId, account.id);
  try {
    const outcome = await deps.bitbucket.invite(account.workspace, credentials!, email, invitation.groupSlug);
    await deps.invitations.finish(invitation.id, jobId, {
      status: outcome,
      reason: outcome === 'already-invited' ? 'Bitbucket answered that this address is already invited or a member.' : null,
      reasonCode: null,
      attempted: true,
      email,
    });
    await deps.linkedAccounts.recordInvitationSent(account.id);
  } catch (error) {
    if (error instanceof ThrottledError) {
      await deps.invitations.reschedule(invitation.id, jobId, { delayMs: error.waitMs, reason: null, attempted: false, email });
      return;
    }
    if (!(error instanceof TargetError)) throw error;
    await handleTargetFailure(deps, invitation, jobId, account, error, email);
  }
}

async function handleTargetFailure(
  deps: DeliveryDeps,
  invitation: DeliverableInvitation,
  jobId: string,
  account: LinkedAccount,
  error: TargetError,
  email: string,
): Promise<void> {
  const reason = explainTargetFailure(account.workspace, error).message;
  if (error.retryable) {
    const attempts = invitation.attempts + 1;
    if (attempts >= deps.maxAttempts) {
      await deps.invitations.finish(invitation.id, jobId, {
        status: 'failed',
        reason: `Gave up after ${attempts} attempts. ${reason}`,
        reasonCode: 'attempts-exhausted',
        attempted: true,
        email,
      });
      return;
    }
    const delayMs = error.retryAfterMs ?? backoffMs(attempts, deps.retryBaseMs);
    await deps.invitations.reschedule(invitation.id, jobId, { delayMs, reason, attempted: true, email });
    return;
  }
  if (error.kind === 'credentials-rejected' || error.kind === 'forbidden') {
    await deps.linkedAccounts.markStatus(account.id, 'credentials-invalid', reason, account.credentialsVersion);
    await deps.invitations.finish(invitation.id, jobId, { status: 'failed', reason, reasonCode: 'credentials-invalid', attempted: true, email });
    return;
  }
  if (error.kind === 'not-found') {
    await handleNotFound(deps, invitation, jobId, account, reason, email);
    return;
  }
  await deps.invitations.finish(invitation.id, jobId, { status: 'failed', reason, reasonCode: 'rejected', attempted: true, email });
}

/** A 404 means either the group is gone or the whole workspace refuses invitations; the group list tells which. */
async function handleNotFound(
  deps: DeliveryDeps,
  invitation: DeliverableInvitation,
  jobId: string,
  account: LinkedAccount,
  reason: string,
  email: string,
): Promise<void> {
  const credentials = await deps.linkedAccounts.credentialsOf(invitation.tenantId, account.id);
  const groupStillThere = await deps.bitbucket
    .listGroups(account.workspace, credentials!)
    .then((groups) => groups.some((g) => g.slug === invitation.groupSlug))
    .catch(() => null);
  if (groupStillThere === false) {
    await deps.invitations.finish(invitation.id, jobId, {
      status: 'failed',
      reason: `The group "${invitation.groupName}" no longer exists in "${account.workspace}". Choose the default groups again.`,
      reasonCode: 'group-missing',
      attempted: true,
      email,
    });
    return;
  }
  await deps.linkedAccounts.markStatus(account.id, 'invitations-refused', reason, account.credentialsVersion);
  await deps.invitations.finish(invitation.id, jobId, { status: 'failed', reason, reasonCode: 'invitations-refused', attempted: true, email });
}

async function finishFailed(deps: DeliveryDeps, invitation: DeliverableInvitation, jobId: string, account: LinkedAccount, attempted: boolean): Promise<void> {
  const code = account.status === 'credentials-invalid' ? 'credentials-invalid' : 'invitations-refused';
  await deps.invitations.finish(invitation.id, jobId, {
    status: 'failed',
    reason: account.statusReason ?? `The linked account "${account.workspace}" needs attention.`,
    reasonCode: code,
    attempted,
  });
}
