import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlassianAdminClient } from '../../src/clients/atlassian-admin/atlassian-admin-client.js';
import { BitbucketClient } from '../../src/clients/bitbucket/bitbucket-client.js';
import { ConnectJiraClient } from '../../src/clients/jira/connect-jira-client.js';
import { ForgeJiraClient } from '../../src/clients/jira/forge-jira-client.js';
import type { CallObserver } from '../../src/clients/observed-fetch.js';
import { AtlassianAdminSimulator } from '../support/simulators/atlassian-admin-simulator.js';
import { BitbucketSimulator } from '../support/simulators/bitbucket-simulator.js';
import { ConnectInstallKeyServer } from '../support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { closeNow, listenOnLoopback } from '../support/simulators/loopback-server.js';
import { WORKSPACE } from '../support/test-app.js';

/** Every call a client reports: its status (or timeout, failed) and a duration. */
function recorder(): { observeCall: CallObserver; calls: (number | string)[]; seconds: number[] } {
  const calls: (number | string)[] = [];
  const seconds: number[] = [];
  return {
    observeCall: (status, duration) => {
      calls.push(status);
      seconds.push(duration);
    },
    calls,
    seconds,
  };
}

describe('the clients report each call they make, for the call-duration metric', () => {
  const bitbucket = new BitbucketSimulator();
  const keys = new ConnectInstallKeyServer();
  const jira = new JiraConnectSimulator({ keys, appKey: 'automatic-team-invitations' });
  const admin = new AtlassianAdminSimulator();

  beforeAll(async () => {
    await Promise.all([bitbucket.start(), keys.start(), admin.start()]);
    await jira.start();
    bitbucket.addWorkspace(structuredClone(WORKSPACE));
    jira.addUser({ accountId: 'member-1', displayName: 'Member', emailAddress: 'member@example.com' });
    admin.addOrganization({ id: 'org-acme', name: 'Acme', directories: [{ id: 'dir-acme', name: 'Acme users' }] });
    admin.addApiKey('ATCTT3xFfGN0-admin-key-5d1e9a7b33c0', ['org-acme']);
  });
  afterAll(async () => {
    await Promise.all([bitbucket.stop(), jira.stop(), keys.stop(), admin.stop()]);
  });

  it('Bitbucket: the token request and each API call, with its status', async () => {
    const seen = recorder();
    const client = new BitbucketClient({ apiUrl: bitbucket.apiUrl, oauthTokenUrl: bitbucket.oauthTokenUrl, observeCall: seen.observeCall });
    const credentials = { type: 'oauth-consumer', ...WORKSPACE.oauthConsumers[0]! } as const;
    await client.listGroups(WORKSPACE.slug, credentials);
    bitbucket.failInvitations(WORKSPACE.slug, { status: 503, count: 1 });
    await client.invite(WORKSPACE.slug, credentials, 'new@example.com', 'developers').catch(() => undefined);
    expect(seen.calls).toEqual([200, 200, 503]);
    expect(seen.seconds.every((s) => s >= 0 && s < 10)).toBe(true);
  });

  it('Jira through Connect and Forge, an unreachable Jira included', async () => {
    const seen = recorder();
    const connect = new ConnectJiraClient({
      baseUrl: jira.baseUrl,
      appKey: 'automatic-team-invitations',
      sharedSecret: jira.sharedSecret,
      observeCall: seen.observeCall,
    });
    await connect.getUserEmail('member-1');
    await connect.getUserEmail('nobody-1');
    const { server, port } = await listenOnLoopback(() => undefined);
    await closeNow(server);
    const gone = new ForgeJiraClient({ apiBaseUrl: `http://127.0.0.1:${port}`, appToken: 'app-token', observeCall: seen.observeCall });
    await gone.getUserEmail('member-1').catch(() => undefined);
    expect(seen.calls).toEqual([200, 404, 'failed']);
  });

  it('Atlassian Administration, and a call that times out', async () => {
    const seen = recorder();
    const client = new AtlassianAdminClient({ apiUrl: admin.apiUrl, observeCall: seen.observeCall });
    await client.listOrganizations('ATCTT3xFfGN0-admin-key-5d1e9a7b33c0');
    await client.listOrganizations('ATCTT3xFfGN0-not-a-key-000000').catch(() => undefined);
    const { server, port } = await listenOnLoopback(() => undefined); // never answers
    try {
      const silent = new AtlassianAdminClient({ apiUrl: `http://127.0.0.1:${port}`, timeoutMs: 150, observeCall: seen.observeCall });
      await silent.listOrganizations('ATCTT3xFfGN0-admin-key-5d1e9a7b33c0').catch(() => undefined);
    } finally {
      await closeNow(server);
    }
    expect(seen.calls).toEqual([200, 401, 'timeout']);
  });
});
