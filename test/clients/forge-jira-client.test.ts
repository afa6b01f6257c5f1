import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ForgeJiraClient, forgeJiraClientFrom } from '../../src/clients/jira/forge-jira-client.js';
import { JiraUnavailableError } from '../../src/domain/errors.js';
import { DomainError } from '../../src/domain/errors.js';
import { FORGE_APP_ID } from '../support/forge-harness.js';
import { ForgeSimulator, readManifestRoutes } from '../support/simulators/forge-simulator.js';

describe('ForgeJiraClient', () => {
  let forge: ForgeSimulator;
  const client = () => new ForgeJiraClient({ apiBaseUrl: forge.apiBaseUrl, appToken: forge.appToken });

  beforeAll(async () => {
    forge = new ForgeSimulator({ appId: FORGE_APP_ID, routes: await readManifestRoutes() });
    await forge.start();
    forge.addUser({ accountId: 'admin-1', displayName: 'Site Admin', emailAddress: 'admin@example.com', administrator: true });
    forge.addUser({ accountId: 'member-1', displayName: 'Member', emailAddress: 'member@example.com' });
  });
  afterAll(() => forge?.stop());
  beforeEach(() => forge.setEmailApi('ok'));

  it("calls the site at the token's apiBaseUrl with the app token as Bearer", async () => {
    expect(await client().getUserEmail('member-1')).toEqual({ found: true, email: 'member@example.com' });
    expect(await client().isAdministrator('admin-1')).toBe(true);
    expect(await client().isAdministrator('member-1')).toBe(false);
    expect(forge.received.slice(-3).map((c) => [c.method, c.path, c.status])).toEqual([
      ['GET', '/rest/api/3/user/email', 200],
      ['POST', '/rest/api/3/permissions/check', 200],
      ['POST', '/rest/api/3/permissions/check', 200],
    ]);
  });

  it('maps refusals as the Connect client does, in words that fit Forge', async () => {
    forge.setEmailApi('forbidden');
    expect(await client().getUserEmail('member-1')).toEqual({
      found: false,
      reason: expect.stringMatching(
        /^Jira did not share this user's email address: the app needs the read:email-address:jira scope.*\(HTTP 403\)\.$/,
      ),
    });

    const stale = new ForgeJiraClient({ apiBaseUrl: forge.apiBaseUrl, appToken: 'a-token-the-site-does-not-take' });
    // A refused app token is a wait for the fresh one Forge sends with the next event or page load.
    const lookup = await stale.getUserEmail('member-1').catch((e: unknown) => e);
    expect(lookup).toBeInstanceOf(JiraUnavailableError);
    expect(lookup).toMatchObject({ status: 401, awaiting: 'fresh-credentials', message: expect.stringContaining('HTTP 401') });
    expect(String((lookup as Error).message)).not.toContain('a-token-the-site-does-not-take');
    const error = await stale.isAdministrator('admin-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'upstream-rejected', message: expect.stringContaining('HTTP 401') });
    expect(String((error as Error).message)).not.toContain('a-token-the-site-does-not-take');
  });

  it('waits (retryable) instead of calling Jira when no app token is stored, or the stored one has expired', () => {
    expect(() => forgeJiraClientFrom(null, 'https://acme.atlassian.net')).toThrow(JiraUnavailableError);
    const expired = { apiBaseUrl: forge.apiBaseUrl, appToken: forge.appToken, expiresAt: new Date(Date.now() - 1_000) };
    expect(() => forgeJiraClientFrom(expired, 'https://acme.atlassian.net')).toThrow(/waiting for a fresh one/);
    const valid = { ...expired, expiresAt: new Date(Date.now() + 5 * 60_000) };
    expect(forgeJiraClientFrom(valid, 'https://acme.atlassian.net')).toBeInstanceOf(ForgeJiraClient);
  });

  it('also waits for a fresh app token when the stored one expires within the next minute', () => {
    const now = Date.now();
    const expiringSoon = { apiBaseUrl: forge.apiBaseUrl, appToken: forge.appToken, expiresAt: new Date(now + 30_000) };
    const error = (() => {
      try {
        forgeJiraClientFrom(expiringSoon, 'https://acme.atlassian.net', now);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(JiraUnavailableError);
    expect(error).toMatchObject({ awaiting: 'fresh-credentials' });
    const later = { ...expiringSoon, expiresAt: new Date(now + 61_000) };
    expect(forgeJiraClientFrom(later, 'https://acme.atlassian.net', now)).toBeInstanceOf(ForgeJiraClient);
  });
});
