import { describe, expect, it, vi } from 'vitest';
import { deliverInvitation, type DeliveryDeps } from '../../src/domain/delivery.js';
import { DomainError, TargetError } from '../../src/domain/errors.js';
import type { BitbucketGateway } from '../../src/clients/bitbucket/bitbucket-target.js';
import { refreshGroups, setDefaultGroups, unlinkedReason, type LinkedAccountDeps } from '../../src/domain/linked-accounts.js';
import type { BitbucketCredentials, LinkedAccount, LinkedAccountStatus, TargetCredentials } from '../../src/domain/model.js';
import type { AuditEntry, DeliverableInvitation, LinkedAccountChanges, LinkedAccountStore } from '../../src/domain/stores.js';
import { bitbucketTargets, FakeInvitations } from './delivery-fakes.js';

/*
 * The interleavings that an HTTP test cannot time exactly: another change landing between a
 * use case's read and its write, checked against an in-memory store that keeps the store's rules
 * (writes conditional on the version read; refusals only count for the credentials they were about).
 */

const NO_USER_CALLS = { getUserGroups: async () => [], searchUsers: async () => [], findUser: async () => null };
const ACTOR = { tenantId: 'tenant-1', accountId: 'admin-1' };
const OLD_CREDENTIALS: BitbucketCredentials = { type: 'api-token', email: 'owner@acme.example', token: 'old-token' };
const NEW_CREDENTIALS: BitbucketCredentials = { type: 'oauth-consumer', key: 'acme-key', secret: 'new-secret' };
const DEVELOPERS = { slug: 'developers', name: 'Developers' };
const QA = { slug: 'qa', name: 'QA' };

class InMemoryLinkedAccounts implements LinkedAccountStore {
  account: LinkedAccount = {
    id: 'account-1',
    tenantId: ACTOR.tenantId,
    targetType: 'bitbucket-workspace',
    workspace: 'acme',
    organization: null,
    displayName: 'acme',
    credentialType: OLD_CREDENTIALS.type,
    status: 'active',
    statusReason: null,
    groups: [DEVELOPERS, QA],
    groupsRefreshedAt: null,
    defaultGroups: [QA],
    mode: 'automatic',
    rules: [],
    lastInvitationSentAt: null,
    createdAt: new Date(),
    unlinkedAt: null,
    version: 1,
    credentialsVersion: 1,
  };
  credentials: TargetCredentials | null = OLD_CREDENTIALS;
  readonly audit: AuditEntry[] = [];
  updates = 0;

  /** What another request does meanwhile: writes through the same rules. */
  changeMeanwhile(changes: LinkedAccountChanges): void {
    this.#apply(changes);
  }

  async create(): Promise<never> {
    throw new Error('not used here');
  }
  async list(): Promise<LinkedAccount[]> {
    return [structuredClone(this.account)];
  }
  async find(_tenantId: string, id: string): Promise<LinkedAccount | null> {
    return id === this.account.id ? structuredClone(this.account) : null;
  }
  async findWithCredentials(tenantId: string, id: string) {
    const account = await this.find(tenantId, id);
    return account && this.credentials && account.status !== 'unlinked' ? { account, credentials: this.credentials } : null;
  }
  async credentialsOf(): Promise<TargetCredentials | null> {
    return this.credentials;
  }
  async update(_tenantId: string, _id: string, expectedVersion: number, changes: LinkedAccountChanges, audit: AuditEntry | AuditEntry[] | null) {
    this.updates++;
    if (this.account.status === 'unlinked') return 'not-found' as const;
    if (this.account.version !== expectedVersion) return 'conflict' as const;
    this.#apply(changes);
    if (audit) this.audit.push(...[audit].flat());
    return structuredClone(this.account);
  }
  async unlink(): Promise<never> {
    throw new Error('not used here');
  }
  async markStatus(_id: string, status: Exclude<LinkedAccountStatus, 'active' | 'unlinked'>, reason: string | null, credentialsVersion: number) {
    if (this.account.credentialsVersion !== credentialsVersion || this.account.status === 'unlinked') return;
    this.#apply({ status, statusReason: reason });
  }
  async recordInvitationSent(): Promise<void> {}
  async withDefaultGroups(): Promise<LinkedAccount[]> {
    return [];
  }

