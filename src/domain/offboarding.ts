import { DomainError } from './errors.js';
import type { Actor } from './linked-accounts.js';
import type { LinkedAccount } from './model.js';
import type {
  DepartedMember,
  OffboardingMode,
  OffboardingSetting,
  OffboardingStore,
  PlannedRemoval,
  UserCheck,
  UserCheckStore,
} from './offboarding-stores.js';
import type { AuditEntry, LinkedAccountStore } from './stores.js';

export type OffboardingDeps = {
  offboarding: OffboardingStore;
  userChecks: Pick<UserCheckStore, 'start' | 'latest'>;
  linkedAccounts: Pick<LinkedAccountStore, 'find'>;
  /** More removals than this for one linked account within an hour (one check run counts as one) wait for the admin. */
  defaultThreshold: number;
};

export type OffboardingView = {
  mode: OffboardingMode;
  /** The account's own threshold; null: the server's default. */
  threshold: number | null;
  effectiveThreshold: number;
  /** Who would be removed now: people Jira deleted or deactivated who still have memberships the app added. */
  preview: DepartedMember[];
  /** Removals waiting for the admin's confirmation. */
  held: number;
  version: number;
};

const notFound = () => new DomainError('not-found', 'No linked account with this id.');

async function activeAccount(deps: OffboardingDeps, actor: Actor, id: string): Promise<LinkedAccount> {
  const account = await deps.linkedAccounts.find(actor.tenantId, id);
  if (!account || account.status === 'unlinked') throw notFound();
  return account;
}

export async function offboardingView(deps: OffboardingDeps, actor: Actor, id: string): Promise<OffboardingView> {
  const account = await activeAccount(deps, actor, id);
  const [setting, preview, held] = await Promise.all([
    deps.offboarding.setting(actor.tenantId, id),
    deps.offboarding.departedMembers(actor.tenantId, id),
    deps.offboarding.heldCount(actor.tenantId, id),
  ]);
  if (!setting) throw notFound();
  return {
    mode: setting.mode,
    threshold: setting.threshold,
    effectiveThreshold: setting.threshold ?? deps.defaultThreshold,
    preview,
    held,
    version: account.version,
  };
}

const removalCount = (members: DepartedMember[]) => members.reduce((sum, member) => sum + member.groups.length, 0);

/**
 * Changes the setting. Turning removal on takes out, at once, the people the preview shows (Jira
 * deleted or deactivated them while the setting was off): the admin confirms their exact number,
 * so nothing is removed that the admin did not see.
 */
export async function changeOffboarding(
  deps: OffboardingDeps,
  actor: Actor,
  id: string,
  change: { mode: OffboardingMode; threshold?: number | null | undefined; confirmRemovals?: number | undefined },
): Promise<OffboardingView> {
  const account = await activeAccount(deps, actor, id);
  const before = await deps.offboarding.setting(actor.tenantId, id);
  if (!before) throw notFound();
  const after: OffboardingSetting = { mode: change.mode, threshold: change.threshold === undefined ? before.threshold : change.threshold };
  const subject = `linked-account:${id}`;
  const audit: AuditEntry[] = [];
  let plans: PlannedRemoval[] = [];
  if (before.mode === 'keep' && after.mode === 'remove') {
    const preview = await deps.offboarding.departedMembers(actor.tenantId, id);
    const count = removalCount(preview);
    if (count > 0 && change.confirmRemovals !== count) {
      throw new DomainError(
        'conflict',
        `Turning this on removes ${count} ${count === 1 ? 'membership' : 'memberships'} of people Jira deleted or deactivated. Look at the preview and confirm that number (confirmRemovals: ${count}).`,
        'confirm-removals',
      );
    }
    plans = preview.flatMap((member) =>
      member.groups.map((group) => ({
        departureId: member.departureId,
        invitationId: group.invitationId,
        status: 'queued' as const,
        confirmed: true,
      })),
    );
    if (count > 0) {
      audit.push({
        tenantId: actor.tenantId,
        actorAccountId: actor.accountId,
        action: 'offboarding.removals-confirmed',
        subject,
        before: null,
        after: { count, accountIds: preview.map((member) => member.accountId) },
      });
    }
  }
  audit.unshift({ tenantId: actor.tenantId, actorAccountId: actor.accountId, action: 'offboarding.changed', subject, before, after });
  const saved = await deps.offboarding.saveSetting(actor.tenantId, id, account.version, after, plans, audit);
  if (saved === 'not-found') throw notFound();
  if (saved === 'conflict') throw new DomainError('conflict', 'This linked account was changed by someone else meanwhile. Reload and try again.');
  return offboardingView(deps, actor, id);
}

