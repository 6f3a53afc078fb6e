// `npm run fuzz -- <target|all> [--runs N] [--seconds S] [--seed X] [--json]` (docs/fuzzing.md §6).
// Runs each target in its own child process, one after another, and prints per target the
// inputs run, inputs/s, failures, the slowest input and the peak resident set. Exit code 1 when
// any target found something (its shrunk input is in fuzz/corpus/<target>/).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineCommand, integer, number, UsageError } from '@tidewire/cli';
import type { ChildOptions, ChildReport } from './child.ts';
import { TARGETS } from './targets/index.ts';

/**
 * Inputs per target when neither --runs nor --seconds is given, sized from the rates measured on
 * the shared 2-core development machine (docs/fuzzing.md §7): `all` runs 1,370,000 inputs in
 * about 18 minutes there (under load), inside the 30-minute budget with room to spare.
 */
export const DEFAULT_RUNS: Readonly<Record<string, number>> = {
  'protocol-frame': 250_000,
  'tree-ops': 120_000,
  'tree-snapshot': 100_000,
  'tree-columns': 120_000,
  'timeline-segment': 120_000,
  'timeline-file': 100_000,
  osc: 150_000,
  'f1-udp': 250_000,
  csv: 80_000,
  'als-gzip': 45_000,
  'als-xml': 35_000,
};
const FALLBACK_RUNS = 10_000;

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Past its time budget (or an hour when sized by --runs) a child is killed and reported. */
const CHILD_GRACE_S = 120;

interface Outcome {
  target: string;
  report?: ChildReport;
  /** The child died or printed no report. */
  crash?: string;
}

function runChild(options: ChildOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--max-old-space-size=2048', CHILD, JSON.stringify(options)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const limitS = (options.seconds ?? 3600) + CHILD_GRACE_S;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve({ target: options.target, report: JSON.parse(line) as ChildReport });
      else {
        const why = timedOut
          ? `killed after ${limitS} s`
          : `exited with ${signal ?? `code ${code}`}${signal === 'SIGKILL' ? ' (the hang watchdog, or out of memory)' : ''}`;
        resolve({ target: options.target, crash: `child ${why}: ${stderr.trim().split('\n').slice(-6).join(' | ')}` });
      }
    });
  });
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function table(outcomes: readonly Outcome[]): string {
  const rows = [['target', 'inputs', 'inputs/s', 'rejected', 'failures', 'slowest ms', 'peak RSS MiB', 'seconds']];
  let inputs = 0;
  let seconds = 0;
  for (const o of outcomes) {
    const r = o.report;
    if (!r) {
      rows.push([o.target, '-', '-', '-', '1 (crash)', '-', '-', '-']);
      continue;
    }
    inputs += r.inputs;
    seconds += r.seconds;
    rows.push([
      r.target,
      String(r.inputs),
      r.inputsPerSecond.toFixed(0),
      `${((100 * r.rejected) / Math.max(1, r.inputs)).toFixed(0)}%`,
      r.failure ? `1 (${r.failure.kind})` : '0',
      r.slowestMs.toFixed(1),
      mib(r.peakRssBytes),
      r.seconds.toFixed(1),
    ]);
  }
  rows.push([
    'total',
    String(inputs),
    (inputs / Math.max(seconds, 1e-9)).toFixed(0),
    '',
    String(outcomes.filter((o) => o.crash || o.report?.failure).length),
    '',
    '',
    seconds.toFixed(1),
  ]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

export const fuzzCommand = defineCommand({
  name: 'fuzz',
  summary: 'fuzz every decoder of outside bytes',
  synopsis: ['<target|all>... [--runs N] [--seconds S] [--seed X] [--json]'],
  description: `Targets: ${TARGETS.map((t) => t.name).join(', ')}.\nA failing input is shrunk and saved in fuzz/corpus/<target>/; the exit code is 1 when any target failed.`,
  options: {
    runs: { type: 'string', value: 'N', help: 'inputs per target (default: a per-target count, docs/fuzzing.md §7)', parse: integer(1, 1e12) },
    seconds: { type: 'string', value: 'S', help: 'time per target, seconds (with --runs: whichever ends first)', parse: number(0.1, 86400, 'seconds') },
    seed: { type: 'string', value: 'X', help: 'fast-check seed (default: random, printed)', parse: integer(0, 2 ** 31 - 1) },
    json: { type: 'boolean', help: 'print the reports as JSON' },
  },
  positionals: { name: 'TARGET', min: 1, max: TARGETS.length + 1 },
  check({ values, positionals }) {
    const names = positionals.includes('all') ? TARGETS.map((t) => t.name) : positionals;
    for (const n of names) if (!TARGETS.some((t) => t.name === n)) throw new UsageError(`unknown target '${n}'`);
    return { ...values, names };
  },
  async run({ names, runs, seconds, seed, json }) {
    const chosenSeed = seed ?? Math.floor(Math.random() * 2 ** 31);
    const outcomes: Outcome[] = [];
    for (const target of names) {
      const options: ChildOptions = { target, seed: chosenSeed };
      if (runs !== undefined) options.runs = runs;
      if (seconds !== undefined) options.seconds = seconds;
      if (runs === undefined && seconds === undefined) options.runs = DEFAULT_RUNS[target] ?? FALLBACK_RUNS;
      if (!json) process.stderr.write(`fuzz ${target} (seed ${chosenSeed}) …\n`);
      const outcome = await runChild(options);
      outcomes.push(outcome);
      if (!json && outcome.report?.failure) process.stderr.write(`  FAIL ${outcome.report.failure.error}\n  saved ${outcome.report.failure.saved}\n`);
      if (!json && outcome.crash) process.stderr.write(`  CRASH ${outcome.crash}\n`);
    }
    if (json) process.stdout.write(`${JSON.stringify({ seed: chosenSeed, outcomes }, null, 2)}\n`);
    else process.stdout.write(`seed ${chosenSeed}\n${table(outcomes)}\n`);
    return outcomes.some((o) => o.crash !== undefined || o.report?.failure !== undefined) ? 1 : 0;
  },
});

process.exitCode = await fuzzCommand.run(process.argv.slice(2));
