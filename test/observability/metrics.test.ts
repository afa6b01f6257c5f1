import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';
import { moved, parseMetrics, sampleSum } from './prometheus.js';

const TOKEN = 'metrics-token-for-the-tests-0123456789';

async function scrape(url: string, token: string | null = TOKEN): Promise<{ status: number; text: string; type: string | null }> {
  const response = await fetch(`${url}/metrics`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
}

async function samples(url: string) {
  const answer = await scrape(url);
  expect(answer.status).toBe(200);
  return parseMetrics(answer.text);
}

type InvitationJson = { accountId: string; status: string };

async function settledInvitation(harness: Harness, accountId: string): Promise<InvitationJson> {
  return eventually(
    async () => {
      const answer = await harness.api('GET', '/api/invitations?pageSize=100');
      const found = (answer.body.invitations as InvitationJson[]).find((i) => i.accountId === accountId);
      return found && found.status !== 'queued' ? found : undefined;
    },
    15_000,
    `the invitation of ${accountId}`,
  );
}

describe('the metrics after a known sequence of events', () => {
  let h: ForgeHarness;
  let base: string;
  let tenantId: string;

  beforeAll(async () => {
    h = await startForgeHarness({
      env: {
        METRICS_TOKEN: TOKEN,
        DELIVERY_MAX_ATTEMPTS: '3',
        DELIVERY_RETRY_BASE_SECONDS: '0.2',
        // No wait on our own rate limit here: its counter has a test of its own below.
        BITBUCKET_INVITATIONS_PER_MINUTE: '60000',
        BITBUCKET_REQUESTS_PER_HOUR: '1000000',
      },
    });
    base = h.harness.app.baseUrl;
    await linkWorkspace(h.harness, ['developers']);
    expect((await h.forge.sendInstalled(base)).status).toBe(200);
    tenantId = await withClient(
      h.harness.databaseUrl,
      async (client) => (await client.query("SELECT id FROM tenants WHERE host = 'connect'")).rows[0].id as string,
    );
  });
  afterAll(() => h?.stop());

  it('are served only to a scraper that sends the token', async () => {
    const without = await scrape(base, null);
    expect(without.status).toBe(401);
    expect(JSON.parse(without.text)).toEqual({ message: 'The metrics need the metrics token, sent as "Authorization: Bearer <token>".' });
    expect((await scrape(base, 'not-the-token')).status).toBe(401);
    const scraped = await scrape(base);
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain/);
    // The default process figures come along.
    expect(scraped.text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(scraped.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('move exactly as far as the events, invitations and calls that happened', async () => {
    const before = await samples(base);
    const site = h.harness.site;
    const user = (n: string, extra: object = {}) => ({
      accountId: `metrics-${n}`,
      displayName: `Metrics ${n}`,
      emailAddress: `metrics-${n}@example.com`,
      emailVisible: true,
      ...extra,
    });

    // A new user, invited at once; then Jira's retry of the same webhook.
    const first = await site.sendUserCreated(base, USER_CREATED_PATH, user('a'));
    expect(first.status).toBe(204);
    expect((await settledInvitation(h.harness, 'metrics-a')).status).toBe('sent');
    expect((await site.sendUserCreated(base, USER_CREATED_PATH, user('a'), { identifier: first.identifier, retry: 1 })).status).toBe(204);
    // Bitbucket answers 429 once: one more attempt, then sent.
    h.harness.bitbucket.failInvitations('acme', { status: 429, count: 1, retryAfterSeconds: 1 });
    expect((await site.sendUserCreated(base, USER_CREATED_PATH, user('b'))).status).toBe(204);
    expect((await settledInvitation(h.harness, 'metrics-b')).status).toBe('sent');
    // Bitbucket refuses the invitation (400): failed at once.
    h.harness.bitbucket.failInvitations('acme', { status: 400, count: 1 });
    expect((await site.sendUserCreated(base, USER_CREATED_PATH, user('c'))).status).toBe(204);
    expect((await settledInvitation(h.harness, 'metrics-c')).status).toBe('failed');
    // A bot: skipped when planned, never sent.
    expect((await site.sendUserCreated(base, USER_CREATED_PATH, user('d', { accountType: 'app' }))).status).toBe(204);
    expect((await settledInvitation(h.harness, 'metrics-d')).status).toBe('skipped');
    // A webhook signed with the wrong secret, refused.
    expect((await site.sendUserCreated(base, USER_CREATED_PATH, user('e'), { secret: 'not-the-shared-secret' })).status).toBe(401);
    // And a new user through Forge (a site without linked accounts).
    expect((await h.forge.sendUserCreated(base, user('f'))).status).toBe(200);

    // Every job has ended (nothing due or running) before the figures are read.
    const after = await eventually(async () => {
      const now = await samples(base);
      return sampleSum(now, 'ati_queue_jobs', { state: 'due' }) + sampleSum(now, 'ati_queue_jobs', { state: 'active' }) === 0 ? now : undefined;
    });
    const delta = moved(before, after);
    const bitbucket = { target_type: 'bitbucket-workspace' };

    expect(delta('ati_events_received_total', { host: 'connect', outcome: 'recorded' })).toBe(4);
    expect(delta('ati_events_received_total', { host: 'connect', outcome: 'duplicate' })).toBe(1);
    expect(delta('ati_events_received_total', { host: 'connect', outcome: 'refused' })).toBe(1);
    expect(delta('ati_events_received_total', { host: 'forge', outcome: 'recorded' })).toBe(1);
    expect(delta('ati_events_received_total', { host: 'forge', outcome: 'refused' })).toBe(0);

    expect(delta('ati_invitations_finished_total', { ...bitbucket, status: 'sent' })).toBe(2);
    expect(delta('ati_invitations_finished_total', { ...bitbucket, status: 'failed' })).toBe(1);
    expect(delta('ati_invitations_finished_total', { ...bitbucket, status: 'skipped' })).toBe(1);
    expect(delta('ati_invitations_finished_total', { ...bitbucket, status: 'already-invited' })).toBe(0);

    expect(delta('ati_delivery_attempts_total', { ...bitbucket, outcome: 'sent' })).toBe(2);
    expect(delta('ati_delivery_attempts_total', { ...bitbucket, outcome: 'retry' })).toBe(1);
    expect(delta('ati_delivery_attempts_total', { ...bitbucket, outcome: 'failed' })).toBe(1);
    expect(delta('ati_delivery_attempts_total', { ...bitbucket, outcome: 'already-invited' })).toBe(0);

    // One latency per accepted invitation, each at least as long as the 429's wait for the second.
    expect(delta('ati_invitation_latency_seconds_count')).toBe(2);
    expect(delta('ati_invitation_latency_seconds_sum')).toBeGreaterThan(1);
    expect(delta('ati_invitation_latency_seconds_bucket', { le: '+Inf' })).toBe(2);

    // Four delivery runs (a, b twice, c), each completed; Bitbucket's PUTs by status.
    expect(delta('ati_job_duration_seconds_count', { queue: 'deliver-invitation', outcome: 'completed' })).toBe(4);
    expect(delta('ati_job_duration_seconds_count', { queue: 'deliver-invitation', outcome: 'failed' })).toBe(0);
    expect(delta('ati_outbound_request_duration_seconds_count', { service: 'bitbucket', status: '429' })).toBe(1);
    expect(delta('ati_outbound_request_duration_seconds_count', { service: 'bitbucket', status: '400' })).toBe(1);
    // The two accepted PUTs, and the OAuth token the workers' client asked for before its first one.
    expect(delta('ati_outbound_request_duration_seconds_count', { service: 'bitbucket', status: '200' })).toBe(3);
    expect(delta('ati_rate_limit_waits_total')).toBe(0);

    // Requests by route pattern: five webhooks answered 204 and the refused one 401.
    expect(delta('ati_http_request_duration_seconds_count', { method: 'POST', route: USER_CREATED_PATH, status: '204' })).toBe(5);
    expect(delta('ati_http_request_duration_seconds_count', { method: 'POST', route: USER_CREATED_PATH, status: '401' })).toBe(1);
    expect(sampleSum(after, 'ati_queue_oldest_due_job_age_seconds', { queue: 'deliver-invitation' })).toBe(0);

    // No label names a person or a site unless asked to.
    const text = (await scrape(base)).text;
    expect(text).not.toMatch(/@|metrics-[a-f]|acme|site=/);
    expect(text).not.toContain(tenantId);
  });

  it('count a new user taken by a second instance in its own registry, with the site when asked, on a port of their own', async () => {
    const second = await h.harness.startInstance({ METRICS_TOKEN: '', METRICS_PORT: '0', METRICS_SITE_LABELS: 'on' }, { workers: false });
    expect(second.metricsPort).toEqual(expect.any(Number));
    const metricsUrl = `http://127.0.0.1:${second.metricsPort}`;
    // Off the app's port: there, /metrics is no route at all.
    expect((await scrape(second.baseUrl)).status).toBe(404);
    const before = parseMetrics((await scrape(metricsUrl, null)).text);
    const firstBefore = await samples(base);
    const sent = await h.harness.site.sendUserCreated(second.baseUrl, USER_CREATED_PATH, {
      accountId: 'metrics-second',
      displayName: 'Second',
      emailAddress: 'second@example.com',
      emailVisible: true,
    });
    expect(sent.status).toBe(204);
    const after = parseMetrics((await scrape(metricsUrl, null)).text);
    expect(moved(before, after)('ati_events_received_total', { host: 'connect', outcome: 'recorded', site: tenantId })).toBe(1);
    // The first instance, in the same process, counted nothing of it.
    expect(moved(firstBefore, await samples(base))('ati_events_received_total')).toBe(0);
    // The metrics port serves nothing of the app.
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(404);
  });
});

describe('the rate-limit metrics', () => {
  let harness: Harness;

  beforeAll(async () => {
    // A burst of one invitation, then about one a second: the second and third new users wait.
    harness = await startHarness({ env: { METRICS_TOKEN: TOKEN, BITBUCKET_INVITATIONS_PER_MINUTE: '60' } });
    await linkWorkspace(harness, ['developers']);
  });
  afterAll(() => harness?.stop());

  it('count each wait on our own limit, and the seconds waited', async () => {
    const base = harness.app.baseUrl;
    const before = await samples(base);
    for (const n of [1, 2, 3]) {
      const user = { accountId: `paced-${n}`, displayName: `Paced ${n}`, emailAddress: `paced${n}@example.com`, emailVisible: true };
      expect((await harness.site.sendUserCreated(base, USER_CREATED_PATH, user)).status).toBe(204);
    }
    for (const n of [1, 2, 3]) expect((await settledInvitation(harness, `paced-${n}`)).status).toBe('sent');
    const delta = moved(before, await samples(base));
    expect(delta('ati_rate_limit_waits_total', { limit: 'bitbucket', outcome: 'waited' })).toBeGreaterThanOrEqual(1);
    expect(delta('ati_rate_limit_wait_seconds_total', { limit: 'bitbucket' })).toBeGreaterThan(0.5);
    expect(delta('ati_delivery_attempts_total', { outcome: 'sent' })).toBe(3);
  });
});
