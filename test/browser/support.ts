import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { startSandboxApp, type SandboxApp } from '../support/sandbox-app.js';
import { eventually } from '../support/test-app.js';

/*
 * What the browser tests share: a Chromium, a fresh sandbox app per test, and the sandbox host
 * page as a person uses it, whichever host it plays (`/sandbox/` Connect, `/sandbox/?host=forge`
 * Forge). Needs `npm run build:ui` first.
 */

export type SandboxHost = 'connect' | 'forge';

const SCREENSHOTS = path.resolve('docs/screenshots');
export const APP_FRAME = 'Automatic team invitations';
export const DIALOG = 'Configure automatic access';
/**
 * The host's dialog around the app's "Configure automatic access" view: Connect names it after
 * the dialog module; Forge's Modal has no title, so the sandbox names it after the app.
 */
const HOST_DIALOG_NAME: Record<SandboxHost, string> = { connect: DIALOG, forge: APP_FRAME };

export type BrowserSession = {
  readonly sandbox: SandboxApp;
  readonly page: Page;
  readonly ui: SandboxUi;
  /** What went wrong in the browser: uncaught errors, console errors, failed requests, any alert(). */
  readonly problems: string[];
  /** Every URL the page and its frames requested. */
  readonly requests: string[];
};

/**
 * Registers the hooks of a browser test file: one Chromium for the file, and for each test its
 * own app and database (the sandbox's Jira site is always the same one) and browser context, so
 * no test depends on what another one linked or created.
 */
export function useSandboxBrowser(host: SandboxHost): BrowserSession {
  let browser: Browser | undefined;
  let current: { sandbox: SandboxApp; context: BrowserContext; page: Page; ui: SandboxUi; problems: string[]; requests: string[] } | undefined;

  beforeAll(async () => {
    // chromium.launch gives the browser a fresh profile (user-data dir) of its own, deleted on close.
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  beforeEach(async () => {
    const sandbox = await startSandboxApp();
    const context = await browser!.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, reducedMotion: 'reduce' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
    });
    page.on('request', (request) => requests.push(request.url()));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
    });
    page.on('dialog', (dialog) => {
      problems.push(`${dialog.type()}() called: ${dialog.message()}`);
      void dialog.dismiss();
    });
    current = { sandbox, context, page, ui: new SandboxUi(page, sandbox.baseUrl, host), problems, requests };
  });

  afterEach(async () => {
    const ending = current;
    current = undefined;
    await ending?.context.close();
    await ending?.sandbox.stop();
  });

  const now = () => {
    if (!current) throw new Error('No browser session: use it inside a test');
    return current;
  };
  return {
    get sandbox() {
      return now().sandbox;
    },
    get page() {
      return now().page;
    },
    get ui() {
      return now().ui;
    },
    get problems() {
      return now().problems;
    },
    get requests() {
      return now().requests;
    },
  };
}

/** The sections the page loads after its first view, by their spinners' labels (page/AdminPage.tsx). */
const LATER_SECTIONS = ['pending review', 'rules', 'backfill', 'removals', 'audit log'];

export type LinkForm = { workspace: string; key: string; secret: string };

/** The sandbox host page, driven as a person would. */
export class SandboxUi {
  constructor(
    readonly page: Page,
    readonly baseUrl: string,
    readonly host: SandboxHost,
  ) {}

  /** Opens the sandbox host page and waits until the app's page inside it has loaded its data. */
  async open(options: { theme?: 'light' | 'dark' | 'auto' } = {}): Promise<FrameLocator> {
    const query = new URLSearchParams({
      host: this.host,
      ...(options.theme ? { theme: options.theme } : {}),
    }).toString();
    await this.page.goto(`${this.baseUrl}/sandbox/${query ? `?${query}` : ''}`);
    // The app's page is the frame in the shell's main area (a dialog's frame may share its title).
    const app = this.page.frameLocator(`main iframe[title="${APP_FRAME}"]`);
    await app.getByRole('heading', { level: 1, name: 'Automatic team invitations' }).waitFor();
    await app
      .getByRole('table', { name: 'Linked accounts' })
      .or(app.getByRole('heading', { name: 'No linked accounts yet' }))
      .waitFor();
    await app
      .getByRole('table', { name: 'Recent invitations' })
      .or(app.getByRole('heading', { name: 'No invitations yet' }))
      .waitFor();
    // The sections below the first view load once it is shown (the audit log comes last): wait for them too.
    await app.getByRole('heading', { level: 2, name: 'Audit log' }).waitFor();
    for (const section of LATER_SECTIONS) await app.getByLabel(`Loading ${section}`, { exact: true }).waitFor({ state: 'detached' });
    return app;
  }

