import { BitbucketTarget, type BitbucketGateway } from '../../src/clients/bitbucket/bitbucket-target.js';
import type { DeliveryDeps } from '../../src/domain/delivery.js';
import type { BitbucketCredentials, LinkedAccount, LinkedAccountStatus, TargetGroup } from '../../src/domain/model.js';
import type { EmailLookup, InvitationTargets, JiraGateway } from '../../src/domain/ports.js';
import type { DeliverableInvitation, DeliveryClaim, FinalOutcome, InvitationStore, RetryPlan, StalledDecision } from '../../src/domain/stores.js';

/**
 * In-memory stand-ins for delivery's ports. Each keeps what the domain asked of it, so a test can
 * check the decision (finished how, rescheduled for when, which account marked) without a database.
 */

export const CREDENTIALS: BitbucketCredentials = { type: 'oauth-consumer', key: 'key', secret: 'secret' };

export function anInvitation(overrides: Partial<DeliverableInvitation> = {}): DeliverableInvitation {
  const now = new Date('2026-11-27T10:00:00Z');
  return {
    id: 'inv-1',
    tenantId: 'tenant-1',
    newUserId: 'new-user-1',
    linkedAccountId: 'account-1',
    targetType: 'bitbucket-workspace',
    linkedAccountName: 'acme',
    accountId: 'jira-user-1',
    accountType: 'atlassian',
    displayName: 'Nina New',
    email: 'nina@example.com',
    workspace: 'acme',
    groupSlug: 'developers',
    groupName: 'Developers',
    status: 'queued',
    reason: null,
    reasonCode: null,
    attempts: 0,
    nextAttemptAt: null,
    jobId: 'job-1',
    createdAt: now,
    updatedAt: now,
    sentAt: null,
    chosenBy: null,
    receivedAt: now,
    ...overrides,
  };
}

export function anAccount(overrides: Partial<LinkedAccount> = {}): LinkedAccount {
  return {
    id: 'account-1',
    tenantId: 'tenant-1',
    targetType: 'bitbucket-workspace',
    workspace: 'acme',
    organization: null,
    displayName: 'acme',
    credentialType: 'oauth-consumer',
    status: 'active',
    statusReason: null,
    groups: [{ slug: 'developers', name: 'Developers' }],
    groupsRefreshedAt: null,
    defaultGroups: [{ slug: 'developers', name: 'Developers' }],
    mode: 'automatic',
    rules: [],
    lastInvitationSentAt: null,
    createdAt: new Date('2026-11-01T00:00:00Z'),
    unlinkedAt: null,
    version: 1,
    credentialsVersion: 1,
    ...overrides,
  };
}

type Lease = { owner: string; expiresAt: number };

/** One invitation row, with the job and lease rules of the real repository. */
export class FakeInvitations implements Pick<
  InvitationStore,
  'claim' | 'extendLease' | 'deferUntilLeaseEnds' | 'finish' | 'reschedule' | 'release' | 'recoverStalled' | 'find' | 'requeue' | 'sendNow'
