import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The folders of src/ are the architecture (README "Layout"): a request enters in entry/, the
 * decision is made in domain/, data is stored in persistence/, calls leave through clients/, and
 * background work runs in jobs/. These tests read every import of src/ and hold the directions.
 */

const SRC = path.resolve(import.meta.dirname, '../../src');

type Layer =
  'main' | 'heapPolicy' | 'app' | 'sandbox' | 'entry' | 'domain' | 'clients' | 'persistence' | 'jobs' | 'observability' | 'config' | 'logger';

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, Layer[]> = {
  // Start-up: builds the app, and the sandbox outside production.
  main: ['heapPolicy', 'app', 'sandbox', 'config', 'logger'],
  // V8's heap growth, set before anything else is loaded.
  heapPolicy: [],
  // The composition root wires every layer together.
  app: ['entry', 'domain', 'clients', 'persistence', 'jobs', 'observability', 'config', 'logger'],
  // The local sandbox plays Jira and Bitbucket around a real app.
  sandbox: ['app', 'entry', 'domain', 'clients', 'config', 'logger'],
  // Host adapters: translate requests into domain calls over the stores and clients they are given.
  entry: ['domain', 'clients', 'persistence', 'jobs', 'observability', 'config', 'logger'],
  // Decisions over ports: nothing outside itself.
  domain: [],
  clients: ['domain', 'logger'],
  // Repositories enqueue jobs in the transaction that writes their rows: persistence uses jobs, never the reverse.
  persistence: ['domain', 'jobs', 'logger'],
  jobs: ['domain', 'observability', 'logger'],
  // The metrics registry: counted by the entry adapters and the jobs, served by entry/ops.
  observability: ['domain', 'logger'],
  config: [],
  logger: [],
};

function layerOf(file: string): Layer {
  const relative = path.relative(SRC, file).split(path.sep);
  if (relative.length === 1) {
    const name = relative[0]!.replace(/\.ts$/, '');
    if (name === 'heap-policy') return 'heapPolicy';
    if (name === 'main' || name === 'app' || name === 'config' || name === 'logger') return name;
    throw new Error(`src/${relative[0]} belongs to no layer: give it a folder, or a place in ALLOWED`);
  }
  if (relative[0] === 'entry' && relative[1] === 'sandbox') return 'sandbox';
  const folder = relative[0] as Layer;
  if (!(folder in ALLOWED)) throw new Error(`src/${relative[0]}/ belongs to no layer: add it to ALLOWED`);
  return folder;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `import … from`, `export … from`, bare `import '…'` and `import('…')`, type-only ones included. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

type Import = { from: string; to: string; fromLayer: Layer; toLayer: Layer };

function importsOfSrc(): Import[] {
  const found: Import[] = [];
  for (const file of sourceFiles(SRC)) {
    for (const match of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const target = path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, '.ts'));
      // The sandbox embeds the test simulators; only imports within src/ make the layers.
      if (path.relative(SRC, target).startsWith('..')) continue;
      found.push({ from: file, to: target, fromLayer: layerOf(file), toLayer: layerOf(target) });
    }
  }
  return found;
}

const shown = (file: string) => path.relative(path.dirname(SRC), file);

/** One cycle of the layer graph as a path (a → b → a), or null when it has none. */
function findCycle(edges: Map<Layer, Set<Layer>>): Layer[] | null {
  const state = new Map<Layer, 'visiting' | 'done'>();
  const stack: Layer[] = [];
  const visit = (layer: Layer): Layer[] | null => {
    if (state.get(layer) === 'visiting') return [...stack.slice(stack.indexOf(layer)), layer];
    if (state.get(layer) === 'done') return null;
    state.set(layer, 'visiting');
    stack.push(layer);
    for (const next of edges.get(layer) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(layer, 'done');
    return null;
  };
  for (const layer of edges.keys()) {
    const cycle = visit(layer);
    if (cycle) return cycle;
  }
  return null;
}

describe('the layers of src/', () => {
  const imports = importsOfSrc();

  it('are read from a real import list', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(imports).toContainEqual(expect.objectContaining({ fromLayer: 'persistence', toLayer: 'domain' }));
  });

  it('import each other only in the allowed directions', () => {
    const wrong = imports
      .filter((i) => i.fromLayer !== i.toLayer && !ALLOWED[i.fromLayer].includes(i.toLayer))
      .map((i) => `${shown(i.from)} imports ${shown(i.to)} (${i.fromLayer} → ${i.toLayer})`);
    expect(wrong).toEqual([]);
  });

  it('never import each other in a circle, directly or through another layer', () => {
    const edges = new Map<Layer, Set<Layer>>();
    for (const i of imports) {
      if (i.fromLayer === i.toLayer) continue;
      edges.set(i.fromLayer, (edges.get(i.fromLayer) ?? new Set()).add(i.toLayer));
    }
    expect(findCycle(edges)?.join(' → ') ?? 'no cycle').toBe('no cycle');
  });
});
