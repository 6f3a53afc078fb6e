// Mutation testing with StrykerJS (docs/mutation.md): `npm run mutate -- <package> [--json] [--force] [--dry-run]`.
// Not part of `npm test`: a run re-runs test files once per mutant and takes minutes to hours on 2 cores.
//
// One generated config per package (no five copied stryker.conf files). Stryker runs in a child
// process whose output goes to stderr, so that with --json this script's stdout is exactly one JSON
// object; the summary and the survivors list are read from Stryker's JSON report afterwards.
//
// `node scripts/mutate.mjs --link-workspaces` is Stryker's build command inside its sandbox (see
// linkWorkspaces below); it is not meant to be run by hand.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = join(import.meta.dirname, '..');

/**
 * The packages under mutation and what each one leaves out. `mutate` excludes are files without
 * behaviour of their own (type-only modules, re-export barrels) or test helpers that live in src/
 * (a mutant there weakens the tests, it does not test the code). `tests` excludes are test files
 * whose code under test runs somewhere Stryker does not instrument.
 */
const PACKAGES = {
  protocol: { mutateExcludes: ['index.ts'], testExcludes: [] },
  tree: { mutateExcludes: ['index.ts', 'testing.ts'], testExcludes: [] },
  timeline: { mutateExcludes: ['index.ts', 'testing.ts'], testExcludes: [] },
  server: {
    mutateExcludes: ['index.ts'],
    testExcludes: [],
    shards: [
      ['a-c', /^[a-c]/],
      ['d-m', /^[d-m]/],
      ['n-o', /^[n-o]/],
      ['p-s', /^[p-s]/],
      ['t', /^t/],
      ['u-z', /^[u-z]/],
    ],
  },
  client: {
    // main-thread.ts, store-messages.ts, worker-messages.ts hold only types and re-exports.
    mutateExcludes: ['index.ts', 'main-thread.ts', 'store-messages.ts', 'worker-messages.ts', 'player/index.ts'],
    // Drives the player in Chromium from a Vite bundle of player-page/: the bundle is built from the
    // original sources, so no mutant is ever active in it and every mutant would look covered-but-alive.
    testExcludes: ['player-browser.test.ts'],
    shards: [
      ['player-a-e', /^player\/[a-e]/],
      ['player-f-o', /^player\/[f-o]/],
      ['player-p', /^player\/p/],
      ['player-q-z', /^player\/[q-z]/],
      ['a-h', /^[a-h]/],
      ['i-r', /^[i-r]/],
      ['s-t', /^[s-t]/],
      ['u-z', /^[u-z]/],
    ],
  },
};

/**
 * A package's shards: the source files each Stryker run mutates. Stryker writes its incremental
 * state and report only when a run ends, and a large package (server, client) takes hours on two
 * cores: one run per shard keeps what the finished shards measured when a later one is stopped,
 * and a re-run reuses them. Shards are fixed name ranges (not sizes), so adding a file changes one
 * shard's state only. Small packages are one shard named '' (the state file keeps its old name).
 */
function shardsOf(pkg) {
  const srcDir = join(root, 'packages', pkg, 'src');
  const { mutateExcludes, shards = [['', /^/]] } = PACKAGES[pkg];
  const files = readdirSync(srcDir, { recursive: true })
    .map((f) => String(f).split(sep).join('/'))
    .filter((f) => f.endsWith('.ts') && !mutateExcludes.includes(f))
    .sort();
  const out = shards.map(([name]) => ({ name, files: [] }));
  for (const f of files) {
    const i = shards.findIndex(([, re]) => re.test(f));
    if (i === -1) throw new Error(`mutate: ${pkg}/src/${f} is in no shard of ${pkg}`);
    out[i].files.push(f);
  }
  return out;
}

/** Where reports go (git-ignored) and where the incremental state lives (committed, see docs/mutation.md). */
const reportDir = (pkg, shard = '') => join(root, '.cache', 'mutation', pkg, shard);
const incrementalFile = (pkg, shard = '') => join(root, 'mutation', `${pkg}${shard ? `.${shard}` : ''}.incremental.json`);

