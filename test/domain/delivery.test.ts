import { describe, expect, it } from 'vitest';
import { deliverInvitation, recoverStalledInvitations, retryInvitation, sendInvitationNow, type DeliveryDeps } from '../../src/domain/delivery.js';
import { DomainError, JiraUnavailableError, TargetError, ThrottledError } from '../../src/domain/errors.js';
import type { DeliverableInvitation } from '../../src/domain/stores.js';
import { anAccount, anInvitation, bitbucketTargets, FakeBitbucket, FakeInvitations, FakeJira, FakeLinkedAccounts } from './delivery-fakes.js';

const MAX_ATTEMPTS = 5;
const BASE_MS = 10_000;
const CAP_MS = 3_600_000;
const LEASE_MS = 120_000;

function setUp(invitation: Partial<DeliverableInvitation> = {}) {
  const invitations = new FakeInvitations(anInvitation(invitation));
  const linkedAccounts = new FakeLinkedAccounts();
  const bitbucket = new FakeBitbucket();
  const jira = new FakeJira();
  const deps: DeliveryDeps = {
    invitations,
    linkedAccounts,
    targets: bitbucketTargets(bitbucket),
    jira,
    maxAttempts: MAX_ATTEMPTS,
    retryBaseMs: BASE_MS,
    retryAfterCapMs: CAP_MS,
    leaseMs: LEASE_MS,
  };
  const deliver = () => deliverInvitation(deps, invitations.row.id, invitations.row.jobId!);
  return { deps, invitations, linkedAccounts, bitbucket, jira, deliver };
}

const rateLimited = (retryAfterMs: number | null) =>
  new TargetError('rate-limited', "Bitbucket's rate limit was reached (HTTP 429)", 429, retryAfterMs);
const unavailable = (status: number | null = 503) => new TargetError('unavailable', `Bitbucket is unavailable (HTTP ${status})`, status);
const notFound = () => new TargetError('not-found', 'Bitbucket answered "not found" (HTTP 404)', 404);

