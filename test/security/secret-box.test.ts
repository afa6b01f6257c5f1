import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgeAppTokenBinding, linkedAccountBinding, SecretBox, SecretUnreadableError } from '../../src/persistence/secret-box.js';
import type { JiraConnectSimulator } from '../support/simulators/jira-connect-simulator.js';
import { APP_SECRET_KEY, OAUTH, SECRETS, WORKSPACE, startHarness, type Harness } from '../support/test-app.js';
import { withClient } from '../support/test-database.js';

const TENANT = '7d1c8f0e-3a52-4c1e-9b8a-2f6d4e5a1b00';
const ACCOUNT = 'c2a9e4b7-5d13-4f60-8e2b-9a7c1d3e5f01';
const OTHER = '0f4b2d6e-8a1c-4e39-b7d5-3c9e1a2f4b02';
const API_TOKEN = { type: 'api-token', email: 'owner@acme.example', token: 'acme-api-token-789' } as const;

/** A secret as the app sealed it before secrets were bound to their rows (format v1). */
function sealV1(secretKey: string, plaintext: string): string {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'automatic-team-invitations', 'secret-box', 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

/** The same sealed value with its authentication tag cut to `bytes`. */
function withTagCut(sealed: string, bytes: number): string {
  const [version, iv, tag, body] = sealed.split(':');
  return [version, iv, Buffer.from(tag!, 'base64').subarray(0, bytes).toString('base64'), body].join(':');
}

const openError = (open: () => unknown): Error => {
  try {
    open();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the secret not to open');
};

describe('a sealed secret', () => {
  const box = new SecretBox(APP_SECRET_KEY);
  const binding = linkedAccountBinding(TENANT, ACCOUNT);

  it('opens in the row it was sealed for, whatever the letter case of its ids', () => {
    const sealed = box.seal('the secret', binding);
    expect(sealed).toMatch(/^v2:/);
    expect(box.open(sealed, linkedAccountBinding(TENANT.toUpperCase(), ACCOUNT.toUpperCase()))).toBe('the secret');
  });

  it('does not open in another record, another tenant, or as another kind of secret, and says so without quoting it', () => {
    const sealed = box.seal('the secret', binding);
    for (const elsewhere of [linkedAccountBinding(TENANT, OTHER), linkedAccountBinding(OTHER, ACCOUNT), forgeAppTokenBinding(TENANT)]) {
      const error = openError(() => box.open(sealed, elsewhere));
      expect(error).toBeInstanceOf(SecretUnreadableError);
      expect(error.message).toBe(
        `The stored ${elsewhere.purpose} of record ${elsewhere.recordId} cannot be opened: it was sealed for another record or with another APP_SECRET_KEY, or it was altered.`,
      );
      expect(error.message).not.toContain(sealed.split(':')[3]);
    }
  });

  it('is refused with its authentication tag cut short, even though a short tag of the right bytes would verify', () => {
    const sealed = box.seal('the secret', binding);
    for (const bytes of [4, 8, 12]) {
      const error = openError(() => box.open(withTagCut(sealed, bytes), binding));
      expect(error).toBeInstanceOf(SecretUnreadableError);
      expect(error.message).toMatch(/authentication tag is not 16 bytes long/);
    }
  });

  it('written before secrets were bound (v1) is not opened as one, only upgraded', () => {
    const legacy = sealV1(APP_SECRET_KEY, 'the secret');
    expect(openError(() => box.open(legacy, binding)).message).toMatch(/sealed as v1, which start-up upgrades to v2/);
    expect(box.openLegacy(legacy, binding)).toBe('the secret');
  });

  it('gives the same fingerprint for the same text, and one that holds none of it', () => {
    expect(box.fingerprint('owner@acme.example')).toBe(new SecretBox(APP_SECRET_KEY).fingerprint('owner@acme.example'));
    expect(box.fingerprint('owner@acme.example')).not.toBe(new SecretBox(`${APP_SECRET_KEY}-other`).fingerprint('owner@acme.example'));
    expect(box.fingerprint('owner@acme.example')).not.toContain('acme');
  });
});

describe('secrets stored before they were bound to their rows', () => {
  let harness: Harness;
  let linkedAccountId: string;
  let tenantId: string;
  let forgeTenantId: string;
  const box = new SecretBox(APP_SECRET_KEY);

  const sealedColumns = () =>
    withClient(harness.databaseUrl, async (c) => ({
      account: (await c.query('SELECT credentials_sealed AS s FROM linked_accounts WHERE id = $1', [linkedAccountId])).rows[0].s as string,
      forge: (await c.query('SELECT forge_app_token_sealed AS s FROM tenants WHERE id = $1', [forgeTenantId])).rows[0].s as string,
    }));

  beforeAll(async () => {
    harness = await startHarness();
    const linked = await harness.api('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: OAUTH });
    expect(linked.status).toBe(201);
    linkedAccountId = linked.body.linkedAccount.id;
    await withClient(harness.databaseUrl, async (c) => {
      tenantId = (await c.query('SELECT tenant_id FROM linked_accounts WHERE id = $1', [linkedAccountId])).rows[0].tenant_id;
      // What an older version left behind: the linked account's credentials and a Forge site's app token, sealed as v1.
      await c.query('UPDATE linked_accounts SET credentials_sealed = $1 WHERE id = $2', [
        sealV1(APP_SECRET_KEY, JSON.stringify(OAUTH)),
        linkedAccountId,
      ]);
      forgeTenantId = (
        await c.query(
          `INSERT INTO tenants (host, host_key, site_url, cloud_id, forge_api_base_url, forge_app_token_sealed, forge_app_token_expires_at)
           VALUES ('forge', 'cloud-legacy', 'https://legacy.atlassian.net', 'cloud-legacy', 'https://api.example/ex/jira/cloud-legacy', $1, now() + interval '1 hour')
           RETURNING id`,
          [sealV1(APP_SECRET_KEY, 'legacy-forge-app-token')],
        )
      ).rows[0].id;
    });
    await harness.startInstance(); // a restart of the app on the same database
  });
  afterAll(() => harness?.stop());

  it('are readable after start, and stored as v2 bound to their rows', async () => {
    const refreshed = await harness.api('POST', `/api/linked-accounts/${linkedAccountId}/refresh-groups`);
    expect(refreshed.status).toBe(200);

    const { account, forge } = await sealedColumns();
    expect(account).toMatch(/^v2:/);
    expect(JSON.parse(box.open(account, linkedAccountBinding(tenantId, linkedAccountId)))).toEqual(OAUTH);
    expect(forge).toMatch(/^v2:/);
    expect(box.open(forge, forgeAppTokenBinding(forgeTenantId))).toBe('legacy-forge-app-token');
    expect(harness.logs.join('')).toContain('stored secrets bound to their rows (v1 to v2)');
  });

  it('are upgraded once: another start leaves the stored values as they are', async () => {
    const before = await sealedColumns();
    await harness.startInstance();
    expect(await sealedColumns()).toEqual(before);
  });

  it('do not stop the app when one cannot be opened: it is left as it was, and the log says which', async () => {
    const foreign = sealV1(`${APP_SECRET_KEY}-of-another-installation`, JSON.stringify(OAUTH));
    await withClient(harness.databaseUrl, (c) =>
      c.query('UPDATE linked_accounts SET credentials_sealed = $1 WHERE id = $2', [foreign, linkedAccountId]),
    );

    await harness.startInstance();

    expect((await sealedColumns()).account).toBe(foreign);
    const warning = harness.logs.filter((line) => line.includes('a stored secret could not be upgraded')).at(-1)!;
    expect(warning).toContain(linkedAccountId);
    expect(warning).not.toContain(foreign.split(':')[3]);
  });
});

describe('a sealed secret copied into another row', () => {
  let harness: Harness;
  let second: JiraConnectSimulator;

  beforeAll(async () => {
    harness = await startHarness();
    second = await harness.addSite();
  });
  afterAll(() => harness?.stop());

  it('does not open there: the request fails without showing or logging any secret, and the original row still works', async () => {
    const mine = (await harness.api('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: OAUTH })).body.linkedAccount.id;
    const theirs = (await harness.api('POST', '/api/linked-accounts', { workspace: WORKSPACE.slug, credentials: API_TOKEN }, { site: second })).body
      .linkedAccount.id;
    const copied = await withClient(harness.databaseUrl, async (c) => {
      const { rows } = await c.query('SELECT credentials_sealed FROM linked_accounts WHERE id = $1', [mine]);
      await c.query('UPDATE linked_accounts SET credentials_sealed = $1 WHERE id = $2', [rows[0].credentials_sealed, theirs]);
      return rows[0].credentials_sealed as string;
    });

    const refused = await harness.api('POST', `/api/linked-accounts/${theirs}/refresh-groups`, undefined, { site: second });

    expect(refused.status).toBe(500);
    expect(refused.body).toEqual({ message: 'Something went wrong on our side. Please try again.' });
    const logs = harness.logs.join('');
    expect(logs).toContain(`The stored linked-account-credentials of record ${theirs} cannot be opened`);
    for (const secret of [...SECRETS, copied.split(':')[3]!]) expect(logs).not.toContain(secret);
    expect((await harness.api('POST', `/api/linked-accounts/${mine}/refresh-groups`)).status).toBe(200);
  });
});
