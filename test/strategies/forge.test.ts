import { afterAll, beforeAll, describe, it } from 'vitest';
import { linkWorkspaceThroughForge, startForgeHarness, type ForgeHarness } from '../support/forge-harness.js';
import { deletedBeforeSent, offWithManualInvite, refusals, reviewFirst, rulePreview, rules, type Host } from './scenarios.js';

describe('invitation strategies on a site that installed the app through Forge', () => {
  let h: ForgeHarness;
  let host: Host;
  let accountId: string;
  beforeAll(async () => {
    h = await startForgeHarness();
    const base = h.harness.app.baseUrl;
    await h.forge.sendInstalled(base);
    accountId = await linkWorkspaceThroughForge(h, ['developers']);
    host = {
      api: (method, path, body) => h.api(method, path, body),
      createUser: async (user) => {
        const sent = await h.forge.sendUserCreated(base, user);
        if (sent.status !== 200) throw new Error(`event answered ${sent.status}`);
      },
      addUser: (user) => h.forge.addUser(user),
      deleteUser: async (user) => {
        const sent = await h.forge.sendUserDeleted(base, user);
        if (sent.status !== 200) throw new Error(`event answered ${sent.status}`);
      },
      bitbucket: h.harness.bitbucket,
      databaseUrl: h.harness.databaseUrl,
    };
  });
  afterAll(() => h?.stop());

  it('holds new users for review in Review first mode, and sends or skips each as the admin decides', () => reviewFirst(host, accountId));
  it('invites nobody automatically in Off mode, while Invite someone now still sends, never twice', () => offWithManualInvite(host, accountId));
  it('chooses groups by the first matching rule, else the defaults, and records who chose', () => rules(host, accountId));
  it('refuses bad input with a sentence and writes nothing', () => refusals(host, accountId));
  it('previews a proposed list of rules over the existing users, counting what it changes, and saves nothing', () => rulePreview(host, accountId));
  it('skips, and never sends, what still waits for a user Jira deletes', () => deletedBeforeSent(host, accountId));
});
