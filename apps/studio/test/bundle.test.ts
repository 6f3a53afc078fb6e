// The page's first load stays small: the entry script, what it preloads and the client worker it
// starts at once are at most 60 KB gzipped together; each tab is its own lazily loaded chunk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ensureAppBuilt } from '@tidewire/testkit';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const INITIAL_JS_GZIP_MAX = 60 * 1024;

test('§9.1 initial JS (entry, preloads, the client worker) is at most 60 KB gzipped; tabs are separate chunks', () => {
  ensureAppBuilt('studio', { quiet: true });
  const html = readFileSync(`${dist}index.html`, 'utf8');
  const initial = new Set([...html.matchAll(/(?:src|href)="\/studio\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]!));
  assert.ok(initial.size >= 1, 'the entry script is linked');
  // Workers the initial scripts start (new Worker(new URL('…/worker-….js', import.meta.url))).
  for (const f of [...initial])
    for (const m of readFileSync(`${dist}${f}`, 'utf8').matchAll(/new Worker\(new URL\(`\/studio\/(assets\/[^`]+\.js)`/g)) initial.add(m[1]!);
  const sizes = [...initial].map((f) => [f, gzipSync(readFileSync(`${dist}${f}`), { level: 9 }).length] as const);
  const total = sizes.reduce((n, [, s]) => n + s, 0);
  console.log(`initial JS gzipped: ${total} bytes (${sizes.map(([f, s]) => `${f} ${s}`).join(', ')})`);
  assert.ok(total <= INITIAL_JS_GZIP_MAX, `initial JS is ${total} bytes gzipped`);
  const chunks = readdirSync(`${dist}assets`);
  for (const tab of ['ScriptTab', 'BackgroundTab', 'VoiceTab', 'ExportTab', 'LibraryTab']) {
    const chunk = chunks.find((c) => c.startsWith(`${tab}-`) && c.endsWith('.js'));
    assert.ok(chunk, `${tab} is its own chunk`);
    assert.ok(!initial.has(`assets/${chunk}`), `${tab} is not loaded up front`);
  }
});
