import { afterEach, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

async function createUsers(harness: Harness, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const user = { accountId: `${prefix}-${i}`, displayName: `${prefix} ${i}`, emailAddress: `${prefix}${i}@example.com`, emailVisible: true };
    expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
  }
}

const statuses = (harness: Harness) =>
  withClient(harness.databaseUrl, (c) =>
    c.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM invitations GROUP BY status'),
  ).then((r) => Object.fromEntries(r.rows.map((row) => [row.status, Number(row.n)])));

describe("a workspace's Bitbucket rate limits", () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('are shared by every app instance, so Bitbucket never has to refuse an invitation', async () => {
    harness = await startHarness({
      bitbucket: { invitationsPerSecond: 5 },
      env: { BITBUCKET_INVITATIONS_PER_MINUTE: '300' },
    });
    await harness.startInstance(); // a second instance, same database, its own workers
    await linkWorkspace(harness, ['developers']);

    const started = Date.now();
    await createUsers(harness, 'rl', 20);
    await eventually(async () => (await statuses(harness!)).sent === 20, 20_000, '20 sent invitations');
    const elapsedMs = Date.now() - started;

    expect(harness.bitbucket.rateLimitedCount).toBe(0);
    // 20 invitations at 5/s with a burst of 5: one shared budget needs about 3 s; two separate ones would need half.
    expect(elapsedMs).toBeGreaterThan(2_800);
    const accepted = harness.bitbucket.received.filter((r) => r.method === 'PUT' && r.status === 200).map((r) => r.at);
    for (const at of accepted) {
      expect(accepted.filter((other) => other >= at && other < at + 1_000).length).toBeLessThanOrEqual(10);
    }
  });

  it('hold invitations back, still queued, once the hourly request budget is spent', async () => {
    harness = await startHarness({
      bitbucket: { requestsPerHour: 30 },
      env: { BITBUCKET_REQUESTS_PER_HOUR: '30' },
    });
    await linkWorkspace(harness, ['developers']); // one request: the group list
    await createUsers(harness, 'hour', 6);

    // A burst of 3 (a tenth of the hour): the group list and two invitations. The other four
    // wait for the hour to refill, still queued, each with the time of its next attempt.
    const waiting = await eventually(
      async () => {
        const answer = await harness!.api('GET', '/api/invitations?status=queued');
        const queued = answer.body.invitations as { nextAttemptAt: string | null }[];
        return queued.length === 4 && queued.every((i) => i.nextAttemptAt) ? queued : undefined;
      },
      15_000,
      'four invitations waiting for the hourly budget',
    );
    for (const invitation of waiting) expect(new Date(invitation.nextAttemptAt!).getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(await statuses(harness)).toEqual({ sent: 2, queued: 4 });
    expect(harness.bitbucket.rateLimitedCount).toBe(0);
  });
});