function usage(message) {
  process.stderr.write(`${message}\nusage: npm run mutate -- <${Object.keys(PACKAGES).join('|')}> [--shard NAME] [--json] [--force] [--dry-run]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = [...argv];
  let shard;
  const at = args.indexOf('--shard');
  if (at !== -1) {
    shard = args[at + 1];
    if (shard === undefined || shard.startsWith('--')) usage('--shard needs a shard name');
    args.splice(at, 2);
  }
  const flags = new Set(args.filter((a) => a.startsWith('--')));
  const names = args.filter((a) => !a.startsWith('--'));
  for (const f of flags) if (!['--json', '--force', '--dry-run'].includes(f)) usage(`unknown option ${f}`);
  if (names.length !== 1) usage('name exactly one package');
  const pkg = names[0];
  if (!Object.hasOwn(PACKAGES, pkg)) usage(`unknown package ${pkg}`);
  if (shard !== undefined) {
    const known = (PACKAGES[pkg].shards ?? []).map(([name]) => name);
    if (!known.includes(shard)) usage(`${pkg} has ${known.length ? `the shards ${known.join(', ')}` : 'no shards'}, not ${JSON.stringify(shard)}`);
  }
  if (flags.has('--dry-run') && flags.has('--json')) usage('--dry-run writes no report: it takes no --json');
  return { pkg, shard, json: flags.has('--json'), force: flags.has('--force'), dryRun: flags.has('--dry-run') };
}

/** The test files of a package, relative to the root, minus the excluded ones. */
function testFiles(pkg) {
  const dir = join(root, 'packages', pkg, 'test');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts') && !PACKAGES[pkg].testExcludes.includes(f))
    .sort()
    .map((f) => `packages/${pkg}/test/${f}`);
}

function strykerConfig(pkg, shard, force) {
  const src = `packages/${pkg}/src`;
  return {
    $schema: '../../../node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    testRunner: 'tap',
    plugins: ['@stryker-mutator/tap-runner'],
    tap: {
      testFiles: testFiles(pkg),
      // node:test prints TAP when stdout is not a TTY; say it anyway. tsx runs the TypeScript.
      nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '{{testFile}}'],
      forceBail: true,
    },
    mutate: shard.files.map((f) => `${src}/${f}`),
    // perTest with the tap runner means per test file: a mutant runs only the files that reached it.
    coverageAnalysis: 'perTest',
    concurrency: 2,
    // Several test files start real servers and sockets: allow for a slow shared machine.
    timeoutMS: 10000,
    timeoutFactor: 2,
    dryRunTimeoutMinutes: 30,
    incremental: true,
    incrementalFile: relative(root, incrementalFile(pkg, shard.name)),
    force,
    // The sandbox gets its own workspace links (see linkWorkspaces); the rest of the monorepo is not needed.
    buildCommand: 'node scripts/mutate.mjs --link-workspaces',
    ignorePatterns: ['/apps', '/bench', '/test', '/mutation', '/.cache', '**/dist'],
    tempDirName: '.cache/stryker-tmp',
    cleanTempDir: true,
    reporters: ['html', 'json', 'progress'],
    htmlReporter: { fileName: relative(root, join(reportDir(pkg, shard.name), 'report.html')) },
    jsonReporter: { fileName: relative(root, join(reportDir(pkg, shard.name), 'report.json')) },
    thresholds: { high: 80, low: 70, break: null },
    logLevel: 'info',
    fileLogLevel: 'off',
  };
}

/**
 * Inside Stryker's sandbox, node_modules is a symlink to the real one, whose `@tidewire/*` entries
 * point back at the ORIGINAL packages/. A package's tests importing its own name are safe (Node's
 * package self-reference resolves `@tidewire/protocol` inside packages/protocol to the sandbox
 * copy), but any other workspace they import (client tests import @tidewire/server, testkit) would
 * load its imports from the originals: a second, unmutated copy of whatever it shares with the
 * package under test. `packages/node_modules/@tidewire/<name>` → `../../<dir>` is found first by
 * Node's lookup from any file under packages/, so every workspace name resolves into the sandbox.
 */
function linkWorkspaces() {
  const packagesDir = join(process.cwd(), 'packages');
  const scope = join(packagesDir, 'node_modules', '@tidewire');
  mkdirSync(scope, { recursive: true });
  for (const dir of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name } = JSON.parse(readFileSync(manifest, 'utf8'));
    if (typeof name !== 'string' || !name.startsWith('@tidewire/')) continue;
    const link = join(scope, name.slice('@tidewire/'.length));
    rmSync(link, { force: true });
    symlinkSync(join('..', '..', dir), link, 'dir');
  }
}

/** Stryker's mutation-testing-report JSON → counts (Stryker's definitions; Ignored mutants left out). */
function summarize(pkg, report) {
  const count = { killed: 0, survived: 0, timeout: 0, noCoverage: 0, errors: 0 };
  const survivors = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const lines = source.split('\n');
    for (const m of mutants) {
      if (m.status === 'Killed') count.killed++;
      else if (m.status === 'Timeout') count.timeout++;
      else if (m.status === 'Survived' || m.status === 'NoCoverage') {
        if (m.status === 'Survived') count.survived++;
        else count.noCoverage++;
        survivors.push({ file, m, original: originalText(lines, m.location) });
      } else if (m.status === 'RuntimeError' || m.status === 'CompileError') count.errors++;
    }
  }
  const detected = count.killed + count.timeout;
  const valid = detected + count.survived + count.noCoverage;
  const score = valid === 0 ? 100 : Math.round((detected / valid) * 10000) / 100;
  const summary = {
    package: pkg,
    mutants: valid + count.errors,
    killed: count.killed,
    survived: count.survived,
    timeout: count.timeout,
    noCoverage: count.noCoverage,
    score,
  };
  return { summary, survivors };
}

