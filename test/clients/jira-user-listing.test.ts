import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectJiraClient, JiraUnavailableError } from '../../src/clients/jira/connect-jira-client.js';
import { ConnectInstallKeyServer } from '../support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';

const APP_KEY = 'com.example.automatic-team-invitations';

describe("Jira's user listing, as the app reads it", () => {
  const keys = new ConnectInstallKeyServer();
  const jira = new JiraConnectSimulator({ keys, appKey: APP_KEY });
  let client: ConnectJiraClient;

  beforeAll(async () => {
    await keys.start();
    await jira.start();
    for (let i = 0; i < 1_205; i++)
      jira.addUser({ accountId: `u-${i}`, displayName: `User ${i}`, emailAddress: `u${i}@example.com`, emailVisible: i === 0 });
    jira.addUser({ accountId: 'bot', displayName: 'Bot', accountType: 'app' });
    jira.addUser({ accountId: 'gone', displayName: 'Gone', active: false });
    client = new ConnectJiraClient({ baseUrl: jira.baseUrl, appKey: APP_KEY, sharedSecret: jira.sharedSecret });
  });
  afterAll(async () => {
    await jira.stop();
    await keys.stop();
  });

  it('reads every account a page at a time, with a signed request, until an empty page', async () => {
    const first = await client.listUsers({ startAt: 0, maxResults: 1000 });
    expect(first).toHaveLength(1000);
    expect(first[0]).toEqual({ accountId: 'u-0', displayName: 'User 0', email: 'u0@example.com', accountType: 'atlassian', active: true });
    // An address the profile hides is not in the listing.
    expect(first[1]!.email).toBeNull();
    const rest = await client.listUsers({ startAt: 1000, maxResults: 1000 });
    expect(rest.map((u) => u.accountId).slice(-2)).toEqual(['bot', 'gone']);
    expect(rest.slice(-2).map((u) => [u.accountType, u.active])).toEqual([
      ['app', true],
      ['atlassian', false],
    ]);
    expect(await client.listUsers({ startAt: 1207, maxResults: 1000 })).toEqual([]);
  });

  it('caps a page at 1000 accounts, as Jira does', async () => {
    expect(await client.listUsers({ startAt: 0, maxResults: 5000 })).toHaveLength(1000);
  });

  it('treats a rate limit as a wait, with the time Jira asks for', async () => {
    jira.failNext(429, 1, 7);
    const error = await client.listUsers({ startAt: 0, maxResults: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JiraUnavailableError);
    expect((error as JiraUnavailableError).retryAfterMs).toBe(7000);
  });
});
