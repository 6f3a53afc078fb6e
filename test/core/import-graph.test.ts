// The workspaces' import graph, read from the sources (every src/, test/, bench/, ui/, bin/,
// scripts/ file and vite.config.ts of every workspace, and the root's test/ and scripts/):
// static `import … from`, `export … from`, side-effect `import '…'`, dynamic `import('…')`, and
// `new URL('…', import.meta.url)` file references. A relative path counts for the workspace it
// lands in; `@tidewire/*` (and `tidewire`) names for the workspace that has that name.
//
// The rules (README "Layout"):
//   - packages never import apps;
//   - apps never import other apps — except apps/tidewire, the composition root that mounts
//     the apps and registers their commands: it may import an app, but only by its package name
//     through an entry the app declares in `exports`, never by a relative path into its folders;
//   - nothing imports another workspace's test/ or bench/ folder (shared test data and helpers
//     are a documented export — `@tidewire/liveset/fixtures`, `@tidewire/tree/testing` — or
//     @tidewire/testkit), and no file reaches into another workspace by a relative path at all;
//   - the workspaces form no cycle;
//   - every `@tidewire/*` import is declared in the importing workspace's package.json, and
//     a subpath (`@tidewire/x/y`) is one the package exports.
// apps/studio is not mounted yet (apps/tidewire registers its command through `@tidewire/studio/cli`); it is checked like every app.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCANNED = ['src', 'test', 'bench', 'ui', 'bin', 'scripts', 'vite.config.ts'];
const SOURCE = /\.(?:[cm]?[jt]s|tsx|svelte)$/;
const COMPOSITION_ROOT = 'apps/tidewire';

export interface Workspace {
  /** Folder relative to the root ('.' for the root itself). */
  dir: string;
  name: string;
  kind: 'package' | 'app' | 'bench' | 'root';
  declared: Set<string>;
  exports: Set<string>;
}

export interface ImportEdge {
  /** The importing file, relative to the root. */
  file: string;
  from: Workspace;
  specifier: string;
  /** The workspace the import lands in (undefined: a third-party or Node module). */
  to?: Workspace;
  /** How it gets there. */
  via: 'relative' | 'name';
  /** For a relative import: the first folder inside the target workspace (src, test, bench, …). */
  folder?: string;
  /** For a name import: the subpath ('.' or './fixtures'). */
  subpath?: string;
}

function readWorkspace(dir: string, kind: Workspace['kind']): Workspace {
  const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
    name: string;
    exports?: string | Record<string, unknown>;
    dependencies?: object;
    devDependencies?: object;
    peerDependencies?: object;
  };
  const declared = new Set([pkg.dependencies, pkg.devDependencies, pkg.peerDependencies].flatMap((d) => Object.keys(d ?? {})));
  const exports = new Set(typeof pkg.exports === 'object' ? Object.keys(pkg.exports) : pkg.exports ? ['.'] : []);
  return { dir, name: pkg.name, kind, declared, exports };
}

export function readWorkspaces(root = ROOT): Workspace[] {
  const list: Workspace[] = [readWorkspace('.', 'root'), readWorkspace('bench', 'bench')];
  for (const [group, kind] of [
    ['packages', 'package'],
    ['apps', 'app'],
  ] as const) {
    for (const d of readdirSync(join(root, group)).sort()) {
      if (existsSync(join(root, group, d, 'package.json'))) list.push(readWorkspace(`${group}/${d}`, kind));
    }
  }
  return list;
}

function walk(path: string, out: string[]): void {
  if (!existsSync(path)) return;
  if (statSync(path).isFile()) {
    if (SOURCE.test(path)) out.push(path);
    return;
  }
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    walk(join(path, name), out);
  }
}

/** The files scanned for a workspace (the root scans only its own test/ and scripts/). */
function sourceFiles(ws: Workspace): string[] {
  const files: string[] = [];
  for (const f of ws.kind === 'root' ? ['test', 'scripts'] : SCANNED) walk(join(ROOT, ws.dir, f), files);
  return files;
}

