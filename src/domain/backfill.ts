import type { Actor } from './linked-accounts.js';
import { DomainError, JiraUnavailableError } from './errors.js';
import { planExistingUsers, type ExistingUserPlan } from './existing-users.js';
import { proposedRules, type RuleInput } from './group-rules.js';
import type { LinkedAccount, TargetGroup } from './model.js';
import type { InvitationTargets, JiraUserDirectories, ListedJiraUser } from './ports.js';
import type { AuditEntry, LinkedAccountStore } from './stores.js';

/*
 * Bringing existing Jira users in line with a linked account's default groups: a preview of who
 * would be invited where, and the backfill that invites them, page by page through Jira's user
 * listing, as a chain of jobs whose cursor is saved with each page's invitations.
 */

export type BackfillStatus = 'counting' | 'awaiting-confirmation' | 'running' | 'completed' | 'cancelled' | 'failed';

export const OPEN_BACKFILL: readonly BackfillStatus[] = ['counting', 'awaiting-confirmation', 'running'];

export type Backfill = {
  id: string;
  tenantId: string;
  linkedAccountId: string;
  status: BackfillStatus;
  /** The default groups when it started: what it invites to, whatever changes meanwhile. */
  groups: TargetGroup[];
  /** Above this many invitations the admin confirms the exact count first. */
  threshold: number;
  /** Where the listing goes on: the next page's startAt. */
  cursor: number;
  /** Users read so far in this phase (counting, then sending). */
  usersScanned: number;
  /** Invitations the count found. */
  toInvite: number;
  confirmedCount: number | null;
  invitationsCreated: number;
  jobId: string | null;
  /** Why it waits, stopped or failed; a sentence for the admin. */
  reason: string | null;
  /** Consecutive failed reads of Jira's listing. */
  failures: number;
  startedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
};

/** A backfill with what became of its invitations so far. */
export type BackfillProgress = Backfill & { invitations: { queued: number; sent: number; failed: number; skipped: number } };

/** What one run of the job writes, in one transaction with the cursor it moves and the next job. */
export type BackfillStep =
  | { kind: 'counted'; users: number; toInvite: number; nextCursor: number }
  | { kind: 'counting-done'; next: 'running' | 'awaiting-confirmation' | 'completed'; reason: string | null }
  | { kind: 'invited'; users: number; plans: ExistingUserPlan[]; nextCursor: number }
  | { kind: 'wait'; delayMs: number; reason: string | null; failed: boolean }
  | { kind: 'end'; status: 'completed' | 'failed'; reason: string | null };

export type NewBackfill = { tenantId: string; linkedAccountId: string; groups: TargetGroup[]; threshold: number; startedBy: string };

export interface BackfillStore {
  /** Creates the backfill and its first job; one open backfill per linked account. */
  start: (input: NewBackfill, audit: AuditEntry) => Promise<Backfill | 'already-open'>;
  find: (tenantId: string, id: string) => Promise<BackfillProgress | null>;
  /** For the job, which knows no tenant. */
  findForRun: (id: string) => Promise<Backfill | null>;
  list: (tenantId: string, filter: { linkedAccountId?: string; limit: number }) => Promise<BackfillProgress[]>;
  /** Its invitations still queued: the next page waits for them, so a backfill never floods the delivery queue. */
  queuedCount: (id: string) => Promise<number>;
  /** Keys (invitationKey) of the invitations these users already have through this linked account, whatever their status. */
  existingInvitations: (tenantId: string, linkedAccountId: string, accountIds: string[]) => Promise<Set<string>>;
  /** Applies `step` if job `jobId` still owns the backfill at `cursor`; false when another run got there first or it was cancelled. */
  advance: (id: string, jobId: string, cursor: number, step: BackfillStep) => Promise<boolean>;
  /** From awaiting-confirmation to running, if it still waits for `count`. */
  confirm: (tenantId: string, id: string, count: number, audit: AuditEntry) => Promise<Backfill | 'not-awaiting'>;
  /** Stops an open backfill; its invitations not being sent right now are skipped, saying so. */
  cancel: (tenantId: string, id: string, audit: AuditEntry) => Promise<Backfill | 'not-open'>;
  /**
   * Open backfills whose job ended without moving them on get a new one; the invitations of a
   * cancelled backfill that a run put off for later (it held them while cancelled) are skipped.
   */
  recoverStalled: (limit: number) => Promise<number>;
}

