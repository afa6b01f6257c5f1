import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { eventually, linkWorkspace, OAUTH, startHarness, type Harness } from '../support/test-app.js';

type InvitationJson = {
  id: string;
  groupSlug: string;
  status: string;
  reason: string | null;
  attempts: number;
  accountId: string;
  nextAttemptAt: string | null;
};

describe('delivering an invitation', () => {
  let harness: Harness;
  let accountId: string;
  let counter = 0;

  beforeAll(async () => {
    harness = await startHarness({ env: { DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_RETRY_BASE_SECONDS: '0.2' } });
    accountId = await linkWorkspace(harness, ['developers']);
  });
  afterAll(() => harness?.stop());

  async function createUser(): Promise<{ jiraAccountId: string; email: string }> {
    counter++;
    const user = { accountId: `u-${counter}`, displayName: `User ${counter}`, emailAddress: `user${counter}@example.com`, emailVisible: true };
    const sent = await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user);
    expect(sent.status).toBe(204);
    return { jiraAccountId: user.accountId, email: user.emailAddress };
  }

  async function settledInvitation(jiraAccountId: string, status?: string): Promise<InvitationJson> {
    return eventually(
      async () => {
        const answer = await harness.api('GET', '/api/invitations?pageSize=100');
        const found = (answer.body.invitations as InvitationJson[]).find((i) => i.accountId === jiraAccountId);
        return found && found.status !== 'queued' && (!status || found.status === status) ? found : undefined;
      },
      15_000,
      `invitation of ${jiraAccountId}`,
    );
  }

  const putsFor = (email: string) =>
    harness.bitbucket.received.filter((r) => r.method === 'PUT' && (r.body as { email?: string } | null)?.email === email);

  it('waits as long as Bitbucket asks after a 429, then sends', async () => {
    harness.bitbucket.failInvitations('acme', { status: 429, count: 1, retryAfterSeconds: 1 });
    const { jiraAccountId, email } = await createUser();
    const invitation = await settledInvitation(jiraAccountId);
    expect(invitation.status).toBe('sent');
    expect(invitation.attempts).toBe(2);
    const [refused, accepted] = putsFor(email);
    expect(refused!.status).toBe(429);
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(950);
  });

  it("waits no longer than an hour however long Bitbucket's Retry-After asks, and sends at once when the admin says Send now", async () => {
    harness.bitbucket.failInvitations('acme', { status: 429, count: 1, retryAfterSeconds: 999_999_999 });
    const { jiraAccountId, email } = await createUser();
    const waiting = await eventually(
      async () => {
        const answer = await harness.api('GET', '/api/invitations?status=queued');
        const found = (answer.body.invitations as InvitationJson[]).find((i) => i.accountId === jiraAccountId);
        return found?.nextAttemptAt ? found : undefined;
      },
      15_000,
      'the invitation to wait for its next attempt',
    );
    const nextAttempt = Date.parse(waiting.nextAttemptAt!);
    expect(nextAttempt).toBeGreaterThan(Date.now() + 55 * 60_000);
    expect(nextAttempt).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
    expect(waiting.reason).toMatch(/tries again in 1 hour/);

    const sentNow = await harness.api('POST', `/api/invitations/${waiting.id}/send-now`);
    expect(sentNow.status).toBe(200);
    expect(sentNow.body.invitation).toMatchObject({ id: waiting.id, status: 'queued', nextAttemptAt: null, attempts: 1 });
    const sent = await settledInvitation(jiraAccountId, 'sent');
    expect(sent.attempts).toBe(2);
    expect(putsFor(email).map((r) => r.status)).toEqual([429, 200]);

    const again = await harness.api('POST', `/api/invitations/${waiting.id}/send-now`);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Only a queued invitation can be sent now. A failed or skipped one can be retried.');
  });

  it('answers Send now for an unknown invitation with 404', async () => {
    const unknown = await harness.api('POST', '/api/invitations/00000000-0000-4000-8000-000000000000/send-now');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ message: 'No invitation with this id.' });
  });

  it('retries after Bitbucket server errors until it gets through', async () => {
    harness.bitbucket.failInvitations('acme', { status: 503, count: 2 });
    const { jiraAccountId, email } = await createUser();
    const invitation = await settledInvitation(jiraAccountId);
    expect(invitation.status).toBe('sent');
    expect(putsFor(email).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it('gives up after the configured number of attempts and says why', async () => {
    harness.bitbucket.failInvitations('acme', { status: 500, count: 3 });
    const { jiraAccountId, email } = await createUser();
    const invitation = await settledInvitation(jiraAccountId);
    expect(invitation.status).toBe('failed');
    expect(invitation.reason).toMatch(/Gave up after 3 attempts/);
    expect(putsFor(email)).toHaveLength(3);
  });

  it('sends a failed invitation again when the admin retries it, with a fresh series of attempts, and refuses to retry a sent one', async () => {
    harness.bitbucket.failInvitations('acme', { status: 500, count: 3 });
    const { jiraAccountId, email } = await createUser();
    const failed = await settledInvitation(jiraAccountId, 'failed');
    expect(failed.attempts).toBe(3);

    // One more server error: a retry that kept the spent attempts would give up after it.
    harness.bitbucket.failInvitations('acme', { status: 500, count: 1 });
    const retried = await harness.api('POST', `/api/invitations/${failed.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.invitation).toMatchObject({ status: 'queued', attempts: 0 });
    const sent = await settledInvitation(jiraAccountId, 'sent');
    expect(sent.id).toBe(failed.id);
    expect(sent.attempts).toBe(2);
    expect(putsFor(email).map((r) => r.status)).toEqual([500, 500, 500, 500, 200]);

    const again = await harness.api('POST', `/api/invitations/${failed.id}/retry`);
    expect(again.status).toBe(409);
  });

  it('stops on rejected credentials, marks the linked account, and resumes when the admin updates them', async () => {
    // Two refusals: the client renews its OAuth token once after a 401 before believing it.
    harness.bitbucket.failInvitations('acme', { status: 401, count: 2 });
    const { jiraAccountId, email } = await createUser();
    const failed = await settledInvitation(jiraAccountId, 'failed');
    expect(failed.reason).toMatch(/rejected these credentials/);
    expect(putsFor(email).map((r) => r.status)).toEqual([401, 401]);

    // The run that failed the invitation marks the account right after (only the run holding the invitation speaks for it).
    await eventually(
      async () => (await harness.api('GET', '/api/linked-accounts')).body.linkedAccounts[0].status === 'credentials-invalid',
      10_000,
      'the linked account to be marked Credentials invalid',
    );

    const second = await createUser();
    const held = await settledInvitation(second.jiraAccountId, 'failed');
    expect(held.reason).toMatch(/rejected these credentials/);
    expect(putsFor(second.email)).toHaveLength(0);

    const updated = await harness.api('PUT', `/api/linked-accounts/${accountId}/credentials`, { credentials: OAUTH });
    expect(updated.status).toBe(200);
    expect(updated.body.linkedAccount.status).toBe('active');
    await settledInvitation(jiraAccountId, 'sent');
    await settledInvitation(second.jiraAccountId, 'sent');
  });

  it('marks a workspace that became admin-managed as refusing invitations, until a refresh finds it accepting again', async () => {
    harness.bitbucket.setAdminManaged('acme', true);
    let jiraAccountId: string;
    try {
      ({ jiraAccountId } = await createUser());
      const failed = await settledInvitation(jiraAccountId, 'failed');
      expect(failed.reason).toMatch(/Atlassian Administration/);
      await eventually(
        async () => (await harness.api('GET', '/api/linked-accounts')).body.linkedAccounts[0].status === 'invitations-refused',
        10_000,
        'the linked account to be marked Invitations refused',
      );
    } finally {
      harness.bitbucket.setAdminManaged('acme', false);
    }
    const refreshed = await harness.api('POST', `/api/linked-accounts/${accountId}/refresh-groups`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.linkedAccount.status).toBe('active');
    await settledInvitation(jiraAccountId, 'sent');
  });
});
