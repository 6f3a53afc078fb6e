// README "Tests and benchmarks" (issue 9; STYLE.md "tests named after doc sections"): every test title names the section of the
// doc (docs/*.md) it checks, with a `§`. Read from the sources of every *.test.ts under
// packages/*/test, apps/*/test, bench/test and test/ (parsed with the TypeScript compiler, no test
// is run). The rule, kept simple:
//   - every call of describe()/it()/test() (also .skip/.only/.todo) has a title with a `§`,
//   - unless it sits inside a describe()/test() whose title carries one (so a describe('§4.2 …')
//     covers every test in it).
// A title that is not a literal (a variable, a computed string) has no `§` we can see: it must sit
// inside a covering describe, or the literal parts of a template must carry it.
// Which doc a `§` refers to is named in the file's first comment line when it is not the one doc
// of that workspace (packages/tree → docs/tree.md, and so on); that is for readers, not checked.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEST_CALLS = new Set(['describe', 'it', 'test', 'suite']);

/** Every *.test.ts under the scanned folders, relative to the root with forward slashes. */
export function testFiles(root = ROOT): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.test.ts')) out.push(relative(root, path).split('\\').join('/'));
    }
  };
  const dirs: string[] = [join(root, 'bench', 'test'), join(root, 'test')];
  for (const group of ['packages', 'apps']) {
    for (const ws of readdirSync(join(root, group))) dirs.push(join(root, group, ws, 'test'));
  }
  for (const dir of dirs) {
    try {
      if (statSync(dir).isDirectory()) walk(dir);
    } catch {
      // a workspace without a test/ folder
    }
  }
  return out.sort();
}

/** The name a call is made through (`test`, `describe.skip` → `describe`), or undefined. */
function testCallName(call: ts.CallExpression): string | undefined {
  let callee = call.expression;
  if (ts.isPropertyAccessExpression(callee)) callee = callee.expression;
  if (ts.isIdentifier(callee) && TEST_CALLS.has(callee.text)) return callee.text;
  return undefined;
}

/** The literal text of a title (a template's literal parts), or undefined when it is computed. */
function titleText(arg: ts.Expression | undefined): string | undefined {
  if (!arg) return undefined;
  if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) return arg.text;
  if (ts.isTemplateExpression(arg)) return [arg.head.text, ...arg.templateSpans.map((s) => s.literal.text)].join('…');
  if (ts.isBinaryExpression(arg) && arg.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = titleText(arg.left);
    const right = titleText(arg.right);
    if (left !== undefined || right !== undefined) return `${left ?? '…'}${right ?? '…'}`;
  }
  return undefined;
}

export interface Unnamed {
  line: number;
  title: string;
}

/** The test and describe titles in one source that carry no `§` and sit in no describe that does. */
export function unnamedTitles(source: string, fileName = 'x.test.ts'): Unnamed[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Unnamed[] = [];
  const visit = (node: ts.Node, covered: boolean): void => {
    if (ts.isCallExpression(node) && testCallName(node) !== undefined) {
      const title = titleText(node.arguments[0]);
      const named = covered || (title !== undefined && title.includes('§'));
      if (!named) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        out.push({ line, title: title ?? `<computed: ${node.arguments[0]?.getText(sf) ?? ''}>` });
      }
      ts.forEachChild(node, (child) => visit(child, named));
      return;
    }
    ts.forEachChild(node, (child) => visit(child, covered));
  };
  visit(sf, false);
  return out;
}

describe('README §Tests and benchmarks: test titles carry the doc section they check', () => {
  it('the check finds an unnamed test, and accepts one covered by its describe', () => {
    const src = [
      "describe('§4.2 positions', () => { it('replays', () => {}); });",
      "test('no section here', () => {});",
      "test(`§W.5 ${'seek'}`, () => {});",
      'for (const c of cases) test(c.name, () => {});',
    ].join('\n');
    assert.deepEqual(unnamedTitles(src), [
      { line: 2, title: 'no section here' },
      { line: 4, title: '<computed: c.name>' },
    ]);
  });

  it('every test file under packages/, apps/, bench/test and test/ names its sections', () => {
    const files = testFiles();
    assert.ok(files.length > 50, `found only ${files.length} test files`);
    const failures: string[] = [];
    for (const file of files) {
      for (const u of unnamedTitles(readFileSync(join(ROOT, file), 'utf8'), file)) failures.push(`${file}:${u.line} ${JSON.stringify(u.title)}`);
    }
    assert.deepEqual(failures, [], `test titles without a § (and no describe with one around them):\n${failures.join('\n')}`);
  });
});
