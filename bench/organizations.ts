/**
 * npm run bench -- organizations: memberships added to Atlassian organization groups, against a
 * simulated Admin API that allows N memberships per second per organization and answers 429 past it.
 * (1) one organization's drain rate next to N, with none lost and none added twice; (2) the same
 * while another site's organization answers every membership with 429: the first must still drain
 * at its own limit.
 */
import { figureReporter, type Figure } from './figures.js';
import { USER_CREATED_PATH } from '../src/entry/connect/user-created-webhook.js';
import { AppProcess } from '../test/support/app-process.js';
import { AtlassianAdminSimulator, type ReceivedRequest } from '../test/support/simulators/atlassian-admin-simulator.js';
import { ConnectInstallKeyServer } from '../test/support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../test/support/simulators/jira-connect-simulator.js';
import { startBenchDatabase } from './database.js';
import { post, runLoad } from './load.js';

/** What the simulated Admin API allows per organization, and what the app is told to keep to. */
const MEMBERSHIPS_PER_SECOND = 20;
const USERS_PER_PHASE = 400;
const CONCURRENCY = 16;
const DRAIN_DEADLINE_MS = 5 * 60_000;
const APP_KEY = 'automatic-team-invitations';
const SECRET_KEY = 'bench-secret-key-that-is-long-enough-0123456789';

type Organization = { id: string; directoryId: string; groupId: string; apiKey: string };
const FAST: Organization = { id: 'org-fast', directoryId: 'dir-fast', groupId: 'grp-fast', apiKey: 'bench-fast-org-key-000001' };
const THROTTLED: Organization = { id: 'org-throttled', directoryId: 'dir-throttled', groupId: 'grp-throttled', apiKey: 'bench-throttled-org-key-01' };