export type BackfillSettings = {
  /** Users per listing page while sending; each page's invitations are sent before the next is read. */
  pageSize: number;
  /** Users per listing page while counting or previewing (Jira gives at most 1000). */
  countPageSize: number;
  /** Most users a preview reads before it answers with what it saw. */
  previewMaxUsers: number;
  threshold: number;
  /** Consecutive failed reads of Jira's listing after which the backfill fails. */
  maxFailures: number;
  retryMs: number;
};

export type BackfillDeps = {
  backfills: BackfillStore;
  linkedAccounts: Pick<LinkedAccountStore, 'find'>;
  targets: Pick<InvitationTargets, 'of'>;
  jira: JiraUserDirectories;
  settings: BackfillSettings;
};

export type GroupPreview = { slug: string; name: string; invitations: number; sample: string[] };

export type InvitationPreview = {
  usersScanned: number;
  /** Apps, customers and deactivated accounts, which are never invited. */
  excluded: number;
  /** Users a "never invite" rule keeps out. */
  neverInvited: number;
  /** Invitations the users already have (sent, queued, failed or skipped): a backfill leaves them as they are. */
  alreadyInvited: number;
  invitations: number;
  groups: GroupPreview[];
  /** True when the site has more users than a preview reads: the figures are for the first `usersScanned`. */
  truncated: boolean;
};

/** What a preview tries instead of what is saved: other default groups, another list of rules, or both. */
export type PreviewProposal = { groups?: string[]; rules?: RuleInput[] };

const SAMPLE_SIZE = 5;

/**
 * Who among the existing Jira users would be invited where with this configuration (what is saved,
 * with the proposal's default groups and rules in its place), read from Jira's listing one page at
 * a time, with the same decision as planning and backfills. Nothing is saved.
 */
export async function previewInvitations(
  deps: Pick<BackfillDeps, 'backfills' | 'linkedAccounts' | 'jira' | 'settings' | 'targets'>,
  actor: Actor,
  linkedAccountId: string,
  proposal: PreviewProposal = {},
): Promise<InvitationPreview> {
  const account = await requireOpenAccount(deps, actor, linkedAccountId);
  const groups = proposal.groups ? namedGroups(account, proposal.groups) : account.defaultGroups;
  const rules = proposal.rules ? proposedRules(deps.targets, account, proposal.rules) : account.rules;
  const choosing = { id: account.id, targetType: account.targetType, defaultGroups: groups, rules };
  const jira = await deps.jira.forTenant(actor.tenantId);
  const preview: InvitationPreview = {
    usersScanned: 0,
    excluded: 0,
    neverInvited: 0,
    alreadyInvited: 0,
    invitations: 0,
    groups: groups.map((g) => ({ slug: g.slug, name: g.name, invitations: 0, sample: [] })),
    truncated: false,
  };
  const bySlug = new Map(preview.groups.map((g) => [g.slug, g]));
  const pageSize = deps.settings.countPageSize;
  for (let startAt = 0; ;) {
    if (preview.usersScanned >= deps.settings.previewMaxUsers) {
      preview.truncated = true;
      break;
    }
    const users = await listPage(jira, startAt, Math.min(pageSize, deps.settings.previewMaxUsers - preview.usersScanned));
    if (users.length === 0) break;
    startAt += users.length;
    preview.usersScanned += users.length;
    const existing = await deps.backfills.existingInvitations(
      actor.tenantId,
      account.id,
      users.map((u) => u.accountId),
    );
    const page = await planExistingUsers(choosing, users, existing, jira);
    preview.excluded += page.excluded;
    preview.neverInvited += page.neverInvited;
    preview.alreadyInvited += page.alreadyInvited;
    preview.invitations += page.invitations;
    for (const plan of page.plans) {
      for (const group of plan.groups) {
        let shown = bySlug.get(group.slug);
        if (!shown) {
          // A rule's groups, outside the ones ticked.
          shown = { slug: group.slug, name: group.name, invitations: 0, sample: [] };
          bySlug.set(group.slug, shown);
          preview.groups.push(shown);
        }
        shown.invitations++;
        if (shown.sample.length < SAMPLE_SIZE) shown.sample.push(plan.user.displayName ?? plan.user.accountId);
      }
    }
  }
  return preview;
}

