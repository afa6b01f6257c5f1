import { DomainError, TargetError } from './errors.js';
import type { InvitationMode, LinkedAccount, LinkedAccountStatus, OrganizationCredentials, TargetCredentials, TargetGroup } from './model.js';
import type {
  CheckedLink,
  DiscoveredOrganization,
  ExplainedFailure,
  GroupPage,
  GroupQuery,
  InvitationTarget,
  InvitationTargets,
  LinkRequest,
  ListedGroup,
  OrganizationDiscovery,
  TargetRef,
} from './ports.js';
import type { AuditEntry, InvitationStore, LinkedAccountChanges, LinkedAccountStore, ReasonCode } from './stores.js';

/** The Jira administrator acting, on their own site. */
export type Actor = { tenantId: string; accountId: string };

export type LinkedAccountDeps = {
  linkedAccounts: LinkedAccountStore;
  invitations: Pick<InvitationStore, 'requeueFailed'>;
  targets: InvitationTargets;
};

export type GroupChoice = ListedGroup & { selected: boolean };

/** One look at a linked account's groups: all of a workspace's, or one page of an organization's search. */
export type GroupChoices = { groups: GroupChoice[]; nextCursor: string | null; refreshedAt: Date | null };

/** The organization groups named like a workspace's default groups, for the admin to confirm. */
export type OrganizationSuggestion = {
  groups: (GroupChoice & { workspaceGroup: TargetGroup })[];
  /** Default groups of the workspace with no organization group of that name. */
  unmatched: TargetGroup[];
};

/** Why an invitation of an unlinked account was never sent. */
export function unlinkedReason(noun: string): string {
  return `The ${noun} was unlinked before this invitation was sent.`;
}

/** Failures that new credentials or a working target can cure: those invitations are sent again. */
const CURABLE: ReasonCode[] = ['credentials-invalid', 'invitations-refused'];

/**
 * How often a change is tried again when another change to the same account landed between
 * reading it and writing it back. Each try re-reads and re-applies the change, so nothing is lost.
 */
const WRITE_ATTEMPTS = 5;

/**
 * The most groups an account with live listing remembers from the searches it answered: enough for
 * every group an admin looks at before saving, without keeping an organization's thousands.
 */
const REMEMBERED_GROUPS = 1000;

/** How many searches checking chosen groups run at once. */
const CHECKS_AT_ONCE = 4;

export async function linkAccount(deps: LinkedAccountDeps, actor: Actor, input: LinkRequest): Promise<LinkedAccount> {
  const request = normalized(input);
  const target = deps.targets.of(request.targetType);
  let checked: CheckedLink;
  try {
    checked = await target.checkLink(request);
  } catch (error) {
    throw error instanceof TargetError ? rejection(target.explainFailure(requested(request), error), error) : error;
  }
  const { target: ref, groups } = checked;
  const created = await deps.linkedAccounts.create(
    { tenantId: actor.tenantId, ...ref, credentials: request.credentials, groups },
    {
      tenantId: actor.tenantId,
      actorAccountId: actor.accountId,
      action: 'linked-account.linked',
      subject: ref.displayName,
      before: null,
      after: {
        ...targetFields(ref),
        credentialType: request.credentials.type,
        ...(target.groupListing === 'stored' ? { groups: groups.length } : {}),
      },
    },
  );
  if (created === 'already-linked') throw new DomainError('conflict', `The ${target.noun} "${ref.displayName}" is already linked.`);
  return created;
}

/** The organizations and directories an organization API key can reach. Nothing is stored. */
export async function discoverOrganizations(
  deps: { organizations: OrganizationDiscovery },
  credentials: OrganizationCredentials,
): Promise<DiscoveredOrganization[]> {
  try {
    return await deps.organizations.discover(credentials);
  } catch (error) {
    throw error instanceof TargetError ? rejection(deps.organizations.explainDiscoveryFailure(error), error) : error;
  }
}

/**
 * Ends the link but keeps its record, so the invitation history keeps naming it: the credentials
 * are destroyed, nothing new is planned, and invitations still queued are skipped.
 */
export async function unlinkAccount(deps: LinkedAccountDeps, actor: Actor, id: string): Promise<void> {
  for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
    const account = await requireAccount(deps, actor, id);
    const outcome = await deps.linkedAccounts.unlink(actor.tenantId, id, account.version, {
      skipQueued: { reason: unlinkedReason(deps.targets.of(account.targetType).noun), reasonCode: 'unlinked' },
      audit: {
        ...entry(actor, 'linked-account.unlinked', account),
        before: { ...targetFields(account), defaultGroups: slugs(account.defaultGroups) },
        after: null,
      },
    });
    if (outcome === 'not-found') throw notFound();
    if (outcome === 'unlinked') return;
  }
  throw keptChanging();
}

