/**
 * npm run bench -- offboarding: one check of 10,000 users the app added against a simulated Jira
 * whose GET /rest/api/3/user allows N lookups per second (429 with Retry-After past it). Reports the
 * users checked per second next to N, the 429s Jira had to send, and the users left unknown.
 */
import { figureReporter, type Figure } from './figures.js';
import pg from 'pg';
import { AppProcess } from '../test/support/app-process.js';
import { AtlassianAdminSimulator } from '../test/support/simulators/atlassian-admin-simulator.js';
import { ConnectInstallKeyServer } from '../test/support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../test/support/simulators/jira-connect-simulator.js';
import { startBenchDatabase } from './database.js';

const USERS = 10_000;
/** What the simulated Jira allows, and what the app is told to keep to. */
const LOOKUPS_PER_SECOND = 100;
const DEACTIVATED = 50;
const APP_KEY = 'automatic-team-invitations';
const SECRET_KEY = 'bench-secret-key-that-is-long-enough-0123456789';
const ORG = { id: 'org-bench', directoryId: 'dir-bench', groupId: 'grp-bench', apiKey: 'bench-offboarding-org-key-01' };

export async function offboardingCheck(): Promise<Figure[]> {
  const { figures, report } = figureReporter();
  const database = await startBenchDatabase();
  const keys = new ConnectInstallKeyServer();
  await keys.start();
  const admin = new AtlassianAdminSimulator();
  await admin.start();
  admin.addOrganization({
    id: ORG.id,
    name: ORG.id,
    directories: [{ id: ORG.directoryId, name: 'users', groups: [{ id: ORG.groupId, name: 'developers' }] }],
  });
  admin.addApiKey(ORG.apiKey, [ORG.id]);
  const site = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  await site.start();
  site.addUser({ accountId: 'bench-admin', displayName: 'Bench Admin', administrator: true });
  const accountIds = Array.from({ length: USERS }, (_, i) => `bench-user-${String(i).padStart(5, '0')}`);
  for (const accountId of accountIds) site.addUser({ accountId, displayName: accountId });
  for (const accountId of accountIds.slice(0, DEACTIVATED)) site.directory.deactivate(accountId);
  site.directory.limit(LOOKUPS_PER_SECOND);

  const app = new AppProcess({
    NODE_ENV: 'development',
    SANDBOX: 'off',
    PORT: '0',
    LOG_LEVEL: 'info',
    REQUEST_LOG: 'off',
    DATABASE_URL: database.url,
    APP_SECRET_KEY: SECRET_KEY,
    CONNECT_KEYS_CDN_URL: keys.url,
    ATLASSIAN_ADMIN_API_URL: admin.apiUrl,
    JIRA_USER_CHECKS_PER_SECOND: String(LOOKUPS_PER_SECOND),
    QUEUE_POLL_SECONDS: '0.5',
  });
  await app.start();
  try {
    if ((await site.install(app.baseUrl)) !== 204) throw new Error(`install failed: ${site.lastResponse?.body}`);
    const call = async <T>(method: string, p: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${app.baseUrl}${p}`, {
        method,
        headers: { Authorization: `JWT ${site.contextToken('bench-admin')}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const answer = (await response.json()) as T;
      if (!response.ok) throw new Error(`${method} ${p}: ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    };
    const linked = await call<{ linkedAccount: { id: string } }>('POST', '/api/linked-accounts', {
      targetType: 'atlassian-organization',
      organizationId: ORG.id,
      directoryId: ORG.directoryId,
      credentials: { type: 'organization-api-key', apiKey: ORG.apiKey },
    });
    await seedInvitedUsers(database.url, linked.linkedAccount.id, accountIds);

    console.log(`\n(o) Offboarding check: ${USERS} users the app added, against a Jira that allows ${LOOKUPS_PER_SECOND} user lookups/s`);
    const lookupsBefore = site.directory.lookups;
    await call('POST', '/api/user-checks');
    type Check = { status: string; checked: number; inactive: number; unknown: number; startedAt: string; finishedAt: string | null };
    let check: Check;
    for (;;) {
      check = (await call<{ userCheck: Check }>('GET', '/api/user-checks/latest')).userCheck;
      if (check.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const seconds = (Date.parse(check.finishedAt!) - Date.parse(check.startedAt)) / 1000;
    // The app's budget, like Jira's, is a token bucket that starts full with one second's lookups
    // (its burst): those go at once, and the pace is what the refill allows after them. The pace is
    // what must stay within Jira's limit; the burst is the one Jira's own bucket grants.
    const burst = LOOKUPS_PER_SECOND;
    const pace = (check.checked - burst) / seconds;
    report(
      'users checked per second after the first second’s burst / Jira limit',
      `${(pace / LOOKUPS_PER_SECOND).toFixed(2)} (${pace.toFixed(1)}/s next to ${LOOKUPS_PER_SECOND}/s; ${check.checked} users in ${seconds.toFixed(1)} s, ${burst} of them the burst)`,
      '0.80 – 1.00',
      pace / LOOKUPS_PER_SECOND >= 0.8 && pace / LOOKUPS_PER_SECOND <= 1.0,
    );
    report(
      '429s Jira sent during the check',
      `${site.directory.rateLimited} of ${site.directory.lookups - lookupsBefore} lookups`,
      '≤ 1%',
      site.directory.rateLimited <= (site.directory.lookups - lookupsBefore) / 100,
    );
    report('deactivated users found', `${check.inactive} of ${DEACTIVATED}`, String(DEACTIVATED), check.inactive === DEACTIVATED);
    report('users left unknown', String(check.unknown), '0', check.unknown === 0);
  } finally {
    await app.stop();
    await site.stop();
    await admin.stop();
    await keys.stop();
    await database.stop();
  }
  return figures;
}

/** 10,000 users the app added, written as the planning and delivery would have left them (faster than 10,000 deliveries). */
async function seedInvitedUsers(databaseUrl: string, linkedAccountId: string, accountIds: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `WITH account AS (SELECT tenant_id, id FROM linked_accounts WHERE id = $1),
       users AS (
         INSERT INTO new_users (tenant_id, account_id, display_name, account_type, planned_at)
         SELECT account.tenant_id, a, a, 'atlassian', now() FROM account, unnest($2::text[]) AS a
         RETURNING id, tenant_id, account_id
       )
       INSERT INTO invitations (tenant_id, new_user_id, linked_account_id, account_id, display_name, target_type, workspace, group_slug, group_name, status, sent_at)
       SELECT users.tenant_id, users.id, $1, users.account_id, users.account_id, 'atlassian-organization', NULL, $3, 'developers', 'sent', now() FROM users`,
      [linkedAccountId, accountIds, ORG.groupId],
    );
  } finally {
    await client.end();
  }
}
