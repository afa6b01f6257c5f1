import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ProcessorBuilder, ValidationTypes, validate, type ManifestSchema } from '@forge/manifest';
import { beforeAll, describe, expect, it } from 'vitest';
import { FORGE_MODULES } from '../../src/entry/forge/forge-host.js';
import { FORGE_INSTALLED_PATH } from '../../src/entry/forge/lifecycle-event.js';
import { FORGE_USER_CREATED_PATH } from '../../src/entry/forge/user-created-event.js';
import { FORGE_USER_DELETED_PATH } from '../../src/entry/forge/user-deleted-event.js';
import { UI_DIST } from '../../src/entry/ui-shell.js';

const MANIFEST = path.resolve('manifest.yml');

type Modules = Record<string, Array<Record<string, any>>>;

describe('manifest.yml', () => {
  let manifest: ManifestSchema;
  let modules: Modules;

  beforeAll(async () => {
    // The validator checks that the Custom UI resource exists: it is the UI's Vite build.
    if (!existsSync(path.join(UI_DIST, 'index.html'))) {
      const { build } = await import('vite');
      await build({ configFile: path.resolve('static/vite.config.ts'), logLevel: 'warn' });
    }
    const result = await validate(false, MANIFEST);
    expect(result.errors ?? []).toEqual([]);
    manifest = result.manifestObject!.typedContent as ManifestSchema;
    modules = manifest.modules as unknown as Modules;
  }, 120_000);

  it("passes @forge/manifest's offline validation, including trigger scopes and remote compute", async () => {
    for (const type of [ValidationTypes.FULL, ValidationTypes.PRODUCT_TRIGGER, ValidationTypes.FORGE_REMOTE_COMPUTE]) {
      const result = await ProcessorBuilder.instance().withValidation(type).build().process(MANIFEST);
      expect({ type, errors: result.errors ?? [] }).toEqual({ type, errors: [] });
      expect(result.success).toBe(true);
    }
  }, 60_000);

  it('is a plain Forge app: no Connect modules', () => {
    expect(manifest).not.toHaveProperty('connectModules');
    expect(readFileSync(MANIFEST, 'utf8')).not.toMatch(/^\s*connectModules\s*:/m);
  });

  it('asks for the scopes the calls need, and no others', () => {
    expect([...(manifest.permissions?.scopes as string[])].sort()).toEqual(
      ['read:app-system-token', 'read:email-address:jira', 'read:jira-user', 'read:permission:jira'].sort(),
    );
  });

  it('sends new and deleted Jira users and installations to the server, with the app token', () => {
    const endpoints = new Map(modules.endpoint!.map((e) => [e.key, e]));
    const triggers = Object.fromEntries(modules.trigger!.map((t) => [t.events.join(','), t]));
    expect(Object.keys(triggers).sort()).toEqual(['avi:forge:installed:app', 'avi:jira:created:user', 'avi:jira:deleted:user']);

    const userCreated = endpoints.get(triggers['avi:jira:created:user']!.endpoint);
    const installed = endpoints.get(triggers['avi:forge:installed:app']!.endpoint);
    expect(userCreated).toMatchObject({ remote: 'backend', route: { path: FORGE_USER_CREATED_PATH }, auth: { appSystemToken: { enabled: true } } });
    expect(installed).toMatchObject({ remote: 'backend', route: { path: FORGE_INSTALLED_PATH }, auth: { appSystemToken: { enabled: true } } });
    expect(triggers['avi:jira:created:user']).not.toHaveProperty('function');
    const userDeleted = endpoints.get(triggers['avi:jira:deleted:user']!.endpoint);
    expect(userDeleted).toMatchObject({ remote: 'backend', route: { path: FORGE_USER_DELETED_PATH }, auth: { appSystemToken: { enabled: true } } });
  });

  it("names its modules with the keys the server accepts on each route (the server's module check)", () => {
    const triggers = new Map(modules.trigger!.map((t) => [t.key, t]));
    for (const [route, event] of [
      [FORGE_MODULES.userCreated, 'avi:jira:created:user'],
      [FORGE_MODULES.userDeleted, 'avi:jira:deleted:user'],
      [FORGE_MODULES.installed, 'avi:forge:installed:app'],
    ] as const) {
      expect(triggers.get(route.trigger)).toMatchObject({ events: [event], endpoint: route.endpoint });
    }
    const pages = modules['jira:adminPage']!;
    expect(pages.map((p) => p.key).sort()).toEqual([...FORGE_MODULES.adminPage.pages].sort());
    for (const page of pages) expect(page.resolver.endpoint).toBe(FORGE_MODULES.adminPage.endpoint);
  });

  it('shows the Custom UI bundle as an admin page and as the Configure page, calling the server for its API', () => {
    const pages = modules['jira:adminPage']!;
    expect(pages).toHaveLength(2);
    expect(pages.filter((p) => p.useAsConfig === true)).toHaveLength(1);
    const endpoints = new Map(modules.endpoint!.map((e) => [e.key, e]));
    for (const page of pages) {
      expect(page.resource).toBe('main');
      expect(endpoints.get(page.resolver.endpoint)).toMatchObject({ remote: 'backend', auth: { appSystemToken: { enabled: true } } });
      // invokeRemote's path ('/api/...') is appended to the remote's baseUrl: no route prefix.
      expect(endpoints.get(page.resolver.endpoint)).not.toHaveProperty('route');
    }
    expect(manifest.resources).toEqual([{ key: 'main', path: 'static/dist' }]);
    expect(manifest.remotes).toEqual([expect.objectContaining({ key: 'backend', operations: expect.arrayContaining(['compute']) })]);
  });

  it('allows inline styles only (the design system sets theme tokens and a few computed styles at run time): no inline script, nothing from elsewhere', () => {
    expect(manifest.permissions?.content).toEqual({ styles: ['unsafe-inline'] });
    expect(manifest.permissions).not.toHaveProperty('external');
    const html = readFileSync(path.join(UI_DIST, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style\b|\sstyle=/);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    for (const file of readdirSync(path.join(UI_DIST, 'assets')).filter((f) => f.endsWith('.css'))) {
      expect(readFileSync(path.join(UI_DIST, 'assets', file), 'utf8')).not.toMatch(/url\((["']?)(https?:)?\/\//);
    }
  });
});