function originalText(lines, { start, end }) {
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const parts = lines.slice(start.line - 1, end.line);
  parts[0] = parts[0].slice(start.column - 1);
  parts[parts.length - 1] = parts[parts.length - 1].slice(0, end.column - 1);
  return parts.join('\n');
}

/** One line of code, whitespace collapsed, cut to a readable width. */
function oneLine(text, width = 70) {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function printReadable(summary, survivors, seconds, htmlReports) {
  const s = summary;
  console.log(`\nmutation testing: ${s.package} (${seconds.toFixed(0)} s)`);
  console.log(`  ${s.mutants} mutants: ${s.killed} killed, ${s.timeout} timeout, ${s.survived} survived, ${s.noCoverage} no coverage`);
  console.log(`  score ${s.score.toFixed(2)} %  (killed + timeout) / (killed + timeout + survived + no coverage)`);
  if (survivors.length > 0) console.log(`\nsurvivors (${survivors.length}):`);
  survivors.sort((a, b) => a.file.localeCompare(b.file) || a.m.location.start.line - b.m.location.start.line);
  for (const { file, m, original } of survivors) {
    const where = `${file}:${m.location.start.line}:${m.location.start.column}`;
    const tag = m.status === 'NoCoverage' ? ' [no coverage]' : '';
    console.log(`  ${where}  ${m.mutatorName}${tag}\n      ${oneLine(original)}  →  ${oneLine(m.replacement ?? '')}`);
  }
  for (const html of htmlReports) console.log(`\nHTML report: ${relative(root, html)}`);
}

/** Object keys sorted and each file's mutants in source order: Stryker writes reused results in
 *  another order (and with other key orders) than fresh ones, which would make every commit of the
 *  incremental file a diff of thousands of lines. Stryker matches mutants by location, not by order. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

function bySourcePosition(a, b) {
  const { start: sa, end: ea } = a.location;
  const { start: sb, end: eb } = b.location;
  return (
    sa.line - sb.line ||
    sa.column - sb.column ||
    ea.line - eb.line ||
    ea.column - eb.column ||
    `${a.mutatorName} ${a.replacement}`.localeCompare(`${b.mutatorName} ${b.replacement}`)
  );
}

function normalizeIncrementalFile(path) {
  if (!existsSync(path)) return;
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const file of Object.values(report.files)) file.mutants.sort(bySourcePosition);
  writeFileSync(path, `${JSON.stringify(sortKeys(report), null, 2)}\n`);
}

function runStryker(configPath, json, dryRun) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), 'run', configPath, ...(dryRun ? ['--dryRunOnly'] : [])],
      // With --json, Stryker's own output goes to stderr: stdout carries only the summary.
      { cwd: root, stdio: ['ignore', json ? process.stderr : 'inherit', 'inherit'] },
    );
    // Ctrl-C reaches Stryker through the terminal's process group; it removes its sandbox itself.
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--link-workspaces') {
    linkWorkspaces();
    return;
  }
  const { pkg, shard, json, force, dryRun } = parseArgs(argv);
  // Installs on a fresh clone; its messages must not reach stdout (the --json contract).
  const deps = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-deps.mjs')], { stdio: ['ignore', 2, 2] });
  if (deps.status !== 0) process.exit(deps.status ?? 1);

  const shards = shardsOf(pkg).filter((s) => shard === undefined || s.name === shard);
  mkdirSync(join(root, 'mutation'), { recursive: true });
  const started = performance.now();
  for (const [i, s] of shards.entries()) {
    if (shards.length > 1) process.stderr.write(`\nmutate: ${pkg}, shard ${s.name} (${i + 1} of ${shards.length}, ${s.files.length} files)\n`);
    mkdirSync(reportDir(pkg, s.name), { recursive: true });
    const configPath = join(reportDir(pkg, s.name), 'stryker.config.json');
    writeFileSync(configPath, `${JSON.stringify(strykerConfig(pkg, s, force), null, 2)}\n`);
    const code = await runStryker(relative(root, configPath), json, dryRun);
    if (code !== 0) {
      process.stderr.write(`mutate: Stryker exited with ${code}${s.name ? ` in shard ${s.name}` : ''}\n`);
      process.exit(code);
    }
    // Sorted at once: a later shard that is stopped must not leave this one's state unsorted.
    if (!dryRun) normalizeIncrementalFile(incrementalFile(pkg, s.name));
  }
  const seconds = (performance.now() - started) / 1000;
  // A dry run (instrument, run every test file once with coverage) writes no report: Stryker's log
  // above has the mutant count and the test run's time, which is what it is for.
  if (dryRun) return;
  // The shards' reports together are the package's (their files are disjoint).
  const files = {};
  for (const s of shards) Object.assign(files, JSON.parse(readFileSync(join(reportDir(pkg, s.name), 'report.json'), 'utf8')).files);
  const { summary, survivors } = summarize(pkg, { files });
  if (shard !== undefined) summary.shard = shard;
  if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else
    printReadable(
      summary,
      survivors,
      seconds,
      shards.map((s) => join(reportDir(pkg, s.name), 'report.html')),
    );
}

await main();