export async function updateCredentials(deps: LinkedAccountDeps, actor: Actor, id: string, credentials: TargetCredentials): Promise<LinkedAccount> {
  const current = await requireAccount(deps, actor, id);
  const target = deps.targets.of(current.targetType);
  if (!target.credentialTypes.includes(credentials.type)) {
    throw new DomainError(
      'invalid',
      `The ${target.noun} "${current.displayName}" takes credentials of type ${target.credentialTypes.map((t) => `"${t}"`).join(' or ')}, not "${credentials.type}".`,
    );
  }
  // What the target answers to the new credentials is what decides: read before anything is written.
  const stored = target.groupListing === 'stored';
  const page = await askTarget(target, current, () => target.listGroups(current, credentials, {}));
  const groups = stored ? plain(page.groups) : null;
  const updated = await changeAccount(deps, actor, id, (account) => ({
    changes: {
      credentials,
      ...(groups ? { groups, defaultGroups: renamed(account.defaultGroups, groups) } : {}),
      status: 'active',
      statusReason: null,
    },
    audit: {
      ...entry(actor, 'linked-account.credentials-updated', account),
      before: { credentialType: account.credentialType, status: account.status },
      after: { credentialType: credentials.type, status: 'active' },
    },
  }));
  await deps.invitations.requeueFailed(actor.tenantId, id, CURABLE);
  return updated;
}

/**
 * The account's groups, each marked with whether new users are invited to it: a workspace's kept
 * list (read again with `refresh`), filtered by name; an organization's, one page of a live search.
 */
export async function groupChoices(
  deps: LinkedAccountDeps,
  actor: Actor,
  id: string,
  options: { refresh: boolean } & GroupQuery,
): Promise<GroupChoices> {
  const account = await requireAccount(deps, actor, id);
  const target = deps.targets.of(account.targetType);
  if (target.groupListing === 'live') {
    const page = await searchLive(deps, actor, account, target, { search: options.search, cursor: options.cursor });
    const selected = new Set(slugs(account.defaultGroups));
    return {
      groups: page.groups.map((group) => ({ ...group, selected: selected.has(group.slug) })),
      nextCursor: page.nextCursor,
      refreshedAt: new Date(),
    };
  }
  const current = options.refresh ? await refreshGroups(deps, actor, id) : account;
  const selected = new Set(slugs(current.defaultGroups));
  const search = options.search?.trim().toLowerCase();
  return {
    groups: current.groups
      .filter((group) => !search || group.name.toLowerCase().includes(search))
      .map((group) => ({ ...group, selected: selected.has(group.slug) })),
    nextCursor: null,
    refreshedAt: current.groupsRefreshedAt,
  };
}

/**
 * Asks the target again. A workspace's groups are read and kept; for every kind, an account the
 * target answers is active again, and what it held back goes out. What the target answers is about
 * the credentials used for the call: if new ones were saved meanwhile, their own update spoke.
 */
export async function refreshGroups(deps: LinkedAccountDeps, actor: Actor, id: string): Promise<LinkedAccount> {
  const found = await deps.linkedAccounts.findWithCredentials(actor.tenantId, id);
  if (!found) throw notFound();
  const target = deps.targets.of(found.account.targetType);
  const used = found.account.credentialsVersion;
  const page = await askTarget(
    target,
    found.account,
    () => target.listGroups(found.account, found.credentials, {}),
    (explained) => noteRefusal(deps, actor, id, used, explained),
  );
  const groups = target.groupListing === 'stored' ? plain(page.groups) : null;
  let reactivated = false;
  const updated = await changeAccount(deps, actor, id, (account) => {
    reactivated = false;
    if (account.credentialsVersion !== used) return null;
    reactivated = account.status !== 'active';
    // The target answered: whatever was wrong with the account is over.
    const status = reactivated ? { status: 'active' as const, statusReason: null } : {};
    const before = { status: account.status, statusReason: account.statusReason };
    if (!groups) {
      if (!reactivated) return null;
      return { changes: status, audit: { ...entry(actor, 'linked-account.groups-refreshed', account), before, after: { status: 'active' } } };
    }
    const known = new Set(slugs(account.groups));
    const now = new Set(slugs(groups));
    const added = slugs(groups).filter((slug) => !known.has(slug));
    const removed = slugs(account.groups).filter((slug) => !now.has(slug));
    const changes: LinkedAccountChanges = { groups, defaultGroups: renamed(account.defaultGroups, groups), ...status };
    if (!reactivated && added.length === 0 && removed.length === 0) return { changes, audit: null };
    return {
      changes,
      audit: {
        ...entry(actor, 'linked-account.groups-refreshed', account),
        before,
        after: { status: reactivated ? 'active' : account.status, groupsAdded: added, groupsRemoved: removed },
      },
    };
  });
  if (reactivated) await deps.invitations.requeueFailed(actor.tenantId, id, CURABLE);
  return updated;
}

