import { DomainError, TargetError } from './errors.js';
import type { BitbucketCredentials, LinkedAccount, LinkedAccountStatus, TargetGroup } from './model.js';
import type { BitbucketGateway } from './ports.js';
import type { AuditEntry, InvitationStore, LinkedAccountChanges, LinkedAccountStore, ReasonCode } from './stores.js';
import { explainTargetFailure } from './target-failures.js';

/** The Jira administrator acting, on their own site. */
export type Actor = { tenantId: string; accountId: string };

export type LinkedAccountDeps = {
  linkedAccounts: LinkedAccountStore;
  invitations: Pick<InvitationStore, 'requeueFailed'>;
  bitbucket: BitbucketGateway;
};

export type GroupChoice = TargetGroup & { selected: boolean };

/** Why an invitation of an unlinked account was never sent. */
export const UNLINKED_REASON = 'The workspace was unlinked before this invitation was sent.';

/** Failures that new credentials or a working workspace can cure: those invitations are sent again. */
const CURABLE: ReasonCode[] = ['credentials-invalid', 'invitations-refused'];

/**
 * How often a change is tried again when another change to the same account landed between
 * reading it and writing it back. Each try re-reads and re-applies the change, so nothing is lost.
 */
const WRITE_ATTEMPTS = 5;

export async function linkAccount(
  deps: LinkedAccountDeps,
  actor: Actor,
  input: { workspace: string; credentials: BitbucketCredentials },
): Promise<LinkedAccount> {
  const workspace = input.workspace.trim().toLowerCase();
  const groups = await fetchGroups(deps.bitbucket, workspace, input.credentials);
  const created = await deps.linkedAccounts.create(
    { tenantId: actor.tenantId, workspace, displayName: workspace, credentials: input.credentials, groups },
    {
      tenantId: actor.tenantId,
      actorAccountId: actor.accountId,
      action: 'linked-account.linked',
      subject: workspace,
      before: null,
      after: { workspace, credentialType: input.credentials.type, groups: groups.length },
    },
  );
  if (created === 'already-linked') throw new DomainError('conflict', `The workspace "${workspace}" is already linked.`);
  return created;
}

/**
 * Ends the link but keeps its record, so the invitation history keeps naming it: the credentials
 * are destroyed, nothing new is planned, and invitations still queued are skipped.
 */
export async function unlinkAccount(deps: LinkedAccountDeps, actor: Actor, id: string): Promise<void> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
    const account = await requireAccount(deps, actor, id);
    const outcome = await deps.linkedAccounts.unlink(actor.tenantId, id, account.version, {
      skipQueued: { reason: UNLINKED_REASON, reasonCode: 'unlinked' },
      audit: {
        ...entry(actor, 'linked-account.unlinked', account),
        before: { workspace: account.workspace, defaultGroups: slugs(account.defaultGroups) },
        after: null,
      },
    });
    if (outcome === 'not-found') throw notFound();
    if (outcome === 'unlinked') return;
  }
  throw keptChanging();
}

export async function updateCredentials(
  deps: LinkedAccountDeps,
  actor: Actor,
  id: string,
  credentials: BitbucketCredentials,
): Promise<LinkedAccount> {
  const { workspace } = await requireAccount(deps, actor, id);
  const groups = await fetchGroups(deps.bitbucket, workspace, credentials);
  const updated = await changeAccount(deps, actor, id, (account) => ({
    changes: { credentials, groups, defaultGroups: renamed(account.defaultGroups, groups), status: 'active', statusReason: null },
    audit: {
      ...entry(actor, 'linked-account.credentials-updated', account),
      before: { credentialType: account.credentialType, status: account.status },
      after: { credentialType: credentials.type, status: 'active' },
    },
  }));
  await deps.invitations.requeueFailed(actor.tenantId, id, CURABLE);
  return updated;
}

/** The workspace's groups, each marked with whether new users are invited to it. */
export async function groupChoices(
  deps: LinkedAccountDeps,
  actor: Actor,
  id: string,
  options: { refresh: boolean },
): Promise<{ groups: GroupChoice[]; refreshedAt: Date | null }> {
  const account = options.refresh ? await refreshGroups(deps, actor, id) : await requireAccount(deps, actor, id);
  const selected = new Set(slugs(account.defaultGroups));
  return {
    groups: account.groups.map((group) => ({ ...group, selected: selected.has(group.slug) })),
    refreshedAt: account.groupsRefreshedAt,
  };
}

/**
 * Reads the groups from Bitbucket again. What Bitbucket answers is about the credentials used
 * for the call: if new credentials were saved meanwhile, their own update already read the groups.
 */