/** Every module specifier and `new URL('…', import.meta.url)` reference in a file's text. */
export function specifiersOf(text: string, fileName: string): string[] {
  const code = fileName.endsWith('.svelte') ? [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n') : text;
  const found = ts.preProcessFile(code, true, true).importedFiles.map((f) => f.fileName);
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL' && node.arguments?.length === 2) {
      const [first, second] = node.arguments;
      if (ts.isStringLiteralLike(first!) && second!.getText(source) === 'import.meta.url' && first.text.startsWith('.')) found.push(first.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function workspaceOfPath(abs: string, all: readonly Workspace[]): Workspace | undefined {
  let best: Workspace | undefined;
  for (const ws of all) {
    const dir = resolve(ROOT, ws.dir);
    if ((abs === dir || abs.startsWith(dir + sep)) && (best === undefined || dir.length > resolve(ROOT, best.dir).length)) best = ws;
  }
  return best;
}

export function readEdges(all: readonly Workspace[]): ImportEdge[] {
  const byName = new Map(all.map((w) => [w.name, w]));
  const edges: ImportEdge[] = [];
  for (const from of all) {
    for (const abs of sourceFiles(from)) {
      const file = relative(ROOT, abs);
      for (const specifier of specifiersOf(readFileSync(abs, 'utf8'), abs)) {
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(abs), specifier);
          const to = workspaceOfPath(target, all);
          const inside = to ? relative(resolve(ROOT, to.dir), target).split(sep) : [];
          edges.push({ file, from, specifier, to, via: 'relative', folder: inside.length > 1 ? inside[0] : undefined });
          continue;
        }
        const m = /^(@tidewire\/[^/]+|tidewire)(\/.*)?$/.exec(specifier);
        const to = m ? byName.get(m[1]!) : undefined;
        if (m) edges.push({ file, from, specifier, to, via: 'name', subpath: m[2] ? `.${m[2]}` : '.' });
      }
    }
  }
  return edges;
}

/** What breaks the rules, one line per offending import (empty: the graph is clean). */
export function violations(all: readonly Workspace[], edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  const say = (e: ImportEdge, why: string) => problems.push(`${e.file}: '${e.specifier}' ${why}`);
  for (const e of edges) {
    const { from, to } = e;
    if (e.via === 'name' && to === undefined) {
      say(e, 'names no workspace');
      continue;
    }
    if (to === undefined || to === from) continue;
    if (e.via === 'relative' && to.kind !== 'root') say(e, `reaches into ${to.dir}/ by a relative path (import it by its name, ${to.name})`);
    if (e.via === 'relative' && (e.folder === 'test' || e.folder === 'bench'))
      say(e, `imports ${to.dir}/${e.folder}/ (make it a documented export or move it to @tidewire/testkit)`);
    if (from.kind === 'package' && to.kind === 'app') say(e, `makes package ${from.name} depend on app ${to.name}`);
    if (from.kind === 'app' && to.kind === 'app' && from.dir !== COMPOSITION_ROOT)
      say(e, `makes app ${from.name} depend on app ${to.name} (only ${COMPOSITION_ROOT}, the composition root, mounts apps)`);
    if (e.via === 'name') {
      if (from.kind !== 'root' && !from.declared.has(to.name)) say(e, `is not declared in ${from.dir}/package.json`);
      if (from.kind === 'root' && !from.declared.has(to.name)) say(e, 'is not declared in the root package.json');
      if (!to.exports.has(e.subpath!)) say(e, `is not an entry ${to.name} exports (${[...to.exports].join(', ')})`);
    }
  }
  // Cycles between workspaces (every import counts: a test's import is a dependency too).
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.to === undefined || e.to === e.from || e.to.kind === 'root') continue;
    if (!next.has(e.from.dir)) next.set(e.from.dir, new Set());
    next.get(e.from.dir)!.add(e.to.dir);
  }
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (dir: string): void => {
    state.set(dir, 'open');
    path.push(dir);
    for (const n of [...(next.get(dir) ?? [])].sort()) {
      if (state.get(n) === 'open') problems.push(`cycle: ${[...path.slice(path.indexOf(n)), n].join(' -> ')}`);
      else if (!state.has(n)) visit(n);
    }
    path.pop();
    state.set(dir, 'done');
  };
  for (const ws of all) if (!state.has(ws.dir)) visit(ws.dir);
  return [...new Set(problems)];
}