/**
 * Saves the default groups, and the mode when one is given. An empty list is a valid choice:
 * invite nobody. A workspace's groups
 * are checked against its kept list; an organization's newly chosen ones are looked up again by
 * the name they were shown with, so a group that vanished or cannot take members is refused now
 * rather than failing every new user later.
 */
export async function setDefaultGroups(
  deps: LinkedAccountDeps,
  actor: Actor,
  id: string,
  groupSlugs: string[],
  mode?: InvitationMode,
): Promise<LinkedAccount> {
  const wanted = new Set(groupSlugs);
  const first = await requireAccount(deps, actor, id);
  const target = deps.targets.of(first.targetType);
  const checked = target.groupListing === 'live' ? await checkLiveChoice(deps, actor, first, target, wanted) : null;
  return changeAccount(deps, actor, id, (account) => {
    const defaultGroups = checked ?? chooseKnown(account, target, wanted);
    const groupsAudit = {
      ...entry(actor, 'linked-account.default-groups-changed', account),
      before: slugs(account.defaultGroups),
      after: slugs(defaultGroups),
    };
    if (!mode || mode === account.mode) return { changes: { defaultGroups }, audit: groupsAudit };
    return {
      changes: { defaultGroups, mode },
      audit: [groupsAudit, { ...entry(actor, 'linked-account.mode-changed', account), before: { mode: account.mode }, after: { mode } }],
    };
  });
}

/**
 * For a workspace that stopped taking invitations (moved to Atlassian Administration, which keeps
 * group names): the groups of a linked organization named like its default groups, case aside.
 */
export async function suggestOrganizationGroups(
  deps: LinkedAccountDeps,
  actor: Actor,
  id: string,
  organizationAccountId: string,
): Promise<OrganizationSuggestion> {
  const source = await requireAccount(deps, actor, id);
  const organization = await requireAccount(deps, actor, organizationAccountId);
  const target = deps.targets.of(organization.targetType);
  if (target.groupListing !== 'live' || organization.id === source.id) {
    throw new DomainError('invalid', `"${organization.displayName}" is not a linked organization: suggestions come from one.`);
  }
  const selected = new Set(slugs(organization.defaultGroups));
  const groups: OrganizationSuggestion['groups'] = [];
  const unmatched: TargetGroup[] = [];
  const seen: ListedGroup[] = [];
  for (const wanted of source.defaultGroups) {
    const match = await findByName(deps, actor, organization, target, [wanted.name, wanted.slug], seen);
    if (match) groups.push({ ...match, selected: selected.has(match.slug), workspaceGroup: wanted });
    else unmatched.push(wanted);
  }
  await remember(deps, actor, organization.id, seen);
  return { groups, unmatched };
}

/** The audit entry of a status change; `actorAccountId` is null when the app itself noticed it. */
export function statusChange(
  account: Pick<LinkedAccount, 'tenantId' | 'displayName' | 'status'> & { id?: string },
  actorAccountId: string | null,
  status: LinkedAccountStatus,
  reason: string | null,
): AuditEntry {
  return {
    tenantId: account.tenantId,
    actorAccountId,
    linkedAccountId: account.id ?? null,
    action: 'linked-account.status-changed',
    subject: account.displayName,
    before: { status: account.status },
    after: { status, statusReason: reason },
  };
}

/** The first organization group named like one of `names` (case aside), searching for each in turn. */
async function findByName(
  deps: LinkedAccountDeps,
  actor: Actor,
  account: LinkedAccount,
  target: InvitationTarget,
  names: string[],
  seen: ListedGroup[],
): Promise<ListedGroup | null> {
  const tried = new Set<string>();
  for (const name of names) {
    const key = name.trim().toLowerCase();
    if (key === '' || tried.has(key)) continue;
    tried.add(key);
    const page = await searchLive(deps, actor, account, target, { search: name }, { remember: false });
    seen.push(...page.groups);
    const match = page.groups.find((group) => group.name.trim().toLowerCase() === key);
    if (match) return match;
  }
  return null;
}