  demoPanel(): Locator {
    return this.page.getByRole('region', { name: 'Demo workspace' });
  }

  /** A value of the sandbox's "Demo workspace" panel, read as a person would copy it. */
  async demoValue(label: string): Promise<string> {
    const item = this.demoPanel()
      .locator('.sbx-value')
      .filter({ has: this.page.getByRole('term').getByText(label, { exact: true }) });
    return (await item.getByRole('definition').locator('code').innerText()).trim();
  }

  /** The `code` values of the panel's hint that starts with `hint`. */
  async demoHintValues(hint: string): Promise<string[]> {
    const texts = await this.demoPanel().locator('p').filter({ hasText: hint }).locator('code').allInnerTexts();
    return texts.map((text) => text.trim());
  }

  /** The sandbox's simulated Atlassian organization and its API key, from its "Demo organization" panel. */
  async demoOrganization(): Promise<{ name: string; apiKey: string }> {
    const panel = this.page.getByRole('region', { name: 'Demo organization' });
    const value = async (label: string) =>
      (
        await panel
          .locator('.sbx-value')
          .filter({ has: this.page.getByRole('term').getByText(label, { exact: true }) })
          .getByRole('definition')
          .locator('code')
          .innerText()
      ).trim();
    return { name: await value('Organization'), apiKey: await value('API key') };
  }

  async demoCredentials(): Promise<LinkForm> {
    return { workspace: await this.demoValue('Workspace'), key: await this.demoValue('OAuth key'), secret: await this.demoValue('OAuth secret') };
  }

  /** Opens "Link account" (the page's button) and returns the app's modal. */
  async openLinkForm(app: FrameLocator): Promise<Locator> {
    await app.getByRole('button', { name: 'Link account' }).first().click();
    const modal = app.getByRole('dialog', { name: 'Link account' });
    await modal.waitFor();
    return modal;
  }

  /** Opens "Link account", fills it in for a Bitbucket workspace and submits it; returns the app's modal. */
  async submitLinkForm(app: FrameLocator, form: LinkForm): Promise<Locator> {
    const modal = await this.openLinkForm(app);
    await modal.getByRole('radio', { name: 'Bitbucket workspace' }).check();
    await modal.getByRole('textbox', { name: 'Workspace' }).fill(form.workspace);
    await modal.getByRole('radio', { name: 'OAuth consumer' }).check();
    await modal.getByRole('textbox', { name: 'Key' }).fill(form.key);
    await modal.getByLabel('Secret', { exact: true }).fill(form.secret);
    await modal.getByRole('button', { name: 'Link account' }).click();
    return modal;
  }

  async linkWorkspace(app: FrameLocator, form: LinkForm): Promise<Locator> {
    const modal = await this.submitLinkForm(app, form);
    await modal.waitFor({ state: 'detached' });
    const row = accountRow(app, form.workspace);
    await row.waitFor();
    return row;
  }

  /**
   * In the open link form: chooses Atlassian organization, enters the API key, finds the
   * organizations it sees and links `organization` (chosen already when it is the only one).
   */
  async linkOrganizationIn(modal: Locator, apiKey: string, organization: string): Promise<void> {
    await modal.getByRole('radio', { name: 'Atlassian organization' }).check();
    await modal.getByLabel('API key', { exact: true }).fill(apiKey);
    await modal.getByRole('button', { name: 'Find organizations' }).click();
    const choice = modal.getByRole('combobox', { name: 'Organization' });
    await choice.waitFor();
    await chooseOption(modal, 'Organization', organization);
    await modal.getByRole('button', { name: 'Link account' }).click();
    await modal.waitFor({ state: 'detached' });
  }