  #apply(changes: LinkedAccountChanges): void {
    const { credentials, ...rest } = changes;
    this.account = { ...this.account, ...rest, version: this.account.version + 1 };
    if (credentials) {
      this.credentials = credentials;
      this.account.credentialType = credentials.type;
      this.account.credentialsVersion += 1;
    }
  }
}

const bitbucketWith = (overrides: Partial<BitbucketGateway>): BitbucketGateway => ({
  listGroups: async () => [DEVELOPERS, QA],
  invite: async () => 'sent',
  groupMembers: async () => [],
  removeGroupMember: async () => 'removed',
  ...overrides,
});

const accountDeps = (store: InMemoryLinkedAccounts, bitbucket: BitbucketGateway): LinkedAccountDeps => ({
  linkedAccounts: store,
  invitations: { requeueFailed: async () => 0 },
  targets: bitbucketTargets(bitbucket),
});

describe('changes to a linked account that race another change', () => {
  it('saves default groups on the account as it is after a change that landed between reading and writing', async () => {
    const store = new InMemoryLinkedAccounts();
    const update = store.update.bind(store);
    let first = true;
    vi.spyOn(store, 'update').mockImplementation(async (...args) => {
      if (first) {
        first = false;
        store.changeMeanwhile({ groups: [{ slug: 'developers', name: 'Developers (renamed)' }, QA], defaultGroups: [] });
      }
      return update(...args);
    });

    const saved = await setDefaultGroups(accountDeps(store, bitbucketWith({})), ACTOR, 'account-1', ['developers']);

    expect(saved.defaultGroups).toEqual([{ slug: 'developers', name: 'Developers (renamed)' }]);
    expect(store.updates).toBe(2);
    expect(store.audit.map((entry) => [entry.before, entry.after])).toEqual([[[], ['developers']]]);
  });

  it('gives up with a 409 sentence when the account keeps changing under the change', async () => {
    const store = new InMemoryLinkedAccounts();
    const update = store.update.bind(store);
    vi.spyOn(store, 'update').mockImplementation(async (...args) => {
      store.changeMeanwhile({});
      return update(...args);
    });

    const saving = setDefaultGroups(accountDeps(store, bitbucketWith({})), ACTOR, 'account-1', ['developers']);

    await expect(saving).rejects.toThrow(
      new DomainError('conflict', 'This linked account kept changing while your change was being saved. Reload the page and try again.'),
    );
    expect(store.account.defaultGroups).toEqual([QA]);
  });

  it('keeps a default-groups save made while Bitbucket was listing the groups', async () => {
    const store = new InMemoryLinkedAccounts();
    const bitbucket = bitbucketWith({
      listGroups: async () => {
        store.changeMeanwhile({ defaultGroups: [DEVELOPERS] });
        return [{ slug: 'developers', name: 'Developers (renamed)' }, QA];
      },
    });

    const refreshed = await refreshGroups(accountDeps(store, bitbucket), ACTOR, 'account-1');

    expect(refreshed.defaultGroups).toEqual([{ slug: 'developers', name: 'Developers (renamed)' }]);
  });

  it('does not overwrite what new credentials saved meanwhile with what the old ones read', async () => {
    const store = new InMemoryLinkedAccounts();
    const bitbucket = bitbucketWith({
      listGroups: async () => {
        store.changeMeanwhile({ credentials: NEW_CREDENTIALS, groups: [QA], status: 'active', statusReason: null });
        return [DEVELOPERS];
      },
    });

    const refreshed = await refreshGroups(accountDeps(store, bitbucket), ACTOR, 'account-1');

    expect(refreshed.groups).toEqual([QA]);
    expect(store.account.groups).toEqual([QA]);
    expect(store.updates).toBe(0);
  });

  it('does not mark new credentials invalid when a refresh with the old ones was refused', async () => {
    const store = new InMemoryLinkedAccounts();
    const bitbucket = bitbucketWith({
      listGroups: async () => {
        store.changeMeanwhile({ credentials: NEW_CREDENTIALS, status: 'active', statusReason: null });
        throw new TargetError('credentials-rejected', 'Invalid credentials', 401);
      },
    });

    await expect(refreshGroups(accountDeps(store, bitbucket), ACTOR, 'account-1')).rejects.toThrow(/rejected/i);

    expect(store.account).toMatchObject({ status: 'active', statusReason: null, credentialType: 'oauth-consumer' });
    expect(store.audit).toEqual([]);
  });
});

