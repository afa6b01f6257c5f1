import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_CREATED_PATH } from '../../src/entry/connect/user-created-webhook.js';
import { startSandboxApp } from '../support/sandbox-app.js';
import { startHarness, type Harness } from '../support/test-app.js';

/** The directives of a Content-Security-Policy header, by name. */
function directives(header: string | null): Record<string, string[]> {
  expect(header, 'Content-Security-Policy').toBeTruthy();
  return Object.fromEntries(
    header!
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...values]) => [name, values]),
  );
}

function expectCommonHeaders(response: Response): void {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  // Framing is decided by frame-ancestors: X-Frame-Options would keep Jira out.
  expect(response.headers.get('x-frame-options')).toBeNull();
  const csp = directives(response.headers.get('content-security-policy'));
  expect(csp['frame-ancestors']).toEqual(['https://*.atlassian.net', 'https://*.jira.com']);
  expect(csp['connect-src']).toEqual(["'self'"]);
  expect(csp['object-src']).toEqual(["'none'"]);
  // The Atlassian design system writes <style> elements (the theme's tokens) and style attributes at run time.
  expect(csp['style-src']).toContain("'unsafe-inline'");
}

describe('security headers', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('frames the Connect pages only in Jira, and runs only scripts of the app, of all.js and the page own inline script', async () => {
    for (const page of ['/connect/admin', '/connect/configure-automatic-access']) {
      const response = await fetch(`${harness.app.baseUrl}${page}?xdm_e=https%3A%2F%2Fexample.atlassian.net&jwt=signed`);
      expect(response.status, page).toBe(200);
      expectCommonHeaders(response);
      const csp = directives(response.headers.get('content-security-policy'));
      const nonce = csp['script-src']!.find((source) => source.startsWith("'nonce-"))!.slice("'nonce-".length, -1);
      expect(csp['script-src']).toEqual(["'self'", 'https://connect-cdn.atl-paas.net', `'nonce-${nonce}'`]);
      expect(csp['script-src-attr']).toEqual(["'none'"]);
      const html = await response.text();
      // Whichever shell is served (built or not), every inline script carries this answer's nonce.
      const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((match) => match[1]);
      for (const attributes of inline) expect(attributes).toContain(`nonce="${nonce}"`);
      expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    }
    const first = directives((await fetch(`${harness.app.baseUrl}/connect/admin`)).headers.get('content-security-policy'));
    const second = directives((await fetch(`${harness.app.baseUrl}/connect/admin`)).headers.get('content-security-policy'));
    expect(first['script-src']).not.toEqual(second['script-src']);
  });

  it('sends them with API answers, webhook answers and errors too', async () => {
    const accounts = await fetch(`${harness.app.baseUrl}/api/linked-accounts`, {
      headers: { Authorization: `JWT ${harness.site.contextToken('admin-1')}` },
    });
    expect(accounts.status).toBe(200);
    expectCommonHeaders(accounts);
    expect(accounts.headers.get('cross-origin-resource-policy')).toBe('same-origin');

    const unauthenticated = await fetch(`${harness.app.baseUrl}/api/linked-accounts`);
    expect(unauthenticated.status).toBe(401);
    expectCommonHeaders(unauthenticated);

    const webhook = await fetch(`${harness.app.baseUrl}${USER_CREATED_PATH}`, { method: 'POST' });
    expect(webhook.status).toBe(401);
    expectCommonHeaders(webhook);

    const missing = await fetch(`${harness.app.baseUrl}/no-such-route`);
    expect(missing.status).toBe(404);
    expectCommonHeaders(missing);
  });
});

describe('security headers with the sandbox on', () => {
  it('let the app frame its own pages, as the sandbox does, and still Jira', async () => {
    const sandbox = await startSandboxApp();
    try {
      for (const page of ['/connect/admin?sandbox=1', '/sandbox/forge-app', '/sandbox/api/state']) {
        const response = await fetch(`${sandbox.baseUrl}${page}`);
        expect(response.status, page).toBe(200);
        const csp = directives(response.headers.get('content-security-policy'));
        expect(csp['frame-ancestors'], page).toEqual(['https://*.atlassian.net', 'https://*.jira.com', "'self'"]);
        expect(response.headers.get('x-content-type-options'), page).toBe('nosniff');
      }
    } finally {
      await sandbox.stop();
    }
  });
});