/** Starts inviting the existing users who match: first a count, then (at once, or once confirmed above the threshold) the invitations. */
export async function startBackfill(deps: BackfillDeps, actor: Actor, linkedAccountId: string): Promise<Backfill> {
  const account = await requireOpenAccount(deps, actor, linkedAccountId);
  const noun = deps.targets.of(account.targetType).noun;
  if (account.status !== 'active') {
    throw new DomainError(
      'conflict',
      `The ${noun} "${account.displayName}" needs attention before existing users can be invited: ${account.statusReason ?? 'its status is not active.'}`,
    );
  }
  if (account.defaultGroups.length === 0) {
    throw new DomainError('invalid', `Choose default groups for "${account.displayName}" first: existing users are invited to them.`);
  }
  const started = await deps.backfills.start(
    {
      tenantId: actor.tenantId,
      linkedAccountId: account.id,
      groups: account.defaultGroups,
      threshold: deps.settings.threshold,
      startedBy: actor.accountId,
    },
    {
      tenantId: actor.tenantId,
      actorAccountId: actor.accountId,
      linkedAccountId: account.id,
      action: 'backfill.started',
      subject: account.displayName,
      before: null,
      after: { groups: account.defaultGroups.map((g) => g.slug), threshold: deps.settings.threshold },
    },
  );
  if (started === 'already-open') {
    throw new DomainError(
      'conflict',
      `Existing users of this site are already being invited to "${account.displayName}". Cancel that first, or wait for it to end.`,
    );
  }
  return started;
}

/** The admin confirms the exact number of invitations a backfill above the threshold will send. */
export async function confirmBackfill(deps: Pick<BackfillDeps, 'backfills'>, actor: Actor, id: string, count: number): Promise<Backfill> {
  const backfill = await requireBackfill(deps, actor, id);
  if (backfill.status !== 'awaiting-confirmation') throw new DomainError('conflict', notAwaiting(backfill));
  if (count !== backfill.toInvite) {
    throw new DomainError(
      'conflict',
      `This would send ${backfill.toInvite} ${plural(backfill.toInvite, 'invitation')}, not ${count}. Check the number and confirm it exactly.`,
    );
  }
  const confirmed = await deps.backfills.confirm(actor.tenantId, id, count, {
    tenantId: actor.tenantId,
    actorAccountId: actor.accountId,
    linkedAccountId: backfill.linkedAccountId,
    action: 'backfill.confirmed',
    subject: backfill.id,
    before: { status: backfill.status, toInvite: backfill.toInvite },
    after: { status: 'running', confirmedCount: count },
  });
  if (confirmed === 'not-awaiting') throw new DomainError('conflict', notAwaiting((await deps.backfills.find(actor.tenantId, id)) ?? backfill));
  return confirmed;
}

export async function cancelBackfill(deps: Pick<BackfillDeps, 'backfills'>, actor: Actor, id: string): Promise<Backfill> {
  const backfill = await requireBackfill(deps, actor, id);
  const cancelled = await deps.backfills.cancel(actor.tenantId, id, {
    tenantId: actor.tenantId,
    actorAccountId: actor.accountId,
    linkedAccountId: backfill.linkedAccountId,
    action: 'backfill.cancelled',
    subject: backfill.id,
    before: { status: backfill.status, invitationsCreated: backfill.invitationsCreated },
    after: { status: 'cancelled' },
  });
  if (cancelled === 'not-open')
    throw new DomainError('conflict', `This backfill has already ended (${backfill.status}); there is nothing to cancel.`);
  return cancelled;
}

export async function requireBackfill(deps: Pick<BackfillDeps, 'backfills'>, actor: Actor, id: string): Promise<BackfillProgress> {
  const backfill = await deps.backfills.find(actor.tenantId, id);
  if (!backfill) throw new DomainError('not-found', 'No backfill with this id.');
  return backfill;
}

/**
 * One run of the backfill's job: one page of Jira's listing, counted or invited. Safe to run twice
 * (a crash, a job handed out again): only the job the backfill names may move it, and only from
 * the cursor it read, so a page's invitations are written once, with the cursor that passes it.
 */
