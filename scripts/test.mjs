// `npm test`: installs what the tests need, lints (ESLint, zero warnings) and checks the
// formatting (Prettier), type-checks, builds the apps, then runs every test file (*.test.ts under
// packages/, apps/, bench/) on node's built-in runner.
// `npm test -- <substring>` runs only the test files whose path contains it (no lint, no typecheck).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureNpmDependencies, ensureSystemTools } from './ensure-deps.mjs';

const root = join(import.meta.dirname, '..');
const filters = process.argv.slice(2);

ensureNpmDependencies();
ensureSystemTools();

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

if (filters.length === 0) {
  run('npm', ['run', 'lint', '--silent']);
  run('npm', ['run', 'format:check', '--silent']);
  run('npm', ['run', 'typecheck', '--silent']);
}
run('node', ['scripts/build.mjs']);

const files = ['packages', 'apps', 'bench', 'test']
  .flatMap((d) => {
    try {
      return findTests(join(root, d));
    } catch {
      return [];
    }
  })
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// One file at a time: several acceptance tests measure the machine (main-thread long tasks in
// Chromium, the audio thread's render capacity, stream lateness), and a second test file on the
// other core of a 2-core CI machine turns them into coin flips.
// No test can hang the run, in three layers: every test and hook without its own `{ timeout }`
// gets 3 minutes (scripts/test-timeout.mjs, preloaded into each test file's process: node 20 has
// no per-test default); scripts/test-end.mjs ends a file once its tests are done and reported even
// when a timed-out test left a socket or timer open (not `--test-force-exit`, which loses verdicts
// on node 20: see that file); and `--test-timeout`, which on node 20 bounds each
// FILE as a whole, fits the slowest file (apps/tidewire/test/serve.test.ts declares two 300-s
// suites). Waits inside tests fail sooner and say what they waited for (TestSocket.until and the
// other wait helpers have deadlines).
const FILE_TIMEOUT_MS = 900_000;
const r = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    './scripts/test-timeout.mjs',
    '--import',
    './scripts/test-end.mjs',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=tap',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/test-failures.mjs',
    '--test-reporter-destination=stdout',
    `--test-timeout=${FILE_TIMEOUT_MS}`,
    ...files,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TIDEWIRE_TEST: '1' },
  },
);
process.exit(r.status ?? 1);
