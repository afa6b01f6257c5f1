import http from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { AppProcess } from '../support/app-process.js';
import { startSandboxApp, type SandboxApp } from '../support/sandbox-app.js';
import { createTestDatabase } from '../support/test-database.js';

/*
 * The sandbox hands an admin token to whoever asks. It must never be reachable where it could
 * be taken for a deployment: only a local run (or SANDBOX=on) turns it on, the app then listens
 * on loopback, and the sandbox answers only requests addressed to localhost.
 */

/** A GET with headers fetch() will not send (Host), answering the status and body. */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += String(chunk)));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** This machine's addresses other than loopback, where a deployment would be reached. */
function outsideAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && !address.internal && address.family === 'IPv4')
    .map((address) => address!.address);
}

describe('where the sandbox runs', () => {
  let sandbox: SandboxApp | undefined;
  afterEach(async () => {
    await sandbox?.stop();
    sandbox = undefined;
  });

  it('stays off in a deployment that sets DATABASE_URL and APP_SECRET_KEY but forgets NODE_ENV', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase();
    // NODE_ENV and SANDBOX empty: unset, as in a deployment that never heard of them.
    const app = new AppProcess({
      NODE_ENV: '',
      SANDBOX: '',
      PORT: '0',
      DATABASE_URL: database.url,
      APP_SECRET_KEY: 'a-deployment-secret-key-that-is-long-enough-0123',
    });
    try {
      await app.start();
      const token = await fetch(`${app.baseUrl}/sandbox/api/context-token`, { method: 'POST' });
      expect(token.status).toBe(404);
      expect((await fetch(`${app.baseUrl}/sandbox/`)).status).toBe(404);
      // The bare address sends nobody to a sandbox that is not there.
      const root = await fetch(`${app.baseUrl}/`, { redirect: 'manual' });
      expect(root.status).toBe(404);
      // The control: the app itself answers.
      expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
      expect(app.output.join('')).not.toContain('SANDBOX ON');
    } finally {
      await app.stop();
      await database.drop();
    }
  });

  it('listens on loopback only, and answers only requests addressed to localhost', async () => {
    sandbox = await startSandboxApp();
    const state = `${sandbox.baseUrl}/sandbox/api/state`;
    expect((await get(state)).status).toBe(200);
    expect((await get(state, { Host: `127.0.0.1:${sandbox.app.port}` })).status).toBe(200);

    // A name that points at 127.0.0.1 from elsewhere (DNS rebinding), or a proxy forwarding its own name.
    const rebound = await get(state, { Host: `ati.attacker.example:${sandbox.app.port}` });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toEqual({ message: 'The sandbox answers only on this machine: open it at http://localhost.' });
    const tokenRequest = await new Promise<number>((resolve, reject) => {
      const request = http.request(
        `${sandbox!.baseUrl}/sandbox/api/context-token`,
        { method: 'POST', headers: { Host: 'ati.example.com' } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end();
    });
    expect(tokenRequest).toBe(403);

    for (const address of outsideAddresses()) {
      await expect(get(`http://${address}:${sandbox.app.port}/sandbox/api/state`), address).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  it('sends a person who opens the bare address to the sandbox', async () => {
    sandbox = await startSandboxApp();
    const root = await fetch(`${sandbox.baseUrl}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/sandbox/');
    expect((await fetch(`${sandbox.baseUrl}/`)).url).toBe(`${sandbox.baseUrl}/sandbox/`);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy that sends it', async () => {
    const forwarded = { 'X-Forwarded-For': '203.0.113.7' };
    sandbox = await startSandboxApp();
    // Anyone can send the header: by default it says nothing about who is asking.
    expect((await get(`${sandbox.baseUrl}/sandbox/api/state`, forwarded)).status).toBe(200);
    await sandbox.stop();

    // A proxy on this machine, trusted by name, reports a client elsewhere: the sandbox refuses it.
    sandbox = await startSandboxApp({ TRUST_PROXY: 'loopback' });
    expect((await get(`${sandbox.baseUrl}/sandbox/api/state`, forwarded)).status).toBe(403);
    expect((await get(`${sandbox.baseUrl}/sandbox/api/state`)).status).toBe(200);
  });
});
