import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The V8 flags of `npm start` (package.json), read from there so that the two cannot drift apart. */
export function startFlags(): string[] {
  const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
  return (/node ((?:--[\w-]+=?\S*\s+)*)dist\/src\/main\.js/.exec(scripts.start ?? '')?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
}

/** What `npm start` runs: the build, not the TypeScript source through tsx (which holds ~35 MB more). */
export const BUILT_APP = ['dist/src/main.js'];

const built = new Set<string>();

/** Runs an npm build script once per benchmark run, so what is measured is the code as it stands. */
function buildOnce(script: string): void {
  if (built.has(script)) return;
  execFileSync('npm', ['run', script], { stdio: 'inherit' });
  built.add(script);
}

/** The server as production runs it (`npm run build:server`). */
export const buildServer = () => buildOnce('build:server');

/** The admin page and the sandbox's page (`npm run build:ui`), which the sandbox serves and the bundle figures weigh. */
export const buildUi = () => buildOnce('build:ui');