export async function runBackfillStep(deps: BackfillDeps, id: string, jobId: string): Promise<void> {
  const backfill = await deps.backfills.findForRun(id);
  if (!backfill || backfill.jobId !== jobId || (backfill.status !== 'counting' && backfill.status !== 'running')) return;
  const advance = (step: BackfillStep) => deps.backfills.advance(id, jobId, backfill.cursor, step);

  const account = await deps.linkedAccounts.find(backfill.tenantId, backfill.linkedAccountId);
  if (!account || account.status === 'unlinked') {
    await advance({ kind: 'end', status: 'failed', reason: 'The linked account was unlinked, so its existing users are not invited.' });
    return;
  }
  const limit = backfill.confirmedCount ?? backfill.threshold;
  if (backfill.status === 'running') {
    const remaining = limit - backfill.invitationsCreated;
    if (remaining <= 0) {
      await advance({ kind: 'end', status: 'completed', reason: stoppedAtLimit(limit) });
      return;
    }
    if ((await deps.backfills.queuedCount(id)) > 0) {
      await advance({ kind: 'wait', delayMs: deps.settings.retryMs, reason: null, failed: false });
      return;
    }
  }

  const pageSize = backfill.status === 'counting' ? deps.settings.countPageSize : deps.settings.pageSize;
  const jira = await deps.jira.forTenant(backfill.tenantId);
  let users: ListedJiraUser[];
  try {
    users = await listPage(jira, backfill.cursor, pageSize);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    // Jira may answer later: wait, unless it kept failing. Any other refusal stops the backfill, saying why.
    const retry = error instanceof JiraUnavailableError && backfill.failures + 1 < deps.settings.maxFailures;
    if (retry) await advance({ kind: 'wait', delayMs: error.retryAfterMs ?? deps.settings.retryMs, reason: error.message, failed: true });
    else await advance({ kind: 'end', status: 'failed', reason: `Stopped: ${error.message}` });
    return;
  }

  if (users.length === 0) {
    if (backfill.status === 'running') {
      await advance({ kind: 'end', status: 'completed', reason: null });
    } else if (backfill.toInvite === 0) {
      await advance({
        kind: 'counting-done',
        next: 'completed',
        reason: 'Every existing user who matches already has these invitations: nothing to send.',
      });
    } else if (backfill.toInvite > backfill.threshold) {
      await advance({ kind: 'counting-done', next: 'awaiting-confirmation', reason: null });
    } else {
      await advance({ kind: 'counting-done', next: 'running', reason: null });
    }
    return;
  }

  const choosing = { id: account.id, targetType: account.targetType, defaultGroups: backfill.groups, rules: account.rules };
  const existing = await deps.backfills.existingInvitations(
    backfill.tenantId,
    account.id,
    users.map((u) => u.accountId),
  );
  const page = await planExistingUsers(choosing, users, existing, jira);
  const nextCursor = backfill.cursor + users.length;
  if (backfill.status === 'counting') {
    await advance({ kind: 'counted', users: users.length, toInvite: page.invitations, nextCursor });
    return;
  }
  await advance({ kind: 'invited', users: users.length, plans: withinLimit(page.plans, limit - backfill.invitationsCreated), nextCursor });
}

/** Never more invitations than were counted and allowed: users who joined since wait for the next backfill. */
function withinLimit(plans: ExistingUserPlan[], remaining: number): ExistingUserPlan[] {
  const kept: ExistingUserPlan[] = [];
  for (const plan of plans) {
    if (remaining <= 0) break;
    const groups = plan.groups.slice(0, remaining);
    remaining -= groups.length;
    kept.push({ user: plan.user, groups, chosenBy: plan.chosenBy });
  }
  return kept;
}

async function listPage(jira: Awaited<ReturnType<JiraUserDirectories['forTenant']>>, startAt: number, maxResults: number): Promise<ListedJiraUser[]> {
  return jira.listUsers({ startAt, maxResults });
}

async function requireOpenAccount(deps: Pick<BackfillDeps, 'linkedAccounts'>, actor: Actor, id: string): Promise<LinkedAccount> {
  const account = await deps.linkedAccounts.find(actor.tenantId, id);
  if (!account || account.status === 'unlinked') throw new DomainError('not-found', 'No linked account with this id.');
  return account;
}

/** The chosen slugs with the names the account knows them by. */
function namedGroups(account: LinkedAccount, slugs: string[]): TargetGroup[] {
  const known = new Map([...account.groups, ...account.defaultGroups].map((g) => [g.slug, g.name]));
  return [...new Set(slugs)].map((slug) => ({ slug, name: known.get(slug) ?? slug }));
}

function notAwaiting(backfill: Backfill): string {
  if (backfill.status === 'counting') return 'The backfill is still counting the existing users; confirm once it shows the number.';
  return `This backfill does not wait for a confirmation: it is ${backfill.status}.`;
}

function stoppedAtLimit(limit: number): string {
  return `Stopped at ${limit} ${plural(limit, 'invitation')}, the number allowed; users who match since were left for the next backfill.`;
}

const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);