describe('delivering one invitation', () => {
  it('sends it, records it as sent, counts the attempt and notes the time on the linked account', async () => {
    const { invitations, linkedAccounts, bitbucket, deliver } = setUp();
    await deliver();
    expect(bitbucket.invites).toBe(1);
    expect(invitations.finished).toEqual({ status: 'sent', reason: null, reasonCode: null, attempted: true, email: 'nina@example.com' });
    expect(linkedAccounts.sentRecorded).toBe(1);
  });

  it("counts Bitbucket's 409 as already invited, not as a failure", async () => {
    const { invitations, bitbucket, deliver } = setUp();
    bitbucket.inviteAnswer = async () => 'already-invited';
    await deliver();
    expect(invitations.finished).toMatchObject({ status: 'already-invited', reasonCode: null, attempted: true });
    expect(invitations.rescheduled).toEqual([]);
  });

  it.each([
    ['401', new TargetError('credentials-rejected', 'Bitbucket rejected the credentials (HTTP 401)', 401)],
    ['403', new TargetError('forbidden', 'no administrator rights (HTTP 403)', 403)],
  ])('fails without retrying and marks the linked account Credentials invalid on a %s', async (_status, error) => {
    const { invitations, linkedAccounts, bitbucket, deliver } = setUp();
    bitbucket.inviteAnswer = async () => Promise.reject(error);
    await deliver();
    expect(invitations.finished).toMatchObject({ status: 'failed', reasonCode: 'credentials-invalid', attempted: true });
    expect(invitations.rescheduled).toEqual([]);
    expect(linkedAccounts.marked).toEqual([
      { id: 'account-1', status: 'credentials-invalid', reason: invitations.finished!.reason, credentialsVersion: 1 },
    ]);
  });

  describe('on a 404, asks for the group list to learn why', () => {
    it('fails only this invitation when the group is gone, leaving the linked account active', async () => {
      const { invitations, linkedAccounts, bitbucket, deliver } = setUp();
      bitbucket.inviteAnswer = async () => Promise.reject(notFound());
      bitbucket.groupsAnswer = async () => [{ slug: 'qa', name: 'QA' }];
      await deliver();
      expect(invitations.finished).toMatchObject({ status: 'failed', reasonCode: 'group-missing' });
      expect(invitations.finished!.reason).toMatch(/"Developers" no longer exists in "acme"/);
      expect(linkedAccounts.marked).toEqual([]);
    });

    it('marks the linked account Invitations refused when the group is still there', async () => {
      const { invitations, linkedAccounts, bitbucket, deliver } = setUp();
      bitbucket.inviteAnswer = async () => Promise.reject(notFound());
      await deliver();
      expect(invitations.finished).toMatchObject({ status: 'failed', reasonCode: 'invitations-refused' });
      expect(linkedAccounts.marked.map((m) => m.status)).toEqual(['invitations-refused']);
    });

    it('marks the linked account Invitations refused when the group list answers 404 too', async () => {
      const { invitations, linkedAccounts, bitbucket, deliver } = setUp();
      bitbucket.inviteAnswer = async () => Promise.reject(notFound());
      bitbucket.groupsAnswer = async () => Promise.reject(notFound());
      await deliver();
      expect(invitations.finished).toMatchObject({ status: 'failed', reasonCode: 'invitations-refused' });
      expect(linkedAccounts.marked.map((m) => m.status)).toEqual(['invitations-refused']);
    });

    it.each([
      ['a 503', () => unavailable(503), null],
      ['a timeout', () => new TargetError('unavailable', 'Bitbucket did not answer within 10000 ms', null), null],
      ['a 429 asking for 30 s', () => rateLimited(30_000), 30_000],
      ["our own rate limit's wait of 20 s", () => new ThrottledError(20_000), 20_000],
    ])('retries, counting an attempt, and leaves the linked account alone when the group list fails with %s', async (_what, failure, waitMs) => {
      const { invitations, linkedAccounts, bitbucket, deliver } = setUp({ attempts: 1 });
      bitbucket.inviteAnswer = async () => Promise.reject(notFound());
      bitbucket.groupsAnswer = async () => Promise.reject(failure());
      await deliver();
      expect(linkedAccounts.marked).toEqual([]);
      expect(invitations.finished).toBeNull();
      expect(invitations.rescheduled).toHaveLength(1);
      const [retry] = invitations.rescheduled;
      expect(retry).toMatchObject({ attempted: true, email: 'nina@example.com' });
      expect(retry!.reason).toMatch(/group list of "acme".*could not be read/);
      if (waitMs === null) expectBackoff(retry!.delayMs, 2);
      else expect(retry!.delayMs).toBe(waitMs);
      expect(invitations.row.attempts).toBe(2);
    });

    it('fails with the last reason, still leaving the linked account alone, once the attempts are used up', async () => {
      const { invitations, linkedAccounts, bitbucket, deliver } = setUp({ attempts: MAX_ATTEMPTS - 1 });
      bitbucket.inviteAnswer = async () => Promise.reject(notFound());
      bitbucket.groupsAnswer = async () => Promise.reject(unavailable());
      await deliver();
      expect(invitations.finished).toMatchObject({ status: 'failed', reasonCode: 'attempts-exhausted' });
      expect(invitations.finished!.reason).toMatch(new RegExp(`^Gave up after ${MAX_ATTEMPTS} attempts\\.`));
      expect(linkedAccounts.marked).toEqual([]);
    });
  });

  describe('on a 429', () => {
    it('waits exactly as long as Retry-After says', async () => {
      const { invitations, bitbucket, deliver } = setUp();
      bitbucket.inviteAnswer = async () => Promise.reject(rateLimited(3_000));
      await deliver();
      expect(invitations.rescheduled).toEqual([
        { delayMs: 3_000, reason: expect.stringContaining('Bitbucket did not answer'), attempted: true, email: 'nina@example.com' },
      ]);
    });

    it('backs off exponentially without Retry-After', async () => {
      const { invitations, bitbucket, deliver } = setUp({ attempts: 2 });
      bitbucket.inviteAnswer = async () => Promise.reject(rateLimited(null));
      await deliver();
      expectBackoff(invitations.rescheduled[0]!.delayMs, 3);
    });

    it('waits no longer than the cap, however long Retry-After asks, and says so', async () => {
      const { invitations, bitbucket, deliver } = setUp();
      bitbucket.inviteAnswer = async () => Promise.reject(rateLimited(999_999_999_000));
      await deliver();
      expect(invitations.rescheduled[0]!.delayMs).toBe(CAP_MS);
      expect(invitations.rescheduled[0]!.reason).toMatch(/tries again in 1 hour/);
    });
  });

  it('retries a 5xx with backoff, counting the attempt', async () => {
    const { invitations, bitbucket, deliver } = setUp();
    bitbucket.inviteAnswer = async () => Promise.reject(unavailable(502));
    await deliver();
    expect(invitations.rescheduled).toHaveLength(1);
    expectBackoff(invitations.rescheduled[0]!.delayMs, 1);
    expect(invitations.row).toMatchObject({ status: 'queued', attempts: 1, reasonCode: 'retrying' });
  });

  it('fails with the last reason once the attempts are used up', async () => {
    const { invitations, bitbucket, deliver } = setUp({ attempts: MAX_ATTEMPTS - 1 });
    bitbucket.inviteAnswer = async () => Promise.reject(unavailable(500));
    await deliver();
    expect(invitations.rescheduled).toEqual([]);
    expect(invitations.finished).toMatchObject({ status: 'failed', reasonCode: 'attempts-exhausted', attempted: true });
    expect(invitations.finished!.reason).toMatch(/^Gave up after 5 attempts\. Bitbucket did not answer/);
  });

  it('waits for our own rate limit without counting an attempt, and no longer than the cap', async () => {
    const { invitations, bitbucket, deliver } = setUp();
    bitbucket.inviteAnswer = async () => Promise.reject(new ThrottledError(2 * CAP_MS));
    await deliver();
    expect(invitations.rescheduled).toEqual([{ delayMs: CAP_MS, reason: null, attempted: false, email: 'nina@example.com' }]);
  });

  it('does nothing, and comes back when the lease ends, while another run of the same job holds the invitation', async () => {
    const { invitations, bitbucket, jira, deliver } = setUp({ email: null });
    invitations.leaseToAnotherRun();
    await deliver();
    expect(bitbucket.invites).toBe(0);
    expect(jira.lookups).toBe(0);
    expect(invitations.finished).toBeNull();
    expect(invitations.deferred).toHaveLength(1);
    expect(invitations.row.jobId).toBe(invitations.deferred[0]);
  });

  it('does not send when another run took the invitation over before the call, after this run outlived its lease', async () => {
    const { invitations, bitbucket, jira, deliver } = setUp({ email: null });
    jira.emailAnswer = async () => {
      invitations.leaseToAnotherRun();
      return { found: true, email: 'nina@example.com' };
    };
    await deliver();
    expect(bitbucket.invites).toBe(0);
    expect(invitations.finished).toBeNull();
    expect(invitations.rescheduled).toEqual([]);
  });

  it('does nothing for a job that no longer owns the invitation', async () => {
    const { deps, invitations, bitbucket } = setUp();
    await deliverInvitation(deps, invitations.row.id, 'an-older-job');
    expect(bitbucket.invites).toBe(0);
    expect(invitations.finished).toBeNull();
    expect(invitations.deferred).toEqual([]);
  });

  it('holds the invitation back, unsent and without counting an attempt, while the linked account is not active', async () => {
    const { invitations, linkedAccounts, bitbucket, deliver } = setUp();
    linkedAccounts.account = anAccount({ status: 'credentials-invalid', statusReason: 'Bitbucket rejected these credentials for "acme".' });
    await deliver();
    expect(bitbucket.invites).toBe(0);
    expect(invitations.finished).toEqual({
      status: 'failed',
      reason: 'Bitbucket rejected these credentials for "acme".',
      reasonCode: 'credentials-invalid',
      attempted: false,
    });
  });

  it.each(['app', 'customer'])('skips an invitation queued again for a new user who is not a person (%s account)', async (accountType) => {
    const { invitations, bitbucket, deliver } = setUp({ accountType });
    await deliver();
    expect(bitbucket.invites).toBe(0);
    expect(invitations.finished).toMatchObject({ status: 'skipped', reasonCode: 'not-a-person', attempted: false });
  });

  it('looks the address up in Jira when the invitation has none, and sends to it', async () => {
    const { invitations, jira, deliver } = setUp({ email: null });
    await deliver();
    expect(jira.lookups).toBe(1);
    expect(invitations.finished).toMatchObject({ status: 'sent', email: 'from-jira@example.com' });
  });

  it('skips the invitation with the reason when Jira refuses to share the address', async () => {
    const { invitations, bitbucket, jira, deliver } = setUp({ email: null });
    jira.emailAnswer = async () => ({ found: false, reason: "Jira did not share this user's email address (HTTP 403)." });
    await deliver();
    expect(bitbucket.invites).toBe(0);
    expect(invitations.finished).toMatchObject({ status: 'skipped', reasonCode: 'no-email', reason: expect.stringContaining('HTTP 403') });
  });

  describe("when Jira's email lookup answers 401 (waiting for a fresh app token)", () => {
    const refused = () =>
      new JiraUnavailableError(
        "Jira did not share this user's email address yet: it refused the app's credentials (HTTP 401).",
        401,
        null,
        'fresh-credentials',
      );

    it('retries later, counting the attempt, instead of skipping', async () => {
      const { invitations, bitbucket, jira, deliver } = setUp({ email: null });
      jira.emailAnswer = async () => Promise.reject(refused());
      await deliver();
      expect(bitbucket.invites).toBe(0);
      expect(invitations.finished).toBeNull();
      expect(invitations.rescheduled).toHaveLength(1);
      expect(invitations.rescheduled[0]).toMatchObject({ attempted: true, reason: expect.stringContaining('HTTP 401') });
      expectBackoff(invitations.rescheduled[0]!.delayMs, 1);
    });

    it('skips it with the reason once the attempts are used up', async () => {
      const { invitations, jira, deliver } = setUp({ email: null, attempts: MAX_ATTEMPTS - 1 });
      jira.emailAnswer = async () => Promise.reject(refused());
      await deliver();
      expect(invitations.finished).toMatchObject({ status: 'skipped', reasonCode: 'no-email', attempted: true });
      expect(invitations.finished!.reason).toMatch(/^Gave up after 5 attempts\. .*HTTP 401/);
    });
  });

  describe('when Jira is unavailable', () => {
    it('waits as long as Jira asked, capped, counting the attempt', async () => {
      const { invitations, jira, deliver } = setUp({ email: null });
      jira.emailAnswer = async () => Promise.reject(new JiraUnavailableError('Jira is rate limiting the app.', 429, 7_000));
      await deliver();
      expect(invitations.rescheduled).toEqual([{ delayMs: 7_000, reason: 'Jira is rate limiting the app.', attempted: true }]);

      jira.emailAnswer = async () => Promise.reject(new JiraUnavailableError('Jira is rate limiting the app.', 429, 10 * CAP_MS));
      await deliverInvitation(setUpDeps(invitations, jira), invitations.row.id, invitations.row.jobId!);
      expect(invitations.rescheduled[1]!.delayMs).toBe(CAP_MS);
    });

    it('fails once the attempts are used up', async () => {
      const { invitations, jira, deliver } = setUp({ email: null, attempts: MAX_ATTEMPTS - 1 });
      jira.emailAnswer = async () => Promise.reject(new JiraUnavailableError('Jira is unavailable: HTTP 503.', 503));
      await deliver();
      expect(invitations.finished).toMatchObject({ status: 'failed', reasonCode: 'attempts-exhausted' });
    });
  });

  it('lets go of the invitation and lets the job layer retry when something unexpected fails', async () => {
    const { invitations, bitbucket, deliver } = setUp();
    bitbucket.inviteAnswer = async () => Promise.reject(new Error('connection to the database lost'));
    await expect(deliver()).rejects.toThrow('connection to the database lost');
    expect(invitations.released).toBe(1);
    expect(invitations.lease).toBeNull();
    expect(invitations.finished).toBeNull();
  });
});

