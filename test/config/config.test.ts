import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from '../support/test-database.js';

const SECRET_KEY = 'a-production-secret-key-that-is-long-enough-0123456789';
const PRODUCTION = { NODE_ENV: 'production', DATABASE_URL: 'postgres://app:pw@db.internal:5432/app', APP_SECRET_KEY: SECRET_KEY };

/** The message loadConfig throws for `env`, or null when it accepts it. */
function refusal(env: Record<string, string>): string | null {
  try {
    loadConfig(env);
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

describe('configuration', () => {
  it('starts from sensible defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      bitbucket: { apiUrl: 'https://api.bitbucket.org', oauthTokenUrl: 'https://bitbucket.org/site/oauth2/access_token' },
    });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ PORT: '-1' }, /PORT/],
    [{ PORT: '80.5' }, /PORT/],
    [{ FORGE_APP_ID: 'my-app' }, /FORGE_APP_ID: must look like ari:cloud:ecosystem::app\/<uuid>/],
    [{ FORGE_APP_ID: 'ari:cloud:ecosystem::app/not a uuid' }, /FORGE_APP_ID/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV/],
    [{ LOG_LEVEL: 'verbose' }, /LOG_LEVEL/],
    [{ BITBUCKET_API_URL: 'api.bitbucket.org' }, /BITBUCKET_API_URL/],
    [{ DELIVERY_MAX_ATTEMPTS: '0' }, /DELIVERY_MAX_ATTEMPTS/],
    [{ SANDBOX: 'yes' }, /SANDBOX/],
    [{ TRUST_PROXY: 'true' }, /TRUST_PROXY: give the number of proxies/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /TRUST_PROXY/],
    [{ TRUST_PROXY: 'proxy.internal' }, /TRUST_PROXY/],
    [{ DATABASE_POOL_MAX: '0' }, /DATABASE_POOL_MAX/],
  ])('rejects %j with a message that names the setting', (env, names) => {
    const message = refusal(env);
    expect(message).toMatch(/^Invalid configuration: /);
    expect(message).toMatch(names);
  });

  it('names every bad setting at once', () => {
    const message = refusal({ PORT: 'abc', FORGE_APP_ID: 'nope' });
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/FORGE_APP_ID/);
  });

  it('treats a setting left empty (PORT= in an env file) as unset, not as zero', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(3000);
    expect(loadConfig({ PORT: '  ', ADMIN_CHECK_CACHE_SECONDS: '' }).adminCheckCacheSeconds).toBe(60);
    expect(refusal({ ...PRODUCTION, DATABASE_URL: '' })).toMatch(/DATABASE_URL is required when NODE_ENV=production/);
  });

  it('rejects an APP_SECRET_KEY too short to derive a key from, before anything starts', () => {
    expect(refusal({ APP_SECRET_KEY: 'short' })).toMatch(/APP_SECRET_KEY.*32/);
    expect(refusal({ ...PRODUCTION, APP_SECRET_KEY: 'x'.repeat(31) })).toMatch(/APP_SECRET_KEY.*32/);
    expect(refusal({ APP_SECRET_KEY: 'x'.repeat(32) })).toBeNull();
  });

  it('requires DATABASE_URL and APP_SECRET_KEY in production', () => {
    const { DATABASE_URL: _db, ...withoutDatabase } = PRODUCTION;
    const { APP_SECRET_KEY: _key, ...withoutKey } = PRODUCTION;

    expect(refusal(withoutDatabase)).toMatch(/DATABASE_URL is required when NODE_ENV=production/);
    expect(refusal(withoutKey)).toMatch(/APP_SECRET_KEY is required when NODE_ENV=production/);
    expect(refusal(PRODUCTION)).toBeNull();
    // Outside production both may be left out: an embedded database and a generated key.
    expect(refusal({ NODE_ENV: 'development' })).toBeNull();
  });

  it('turns the sandbox on by itself only for a local run on the embedded database, listening on loopback', () => {
    expect(loadConfig({})).toMatchObject({ sandbox: true, listenHost: '127.0.0.1' });
    // A deployment that forgot NODE_ENV: its own database and key say it is not a local run.
    const forgotNodeEnv = loadConfig({ DATABASE_URL: PRODUCTION.DATABASE_URL, APP_SECRET_KEY: SECRET_KEY });
    expect(forgotNodeEnv).toMatchObject({ env: 'development', sandbox: false, listenHost: undefined });
    // Asked for by name it runs on any database (the browser tests do), still on loopback only.
    expect(loadConfig({ DATABASE_URL: PRODUCTION.DATABASE_URL, SANDBOX: 'on' })).toMatchObject({ sandbox: true, listenHost: '127.0.0.1' });
    expect(loadConfig({ SANDBOX: 'off' })).toMatchObject({ sandbox: false, listenHost: undefined });
  });

  it('believes no X-Forwarded-* header unless TRUST_PROXY says whose', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8, 192.168.1.7' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.1.7',
    ]);
  });

  it('gives the request path and the workers their own connection pools, sized by settings', () => {
    expect(loadConfig({}).databasePool).toEqual({ requests: 10, workers: 8 });
    expect(loadConfig({ DATABASE_POOL_MAX: '4', WORKER_DATABASE_POOL_MAX: '3' }).databasePool).toEqual({ requests: 4, workers: 3 });
  });

  it('keeps the sandbox off in production even when SANDBOX=on', () => {
    expect(loadConfig({ ...PRODUCTION, SANDBOX: 'on' }).sandbox).toBe(false);
    expect(loadConfig(PRODUCTION).sandbox).toBe(false);
    // The control: the same setting turns it on in development, and off turns it off.
    expect(loadConfig({ NODE_ENV: 'development', SANDBOX: 'on' }).sandbox).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', SANDBOX: 'off' }).sandbox).toBe(false);
  });

  it('a production app answers 404 where the sandbox would be, and still serves the app', async () => {
    const database = await createTestDatabase();
    const logs: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    });
    const config = loadConfig({ ...PRODUCTION, DATABASE_URL: database.url, PORT: '0', SANDBOX: 'on' });
    const app = await startApp(config, createLogger('info', sink), { workers: false });
    try {
      for (const path of ['/sandbox/api/state', '/sandbox/', '/sandbox/all.js']) {
        const response = await fetch(`${app.baseUrl}${path}`);
        expect(response.status, path).toBe(404);
        expect(await response.json()).toEqual({ message: expect.any(String) });
      }
      const tokenRequest = await fetch(`${app.baseUrl}/sandbox/api/context-token`, { method: 'POST' });
      expect(tokenRequest.status).toBe(404);
      // The control: the app itself is up.
      expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
      const page = await (await fetch(`${app.baseUrl}/connect/admin?sandbox=1`)).text();
      expect(page).not.toContain('/sandbox/all.js');
    } finally {
      await app.stop({ graceful: false });
      await database.drop();
    }
  });
});