describe("README §Layout: the workspaces' import graph", () => {
  const all = readWorkspaces();
  const edges = readEdges(all);

  it('reads the imports of every workspace (apps/studio included)', () => {
    for (const dir of ['packages/tree', 'packages/cli', 'apps/liveset', 'apps/replay', 'apps/studio', 'apps/tidewire', 'bench', '.']) {
      assert.ok(
        all.some((w) => w.dir === dir),
        dir,
      );
    }
    assert.ok(edges.length > 500, `${edges.length} imports`);
    assert.ok(
      edges.some((e) => e.from.dir === COMPOSITION_ROOT && e.to?.dir === 'apps/liveset'),
      'the composition root imports the Live Set app',
    );
  });

  it('reads static, re-export, side-effect, dynamic and new URL imports, but not comments or strings', () => {
    const text = [
      "import a from './a.ts';",
      "import type { B } from '@tidewire/b';",
      "export * from '../c.ts';",
      "import './d.css';",
      "const e = await import('@tidewire/e');",
      "const f = new URL('../f/worker.ts', import.meta.url);",
      "// import g from './g.ts';",
      'const h = "import h from \'./h.ts\'";',
      "const i = new URL('https://example.com/');",
    ].join('\n');
    assert.deepEqual(specifiersOf(text, 'x.ts').sort(), ['../c.ts', '../f/worker.ts', './a.ts', './d.css', '@tidewire/b', '@tidewire/e']);
    assert.deepEqual(specifiersOf("<script lang=\"ts\">\nimport X from './X.svelte';\n</script>\n<p>import y from './y'</p>", 'x.svelte'), ['./X.svelte']);
  });

  it('finds each kind of violation in a graph that has them', () => {
    const ws = (dir: string, kind: Workspace['kind'], declared: string[] = []): Workspace => ({
      dir,
      name: `@tidewire/${dir.split('/').pop()}`,
      kind,
      declared: new Set(declared),
      exports: new Set(['.']),
    });
    const tree = ws('packages/tree', 'package', ['@tidewire/liveset']);
    const liveset = ws('apps/liveset', 'app', ['@tidewire/tree']);
    const replay = ws('apps/replay', 'app');
    const root = ws(COMPOSITION_ROOT, 'app', ['@tidewire/liveset']);
    const edge = (from: Workspace, to: Workspace, via: ImportEdge['via'], extra: Partial<ImportEdge> = {}): ImportEdge => ({
      file: `${from.dir}/src/x.ts`,
      from,
      to,
      via,
      specifier: via === 'name' ? to.name : `../../${to.dir}/src/x.ts`,
      folder: 'src',
      subpath: '.',
      ...extra,
    });
    const found = violations(
      [tree, liveset, replay, root],
      [
        edge(tree, liveset, 'name'),
        edge(liveset, tree, 'name'),
        edge(replay, liveset, 'name'),
        edge(root, liveset, 'name'),
        edge(root, liveset, 'relative'),
        edge(replay, tree, 'relative', { folder: 'test', file: 'apps/replay/test/x.test.ts' }),
        edge(root, liveset, 'name', { subpath: './internal', specifier: '@tidewire/liveset/internal' }),
      ],
    ).join('\n');
    assert.match(found, /makes package @tidewire\/tree depend on app @tidewire\/liveset/);
    assert.match(found, /cycle: (packages\/tree -> apps\/liveset -> packages\/tree|apps\/liveset -> packages\/tree -> apps\/liveset)/);
    assert.match(found, /apps\/replay\/src\/x\.ts: '@tidewire\/liveset' makes app @tidewire\/replay depend on app @tidewire\/liveset/);
    assert.match(found, /apps\/replay\/src\/x\.ts: '@tidewire\/liveset' is not declared in apps\/replay\/package\.json/);
    assert.match(found, /apps\/tidewire\/src\/x\.ts: '..\/..\/apps\/liveset\/src\/x\.ts' reaches into apps\/liveset\/ by a relative path/);
    assert.doesNotMatch(found, /apps\/tidewire\/src\/x\.ts: '@tidewire\/liveset' makes app/, 'the composition root may import an app by name');
    assert.match(found, /apps\/replay\/test\/x\.test\.ts: .* imports packages\/tree\/test\//);
    assert.match(found, /'@tidewire\/liveset\/internal' is not an entry @tidewire\/liveset exports/);
  });

  it('breaks no rule', () => {
    assert.deepEqual(violations(all, edges), []);
  });
});
