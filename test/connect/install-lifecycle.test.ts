import { randomBytes, randomUUID } from 'node:crypto';
import { createQueryStringHash, fromMethodAndUrl } from 'atlassian-jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_NOT_AUTHENTICATED, SESSION_NOT_VERIFIED } from '../../src/entry/api/host-authentication.js';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { ConnectInstallKeyServer } from '../support/simulators/connect-install-keys.js';
import { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { ADMIN, APP_KEY, NON_ADMIN, OAUTH, eventually, linkWorkspace, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

type LifecycleEvent = 'installed' | 'uninstalled' | 'enabled' | 'disabled';

/**
 * Sends a lifecycle callback the way Jira does (RS256 JWT from `keys`, qsh of the path), with
 * `tamper` able to alter the finished token. The simulator only sends installed/uninstalled itself.
 */
async function sendLifecycle(
  appBaseUrl: string,
  keys: ConnectInstallKeyServer,
  event: LifecycleEvent,
  site: { clientKey: string; baseUrl: string; sharedSecret?: string },
  tamper: (token: string) => string = (token) => token,
): Promise<{ status: number; body: string }> {
  const iat = Math.floor(Date.now() / 1000);
  const token = keys.signInstall({
    iss: site.clientKey,
    aud: [appBaseUrl],
    qsh: createQueryStringHash(fromMethodAndUrl('POST', `/${event}`)),
    iat,
    exp: iat + 180,
  });
  const response = await fetch(`${appBaseUrl}/${event}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `JWT ${tamper(token)}` },
    body: JSON.stringify({
      key: APP_KEY,
      clientKey: site.clientKey,
      ...(event === 'installed' ? { sharedSecret: site.sharedSecret ?? randomBytes(32).toString('base64url') } : {}),
      baseUrl: site.baseUrl,
      productType: 'jira',
      eventType: event,
    }),
  });
  return { status: response.status, body: await response.text() };
}

describe('the Connect install lifecycle', () => {
  let harness: Harness;

  const count = (sql: string, params: unknown[]) =>
    withClient(harness.databaseUrl, async (client) => Number((await client.query(sql, params)).rows[0].count));
  const tenantCount = (clientKey: string) => count(`SELECT count(*) FROM tenants WHERE host = 'connect' AND host_key = $1`, [clientKey]);
  const storedInstallCount = (clientKey: string) => count(`SELECT count(*) FROM "AddonSettings" WHERE "clientKey" = $1`, [clientKey]);

  /** Rows that belong to the site's tenant, per table; tenant itself included. */
  const siteRows = (clientKey: string) =>
    withClient(harness.databaseUrl, async (client) => {
      const { rows } = await client.query(
        `SELECT
           (SELECT count(*) FROM tenants t WHERE t.host_key = $1)::int AS tenants,
           (SELECT count(*) FROM linked_accounts l JOIN tenants t ON t.id = l.tenant_id WHERE t.host_key = $1)::int AS linked_accounts,
           (SELECT count(*) FROM new_users n JOIN tenants t ON t.id = n.tenant_id WHERE t.host_key = $1)::int AS new_users,
           (SELECT count(*) FROM invitations i JOIN tenants t ON t.id = i.tenant_id WHERE t.host_key = $1)::int AS invitations,
           (SELECT count(*) FROM audit_log a JOIN tenants t ON t.id = a.tenant_id WHERE t.host_key = $1)::int AS audit_log,
           (SELECT count(*) FROM "AddonSettings" s WHERE s."clientKey" = $1)::int AS addon_settings`,
        [clientKey],
      );
      return rows[0] as Record<string, number>;
    });

  /** A site with a linked workspace, default groups and one delivered invitation. */
  const siteWithData = async (): Promise<JiraConnectSimulator> => {
    const site = await harness.addSite();
    await linkWorkspace(harness, ['developers'], site);
    const user = { accountId: `new-${randomUUID()}`, displayName: 'Nora New', emailAddress: `nora-${randomUUID()}@example.com`, emailVisible: true };
    expect((await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    await eventually(
      async () => {
        const answer = await harness.api('GET', '/api/invitations?status=sent', undefined, { site });
        return answer.body.invitations.length === 1;
      },
      15_000,
      'the invitation to be sent',
    );
    return site;
  };

  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.stop());

  it('serves a descriptor with the lifecycle callbacks, admin page, dialog, user_created webhook, scopes and its own base URL', async () => {
    const response = await fetch(`${harness.app.baseUrl}/atlassian-connect.json`);
    expect(response.status).toBe(200);
    const descriptor = await response.json();

    expect(descriptor.key).toBe(APP_KEY);
    expect(descriptor.baseUrl).toBe(harness.app.baseUrl);
    expect(descriptor.authentication).toEqual({ type: 'jwt' });
    expect(descriptor.lifecycle).toEqual({
      installed: '/installed',
      uninstalled: '/uninstalled',
      enabled: '/enabled',
      disabled: '/disabled',
    });
    expect([...descriptor.scopes].sort()).toEqual(['ACCESS_EMAIL_ADDRESSES', 'READ']);
    expect(descriptor.modules.adminPages).toHaveLength(1);
    expect(descriptor.modules.adminPages[0].url).toBe('/connect/admin');
    expect(descriptor.modules.dialogs.map((d: { key: string }) => d.key)).toContain('configure-automatic-access');
    expect(descriptor.modules.webhooks).toContainEqual({ event: 'user_created', url: USER_CREATED_PATH });

    // Every URL the descriptor names is served by the app.
    const adminPage = await fetch(`${harness.app.baseUrl}${descriptor.modules.adminPages[0].url}`);
    expect(adminPage.status).toBe(200);
    const dialog = descriptor.modules.dialogs.find((d: { key: string }) => d.key === 'configure-automatic-access');
    expect((await fetch(`${harness.app.baseUrl}${dialog.url}`)).status).toBe(200);
  });

  it('accepts a signed install after fetching the signing key from the install-key server', async () => {
    const before = harness.keys.requests;
    const site = await harness.addSite(); // throws unless the install answered 204

    expect(harness.keys.requests).toBeGreaterThan(before);
    expect(await tenantCount(site.clientKey)).toBe(1);
    const answer = await harness.api('GET', '/api/linked-accounts', undefined, { site });
    expect(answer).toEqual({ status: 200, body: { linkedAccounts: [] } });
  });

  it('refuses an install signed with a key Atlassian never published, and records no site', async () => {
    const rogueKeys = new ConnectInstallKeyServer(); // never started: nothing serves its public key
    const site = new JiraConnectSimulator({ keys: rogueKeys, appKey: APP_KEY });
    await site.start();
    try {
      site.addUser(ADMIN);
      const status = await site.install(harness.app.baseUrl);

      expect(status).toBe(401);
      expect(JSON.parse(site.lastResponse!.body).message).toBe(REQUEST_NOT_AUTHENTICATED);
      expect(harness.logs.join('')).toMatch(/could not get public key/i);
      expect(await tenantCount(site.clientKey)).toBe(0);
      expect(await storedInstallCount(site.clientKey)).toBe(0);
      const answer = await harness.api('GET', '/api/linked-accounts', undefined, { site });
      expect(answer.status).toBe(401);
    } finally {
      await site.stop();
    }
  });

  it('refuses an install whose token was altered after signing, and records no site', async () => {
    const clientKey = randomUUID();
    const forged = await sendLifecycle(harness.app.baseUrl, harness.keys, 'installed', { clientKey, baseUrl: 'http://127.0.0.1:9' }, (token) => {
      // Same header and signature, a payload with a later expiry: the signature no longer matches.
      const [header, payload, signature] = token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
      const altered = Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 3600 })).toString('base64url');
      return [header, altered, signature].join('.');
    });

    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body).message).toBe(REQUEST_NOT_AUTHENTICATED);
    expect(harness.logs.join('')).toMatch(/signature verification failed/i);
    expect(await tenantCount(clientKey)).toBe(0);
    expect(await storedInstallCount(clientKey)).toBe(0);
  });

  it('refuses an install whose payload names another site than the signed token', async () => {
    const victim = await harness.addSite();
    const attackerKey = randomUUID();
    // Signed for the attacker's clientKey, but the body claims to be the victim, with a new secret.
    const iat = Math.floor(Date.now() / 1000);
    const token = harness.keys.signInstall({
      iss: attackerKey,
      aud: [harness.app.baseUrl],
      qsh: createQueryStringHash(fromMethodAndUrl('POST', '/installed')),
      iat,
      exp: iat + 180,
    });
    const response = await fetch(`${harness.app.baseUrl}/installed`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `JWT ${token}` },
      body: JSON.stringify({
        key: APP_KEY,
        clientKey: victim.clientKey,
        sharedSecret: 'attacker-chosen-secret',
        baseUrl: victim.baseUrl,
        eventType: 'installed',
      }),
    });

    expect(response.status).toBe(401);
    // The victim's installation still works with its own secret.
    expect((await harness.api('GET', '/api/linked-accounts', undefined, { site: victim })).status).toBe(200);
  });

  it('answers the enabled and disabled callbacks with 204 when they are signed, and 401 when not', async () => {
    const site = harness.site;
    for (const event of ['enabled', 'disabled'] as const) {
      const signed = await sendLifecycle(harness.app.baseUrl, harness.keys, event, site);
      expect(signed.status, `${event}: ${signed.body}`).toBe(204);

      const unsigned = await fetch(`${harness.app.baseUrl}/${event}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ key: APP_KEY, clientKey: site.clientKey, baseUrl: site.baseUrl, eventType: event }),
      });
      expect(unsigned.status).toBe(401);
      expect((await unsigned.json()).message).toEqual(expect.any(String));
    }
    // Neither callback removes anything.
    expect((await harness.api('GET', '/api/linked-accounts')).status).toBe(200);
  });

  it("removes the site's linked accounts, credentials, selections and invitations on uninstall, and its tokens stop working", async () => {
    const site = await siteWithData();
    const before = await siteRows(site.clientKey);
    expect(before).toMatchObject({ tenants: 1, linked_accounts: 1, new_users: 1, invitations: 1, addon_settings: 1 });
    expect(before.audit_log).toBeGreaterThan(0);

    expect(await site.uninstall(harness.app.baseUrl)).toBe(204);

    expect(await siteRows(site.clientKey)).toEqual({
      tenants: 0,
      linked_accounts: 0,
      new_users: 0,
      invitations: 0,
      audit_log: 0,
      addon_settings: 0,
    });
    for (const accountId of [ADMIN.accountId, NON_ADMIN.accountId]) {
      const answer = await harness.api('GET', '/api/linked-accounts', undefined, { site, accountId });
      expect(answer.status).toBe(401);
      expect(answer.body.message).toEqual(expect.any(String));
    }
    // Its webhooks are refused too, and record nothing.
    const webhook = await site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, { accountId: 'late-user', displayName: 'Late' });
    expect(webhook.status).toBe(401);
    expect(await siteRows(site.clientKey)).toMatchObject({ tenants: 0, new_users: 0 });
  });

  it("leaves every other site's data untouched when one site uninstalls", async () => {
    const leaving = await siteWithData();
    const staying = await siteWithData();
    const stayingBefore = await siteRows(staying.clientKey);
    const listBefore = await harness.api('GET', '/api/linked-accounts', undefined, { site: staying });

    expect(await leaving.uninstall(harness.app.baseUrl)).toBe(204);

    expect(await siteRows(staying.clientKey)).toEqual(stayingBefore);
    expect(await harness.api('GET', '/api/linked-accounts', undefined, { site: staying })).toEqual(listBefore);
    const invitations = await harness.api('GET', '/api/invitations', undefined, { site: staying });
    expect(invitations.body.total).toBe(1);
  });

  it('takes a repeated uninstall calmly, and a later reinstall starts clean', async () => {
    const site = await siteWithData();

    expect(await site.uninstall(harness.app.baseUrl)).toBe(204);
    expect(await site.uninstall(harness.app.baseUrl)).toBe(204);
    expect(await siteRows(site.clientKey)).toMatchObject({ tenants: 0, addon_settings: 0 });

    expect(await site.install(harness.app.baseUrl)).toBe(204);
    expect(await harness.api('GET', '/api/linked-accounts', undefined, { site })).toEqual({ status: 200, body: { linkedAccounts: [] } });
    expect((await harness.api('GET', '/api/invitations', undefined, { site })).body.total).toBe(0);
  });

  it('serves a reinstalled site at once on every instance, not only on the one that took the reinstall', async () => {
    const other = await harness.startInstance({}, { workers: false });
    const site = await harness.addSite(); // installed through the first instance
    const onOther = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${other.baseUrl}${path}`, {
        method,
        headers: { Authorization: `JWT ${site.contextToken(ADMIN.accountId)}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    };
    expect((await onOther('GET', '/api/linked-accounts')).status).toBe(200);

    expect(await site.uninstall(harness.app.baseUrl)).toBe(204);
    expect(await site.install(harness.app.baseUrl)).toBe(204);

    expect(await onOther('GET', '/api/linked-accounts')).toEqual({ status: 200, body: { linkedAccounts: [] } });
    const linked = await onOther('POST', '/api/linked-accounts', { workspace: 'acme', credentials: OAUTH });
    expect(linked.status).toBe(201);
    const user = { accountId: `after-reinstall-${randomUUID()}`, displayName: 'Rene Reinstall' };
    expect((await site.sendUserCreated(other.baseUrl, USER_CREATED_PATH, user)).status).toBe(204);
    expect(await siteRows(site.clientKey)).toMatchObject({ tenants: 1, linked_accounts: 1, new_users: 1 });
  });

  it('stores nothing more for an uninstalled site on an instance that served it a moment before', async () => {
    const other = await harness.startInstance({}, { workers: false });
    const site = await harness.addSite();
    const onOther = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${other.baseUrl}${path}`, {
        method,
        headers: { Authorization: `JWT ${site.contextToken(ADMIN.accountId)}`, 'Content-Type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    };
    expect((await onOther('GET', '/api/linked-accounts')).status).toBe(200);

    expect(await site.uninstall(harness.app.baseUrl)).toBe(204);

    const link = await onOther('POST', '/api/linked-accounts', { workspace: 'acme', credentials: OAUTH });
    expect(link.status).toBe(401);
    expect(link.body.message).toBe(SESSION_NOT_VERIFIED);
    const webhook = await site.sendUserCreated(other.baseUrl, USER_CREATED_PATH, { accountId: 'after-uninstall', displayName: 'Ava After' });
    expect(webhook.status).toBe(401);
    expect(await siteRows(site.clientKey)).toEqual({
      tenants: 0,
      linked_accounts: 0,
      new_users: 0,
      invitations: 0,
      audit_log: 0,
      addon_settings: 0,
    });
  });

  it('leaves nothing of the site behind, and answers no request with 500, when webhooks and admin calls race its uninstall', async () => {
    for (let round = 0; round < 8; round += 1) {
      const site = await harness.addSite();
      // The admin has the page open: the administrator check is already answered.
      expect((await harness.api('GET', '/api/linked-accounts', undefined, { site })).status).toBe(200);
      const traffic = Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? site.sendUserCreated(harness.app.baseUrl, USER_CREATED_PATH, { accountId: `racing-${i}`, displayName: 'Racing' }).then((r) => r.status)
          : harness.api('POST', '/api/linked-accounts', { workspace: 'acme', credentials: OAUTH }, { site }).then((r) => r.status),
      );
      const [uninstalled, ...statuses] = await Promise.all([site.uninstall(harness.app.baseUrl), ...traffic]);

      expect(uninstalled).toBe(204);
      for (const status of statuses) expect(status).toBeLessThan(500);
      expect(await siteRows(site.clientKey)).toEqual({
        tenants: 0,
        linked_accounts: 0,
        new_users: 0,
        invitations: 0,
        audit_log: 0,
        addon_settings: 0,
      });
    }
  });

  it('refuses an unsigned uninstall and keeps the site', async () => {
    const site = await siteWithData();
    const before = await siteRows(site.clientKey);

    const response = await fetch(`${harness.app.baseUrl}/uninstalled`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: APP_KEY, clientKey: site.clientKey, baseUrl: site.baseUrl, eventType: 'uninstalled' }),
    });
    expect(response.status).toBe(401);
    // Signed with the shared secret (HS256) instead of Atlassian's key: still refused.
    const symmetric = await fetch(`${harness.app.baseUrl}/uninstalled`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `JWT ${site.signRequest('POST', '/uninstalled')}` },
      body: JSON.stringify({ key: APP_KEY, clientKey: site.clientKey, baseUrl: site.baseUrl, eventType: 'uninstalled' }),
    });
    expect(symmetric.status).toBe(401);

    expect(await siteRows(site.clientKey)).toEqual(before);
  });
});
