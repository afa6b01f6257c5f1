import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';

type InvitationJson = { status: string; reason: string | null; attempts: number; accountId: string; nextAttemptAt: string | null };

describe('a 404 for an invitation whose group list cannot be read', () => {
  let harness: Harness;

  beforeAll(async () => {
    // A budget of 20 requests an hour: a burst of 2, then one every three minutes. Linking takes
    // one (the group list), the invitation the other, and the group list delivery reads after a
    // 404 has to wait for our own rate limit.
    harness = await startHarness({ env: { BITBUCKET_REQUESTS_PER_HOUR: '20' } });
    await linkWorkspace(harness, ['developers']);
  });
  afterAll(() => harness?.stop());

  it('leaves the linked account active and retries the invitation later, counting the attempt', async () => {
    harness.bitbucket.failInvitations('acme', { status: 404, count: 1 });
    const user = { accountId: 'hiccup-1', displayName: 'Hilde Hiccup', emailAddress: 'hilde@example.com', emailVisible: true };
    expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);

    const waiting = await eventually(
      async () => {
        const answer = await harness.api('GET', '/api/invitations');
        const found = (answer.body.invitations as InvitationJson[]).find((i) => i.accountId === 'hiccup-1');
        return found && (found.status !== 'queued' || found.attempts > 0) ? found : undefined;
      },
      15_000,
      'the first attempt',
    );
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1 });
    expect(waiting.reason).toMatch(/group list of "acme".*could not be read/);
    expect(Date.parse(waiting.nextAttemptAt!)).toBeGreaterThan(Date.now() + 60_000);

    const accounts = await harness.api('GET', '/api/linked-accounts');
    expect(accounts.body.linkedAccounts[0]).toMatchObject({ status: 'active', statusReason: null });
  });
});
