import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

/**
 * pg-boss gives up on a planning job that keeps failing (its retry limit). The new users it listed
 * must not be lost: the sweep hands those still unplanned to a new planning job.
 */
describe('a new user whose planning job ended without planning them', () => {
  let harness: Harness;

  beforeAll(async () => {
    // A web-only first instance: it records new users, and nothing plans them until a worker runs.
    harness = await startHarness({ env: { QUEUE_MAINTENANCE_SECONDS: '1' }, app: { workers: false } });
    await linkWorkspace(harness, ['developers', 'qa']);
  });
  afterAll(() => harness?.stop());

  it('is planned by a new job and invited to every default group, once', async () => {
    const user = { accountId: 'unplanned-1', displayName: 'Una Planned', emailAddress: 'una@example.com', emailVisible: true };
    expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    // What pg-boss does once the job has used up its retries.
    const failed = await withClient(harness.databaseUrl, (c) =>
      c.query("UPDATE pgboss.job SET state = 'failed', completed_on = now() WHERE name = 'plan-invitations' AND state < 'completed'"),
    );
    expect(failed.rowCount).toBe(1);

    await harness.startInstance({ QUEUE_MAINTENANCE_SECONDS: '1' }, { workers: true });
    const sent = await eventually(
      async () => {
        const puts = harness.bitbucket.received.filter((r) => r.method === 'PUT' && r.status === 200);
        return puts.length >= 2 ? puts : undefined;
      },
      20_000,
      'both invitations to be sent',
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // a second sweep would act now
    expect(harness.bitbucket.received.filter((r) => r.method === 'PUT')).toHaveLength(2);
    expect(sent.map((r) => (r.body as { group_slug: string }).group_slug).sort()).toEqual(['developers', 'qa']);
    const planned = await withClient(harness.databaseUrl, (c) => c.query('SELECT planned_at FROM new_users WHERE account_id = $1', [user.accountId]));
    expect(planned.rows[0].planned_at).not.toBeNull();
  });
});