  /** Picks "Configure automatic access" in the row's actions menu; returns the host's dialog and its frame. */
  async openConfigureDialog(app: FrameLocator, accountName: string): Promise<{ dialog: Locator; frame: FrameLocator }> {
    await app.getByRole('button', { name: `Actions for ${accountName}` }).click();
    await app.getByRole('menu').getByRole('menuitem', { name: 'Configure automatic access' }).click();
    return this.configureDialog();
  }

  /** The host's dialog showing the app's "Configure automatic access" view, once that has loaded. */
  async configureDialog(): Promise<{ dialog: Locator; frame: FrameLocator }> {
    const dialog = this.page.getByRole('dialog', { name: HOST_DIALOG_NAME[this.host] });
    await dialog.waitFor();
    const frame = dialog.frameLocator('iframe');
    await frame.getByRole('heading', { name: DIALOG }).waitFor();
    return { dialog, frame };
  }

  /** Creates a user with the sandbox's "Create a Jira user" form, which tells the app through the host played. */
  async createJiraUser(displayName: string, email: string): Promise<void> {
    const panel = this.page.getByRole('region', { name: 'Create a Jira user' });
    await panel.getByRole('textbox', { name: 'Display name' }).fill(displayName);
    await panel.getByRole('textbox', { name: 'Email' }).fill(email);
    await panel.getByRole('button', { name: 'Create user' }).click();
    await panel.getByRole('list', { name: 'Created users' }).getByText(email).waitFor();
  }

  /** Dismisses the host's flags (for a clean screenshot). */
  async dismissFlags(): Promise<void> {
    const dismiss = this.page.getByRole('region', { name: 'Notifications' }).getByRole('button', { name: 'Dismiss' });
    // A flag may close by itself between being counted and being clicked: a short click that
    // misses is fine, the count says whether any is left.
    for (let tries = 0; tries < 20 && (await dismiss.count()) > 0; tries++)
      await dismiss
        .first()
        .click({ timeout: 2_000 })
        .catch(() => undefined);
  }
}