describe('delivery and the linked account it delivers through', () => {
  const invitation: DeliverableInvitation = {
    id: 'invitation-1',
    tenantId: ACTOR.tenantId,
    newUserId: 'new-user-1',
    linkedAccountId: 'account-1',
    targetType: 'bitbucket-workspace',
    linkedAccountName: 'acme',
    accountId: 'jira-user-1',
    displayName: 'Mia',
    email: 'mia@example.com',
    workspace: 'acme',
    groupSlug: 'qa',
    groupName: 'QA',
    status: 'queued',
    reason: null,
    reasonCode: null,
    attempts: 0,
    nextAttemptAt: null,
    jobId: 'job-1',
    accountType: 'atlassian',
    createdAt: new Date(),
    updatedAt: new Date(),
    sentAt: null,
    chosenBy: null,
    receivedAt: new Date(),
  };
  const deliveryDeps = (store: InMemoryLinkedAccounts, bitbucket: BitbucketGateway) => {
    const invitations = new FakeInvitations({ ...invitation });
    const finish = vi.spyOn(invitations, 'finish');
    const deps: DeliveryDeps = {
      invitations,
      linkedAccounts: store,
      targets: bitbucketTargets(bitbucket),
      jira: {
        forTenant: async () => ({
          getUserEmail: async () => ({ found: false, reason: 'unused' }),
          isAdministrator: async () => true,
          ...NO_USER_CALLS,
          getUser: async () => ({ found: false }),
        }),
      },
      maxAttempts: 3,
      retryBaseMs: 1000,
      retryAfterCapMs: 3_600_000,
      leaseMs: 60_000,
    };
    return { deps, finish };
  };

  it('leaves new credentials active when Bitbucket refuses the old ones a delivery started with', async () => {
    const store = new InMemoryLinkedAccounts();
    const bitbucket = bitbucketWith({
      invite: async () => {
        store.changeMeanwhile({ credentials: NEW_CREDENTIALS, status: 'active', statusReason: null });
        throw new TargetError('credentials-rejected', 'Invalid credentials', 401);
      },
    });
    const { deps } = deliveryDeps(store, bitbucket);

    await deliverInvitation(deps, invitation.id, 'job-1');

    expect(store.account).toMatchObject({ status: 'active', statusReason: null, credentialsVersion: 2 });
  });

  it('still marks the credentials invalid when the ones Bitbucket refused are the current ones', async () => {
    const store = new InMemoryLinkedAccounts();
    const { deps } = deliveryDeps(
      store,
      bitbucketWith({ invite: async () => Promise.reject(new TargetError('credentials-rejected', 'Invalid credentials', 401)) }),
    );

    await deliverInvitation(deps, invitation.id, 'job-1');

    expect(store.account.status).toBe('credentials-invalid');
  });

  it('skips, without calling Bitbucket, an invitation whose workspace was unlinked', async () => {
    const store = new InMemoryLinkedAccounts();
    store.account = { ...store.account, status: 'unlinked', defaultGroups: [], unlinkedAt: new Date() };
    store.credentials = null;
    const invite = vi.fn(async () => 'sent' as const);
    const { deps, finish } = deliveryDeps(store, bitbucketWith({ invite }));

    await deliverInvitation(deps, invitation.id, 'job-1');

    expect(invite).not.toHaveBeenCalled();
    expect(finish).toHaveBeenCalledWith(invitation.id, expect.any(String), {
      status: 'skipped',
      reason: unlinkedReason('workspace'),
      reasonCode: 'unlinked',
      attempted: false,
    });
  });
});
