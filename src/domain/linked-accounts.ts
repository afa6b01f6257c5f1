import { DomainError, TargetError } from './errors.js';
import type { BitbucketCredentials, LinkedAccount, TargetGroup } from './model.js';
import type { BitbucketGateway } from './ports.js';
import type { AuditTrail, InvitationStore, LinkedAccountStore, ReasonCode } from './stores.js';
import { explainTargetFailure } from './target-failures.js';

/** The Jira administrator acting, on their own site. */
export type Actor = { tenantId: string; accountId: string };

export type LinkedAccountDeps = {
  linkedAccounts: LinkedAccountStore;
  invitations: Pick<InvitationStore, 'requeueFailed'>;
  audit: AuditTrail;
  bitbucket: BitbucketGateway;
};

export type GroupChoice = TargetGroup & { selected: boolean };

/** Failures that new credentials or a working workspace can cure: those invitations are sent again. */
const CURABLE: ReasonCode[] = ['credentials-invalid', 'invitations-refused'];

export async function linkAccount(
  deps: LinkedAccountDeps,
  actor: Actor,
  input: { workspace: string; credentials: BitbucketCredentials },
): Promise<LinkedAccount> {
  const workspace = input.workspace.trim().toLowerCase();
  const groups = await fetchGroups(deps.bitbucket, workspace, input.credentials);
  const created = await deps.linkedAccounts.create({
    tenantId: actor.tenantId,
    workspace,
    displayName: workspace,
    credentials: input.credentials,
    groups,
  });
  if (created === 'already-linked') throw new DomainError('conflict', `The workspace "${workspace}" is already linked.`);
  await deps.audit.record({
    tenantId: actor.tenantId,
    actorAccountId: actor.accountId,
    action: 'linked-account.linked',
    subject: workspace,
    before: null,
    after: { workspace, credentialType: input.credentials.type, groups: groups.length },
  });
  return created;
}

export async function unlinkAccount(deps: LinkedAccountDeps, actor: Actor, id: string): Promise<void> {
  const account = await requireAccount(deps, actor, id);
  // A concurrent unlink got there first: it answers 204 and writes the audit entry, this one 404.
  if (!(await deps.linkedAccounts.delete(actor.tenantId, id))) throw notFound();
  await deps.audit.record({
    tenantId: actor.tenantId,
    actorAccountId: actor.accountId,
    action: 'linked-account.unlinked',
    subject: account.workspace,
    before: { workspace: account.workspace, defaultGroups: slugs(account.defaultGroups) },
    after: null,
  });
}

export async function updateCredentials(
  deps: LinkedAccountDeps,
  actor: Actor,
  id: string,
  credentials: BitbucketCredentials,
): Promise<LinkedAccount> {
  const account = await requireAccount(deps, actor, id);
  const groups = await fetchGroups(deps.bitbucket, account.workspace, credentials);
  const updated = stillLinked(
    await deps.linkedAccounts.update(actor.tenantId, id, {
      credentials,
      groups,
      defaultGroups: renamed(account.defaultGroups, groups),
      status: 'active',
      statusReason: null,
    }),
  );
  await deps.audit.record({
    tenantId: actor.tenantId,
    actorAccountId: actor.accountId,
    action: 'linked-account.credentials-updated',
    subject: account.workspace,
    before: { credentialType: account.credentialType, status: account.status },
    after: { credentialType: credentials.type, status: 'active' },
  });
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

export async function refreshGroups(deps: LinkedAccountDeps, actor: Actor, id: string): Promise<LinkedAccount> {
  const account = await requireAccount(deps, actor, id);
  const credentials = stillLinked(await deps.linkedAccounts.credentialsOf(actor.tenantId, id));
  let groups: TargetGroup[];
  try {
    groups = await deps.bitbucket.listGroups(account.workspace, credentials);
  } catch (error) {
    if (error instanceof TargetError && (error.kind === 'credentials-rejected' || error.kind === 'forbidden')) {
      const reason = explainTargetFailure(account.workspace, error).message;
      await deps.linkedAccounts.markStatus(id, 'credentials-invalid', reason);
    }
    throw error instanceof TargetError ? explainTargetFailure(account.workspace, error) : error;
  }
  const updated = stillLinked(
    await deps.linkedAccounts.update(actor.tenantId, id, {
      groups,
      defaultGroups: renamed(account.defaultGroups, groups),
      // The workspace answered: whatever was wrong with it is over, and what it held back goes out.
      ...(account.status !== 'active' ? { status: 'active' as const, statusReason: null } : {}),
    }),
  );
  if (account.status !== 'active') await deps.invitations.requeueFailed(actor.tenantId, id, CURABLE);
  return updated;
}

/** Saves the default groups. An empty list is a valid choice: invite nobody. */
export async function setDefaultGroups(deps: LinkedAccountDeps, actor: Actor, id: string, groupSlugs: string[]): Promise<LinkedAccount> {
  const account = await requireAccount(deps, actor, id);
  const wanted = new Set(groupSlugs);
  const known = new Set(account.groups.map((g) => g.slug));
  const unknown = [...wanted].filter((slug) => !known.has(slug));
  if (unknown.length > 0) {
    throw new DomainError(
      'invalid',
      `The workspace "${account.workspace}" has no group ${unknown.map((s) => `"${s}"`).join(', ')}. Refresh the groups and try again.`,
    );
  }
  const defaultGroups = account.groups.filter((group) => wanted.has(group.slug));
  const updated = stillLinked(await deps.linkedAccounts.update(actor.tenantId, id, { defaultGroups }));
  await deps.audit.record({
    tenantId: actor.tenantId,
    actorAccountId: actor.accountId,
    action: 'linked-account.default-groups-changed',
    subject: account.workspace,
    before: slugs(account.defaultGroups),
    after: slugs(defaultGroups),
  });
  return updated;
}

async function requireAccount(deps: LinkedAccountDeps, actor: Actor, id: string): Promise<LinkedAccount> {
  return stillLinked(await deps.linkedAccounts.find(actor.tenantId, id));
}

const notFound = () => new DomainError('not-found', 'No linked account with this id.');

/** An unlink can land between reading an account and writing it back: then it is simply not found. */
function stillLinked<T>(value: T | null): T {
  if (value === null) throw notFound();
  return value;
}

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