/** One page of a live search with the account's credentials; the groups it shows are remembered for the save that follows. */
async function searchLive(
  deps: LinkedAccountDeps,
  actor: Actor,
  account: LinkedAccount,
  target: InvitationTarget,
  query: GroupQuery,
  options: { remember: boolean } = { remember: true },
): Promise<GroupPage> {
  const found = await deps.linkedAccounts.findWithCredentials(actor.tenantId, account.id);
  if (!found) throw notFound();
  const used = found.account.credentialsVersion;
  const page = await askTarget(
    target,
    found.account,
    () => target.listGroups(found.account, found.credentials, query),
    (explained) => noteRefusal(deps, actor, account.id, used, explained),
  );
  if (options.remember) await remember(deps, actor, account.id, page.groups);
  return page;
}

/** Keeps the groups a search showed, newest first, so a save can name them; writes only when something is new. */
async function remember(deps: LinkedAccountDeps, actor: Actor, id: string, shown: ListedGroup[]): Promise<void> {
  if (shown.length === 0) return;
  await changeAccount(deps, actor, id, (account) => {
    const known = new Map(account.groups.map((group) => [group.slug, group.name]));
    if (shown.every((group) => known.get(group.slug) === group.name)) return null;
    const fresh = plain(shown);
    const freshSlugs = new Set(slugs(fresh));
    const groups = [...fresh, ...account.groups.filter((group) => !freshSlugs.has(group.slug))].slice(0, REMEMBERED_GROUPS);
    return { changes: { groups }, audit: null };
  });
}

/** The chosen groups of an account with live listing, each new one looked up again; those already chosen stay as they are. */
async function checkLiveChoice(
  deps: LinkedAccountDeps,
  actor: Actor,
  account: LinkedAccount,
  target: InvitationTarget,
  wanted: Set<string>,
): Promise<TargetGroup[]> {
  const kept = account.defaultGroups.filter((group) => wanted.has(group.slug));
  const keptSlugs = new Set(slugs(kept));
  const remembered = new Map(account.groups.map((group) => [group.slug, group]));
  const fresh = [...wanted].filter((slug) => !keptSlugs.has(slug));
  const unknown = fresh.filter((slug) => !remembered.has(slug));
  if (unknown.length > 0) {
    throw new DomainError(
      'invalid',
      `The ${target.noun} "${account.displayName}" has no group ${quoted(unknown)} among those shown here. Search for the group again and tick it.`,
    );
  }
  const chosen: TargetGroup[] = [...kept];
  for (let start = 0; start < fresh.length; start += CHECKS_AT_ONCE) {
    const checks = fresh.slice(start, start + CHECKS_AT_ONCE).map(async (slug) => {
      const shownAs = remembered.get(slug)!;
      const page = await searchLive(deps, actor, account, target, { search: shownAs.name }, { remember: false });
      const group = page.groups.find((g) => g.slug === slug);
      if (!group) {
        throw new DomainError(
          'invalid',
          `The group "${shownAs.name}" was not found in "${account.displayName}" under that name: it was removed or renamed. Search the groups again and tick it.`,
        );
      }
      if (group.unavailableReason) throw new DomainError('invalid', unavailable(group.name, group.unavailableReason));
      return { slug, name: group.name };
    });
    chosen.push(...(await Promise.all(checks)));
  }
  return chosen.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.slug.localeCompare(b.slug, 'en'));
}

function unavailable(name: string, reason: NonNullable<ListedGroup['unavailableReason']>): string {
  switch (reason) {
    case 'synced-group':
      return `The group "${name}" is synced from your identity provider, so only the identity provider can change its members. Choose a group that is not synced.`;
    case 'admin-group':
      return `The group "${name}" grants organization admin rights, which Atlassian does not let apps give through group membership. Choose another group.`;
  }
}

/** The chosen groups of an account whose whole list is kept, in that list's order. */
function chooseKnown(account: LinkedAccount, target: InvitationTarget, wanted: Set<string>): TargetGroup[] {
  const known = new Set(slugs(account.groups));
  const unknown = [...wanted].filter((slug) => !known.has(slug));
  if (unknown.length > 0) {
    throw new DomainError(
      'invalid',
      `The ${target.noun} "${account.displayName}" has no group ${quoted(unknown)}. Refresh the groups and try again.`,
    );
  }
  return account.groups.filter((group) => wanted.has(group.slug));
}

