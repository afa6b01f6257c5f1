import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

type InvitationJson = { id: string; status: string; reason: string | null; attempts: number; accountId: string; nextAttemptAt: string | null };

/**
 * pg-boss gives up on a job that keeps throwing (its retry limit) and eventually archives it. The
 * invitation it owned must not stay queued forever: the sweep notices within a maintenance interval.
 */
describe('an invitation whose delivery job ended without finishing it', () => {
  let harness: Harness;
  let counter = 0;

  beforeAll(async () => {
    harness = await startHarness({ env: { QUEUE_MAINTENANCE_SECONDS: '1', DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_RETRY_BASE_SECONDS: '0.2' } });
    await linkWorkspace(harness, ['developers']);
  });
  afterAll(() => harness?.stop());

  async function invitationOf(accountId: string): Promise<InvitationJson | undefined> {
    const answer = await harness.api('GET', '/api/invitations?pageSize=100');
    return (answer.body.invitations as InvitationJson[]).find((i) => i.accountId === accountId);
  }

  /** An invitation waiting ten minutes on Bitbucket's Retry-After, after one attempt. */
  async function waitingInvitation(): Promise<InvitationJson & { email: string }> {
    counter++;
    const user = {
      accountId: `stalled-${counter}`,
      displayName: `Stalled ${counter}`,
      emailAddress: `stalled${counter}@example.com`,
      emailVisible: true,
    };
    harness.bitbucket.failInvitations('acme', { status: 429, count: 1, retryAfterSeconds: 600 });
    expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    const waiting = await eventually(
      async () => {
        const found = await invitationOf(user.accountId);
        return found?.status === 'queued' && found.attempts === 1 ? found : undefined;
      },
      15_000,
      'the invitation to wait',
    );
    return { ...waiting, email: user.emailAddress };
  }

  /** What pg-boss does once a job has used up its retries. */
  const failJobOf = (invitationId: string) =>
    withClient(harness.databaseUrl, (c) =>
      c.query("UPDATE pgboss.job SET state = 'failed', completed_on = now() WHERE id = (SELECT job_id FROM invitations WHERE id = $1)", [
        invitationId,
      ]),
    );

  it('gets a fresh job, counting the attempt, and is sent', async () => {
    const waiting = await waitingInvitation();
    await failJobOf(waiting.id);

    const sent = await eventually(
      async () => {
        const found = await invitationOf(waiting.accountId);
        return found?.status === 'sent' ? found : undefined;
      },
      15_000,
      'the invitation to be sent',
    );
    expect(sent.attempts).toBe(3); // the 429, the job that ended, the one that got through
    const puts = harness.bitbucket.received.filter((r) => r.method === 'PUT' && (r.body as { email?: string }).email === waiting.email);
    expect(puts.map((r) => r.status)).toEqual([429, 200]);
  });

  it('fails with a reason once its attempts are used up', async () => {
    const waiting = await waitingInvitation();
    await withClient(harness.databaseUrl, (c) => c.query('UPDATE invitations SET attempts = 2 WHERE id = $1', [waiting.id]));
    await failJobOf(waiting.id);

    const failed = await eventually(
      async () => {
        const found = await invitationOf(waiting.accountId);
        return found?.status === 'failed' ? found : undefined;
      },
      15_000,
      'the invitation to fail',
    );
    expect(failed.reason).toBe("Gave up after 3 attempts: sending this invitation kept failing on the app's side. The server log has the details.");
    expect(failed.attempts).toBe(3);
  });

  it('is left alone while its job is still waiting to run', async () => {
    const waiting = await waitingInvitation();
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // two sweeps
    expect(await invitationOf(waiting.accountId)).toMatchObject({ status: 'queued', attempts: 1, nextAttemptAt: waiting.nextAttemptAt });
  });
});
