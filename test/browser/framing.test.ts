import { chromium, type Browser, type BrowserContext, type Frame } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/test-app.js';

/*
 * Who may frame the Connect admin page, decided by the browser from the app's
 * Content-Security-Policy (frame-ancestors). The pages are reached over HTTPS names the browser
 * believes in: a Jira site (https://example.atlassian.net), another site (https://elsewhere.example)
 * and the app (https://ati.example.test), all answered through Playwright's routing, the app's
 * pages by the real app with its real headers. Connect's all.js comes from its CDN's origin.
 */

const APP_ORIGIN = 'https://ati.example.test';
const ALL_JS = 'https://connect-cdn.atl-paas.net/all.js';

describe('framing the Connect admin page', () => {
  let harness: Harness;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    harness = await startHarness();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    context = await browser.newContext();
    await context.route(`${APP_ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      const response = await route.fetch({ url: `${harness.app.baseUrl}${url.pathname}${url.search}` });
      await route.fulfill({ response });
    });
    await context.route(ALL_JS, (route) => route.fulfill({ contentType: 'text/javascript', body: 'window.__allJsRan = true;' }));
    // A host page that frames the admin page the way Jira does.
    await context.route(/^https:\/\/(example\.atlassian\.net|elsewhere\.example)\//, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>host</title><iframe title="app" src="${APP_ORIGIN}/connect/admin?jwt=signed"></iframe>`,
      }),
    );
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await harness?.stop();
  });

  async function frameFrom(hostUrl: string): Promise<{ frame: Frame; errors: string[] }> {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(hostUrl);
    const frame = await (await page.locator('iframe[title="app"]').elementHandle()).contentFrame();
    await frame!.waitForLoadState('load');
    return { frame: frame!, errors };
  }

  it('renders inside a Jira site, running the page script and all.js', async () => {
    const { frame, errors } = await frameFrom('https://example.atlassian.net/plugins/servlet/ac/automatic-team-invitations/admin');
    expect(frame.url()).toBe(`${APP_ORIGIN}/connect/admin?jwt=signed`);
    expect(await frame.evaluate(() => (window as { __ATI_HOST__?: unknown }).__ATI_HOST__)).toEqual({ host: 'connect', view: 'page' });
    expect(await frame.evaluate(() => (window as { __allJsRan?: boolean }).__allJsRan)).toBe(true);
    expect(errors.filter((error) => /Content Security Policy/i.test(error))).toEqual([]);
  });

  it('is refused by the browser inside any other site', async () => {
    const { frame, errors } = await frameFrom('https://elsewhere.example/');
    expect(frame.url()).not.toContain(APP_ORIGIN);
    expect(errors.join('\n')).toMatch(
      /violates the following Content Security Policy directive: "frame-ancestors https:\/\/\*\.atlassian\.net https:\/\/\*\.jira\.com"/,
    );
  });
});
