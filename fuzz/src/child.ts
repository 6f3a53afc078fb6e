// One target in its own process (docs/fuzzing.md §6), so its peak resident set (VmHWM) is its
// own. Run by main.ts as `node --import tsx fuzz/src/child.ts '<json options>'`; prints one JSON
// line (ChildReport) on stdout. A finding's shrunk input is saved to the corpus here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, saveFailure } from './corpus.ts';
import { fuzzTarget, type TargetReport } from './run.ts';
import { targetNamed } from './targets/index.ts';
import { startWatchdog } from './watchdog.ts';

export interface ChildOptions {
  target: string;
  seed: number;
  runs?: number;
  seconds?: number;
}

export interface ChildReport extends Omit<TargetReport, 'failure'> {
  peakRssBytes: number;
  failure?: { kind: string; error: string; path: string; shrinks: number; saved: string; bytes: number };
}

/** Peak resident set of this process so far, from /proc/self/status (VmHWM, in kB). */
export function peakRssBytes(): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

function reproduce(o: ChildOptions): string {
  return `npm run fuzz -- ${o.target} --seed ${o.seed}${o.runs === undefined ? '' : ` --runs ${o.runs}`}${o.seconds === undefined ? '' : ` --seconds ${o.seconds}`}`;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
  const target = targetNamed(options.target);
  if (!target) throw new Error(`no fuzz target ${options.target}`);
  const note = `target ${target.name} (${target.what})\nfound by: ${reproduce(options)}`;
  const watchdog = await startWatchdog(join(CORPUS_DIR, target.name), note);
  const report = await fuzzTarget(target, { ...options, onInput: (input) => watchdog.running(input) });
  await watchdog.stop();
  const { failure, ...rest } = report;
  const out: ChildReport = { ...rest, peakRssBytes: peakRssBytes() };
  if (failure) {
    const saved = saveFailure(target.name, failure.input, `${note}\nfast-check path: ${failure.path} (${failure.shrinks} shrinks)\n${failure.error}`);
    out.failure = { kind: failure.kind, error: failure.error, path: failure.path, shrinks: failure.shrinks, saved, bytes: failure.input.length };
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
