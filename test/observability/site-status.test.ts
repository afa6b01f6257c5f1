import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { linkWorkspace } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe("the site's status: is Jira still sending events", () => {
  let h: ForgeHarness;
  let users = 0;
  const sql = (text: string, values: unknown[] = []) => withClient(h.harness.databaseUrl, (client) => client.query(text, values));
  const connectLastEvent = async () => (await sql("SELECT last_event_at FROM tenants WHERE host = 'connect'")).rows[0].last_event_at as Date | null;
  const webhook = async () => {
    users += 1;
    const user = { accountId: `status-${users}`, displayName: `Status ${users}`, emailAddress: `status${users}@example.com`, emailVisible: true };
    expect((await h.harness.site.sendUserCreated(h.harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
  };
  const status = async () => {
    const answer = await h.harness.api('GET', '/api/site-status');
    expect(answer.status).toBe(200);
    return answer.body as { lastEvent: { connect: string | null; forge: string | null }; warning: string | null };
  };
  const silentFor = (days: number) => sql("UPDATE tenants SET last_event_at = now() - $1 * interval '1 day' WHERE host = 'connect'", [days]);

  beforeAll(async () => {
    h = await startForgeHarness();
  });
  afterAll(() => h?.stop());

  it('has no last event and no warning before Jira sent anything to a site that invites nobody', async () => {
    expect(await status()).toEqual({ lastEvent: { connect: null, forge: null }, warning: null, attention: { failedInvitations: 0, accounts: [] } });
  });

  it("shows when the site's last event came, noted once a minute rather than once per event", async () => {
    const before = Date.now();
    await webhook();
    const { lastEvent } = await status();
    expect(Date.parse(lastEvent.connect!)).toBeGreaterThanOrEqual(before - 1_000);
    expect(lastEvent.forge).toBeNull();

    const noted = await connectLastEvent();
    await webhook();
    expect(await connectLastEvent()).toEqual(noted);

    await sql("UPDATE tenants SET last_event_at = now() - interval '2 minutes' WHERE host = 'connect'");
    await webhook();
    expect((await connectLastEvent())!.getTime()).toBeGreaterThan(noted!.getTime() - 1_000);
  });

  it('warns a site whose new users get default groups when Jira has sent nothing for longer than EVENT_SILENCE_WARNING_DAYS', async () => {
    await silentFor(30);
    expect((await status()).warning).toBeNull(); // no default groups yet: nothing to miss

    const accountId = await linkWorkspace(h.harness, ['developers']);
    await silentFor(6);
    expect((await status()).warning).toBeNull();

    await silentFor(8);
    const { lastEvent, warning } = await status();
    expect(Date.now() - Date.parse(lastEvent.connect!)).toBeGreaterThan(8 * DAY_MS - 60_000);
    expect(warning).toBe(
      'Jira has sent no new user to the app for 8 days, while new users are given default groups. If people joined this site since, ' +
        'they were not invited: check in Manage apps that the app is still installed and enabled (Jira sends no webhooks to a disabled ' +
        'app), then add a test user and see that it appears under Recent invitations.',
    );

    // Jira speaks again: the warning goes.
    await webhook();
    expect((await status()).warning).toBeNull();

    // A site that never heard from Jira counts from its installation.
    await sql("UPDATE tenants SET last_event_at = NULL, installed_at = now() - interval '10 days' WHERE host = 'connect'");
    expect((await status()).warning).toMatch(/^Jira has sent no new user to the app since it was installed 10 days ago, while/);

    // Choosing no groups again: nobody would have been invited, so nothing to warn about.
    expect((await h.harness.api('PUT', `/api/linked-accounts/${accountId}/default-groups`, { groups: [] })).status).toBe(200);
    expect((await status()).warning).toBeNull();
  });

  it("shows the events of the same site's other installation too, by host", async () => {
    expect((await h.forge.sendInstalled(h.harness.app.baseUrl)).status).toBe(200);
    await sql("UPDATE tenants SET cloud_id = $1 WHERE host = 'connect'", [h.forge.cloudId]);
    const user = { accountId: 'status-forge', displayName: 'Forge user', emailAddress: 'forge-user@example.com', emailVisible: true };
    expect((await h.forge.sendUserCreated(h.harness.app.baseUrl, user)).status).toBe(200);

    const seenFromConnect = await status();
    expect(Date.now() - Date.parse(seenFromConnect.lastEvent.forge!)).toBeLessThan(60_000);
    const seenFromForge = await h.api('GET', '/api/site-status');
    expect(seenFromForge.status).toBe(200);
    expect(seenFromForge.body).toMatchObject({ lastEvent: seenFromConnect.lastEvent, warning: null });
  });
});