describe('the sweep of invitations whose job ended without finishing them', () => {
  it('queues one again with a fresh job, counting the attempt and saying why', async () => {
    const { deps, invitations } = setUp({ attempts: 1 });
    expect(await recoverStalledInvitations(deps)).toBe(1);
    expect(invitations.row).toMatchObject({ status: 'queued', attempts: 2, reason: expect.stringMatching(/stopped before it finished/) });
    expect(invitations.row.jobId).not.toBe('job-1');
    expectBackoff(invitations.rescheduled[0]!.delayMs, 2);
  });

  it('fails one whose attempts are used up, with a reason', async () => {
    const { deps, invitations } = setUp({ attempts: MAX_ATTEMPTS - 1 });
    await recoverStalledInvitations(deps);
    expect(invitations.finished).toMatchObject({ status: 'failed', reasonCode: 'attempts-exhausted' });
    expect(invitations.finished!.reason).toMatch(/^Gave up after 5 attempts: sending this invitation kept failing/);
  });
});

describe("the admin's actions on an invitation", () => {
  it('Retry queues a failed invitation again with a fresh series of attempts', async () => {
    const { invitations } = setUp({ status: 'failed', attempts: MAX_ATTEMPTS, jobId: null });
    const retried = await retryInvitation({ invitations }, 'tenant-1', invitations.row.id);
    expect(retried).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('Retry refuses, with a sentence, an invitation skipped because the new user is not a person', async () => {
    const { invitations } = setUp({ status: 'skipped', accountType: 'app', reasonCode: 'not-a-person', jobId: null });
    const error = await retryInvitation({ invitations }, 'tenant-1', invitations.row.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'conflict', message: expect.stringMatching(/app \(bot\) account.*cannot be retried/) });
    expect(invitations.row.status).toBe('skipped');
  });

  it('Retry of a queued invitation points to Send now', async () => {
    const { invitations } = setUp();
    await expect(retryInvitation({ invitations }, 'tenant-1', invitations.row.id)).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining('Send now'),
    });
  });

  it('Send now gives a waiting invitation a new job, unless a run is sending it right now', async () => {
    const { invitations } = setUp({ nextAttemptAt: new Date(Date.now() + CAP_MS), attempts: 2 });
    const sent = await sendInvitationNow({ invitations }, 'tenant-1', invitations.row.id);
    expect(sent).toMatchObject({ status: 'queued', nextAttemptAt: null, attempts: 2 });
    expect(sent.jobId).not.toBe('job-1');

    invitations.leaseToAnotherRun();
    await expect(sendInvitationNow({ invitations }, 'tenant-1', invitations.row.id)).rejects.toMatchObject({
      kind: 'conflict',
      message: 'This invitation is being sent right now.',
    });
  });

  it('Send now refuses a finished invitation and does not find one of another tenant', async () => {
    const { invitations } = setUp({ status: 'sent', jobId: null });
    await expect(sendInvitationNow({ invitations }, 'tenant-1', invitations.row.id)).rejects.toMatchObject({ kind: 'conflict' });
    await expect(sendInvitationNow({ invitations }, 'tenant-2', invitations.row.id)).rejects.toMatchObject({ kind: 'not-found' });
  });
});

function setUpDeps(invitations: FakeInvitations, jira: FakeJira): DeliveryDeps {
  return {
    invitations,
    linkedAccounts: new FakeLinkedAccounts(),
    targets: bitbucketTargets(new FakeBitbucket()),
    jira,
    maxAttempts: MAX_ATTEMPTS,
    retryBaseMs: BASE_MS,
    retryAfterCapMs: CAP_MS,
    leaseMs: LEASE_MS,
  };
}

/** The n-th attempt waits base·2^(n-1), ±20 % jitter. */
function expectBackoff(delayMs: number, attempt: number): void {
  const expected = BASE_MS * 2 ** (attempt - 1);
  expect(delayMs).toBeGreaterThanOrEqual(expected * 0.8);
  expect(delayMs).toBeLessThanOrEqual(expected * 1.2);
}
