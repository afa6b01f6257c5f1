import { deliverInvitation, recoverStalledInvitations, type DeliveryDeps } from '../domain/delivery.js';
import type { TargetType } from '../domain/model.js';
import { planInvitations, type NewUserDeps } from '../domain/new-users.js';
import type { DeliverableInvitation, FinalOutcome, PlannedInvitation, RetryPlan } from '../domain/stores.js';
import type { Logger } from '../logger.js';
import type { AppMetrics } from '../observability/metrics.js';

/*
 * The domain decides; these runs only watch. Each job gets its own view of the stores, which
 * notes what the domain read and wrote (the invitation it claimed, how it finished it), so the job
 * can count and log the outcome afterwards without the domain knowing about metrics or logs. A
 * new target type needs nothing here: its linked accounts name their type.
 */

/** Plans one new user's invitations; counts those that end at once (skipped) and logs what was planned. */
export async function planObserved(deps: NewUserDeps, newUserId: string, log: Logger, metrics: AppMetrics): Promise<void> {
  const targetTypes = new Map<string, TargetType>();
  const seen: { planned: { tenantId: string; queued: number; skipped: PlannedInvitation[] } | null } = { planned: null };
  const watched: NewUserDeps = {
    ...deps,
    linkedAccounts: {
      withDefaultGroups: async (tenantId) => {
        const accounts = await deps.linkedAccounts.withDefaultGroups(tenantId);
        for (const account of accounts) targetTypes.set(account.id, account.targetType);
        return accounts;
      },
    },
    invitations: {
      createPlanned: async (newUser, email, plans) => {
        const queued = await deps.invitations.createPlanned(newUser, email, plans);
        seen.planned = { tenantId: newUser.tenantId, queued, skipped: plans.filter((plan) => plan.status === 'skipped') };
        return queued;
      },
    },
  };
  await planInvitations(watched, newUserId);
  const outcome = seen.planned;
  // Nothing planned: the user was planned before (a repeated job), or is gone with their site.
  if (!outcome) return;
  for (const plan of outcome.skipped) {
    const targetType = targetTypes.get(plan.linkedAccountId);
    if (targetType) metrics.invitationFinished(targetType, 'skipped', outcome.tenantId);
  }
  log.info({ tenantId: outcome.tenantId, queued: outcome.queued, skipped: outcome.skipped.length }, 'invitations planned');
}

/** What one delivery run did, as its stores saw it. */
type DeliveryRun = {
  claim: 'claimed' | 'leased-elsewhere' | 'not-owner' | null;
  invitation: DeliverableInvitation | null;
  targetType: TargetType | null;
  finished: FinalOutcome | null;
  rescheduled: RetryPlan | null;
};

/** Runs one delivery job; counts its attempt and, when the invitation ends, its final status and latency. */
export async function deliverObserved(deps: DeliveryDeps, invitationId: string, jobId: string, log: Logger, metrics: AppMetrics): Promise<void> {
  const run: DeliveryRun = { claim: null, invitation: null, targetType: null, finished: null, rescheduled: null };
  try {
    await deliverInvitation(watchDelivery(deps, run), invitationId, jobId);
  } finally {
    // Also when the run failed afterwards: what it wrote stays written.
    report(run, log, metrics);
  }
}

function watchDelivery(deps: DeliveryDeps, run: DeliveryRun): DeliveryDeps {
  const { invitations, linkedAccounts } = deps;
  return {
    ...deps,
    invitations: {
      claim: async (id, jobId, leaseMs) => {
        const claim = await invitations.claim(id, jobId, leaseMs);
        run.claim = claim.outcome;
        if (claim.outcome === 'claimed') run.invitation = claim.invitation;
        return claim;
      },
      finish: async (id, lease, outcome) => {
        const finished = await invitations.finish(id, lease, outcome);
        if (finished) run.finished = outcome;
        return finished;
      },
      reschedule: async (id, lease, change) => {
        const rescheduled = await invitations.reschedule(id, lease, change);
        if (rescheduled) run.rescheduled = change;
        return rescheduled;
      },
      extendLease: (...args) => invitations.extendLease(...args),
      deferUntilLeaseEnds: (...args) => invitations.deferUntilLeaseEnds(...args),
      release: (...args) => invitations.release(...args),
      recoverStalled: (...args) => invitations.recoverStalled(...args),
    },
    linkedAccounts: {
      find: async (tenantId, id) => {
        const account = await linkedAccounts.find(tenantId, id);
        run.targetType = account?.targetType ?? null;
        return account;
      },
      credentialsOf: (...args) => linkedAccounts.credentialsOf(...args),
      markStatus: (...args) => linkedAccounts.markStatus(...args),
      recordInvitationSent: (...args) => linkedAccounts.recordInvitationSent(...args),
    },
  };
}

function report(run: DeliveryRun, log: Logger, metrics: AppMetrics): void {
  const { invitation, targetType } = run;
  if (!invitation) {
    if (run.claim) log.debug({ claim: run.claim }, 'delivery run found nothing to do');
    return;
  }
  log.setBindings({ newUserId: invitation.newUserId, tenantId: invitation.tenantId });
  if (!targetType) return; // the linked account went with its site
  const site = invitation.tenantId;
  if (run.finished) {
    const { status, attempted, reasonCode } = run.finished;
    const accepted = status === 'sent' || status === 'already-invited';
    metrics.invitationFinished(targetType, status, site);
    if (attempted) metrics.deliveryAttempt(targetType, accepted ? status : 'failed', site);
    if (accepted) metrics.invitationAccepted((Date.now() - invitation.receivedAt.getTime()) / 1000);
    // The reason is left out: it may quote the target's answer, which may name the address.
    log.info({ targetType, status, reasonCode, attempted }, 'invitation finished');
  } else if (run.rescheduled) {
    const { attempted, delayMs } = run.rescheduled;
    if (attempted) metrics.deliveryAttempt(targetType, 'retry', site);
    log.info(
      { targetType, attempted, delayMs },
      attempted ? 'invitation rescheduled after a failed attempt' : 'invitation rescheduled by our rate limit',
    );
  }
}

/** The periodic sweep; counts the invitations it ends because their attempts ran out. */
export async function recoverObserved(deps: DeliveryDeps, metrics: AppMetrics): Promise<number> {
  const ended: DeliverableInvitation[] = [];
  const recovered = await recoverStalledInvitations({
    ...deps,
    invitations: {
      recoverStalled: (limit, decide) =>
        deps.invitations.recoverStalled(limit, (invitation) => {
          const decision = decide(invitation);
          if ('finish' in decision) ended.push(invitation);
          return decision;
        }),
    },
  });
  // Counted once the sweep committed: a rolled-back one ended nothing.
  for (const invitation of ended) {
    const account = await deps.linkedAccounts.find(invitation.tenantId, invitation.linkedAccountId);
    if (account) metrics.invitationFinished(account.targetType, 'failed', invitation.tenantId);
  }
  return recovered;
}
