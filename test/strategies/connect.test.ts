import { afterAll, beforeAll, describe, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { USER_DELETED_PATH } from '../../src/entry/connect/user-deleted-webhook.js';
import { deletedBeforeSent, offWithManualInvite, refusals, reviewFirst, rulePreview, rules, type Host } from './scenarios.js';

describe('invitation strategies on a site that installed the app through Connect', () => {
  let harness: Harness;
  let host: Host;
  let accountId: string;
  beforeAll(async () => {
    harness = await startHarness();
    accountId = await linkWorkspace(harness, ['developers']);
    host = {
      api: (method, path, body) => harness.api(method, path, body),
      createUser: async (user) => {
        const sent = await harness.site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user);
        if (sent.status !== 204) throw new Error(`webhook answered ${sent.status}`);
      },
      addUser: (user) => harness.site.addUser(user),
      deleteUser: async (user) => {
        const sent = await harness.site.sendUserDeleted(harness.app.baseUrl, USER_DELETED_PATH, user);
        if (sent.status !== 204) throw new Error(`webhook answered ${sent.status}`);
      },
      bitbucket: harness.bitbucket,
      databaseUrl: harness.databaseUrl,
    };
  });
  afterAll(() => harness?.stop());

  it('holds new users for review in Review first mode, and sends or skips each as the admin decides', () => reviewFirst(host, accountId));
  it('invites nobody automatically in Off mode, while Invite someone now still sends, never twice', () => offWithManualInvite(host, accountId));
  it('chooses groups by the first matching rule, else the defaults, and records who chose', () => rules(host, accountId));
  it('refuses bad input with a sentence and writes nothing', () => refusals(host, accountId));
  it('previews a proposed list of rules over the existing users, counting what it changes, and saves nothing', () => rulePreview(host, accountId));
  it('skips, and never sends, what still waits for a user Jira deletes', () => deletedBeforeSent(host, accountId));
});
