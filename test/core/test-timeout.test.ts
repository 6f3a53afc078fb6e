// docs/testing.md: the layers that keep a test from hanging the run (scripts/test-timeout.mjs and
// scripts/test-end.mjs and the flags scripts/test.mjs passes). Each case runs a throwaway test file in a child node exactly
// as npm test runs its files, with the default lowered to 400 ms so a hang shows in a second.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const PRELOADS = ['test-timeout.mjs', 'test-end.mjs'].flatMap((name) => ['--import', fileURLToPath(new URL(`../../scripts/${name}`, import.meta.url))]);
const dir = mkdtempSync(join(tmpdir(), 'tw-test-timeout-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `source` as a test file under npm test's flags; returns its TAP output and exit status. */
function runTestFile(name: string, source: string): { out: string; status: number | null } {
  const file = join(dir, name);
  writeFileSync(file, source);
  const r = spawnSync(process.execPath, [...PRELOADS, '--test', '--test-reporter=tap', file], {
    encoding: 'utf8',
    // NODE_TEST_CONTEXT would make the child report to this runner instead of running on its own.
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, TIDEWIRE_TEST_TIMEOUT_MS: '400' },
    // The outer bound of this check itself: without the preload the child would wait 60 s.
    timeout: 30_000,
  });
  return { out: r.stdout + r.stderr, status: r.status };
}

// A wait that never ends while keeping the event loop busy, as a missed frame on an open socket does.
const NEVER = 'await new Promise((resolve) => setTimeout(resolve, 60_000));';

describe('§2 no test can hang the run', () => {
  it('§2.1 a test with no timeout of its own fails after the default, with a message, and the file ends', () => {
    const { out, status } = runTestFile(
      'hang.test.mjs',
      `import { test } from 'node:test';\ntest('waits for a frame that never comes', async () => { ${NEVER} });\ntest('passes', () => {});\n`,
    );
    assert.notEqual(status, null, 'the child ended by itself (not killed by the 30 s bound)');
    assert.equal(status, 1);
    assert.match(out, /not ok 1 - waits for a frame that never comes\n\s+---[\s\S]*?test timed out after 400ms/);
    assert.match(out, /ok 2 - passes/);
  });

  it('§2.1 tests inside a describe and hooks get the default too; a test’s own timeout wins', () => {
    const { out, status } = runTestFile(
      'suite.test.mjs',
      [
        `import { before, describe, it } from 'node:test';`,
        `describe('a suite', () => {`,
        `  it('hangs', async () => { ${NEVER} });`,
        `  it('has its own', { timeout: 150 }, async () => { ${NEVER} });`,
        `});`,
        `describe('a suite whose hook hangs', () => {`,
        `  before(async () => { ${NEVER} });`,
        `  it('never starts', () => {});`,
        `});`,
      ].join('\n'),
    );
    assert.equal(status, 1);
    assert.match(out, /not ok 1 - hangs[\s\S]*?test timed out after 400ms/);
    assert.match(out, /not ok 2 - has its own[\s\S]*?test timed out after 150ms/);
    assert.match(out, /not ok 1 - never starts/);
  });

  it('§2.2 a file that leaks a handle ends after its last test, with every verdict reported', () => {
    const tests = Array.from({ length: 10 }, (_, s) =>
      [`describe('suite ${s}', () => {`, ...Array.from({ length: 10 }, (_, t) => `  it('t${t}', () => {});`), '});'].join('\n'),
    );
    const started = Date.now();
    const { out, status } = runTestFile(
      'leak.test.mjs',
      [
        `import { describe, it } from 'node:test';`,
        'setInterval(() => {}, 1_000);',
        ...tests,
        `it('last one fails', () => { throw new Error('the tail'); });`,
      ].join('\n'),
    );
    assert.equal(status, 1, 'the failing last test fails the file');
    assert.ok(Date.now() - started < 20_000, 'the leaked interval did not hold the file');
    assert.match(out, /# tests 101\n/);
    assert.match(out, /# fail 1\n/);
    assert.match(out, /not ok \d+ - last one fails[\s\S]*?the tail/);
  });

  it('§2.1 a passing file still passes', () => {
    const { out, status } = runTestFile(
      'fine.test.mjs',
      `import { it } from 'node:test';\nit('quick', async () => { await new Promise((r) => setTimeout(r, 50)); });\n`,
    );
    assert.equal(status, 0, out);
  });
});
