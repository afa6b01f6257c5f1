// Every colour, space and type value of the page's and the sandbox's own CSS is an Atlassian design
// token: a --ds-* custom property that @atlaskit/tokens defines (what token() compiles to), so
// light and dark themes both apply; no hand-written colour and no hand-made token.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import tokenNames from '@atlaskit/tokens/token-names';

const STATIC = fileURLToPath(new URL('../../', import.meta.url));

function cssFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return cssFiles(path);
    return entry.name.endsWith('.css') ? [path] : [];
  });
}

const files = [...cssFiles(join(STATIC, 'src')), ...cssFiles(join(STATIC, 'sandbox/src'))];
const known = new Set<string>(Object.values(tokenNames as Record<string, string>));

describe.each(files.map((file) => [file.slice(STATIC.length), file]))('%s', (_name, file) => {
  const css = readFileSync(file, 'utf8');
  it('uses only design tokens that exist', () => {
    const unknown = [...css.matchAll(/var\((--ds-[a-z0-9-]+)/g)].map((m) => m[1]).filter((name) => !known.has(name!));
    expect(unknown).toEqual([]);
  });
  it('writes no colour, font size or font family by hand', () => {
    expect(css.match(/#[0-9a-f]{3,8}\b|rgba?\(|hsla?\(|font-size:|font-family:|line-height:/gi) ?? []).toEqual([]);
  });
});
