import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BitbucketClient } from '../../src/clients/bitbucket/bitbucket-client.js';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

/** Long enough for pg-boss to expire the job (1 s), retry it (5–10 s later) and hand it out again. */
const SLOW_INVITE_MS = 14_000;

describe('a delivery that runs longer than its job may', () => {
  let harness: Harness;
  let invitesStarted = 0;

  beforeAll(async () => {
    harness = await startHarness({
      env: { JOB_EXPIRE_SECONDS: '1', QUEUE_MAINTENANCE_SECONDS: '1' },
      app: {
        // The real client against the simulator, with every invitation slowed down.
        bitbucket: (throttle) => {
          // Built on first use: the simulator's address is known once the harness has started.
          let client: BitbucketClient | undefined;
          const real = () =>
            (client ??= new BitbucketClient({ apiUrl: harness.bitbucket.apiUrl, oauthTokenUrl: harness.bitbucket.oauthTokenUrl, throttle }));
          return {
            listGroups: (workspace, credentials) => real().listGroups(workspace, credentials),
            groupMembers: (workspace, credentials, groupSlug) => real().groupMembers(workspace, credentials, groupSlug),
            removeGroupMember: (workspace, credentials, groupSlug, accountId) =>
              real().removeGroupMember(workspace, credentials, groupSlug, accountId),
            invite: async (workspace, credentials, email, groupSlug) => {
              invitesStarted++;
              await new Promise((resolve) => setTimeout(resolve, SLOW_INVITE_MS));
              return real().invite(workspace, credentials, email, groupSlug);
            },
          };
        },
      },
    });
    await linkWorkspace(harness, ['developers']);
  });
  afterAll(() => harness?.stop());

  it('is sent once, though pg-boss hands its job out a second time while it runs', { timeout: 60_000 }, async () => {
    const user = { accountId: 'slow-1', displayName: 'Sam Slow', emailAddress: 'sam@example.com', emailVisible: true };
    expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    const jobId = await eventually(
      () => withClient(harness.databaseUrl, (c) => c.query<{ job_id: string }>('SELECT job_id FROM invitations')).then((r) => r.rows[0]?.job_id),
      10_000,
      'the invitation',
    );

    const status = () =>
      withClient(harness.databaseUrl, (c) => c.query<{ status: string }>('SELECT status FROM invitations')).then((r) => r.rows[0]!.status);
    await eventually(async () => (await status()) === 'sent', 40_000, 'the invitation to be sent');

    // pg-boss did hand the job out again while the first run was still sending it.
    const job = await withClient(harness.databaseUrl, (c) =>
      c.query<{ retry_count: number }>('SELECT retry_count FROM pgboss.job WHERE id = $1', [jobId]),
    );
    expect(job.rows[0]!.retry_count).toBeGreaterThanOrEqual(1);
    expect(invitesStarted).toBe(1);
    expect(harness.bitbucket.received.filter((r) => r.method === 'PUT')).toHaveLength(1);
    expect(harness.bitbucket.repeatedInvitations('acme')).toEqual([]);
  });
});