/** Calls the admin API as the sandbox's admin (a Connect context token), as another tab of the page would. */
export async function adminApi<T = { linkedAccount?: { id: string } }>(baseUrl: string, method: string, apiPath: string, body?: unknown): Promise<T> {
  const tokenResponse = await fetch(`${baseUrl}/sandbox/api/context-token`, { method: 'POST' });
  const { token } = (await tokenResponse.json()) as { token: string };
  const response = await fetch(`${baseUrl}${apiPath}`, {
    method,
    headers: { Authorization: `JWT ${token}`, 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${apiPath} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** The linked accounts table's row of a workspace (its slug) or an organization (its name). */
export function accountRow(app: FrameLocator, accountName: string): Locator {
  return app
    .getByRole('table', { name: 'Linked accounts' })
    .getByRole('row')
    .filter({ has: app.getByRole('button', { name: `Actions for ${accountName}` }) });
}

export function invitationRows(app: FrameLocator): Locator {
  return app.getByRole('table', { name: 'Recent invitations' }).locator('tbody tr');
}

/** Text content (not innerText: the lozenges are upper-cased by CSS), whitespace collapsed. */
export async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await target.screenshot({ path: path.join(SCREENSHOTS, name), animations: 'disabled', caret: 'hide' });
}

/** What has the keyboard focus inside `frame`, and whether it shows a focus indicator. */
export async function focusIn(frame: FrameLocator): Promise<{ name: string; role: string | null; indicator: string }> {
  return frame.locator(':root').evaluate((root) => {
    const element = root.ownerDocument.activeElement as HTMLElement | null;
    if (!element || element === root.ownerDocument.body) return { name: '', role: null, indicator: '' };
    // The design system draws some focus rings beside the focused element: a checkbox's or radio's on
    // the box next to its hidden input, a text field's on the field around its input.
    const ringOf = (el: Element) => {
      const style = getComputedStyle(el);
      const outline =
        style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 ? `outline ${style.outlineWidth} ${style.outlineStyle}` : '';
      const shadow = style.boxShadow !== 'none' ? `box-shadow ${style.boxShadow}` : '';
      return [outline, shadow].filter(Boolean).join('; ');
    };
    const beside = element instanceof HTMLInputElement ? [element.parentElement?.querySelector('svg, span'), element.parentElement] : [];
    const rings = [element, ...beside].filter((el): el is Element => el instanceof Element).map(ringOf);
    const label = (element as HTMLInputElement).labels?.[0]?.textContent;
    return {
      name: (element.getAttribute('aria-label') ?? label ?? element.textContent ?? '').trim(),
      role: element.getAttribute('role') ?? element.tagName.toLowerCase(),
      indicator: rings.find((ring) => ring !== '') ?? '',
    };
  });
}

/** Waits until the invitations table shows `count` invitations for `email`, each marked sent. */
export async function expectSentInvitations(app: FrameLocator, email: string, count: number): Promise<Locator> {
  const rows = invitationRows(app);
  await expect
    .poll(async () => (await rows.allTextContents()).map((text) => text.includes(email) && /sent/.test(text)), {
      timeout: 15_000,
      interval: 250,
    })
    .toEqual(Array.from({ length: count }, () => true));
  return rows;
}

/** A section message (Atlassian's SectionMessage: a <section> under its heading) inside `scope`, by its title. */
export function sectionMessage(scope: Locator | FrameLocator, title: string): Locator {
  return scope.getByRole('heading', { name: title, exact: true }).locator('xpath=ancestor::section[1]');
}

/** Picks `option` in the Atlassian Select labelled `label`, as a person does: open it, click the option. */
export async function chooseOption(scope: Locator | FrameLocator, label: string, option: string): Promise<void> {
  await controlOf(scope, label).click();
  await scope.getByRole('option', { name: option, exact: true }).click();
}

/** The options an Atlassian Select labelled `label` offers (opened, read, closed again with Escape). */
export async function optionsOf(scope: Locator | FrameLocator, label: string): Promise<string[]> {
  const box = scope.getByRole('combobox', { name: label });
  await controlOf(scope, label).click();
  const options = scope.getByRole('listbox').getByRole('option');
  await options.first().waitFor();
  const texts = await options.allTextContents();
  await box.press('Tab'); // leaves the field, which closes its list
  return texts.map((text) => text.trim());
}

/** The option an Atlassian Select labelled `label` shows as chosen ('' when none). */
export async function chosenOf(scope: Locator | FrameLocator, label: string): Promise<string> {
  const value = controlOf(scope, label).locator('.ati-select__single-value');
  return (await value.count()) === 0 ? '' : ((await value.textContent()) ?? '').trim();
}

/** The visible box of the Atlassian Select labelled `label` (its combobox input may be a hidden one). */
function controlOf(scope: Locator | FrameLocator, label: string): Locator {
  return scope.getByRole('combobox', { name: label }).locator('xpath=ancestor::div[contains(@class, "ati-select__control")][1]');
}

/** The Playwright frame of the app's page in the sandbox (for what a FrameLocator cannot do, like evaluating a script). */
export async function appFrame(page: Page, selector = `main iframe[title="${APP_FRAME}"]`): Promise<Frame> {
  const frame = await (await page.locator(selector).elementHandle())?.contentFrame();
  if (!frame) throw new Error(`No frame for ${selector}`);
  return frame;
}

export type AxeViolation = { id: string; impact: string | null; help: string; targets: string[] };

/**
 * Runs axe-core in `frame` (on `selector`, or the whole document) and returns its serious and
 * critical violations. The script is evaluated by the browser's debugger protocol, which the
 * frame's Content-Security-Policy does not govern.
 */
export async function seriousAxeViolations(frame: Frame, selector?: string): Promise<AxeViolation[]> {
  const { source } = (await import('axe-core')).default;
  if (!(await frame.evaluate(() => 'axe' in window))) await frame.evaluate(source);
  // A colour change (a theme switch, a hover) is a CSS transition of a tenth of a second or so:
  // measured halfway, a colour pair is neither theme's. Judge the page once none is running.
  await eventually(
    () => frame.evaluate(() => !document.getAnimations().some((a) => a instanceof CSSTransition && a.playState === 'running')),
    5_000,
    'colour transitions to end',
  );
  const violations = await frame.evaluate(async (context) => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            context: unknown,
            options: unknown,
          ) => Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }>;
        };
      }
    ).axe;
    const result = await axe.run(context ?? document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, selector ?? null);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