export async function organizationDrain(): Promise<Figure[]> {
  const { figures, report } = figureReporter();
  const database = await startBenchDatabase();
  const databaseUrl = database.url;

  const keys = new ConnectInstallKeyServer();
  await keys.start();
  const admin = new AtlassianAdminSimulator({ membershipsPerSecond: MEMBERSHIPS_PER_SECOND });
  await admin.start();
  const users = (prefix: string) => Array.from({ length: USERS_PER_PHASE }, (_, i) => `${prefix}-${i}`);
  for (const org of [FAST, THROTTLED]) {
    admin.addOrganization({
      id: org.id,
      name: org.id,
      directories: [
        {
          id: org.directoryId,
          name: `${org.id} users`,
          users: [...users(`${org.id}-1`), ...users(`${org.id}-2`)],
          groups: [{ id: org.groupId, name: 'developers' }],
        },
      ],
    });
    admin.addApiKey(org.apiKey, [org.id]);
  }
  const sites = {
    [FAST.id]: new JiraConnectSimulator({ keys, appKey: APP_KEY }),
    [THROTTLED.id]: new JiraConnectSimulator({ keys, appKey: APP_KEY }),
  };
  for (const site of Object.values(sites)) {
    await site.start();
    site.addUser({ accountId: 'bench-admin', displayName: 'Bench Admin', administrator: true });
  }

  const app = new AppProcess({
    NODE_ENV: 'development',
    SANDBOX: 'off',
    PORT: '0',
    // The harness waits for the "app started" line, an info line.
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    APP_SECRET_KEY: SECRET_KEY,
    CONNECT_KEYS_CDN_URL: keys.url,
    ATLASSIAN_ADMIN_API_URL: admin.apiUrl,
    ATLASSIAN_ADMIN_MEMBERSHIPS_PER_SECOND: String(MEMBERSHIPS_PER_SECOND),
    QUEUE_POLL_SECONDS: '0.5',
    RUN_WORKERS: 'on',
  });
  await app.start();
  try {
    for (const org of [FAST, THROTTLED]) await link(app.baseUrl, sites[org.id]!, org);

    const added = (org: Organization, phase: number): ReceivedRequest[] =>
      admin.received.filter(
        (r) =>
          r.method === 'POST' &&
          r.groupId === org.groupId &&
          r.status < 300 &&
          String((r.body as { accountId?: unknown } | null)?.accountId).startsWith(`${org.id}-${phase}-`),
      );
    const send = (org: Organization, phase: number) =>
      runLoad(USERS_PER_PHASE, CONCURRENCY, (i) => {
        const accountId = `${org.id}-${phase}-${i}`;
        const site = sites[org.id]!;
        const body = {
          timestamp: Date.now(),
          webhookEvent: 'user_created',
          user: { accountId, displayName: `Bench ${i}`, accountType: 'atlassian' },
        };
        return post(`${app.baseUrl}${USER_CREATED_PATH}`, `JWT ${site.signRequest('POST', USER_CREATED_PATH)}`, body, {
          'X-Atlassian-Webhook-Identifier': accountId,
        });
      });
    const drain = async (org: Organization, phase: number) => {
      const deadline = Date.now() + DRAIN_DEADLINE_MS;
      while (added(org, phase).length < USERS_PER_PHASE && Date.now() < deadline) await sleep(200);
      await sleep(2_000); // a membership added twice would arrive now
      const accepted = added(org, phase);
      const times = accepted.map((r) => r.at).sort((a, b) => a - b);
      const seconds = (times[times.length - 1]! - times[0]!) / 1000;
      const distinct = new Set(accepted.map((r) => JSON.stringify(r.body))).size;
      return { rate: (times.length - 1) / seconds, seconds, lost: USERS_PER_PHASE - distinct, duplicates: accepted.length - distinct };
    };

    console.log(`\n(f) Organization drain: ${USERS_PER_PHASE} new users into an organization that allows ${MEMBERSHIPS_PER_SECOND} memberships/s`);
    await send(FAST, 1);
    const alone = await drain(FAST, 1);
    report(
      'organization drain rate / limit',
      `${(alone.rate / MEMBERSHIPS_PER_SECOND).toFixed(2)} (${alone.rate.toFixed(1)}/s over ${alone.seconds.toFixed(1)} s)`,
      '≥ 0.90',
      alone.rate / MEMBERSHIPS_PER_SECOND >= 0.9,
    );
    report('organization memberships lost', String(alone.lost), '0', alone.lost === 0);
    report('organization memberships added twice', String(alone.duplicates), '0', alone.duplicates === 0);

    console.log(`\n(g) The same, while another site's organization answers every membership with 429`);
    admin.failRequests(THROTTLED.id, { status: 429, count: 1_000_000, retryAfterSeconds: 30, on: 'membership' });
    const refusedBefore = admin.received.filter((r) => r.orgId === THROTTLED.id && r.status === 429).length;
    await Promise.all([send(THROTTLED, 2), send(FAST, 2)]);
    const beside = await drain(FAST, 2);
    const refused = admin.received.filter((r) => r.orgId === THROTTLED.id && r.status === 429).length - refusedBefore;
    report(
      'drain rate / limit beside a throttled organization',
      `${(beside.rate / MEMBERSHIPS_PER_SECOND).toFixed(2)} (${beside.rate.toFixed(1)}/s over ${beside.seconds.toFixed(1)} s; the throttled one got ${refused} 429s meanwhile)`,
      '≥ 0.90',
      beside.rate / MEMBERSHIPS_PER_SECOND >= 0.9,
    );
    report('memberships lost beside it', String(beside.lost), '0', beside.lost === 0);
    report('memberships added twice beside it', String(beside.duplicates), '0', beside.duplicates === 0);
  } finally {
    await app.stop();
    for (const site of Object.values(sites)) await site.stop();
    await admin.stop();
    await keys.stop();
    await database.stop();
  }
  return figures;
}

/** Installs the site, links its organization through the admin API and chooses the one group. */
async function link(baseUrl: string, site: JiraConnectSimulator, org: Organization): Promise<void> {
  if ((await site.install(baseUrl)) !== 204) throw new Error(`install failed: ${site.lastResponse?.body}`);
  const call = async (method: string, p: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { Authorization: `JWT ${site.contextToken('bench-admin')}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as { linkedAccount?: { id: string } };
    if (!response.ok) throw new Error(`${method} ${p}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const linked = await call('POST', '/api/linked-accounts', {
    targetType: 'atlassian-organization',
    organizationId: org.id,
    directoryId: org.directoryId,
    credentials: { type: 'organization-api-key', apiKey: org.apiKey },
  });
  const id = linked.linkedAccount!.id;
  await call('GET', `/api/linked-accounts/${id}/groups`); // the server accepts groups it has shown
  await call('PUT', `/api/linked-accounts/${id}/default-groups`, { groups: [org.groupId] });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