export async function refreshGroups(deps: LinkedAccountDeps, actor: Actor, id: string): Promise<LinkedAccount> {
  const found = await deps.linkedAccounts.findWithCredentials(actor.tenantId, id);
  if (!found) throw notFound();
  const used = found.account.credentialsVersion;
  let groups: TargetGroup[];
  try {
    groups = await deps.bitbucket.listGroups(found.account.workspace, found.credentials);
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    const explained = explainTargetFailure(found.account.workspace, error);
    if (error.kind === 'credentials-rejected' || error.kind === 'forbidden') {
      await changeAccount(deps, actor, id, (account) =>
        account.credentialsVersion !== used || (account.status === 'credentials-invalid' && account.statusReason === explained.message)
          ? null
          : {
              changes: { status: 'credentials-invalid', statusReason: explained.message },
              audit: statusChange(account, actor.accountId, 'credentials-invalid', explained.message),
            },
      );
    }
    throw explained;
  }
  let reactivated = false;
  const updated = await changeAccount(deps, actor, id, (account) => {
    reactivated = false;
    if (account.credentialsVersion !== used) return null;
    reactivated = account.status !== 'active';
    const known = new Set(slugs(account.groups));
    const now = new Set(slugs(groups));
    const added = slugs(groups).filter((slug) => !known.has(slug));
    const removed = slugs(account.groups).filter((slug) => !now.has(slug));
    const changes: LinkedAccountChanges = {
      groups,
      defaultGroups: renamed(account.defaultGroups, groups),
      // The workspace answered: whatever was wrong with it is over, and what it held back goes out.
      ...(reactivated ? { status: 'active' as const, statusReason: null } : {}),
    };
    if (!reactivated && added.length === 0 && removed.length === 0) return { changes, audit: null };
    return {
      changes,
      audit: {
        ...entry(actor, 'linked-account.groups-refreshed', account),
        before: { status: account.status, statusReason: account.statusReason },
        after: { status: reactivated ? 'active' : account.status, groupsAdded: added, groupsRemoved: removed },
      },
    };
  });
  if (reactivated) await deps.invitations.requeueFailed(actor.tenantId, id, CURABLE);
  return updated;
}

/** Saves the default groups. An empty list is a valid choice: invite nobody. */
export async function setDefaultGroups(deps: LinkedAccountDeps, actor: Actor, id: string, groupSlugs: string[]): Promise<LinkedAccount> {
  const wanted = new Set(groupSlugs);
  return changeAccount(deps, actor, id, (account) => {
    const known = new Set(slugs(account.groups));
    const unknown = [...wanted].filter((slug) => !known.has(slug));
    if (unknown.length > 0) {
      throw new DomainError(
        'invalid',
        `The workspace "${account.workspace}" has no group ${unknown.map((s) => `"${s}"`).join(', ')}. Refresh the groups and try again.`,
      );
    }
    const defaultGroups = account.groups.filter((group) => wanted.has(group.slug));
    return {
      changes: { defaultGroups },
      audit: {
        ...entry(actor, 'linked-account.default-groups-changed', account),
        before: slugs(account.defaultGroups),
        after: slugs(defaultGroups),
      },
    };
  });
}

/** The audit entry of a status change; `actorAccountId` is null when the app itself noticed it. */
export function statusChange(
  account: Pick<LinkedAccount, 'tenantId' | 'workspace' | 'status'>,
  actorAccountId: string | null,
  status: LinkedAccountStatus,
  reason: string | null,
): AuditEntry {
  return {
    tenantId: account.tenantId,
    actorAccountId,
    action: 'linked-account.status-changed',
    subject: account.workspace,
    before: { status: account.status },
    after: { status, statusReason: reason },
  };
}

/**
 * Read, decide, write only if nothing changed in between; otherwise read again and decide
 * again. `decide` answers null when, on what it now reads, there is nothing to write.
 */
async function changeAccount(
  deps: LinkedAccountDeps,
  actor: Actor,
  id: string,
  decide: (account: LinkedAccount) => { changes: LinkedAccountChanges; audit: AuditEntry | null } | null,
): Promise<LinkedAccount> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
    const account = await requireAccount(deps, actor, id);
    const change = decide(account);
    if (!change) return account;
    const outcome = await deps.linkedAccounts.update(actor.tenantId, id, account.version, change.changes, change.audit);
    if (outcome === 'not-found') throw notFound();
    if (outcome !== 'conflict') return outcome;
  }
  throw keptChanging();
}

async function requireAccount(deps: LinkedAccountDeps, actor: Actor, id: string): Promise<LinkedAccount> {
  const account = await deps.linkedAccounts.find(actor.tenantId, id);
  // An unlinked account is history, not something to change.
  if (!account || account.status === 'unlinked') throw notFound();
  return account;
}

const notFound = () => new DomainError('not-found', 'No linked account with this id.');

const keptChanging = () =>
  new DomainError('conflict', 'This linked account kept changing while your change was being saved. Reload the page and try again.');

const entry = (actor: Actor, action: string, account: LinkedAccount) => ({
  tenantId: actor.tenantId,
  actorAccountId: actor.accountId,
  action,
  subject: account.workspace,
});

async function fetchGroups(bitbucket: BitbucketGateway, workspace: string, credentials: BitbucketCredentials): Promise<TargetGroup[]> {
  try {
    return await bitbucket.listGroups(workspace, credentials);
  } catch (error) {
    throw error instanceof TargetError ? explainTargetFailure(workspace, error) : error;
  }
}

/** Keeps the selection, with names as Bitbucket now spells them. */
function renamed(selection: TargetGroup[], groups: TargetGroup[]): TargetGroup[] {
  const names = new Map(groups.map((g) => [g.slug, g.name]));
  return selection.map((g) => ({ slug: g.slug, name: names.get(g.slug) ?? g.name }));
}

const slugs = (groups: TargetGroup[]): string[] => groups.map((g) => g.slug);