> {
  row: DeliverableInvitation;
  lease: Lease | null = null;
  finished: FinalOutcome | null = null;
  readonly rescheduled: RetryPlan[] = [];
  readonly deferred: string[] = [];
  released = 0;
  #leases = 0;
  #jobs = 0;

  constructor(
    row: DeliverableInvitation,
    private readonly clock: () => number = Date.now,
  ) {
    this.row = row;
  }

  /** Another run of the row's job holds it now, as pg-boss handing a slow job out twice leaves it. */
  leaseToAnotherRun(forMs = 60_000): void {
    this.lease = { owner: 'another-run', expiresAt: this.clock() + forMs };
  }

  async claim(id: string, jobId: string, leaseMs: number): Promise<DeliveryClaim> {
    const row = this.row;
    if (row.id !== id || row.jobId !== jobId || row.status !== 'queued') return { outcome: 'not-owner' };
    if (this.lease && this.lease.expiresAt > this.clock()) return { outcome: 'leased-elsewhere' };
    this.lease = { owner: `lease-${++this.#leases}`, expiresAt: this.clock() + leaseMs };
    return { outcome: 'claimed', invitation: { ...row }, lease: this.lease.owner };
  }

  async extendLease(id: string, lease: string, leaseMs: number): Promise<boolean> {
    if (!this.#holds(id, lease)) return false;
    this.lease = { owner: lease, expiresAt: this.clock() + leaseMs };
    return true;
  }

  async deferUntilLeaseEnds(id: string, jobId: string): Promise<boolean> {
    if (this.row.id !== id || this.row.jobId !== jobId || this.row.status !== 'queued') return false;
    this.row = { ...this.row, jobId: this.#newJob() };
    this.deferred.push(this.row.jobId!);
    return true;
  }

  async finish(id: string, lease: string, outcome: FinalOutcome): Promise<boolean> {
    if (!this.#holds(id, lease)) return false;
    this.finished = outcome;
    this.row = {
      ...this.row,
      status: outcome.status,
      reason: outcome.reason,
      reasonCode: outcome.reasonCode,
      attempts: this.row.attempts + (outcome.attempted ? 1 : 0),
      email: outcome.email ?? this.row.email,
      jobId: null,
      nextAttemptAt: null,
    };
    this.lease = null;
    return true;
  }

  async reschedule(id: string, lease: string, change: RetryPlan): Promise<boolean> {
    if (!this.#holds(id, lease)) return false;
    this.rescheduled.push(change);
    this.row = {
      ...this.row,
      jobId: this.#newJob(),
      nextAttemptAt: new Date(this.clock() + change.delayMs),
      reason: change.reason,
      reasonCode: change.reason === null ? null : 'retrying',
      attempts: this.row.attempts + (change.attempted ? 1 : 0),
      email: change.email ?? this.row.email,
    };
    this.lease = null;
    return true;
  }

  async release(id: string, lease: string): Promise<void> {
    if (!this.#holds(id, lease)) return;
    this.lease = null;
    this.released++;
  }

  /** The row counts as stalled: its job ended without finishing it (the test says so by calling this). */
  async recoverStalled(_limit: number, decide: (invitation: DeliverableInvitation) => StalledDecision): Promise<number> {
    if (this.row.status !== 'queued' || (this.lease && this.lease.expiresAt > this.clock())) return 0;
    const decision = decide({ ...this.row });
    if ('finish' in decision) {
      this.finished = decision.finish;
      this.row = { ...this.row, status: decision.finish.status, reason: decision.finish.reason, attempts: this.row.attempts + 1, jobId: null };
    } else {
      this.rescheduled.push({ ...decision.requeue, attempted: true });
      this.row = { ...this.row, jobId: this.#newJob(), reason: decision.requeue.reason, attempts: this.row.attempts + 1 };
    }
    return 1;
  }

  async find(tenantId: string, id: string): Promise<DeliverableInvitation | null> {
    return this.row.tenantId === tenantId && this.row.id === id ? { ...this.row } : null;
  }

  async requeue(tenantId: string, id: string): Promise<DeliverableInvitation | 'not-found' | 'not-retryable'> {
    const row = await this.find(tenantId, id);
    if (!row) return 'not-found';
    if (row.status !== 'failed' && row.status !== 'skipped') return 'not-retryable';
    this.row = { ...this.row, status: 'queued', reason: null, reasonCode: null, attempts: 0, jobId: this.#newJob() };
    return { ...this.row };
  }

  async sendNow(tenantId: string, id: string): Promise<DeliverableInvitation | 'not-found' | 'not-queued' | 'being-sent'> {
    const row = await this.find(tenantId, id);
    if (!row) return 'not-found';
    if (row.status !== 'queued') return 'not-queued';
    if (this.lease && this.lease.expiresAt > this.clock()) return 'being-sent';
    this.row = { ...this.row, jobId: this.#newJob(), nextAttemptAt: null };
    return { ...this.row };
  }

  #holds(id: string, lease: string): boolean {
    return this.row.id === id && this.row.status === 'queued' && this.lease?.owner === lease;
  }

  #newJob(): string {
    return `job-${this.row.id}-${++this.#jobs + 1}`;
  }
}

export class FakeLinkedAccounts implements Pick<DeliveryDeps['linkedAccounts'], 'find' | 'credentialsOf' | 'markStatus' | 'recordInvitationSent'> {
  readonly marked: { id: string; status: LinkedAccountStatus; reason: string | null; credentialsVersion: number }[] = [];
  sentRecorded = 0;

  constructor(public account: LinkedAccount | null = anAccount()) {}

  async find(tenantId: string, id: string): Promise<LinkedAccount | null> {
    return this.account && this.account.tenantId === tenantId && this.account.id === id ? this.account : null;
  }

  async credentialsOf(): Promise<BitbucketCredentials | null> {
    return this.account ? CREDENTIALS : null;
  }

  async markStatus(id: string, status: LinkedAccountStatus, reason: string | null, credentialsVersion: number): Promise<void> {
    this.marked.push({ id, status, reason, credentialsVersion });
  }

  async recordInvitationSent(): Promise<void> {
    this.sentRecorded++;
  }
}

type Scripted<T> = () => Promise<T>;

/** Bitbucket as a script: what `invite` and `listGroups` answer, and how often each was asked. */
export class FakeBitbucket {
  invites = 0;
  groupListings = 0;
  inviteAnswer: Scripted<'sent' | 'already-invited'> = async () => 'sent';
  groupsAnswer: Scripted<TargetGroup[]> = async () => [{ slug: 'developers', name: 'Developers' }];

  async groupMembers(): Promise<string[] | null> {
    return [];
  }

  async removeGroupMember(): Promise<'removed' | 'not-a-member'> {
    return 'removed';
  }

  async invite(): Promise<'sent' | 'already-invited'> {
    this.invites++;
    return this.inviteAnswer();
  }

  async listGroups(): Promise<TargetGroup[]> {
    this.groupListings++;
    return this.groupsAnswer();
  }
}

/** The registry of targets with only the Bitbucket one, over a scripted Bitbucket. */
export function bitbucketTargets(bitbucket: BitbucketGateway): InvitationTargets {
  const target = new BitbucketTarget(bitbucket);
  return { of: () => target };
}

/** Jira as a script: how the email lookup answers (or throws), and the user's Jira groups. */
export class FakeJira {
  lookups = 0;
  emailAnswer: Scripted<EmailLookup> = async () => ({ found: true, email: 'from-jira@example.com' });
  jiraGroups: string[] = [];
  groupLookups = 0;

  async forTenant(): Promise<JiraGateway> {
    return {
      getUserEmail: async () => {
        this.lookups++;
        return this.emailAnswer();
      },
      isAdministrator: async () => true,
      getUserGroups: async () => {
        this.groupLookups++;
        return this.jiraGroups;
      },
      searchUsers: async () => [],
      findUser: async () => null,
      getUser: async () => ({ found: true, active: true, displayName: null }),
    };
  }
}
