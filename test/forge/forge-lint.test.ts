import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as ForgeLint from '@forge/lint';
import type { ManifestSchema } from '@forge/manifest';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';

/**
 * Atlassian's own Forge linter (what `forge lint` runs), offline: the client-side linters minus
 * PermissionLinter, which downloads Jira's API specification. It checks the manifest against
 * rules `@forge/manifest`'s schema does not hold (deprecated runtimes, egress and CSP forms,
 * endpoint and module wiring).
 */
const require = createRequire(import.meta.url);
const forgeLint = require('@forge/lint') as typeof ForgeLint;

type Problem = { file: string; message: string; line: number };

/** The linters ask feature flags of Atlassian's Statsig; offline, every flag is off. */
const offlineFlags = new Proxy({}, { get: (_target, name) => async () => (name === 'getDeprecatedRuntimes' ? [] : false) });

async function lintManifest(manifest: ManifestSchema, directory: string): Promise<{ errors: Problem[]; warnings: Problem[] }> {
  const logger = { info: () => undefined };
  const previous = process.cwd();
  process.chdir(directory); // the linter reads tsconfig.json and resources relative to the app's folder
  try {
    const flags = offlineFlags as Parameters<typeof forgeLint.lint>[4];
    const linters = (await forgeLint.getClientSideLintersOnly(manifest, 'development', logger, flags)).filter(
      (linter) => linter.constructor.name !== 'PermissionLinter',
    );
    const results = await forgeLint.lint([], manifest, 'development', logger, flags, { linter: { mode: 'client-side' }, linters });
    const problems = (kind: 'errors' | 'warnings') =>
      results.flatMap((result) => result[kind].map((rule) => ({ file: result.file, message: rule.message, line: rule.line })));
    return { errors: problems('errors'), warnings: problems('warnings') };
  } finally {
    process.chdir(previous);
  }
}

const manifestText = readFileSync(path.resolve('manifest.yml'), 'utf8');

describe('forge lint', () => {
  it('finds no error and no warning in manifest.yml', async () => {
    const result = await lintManifest(parse(manifestText) as ManifestSchema, process.cwd());
    expect(result).toEqual({ errors: [], warnings: [] });
  }, 60_000);

  it('would catch a broken manifest (so the check above can fail)', async () => {
    const broken = parse(manifestText) as Record<string, any>;
    broken.app.runtime = { name: 'nodejs18.x' }; // a runtime Forge no longer accepts
    const directory = mkdtempSync(path.join(tmpdir(), 'ati-forge-lint-'));
    try {
      writeFileSync(path.join(directory, 'manifest.yml'), stringify(broken));
      const result = await lintManifest(broken as ManifestSchema, directory);
      expect(result.errors).toEqual([expect.objectContaining({ file: 'manifest.yml', message: expect.stringMatching(/runtime/) })]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
