import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { AppProcess } from '../support/app-process.js';
import { APP_SECRET_KEY, ORG_GROUPS, ORGANIZATION, eventually, linkOrganization, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const USERS = 20;
const ORG = ORGANIZATION.id;
const DIR = ORGANIZATION.directories[0]!.id;
const GROUP = ORG_GROUPS.developers.id;
const QUEUE_SETTINGS = { JOB_EXPIRE_SECONDS: '2', QUEUE_MAINTENANCE_SECONDS: '1', QUEUE_POLL_SECONDS: '0.5' };

describe('a worker that crashes in the middle of a check against Jira', () => {
  let harness: Harness;
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    // This instance takes webhooks and the admin's calls; the work is done by worker processes.
    harness = await startHarness({ app: { workers: false }, env: QUEUE_SETTINGS });
  });
  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await harness?.stop();
  });

  const worker = async () => {
    const process = new AppProcess({
      NODE_ENV: 'test',
      SANDBOX: 'off',
      PORT: '0',
      LOG_LEVEL: 'info',
      DATABASE_URL: harness.databaseUrl,
      APP_SECRET_KEY,
      ATLASSIAN_ADMIN_API_URL: harness.admin.apiUrl,
      BITBUCKET_API_URL: harness.bitbucket.apiUrl,
      BITBUCKET_OAUTH_TOKEN_URL: harness.bitbucket.oauthTokenUrl,
      // Pages of 4 at 2 lookups a second: the check saves its place every 2 s, so the kill lands mid-check.
      JIRA_USER_CHECKS_PER_SECOND: '2',
      USER_CHECK_PAGE_SIZE: '4',
      ...QUEUE_SETTINGS,
    });
    workers.push(process);
    await process.start();
    return process;
  };

  it('resumes the check where it stopped, and removes every deactivated user exactly once', { timeout: 240_000 }, async () => {
    const api = (method: string, path: string, body?: unknown) => harness.api(method, path, body);
    const id = await linkOrganization(api, [GROUP]);
    expect((await api('PUT', `/api/linked-accounts/${id}/offboarding`, { mode: 'remove', threshold: 100 })).status).toBe(200);
    const users = Array.from({ length: USERS }, (_, i) => `crash-leaver-${String(i).padStart(2, '0')}`);
    harness.admin.addUsers(ORG, DIR, users);
    const first = await worker();
    for (const accountId of users) {
      expect((await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, { accountId, displayName: accountId })).status).toBe(204);
    }
    await eventually(async () => users.every((u) => harness.admin.members(ORG, GROUP).includes(u)), 60_000, 'every membership');
    for (const accountId of users) harness.site.directory.deactivate(accountId);

    expect((await api('POST', '/api/user-checks')).status).toBe(202);
    await eventually(
      async () => {
        const check = (await api('GET', '/api/user-checks/latest')).body.userCheck;
        return check.checked >= 4 ? check : undefined;
      },
      60_000,
      'the first pages of the check',
    );
    await first.kill();
    const progressAtKill = (await api('GET', '/api/user-checks/latest')).body.userCheck;
    expect(progressAtKill.status).toBe('running');

    await worker();
    const check = await eventually(
      async () => {
        const latest = (await api('GET', '/api/user-checks/latest')).body.userCheck;
        return latest.status === 'finished' ? latest : undefined;
      },
      150_000,
      'the check to finish after the restart',
    );
    // Exact figures: the page under way at the kill is read again, and the users it had found deactivated
    // count once, as departed. "Check now" took over the scheduled check that started when removal was turned
    // on (it may have passed these users before they were deactivated) and started it over from the first user.
    expect(check).toMatchObject({ trigger: 'admin', checked: USERS, inactive: USERS, reactivated: 0, unknown: 0 });
    const removals = await eventually(
      async () => {
        const rows = await withClient(harness.databaseUrl, (c) =>
          c.query<{ account_id: string; status: string }>('SELECT account_id, status FROM removals'),
        );
        return rows.rows.length === USERS && rows.rows.every((r) => r.status === 'removed') ? rows.rows : undefined;
      },
      60_000,
      'every removal',
    );
    expect(new Set(removals.map((r) => r.account_id)).size).toBe(USERS);
    expect(harness.admin.members(ORG, GROUP).filter((m) => users.includes(m))).toEqual([]);
    const deletes = harness.admin.received.filter((r) => r.method === 'DELETE' && r.status === 204);
    expect(deletes).toHaveLength(USERS);
  });
});