/** The admin's confirmation of held removals: the exact number they saw, so none is released unseen. */
export async function confirmHeldRemovals(deps: OffboardingDeps, actor: Actor, id: string, count: number): Promise<number> {
  await activeAccount(deps, actor, id);
  const released = await deps.offboarding.releaseHeld(actor.tenantId, id, count, {
    tenantId: actor.tenantId,
    actorAccountId: actor.accountId,
    action: 'offboarding.held-removals-confirmed',
    subject: `linked-account:${id}`,
    before: { held: count },
    after: { held: 0, released: count },
  });
  if (released === 'count-changed') {
    const now = await deps.offboarding.heldCount(actor.tenantId, id);
    throw new DomainError(
      'conflict',
      `${now} ${now === 1 ? 'removal is' : 'removals are'} waiting now, not ${count}. Look at them again, then confirm that number.`,
    );
  }
  return released;
}

/** The admin's refusal of held removals (a Jira outage made people look gone): they end as cancelled. */
export async function discardHeldRemovals(deps: OffboardingDeps, actor: Actor, id: string): Promise<number> {
  await activeAccount(deps, actor, id);
  const held = await deps.offboarding.heldCount(actor.tenantId, id);
  return deps.offboarding.discardHeld(actor.tenantId, id, 'An administrator chose not to make these removals.', {
    tenantId: actor.tenantId,
    actorAccountId: actor.accountId,
    action: 'offboarding.held-removals-discarded',
    subject: `linked-account:${id}`,
    before: { held },
    after: { held: 0 },
  });
}

export function startUserCheck(deps: OffboardingDeps, actor: Actor): Promise<UserCheck> {
  return deps.userChecks.start(actor.tenantId, 'admin', actor.accountId);
}

export function latestUserCheck(deps: OffboardingDeps, actor: Actor): Promise<UserCheck | null> {
  return deps.userChecks.latest(actor.tenantId);
}

/**
 * Plans the removals of some departures, one linked account at a time: only memberships the app
 * added, only through accounts set to 'remove'. When an account's removals of this batch, with
 * those made for it in the last hour, exceed its threshold, they are all held for the admin.
 */
export async function planRemovals(
  deps: { offboarding: Pick<OffboardingStore, 'removalCandidates' | 'recentRemovals' | 'createRemovals'>; defaultThreshold: number },
  departureIds: string[],
): Promise<number> {
  if (departureIds.length === 0) return 0;
  const candidates = await deps.offboarding.removalCandidates(departureIds);
  const byAccount = new Map<string, typeof candidates>();
  for (const candidate of candidates) byAccount.set(candidate.linkedAccountId, [...(byAccount.get(candidate.linkedAccountId) ?? []), candidate]);
  const plans: PlannedRemoval[] = [];
  const audit: AuditEntry[] = [];
  for (const [linkedAccountId, list] of byAccount) {
    const threshold = list[0]!.threshold ?? deps.defaultThreshold;
    const recent = await deps.offboarding.recentRemovals(linkedAccountId);
    const held = recent + list.length > threshold;
    for (const candidate of list)
      plans.push({
        departureId: candidate.departureId,
        invitationId: candidate.membership.invitationId,
        status: held ? 'held' : 'queued',
        confirmed: false,
      });
    if (held) {
      audit.push({
        tenantId: list[0]!.tenantId,
        actorAccountId: null,
        action: 'offboarding.removals-held',
        subject: `linked-account:${linkedAccountId}`,
        before: null,
        after: { held: list.length, recentRemovals: recent, threshold },
      });
    }
  }
  return deps.offboarding.createRemovals(departureIds, plans, audit);
}
