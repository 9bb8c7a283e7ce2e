/**
 * The layer order of src/ (docs/architecture.md), checked over every import
 * edge: static imports, `import type`, `export ... from`, side-effect imports
 * and dynamic `import()`. A type import counts: it is still a dependency of
 * the design. A folder imports only folders of its own tier or below; no two
 * folders depend on each other, directly or through others (inside a tier
 * too); no two files do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../../../src/util/paths.js';

/** Bottom to top. A folder may import its own tier and the tiers before it. */
const TIERS: readonly { name: string; folders: readonly string[] }[] = [
  { name: 'base', folders: ['model', 'util'] },
  { name: 'profile', folders: ['profile'] },
  { name: 'plan', folders: ['plan'] },
  {
    name: 'engine',
    folders: ['host', 'security', 'vm', 'guest', 'guest-image', 'insight', 'trace', 'lifecycle', 'run', 'store'],
  },
  { name: 'analysis: statistics', folders: ['stats'] },
  { name: 'analysis: comparison', folders: ['compare'] },
  { name: 'analysis', folders: ['gate', 'fingerprint', 'calibrate', 'history', 'breakdown', 'latency'] },
  { name: 'report', folders: ['report'] },
  { name: 'cli', folders: ['cli'] },
];

interface Edge {
  /** Paths relative to src/, with `/`. */
  from: string;
  to: string;
  /** The specifier as written. */
  spec: string;
}

const SRC = join(repoRoot(), 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tsFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

const rel = (path: string) => relative(SRC, path).split(sep).join('/');
const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '(src root)');

/** Every relative import of every file under src/ that lands inside src/. */
function importEdges(): Edge[] {
  const edges: Edge[] = [];
  for (const file of tsFiles(SRC)) {
    // preProcessFile scans with the TypeScript scanner: comments and strings are not imports; type-only ones are.
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: spec } of info.importedFiles) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (relative(SRC, target).startsWith('..')) continue;
      edges.push({ from: rel(file), to: rel(target), spec });
    }
  }
  return edges;
}

const tierOf = new Map(TIERS.flatMap((t, rank) => t.folders.map((f) => [f, { rank, name: t.name }] as const)));

/** One line per import that points to a higher tier, or into a folder the order does not place. */
function layerViolations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b) continue;
    const ta = tierOf.get(a);
    const tb = tierOf.get(b);
    if (!ta || !tb)
      out.push(
        `src/${e.from} imports '${e.spec}': folder ${!ta ? a : b} has no place in the layer order (add it to TIERS and docs/architecture.md)`,
      );
    else if (tb.rank > ta.rank)
      out.push(`src/${e.from} imports '${e.spec}': ${a} (${ta.name}) must not import ${b} (${tb.name}, a higher tier)`);
  }
  return out;
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return found;
}

function graphOf(edges: readonly Edge[], node: (file: string) => string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = node(e.from);
    const b = node(e.to);
    if (a === b) continue;
    if (!graph.has(a)) graph.set(a, new Set());
    graph.get(a)!.add(b);
  }
  return graph;
}

/** One line per cycle, naming the imports that close it. */
function cycleViolations(edges: readonly Edge[], node: (file: string) => string, what: string): string[] {
  return cycles(graphOf(edges, node)).map((scc) => {
    const inside = new Set(scc);
    const imports = edges.filter(
      (e) => node(e.from) !== node(e.to) && inside.has(node(e.from)) && inside.has(node(e.to)),
    );
    return `${what} cycle {${scc.join(', ')}}: ${imports.map((e) => `src/${e.from} imports '${e.spec}'`).join('; ')}`;
  });
}

const edges = importEdges();

test('the scan sees the source tree: every folder, type imports, export-from and dynamic imports', () => {
  const folders = new Set(tsFiles(SRC).map((f) => folderOf(rel(f))));
  assert.ok(folders.size >= 15, `only ${folders.size} folders under ${SRC}`);
  assert.ok(edges.length > 500, `only ${edges.length} import edges`);
  assert.ok(
    edges.some((e) => e.from === 'cli/main.ts'),
    'cli/main.ts has imports',
  );
});

test('every folder of src/ has a place in the layer order', () => {
  const folders = [...new Set(tsFiles(SRC).map((f) => folderOf(rel(f))))].sort();
  assert.deepEqual(
    folders.filter((f) => !tierOf.has(f)),
    [],
  );
});

test('no folder imports a folder of a higher tier (import type included)', () => {
  assert.deepEqual(layerViolations(edges), []);
});

test('no two folders depend on each other, directly or through others, inside a tier too', () => {
  assert.deepEqual(cycleViolations(edges, folderOf, 'folder'), []);
});

test('no two files depend on each other, directly or through others', () => {
  assert.deepEqual(
    cycleViolations(edges, (f) => f, 'file'),
    [],
  );
});

test('the checks find what they look for (a synthetic graph)', () => {
  const bad: Edge[] = [
    { from: 'plan/plan.ts', to: 'vm/host.ts', spec: '../vm/host.js' },
    { from: 'run/a.ts', to: 'store/b.ts', spec: '../store/b.js' },
    { from: 'store/b.ts', to: 'run/c.ts', spec: '../run/c.js' },
    { from: 'run/c.ts', to: 'run/a.ts', spec: './a.js' },
    { from: 'newfolder/x.ts', to: 'model/y.ts', spec: '../model/y.js' },
  ];
  assert.deepEqual(layerViolations(bad), [
    "src/plan/plan.ts imports '../vm/host.js': plan (plan) must not import vm (engine, a higher tier)",
    "src/newfolder/x.ts imports '../model/y.js': folder newfolder has no place in the layer order (add it to TIERS and docs/architecture.md)",
  ]);
  assert.deepEqual(cycleViolations(bad, folderOf, 'folder'), [
    "folder cycle {run, store}: src/run/a.ts imports '../store/b.js'; src/store/b.ts imports '../run/c.js'",
  ]);
  assert.equal(cycleViolations(bad, (f) => f, 'file').length, 1);
  // A type-only import and a dynamic import are edges too.
  const scanned = ts.preProcessFile(
    "import type { A } from './a.js';\nexport { B } from './b.js';\nconst c = await import('./c.js');\n// import './d.js'\n",
    true,
    true,
  );
  assert.deepEqual(
    scanned.importedFiles.map((f) => f.fileName),
    ['./a.js', './b.js', './c.js'],
  );
});