/** Calls the target; a TargetError becomes the admin's sentence, after `onRefusal` has noted what it says about the account. */
async function askTarget<T>(
  target: InvitationTarget,
  account: TargetRef,
  call: () => Promise<T>,
  onRefusal: (explained: ExplainedFailure) => Promise<void> = async () => {},
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof TargetError)) throw error;
    const explained = target.explainFailure(account, error);
    await onRefusal(explained);
    throw rejection(explained, error);
  }
}

/** Rejected credentials mark the account, unless they were replaced while the call ran. */
async function noteRefusal(deps: LinkedAccountDeps, actor: Actor, id: string, used: number, explained: ExplainedFailure): Promise<void> {
  if (explained.marks !== 'credentials-invalid') return;
  await changeAccount(deps, actor, id, (account) =>
    account.credentialsVersion !== used || (account.status === 'credentials-invalid' && account.statusReason === explained.message)
      ? null
      : {
          changes: { status: 'credentials-invalid', statusReason: explained.message },
          audit: statusChange(account, actor.accountId, 'credentials-invalid', explained.message),
        },
  );
}

/**
 * Read, decide, write only if nothing changed in between; otherwise read again and decide
 * again. `decide` answers null when, on what it now reads, there is nothing to write.
 */
export async function changeAccount(
  deps: Pick<LinkedAccountDeps, 'linkedAccounts'>,
  actor: Actor,
  id: string,
  decide: (account: LinkedAccount) => { changes: LinkedAccountChanges; audit: AuditEntry | AuditEntry[] | null } | null,
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

export async function requireAccount(deps: { linkedAccounts: Pick<LinkedAccountStore, 'find'> }, actor: Actor, id: string): Promise<LinkedAccount> {
  const account = await deps.linkedAccounts.find(actor.tenantId, id);
  // An unlinked account is history, not something to change.
  if (!account || account.status === 'unlinked') throw notFound();
  return account;
}

const notFound = () => new DomainError('not-found', 'No linked account with this id.');

const keptChanging = () =>
  new DomainError('conflict', 'This linked account kept changing while your change was being saved. Reload the page and try again.');

function rejection(explained: ExplainedFailure, error: TargetError): DomainError {
  return new DomainError(error.retryable ? 'upstream-unavailable' : 'upstream-rejected', explained.message, explained.code ?? null);
}

const entry = (actor: Actor, action: string, account: LinkedAccount) => ({
  tenantId: actor.tenantId,
  actorAccountId: actor.accountId,
  linkedAccountId: account.id,
  action,
  subject: account.displayName,
});

/** What the audit log keeps to name a target. */
function targetFields(ref: TargetRef): Record<string, string> {
  if (ref.organization) return { organizationId: ref.organization.id, directoryId: ref.organization.directoryId };
  return { workspace: ref.workspace ?? ref.displayName };
}

/** The request as the target is asked: a workspace slug as Bitbucket keys it (lower case). */
function normalized(request: LinkRequest): LinkRequest {
  if (request.targetType === 'bitbucket-workspace') return { ...request, workspace: request.workspace.trim().toLowerCase() };
  return { ...request, organizationId: request.organizationId.trim(), directoryId: request.directoryId.trim() };
}

/** How a refusal names what the admin asked to link, before the target has named it. */
function requested(request: LinkRequest): TargetRef {
  if (request.targetType === 'bitbucket-workspace') {
    return { targetType: request.targetType, workspace: request.workspace, organization: null, displayName: request.workspace };
  }
  const { organizationId, directoryId } = request;
  return {
    targetType: request.targetType,
    workspace: null,
    organization: { id: organizationId, name: organizationId, directoryId, directoryName: directoryId },
    displayName: organizationId,
  };
}

/** Keeps the selection, with names as the target now spells them. */
function renamed(selection: TargetGroup[], groups: TargetGroup[]): TargetGroup[] {
  const names = new Map(groups.map((g) => [g.slug, g.name]));
  return selection.map((g) => ({ slug: g.slug, name: names.get(g.slug) ?? g.name }));
}

/** Only what the account keeps of a group. */
const plain = (groups: ListedGroup[]): TargetGroup[] => groups.map(({ slug, name }) => ({ slug, name }));

const slugs = (groups: TargetGroup[]): string[] => groups.map((g) => g.slug);

const quoted = (values: string[]): string => values.map((value) => `"${value}"`).join(', ');
