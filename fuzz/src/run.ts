// Runs one target under fast-check (docs/fuzzing.md §6): inputs from targetInputs(), each through
// the oracle; the first finding is shrunk by fast-check to a small input that still fails.
import * as fc from 'fast-check';
import { targetInputs } from './mutate.ts';
import { checkInput, describeError, Finding, newStats, type FindingKind } from './oracle.ts';
import type { FuzzTarget } from './target.ts';

export interface RunOptions {
  /** Inputs to run (fast-check's numRuns); unbounded when only `seconds` is given. */
  runs?: number;
  /** Stop after this long (shrinking a finding included). */
  seconds?: number;
  seed: number;
  /** Called with each input before it runs (the hang watchdog keeps a copy). */
  onInput?: (input: Uint8Array) => void;
}

export interface FailureReport {
  kind: FindingKind | 'crash';
  error: string;
  /** The shrunk input. */
  input: Uint8Array;
  /** fast-check's replay path: `--seed <seed>` with this path reproduces the exact run. */
  path: string;
  shrinks: number;
}

export interface TargetReport {
  target: string;
  seed: number;
  inputs: number;
  rejected: number;
  seconds: number;
  inputsPerSecond: number;
  slowestMs: number;
  failure?: FailureReport;
}

/** Default wall-clock cap when only `runs` is given: a shrink of slow inputs must end too. */
const MAX_SECONDS = 3600;

export async function fuzzTarget(target: FuzzTarget, options: RunOptions): Promise<TargetReport> {
  // Plain Uint8Array copies: encoders return Buffers under Node, and decoders that hand out views
  // (msgpackr's binary values) hand out the input's own kind.
  const seeds = (await target.seeds()).map((s) => Uint8Array.from(s));
  const arb = targetInputs(seeds, target.generate());
  const stats = newStats();
  const onInput = options.onInput;
  const check = (input: Uint8Array): void | Promise<void> => {
    onInput?.(input);
    return checkInput(target, input, stats);
  };
  const params: fc.Parameters<[Uint8Array]> = {
    seed: options.seed,
    numRuns: options.runs ?? Number.MAX_SAFE_INTEGER,
    interruptAfterTimeLimit: 1000 * (options.seconds ?? MAX_SECONDS),
    markInterruptAsFailure: false,
  };
  const started = performance.now();
  // An async decoder needs fast-check's async runner; a sync one runs faster without promises.
  const result =
    target.async === true
      ? await fc.check(
          fc.asyncProperty(arb, async (b) => check(b)),
          params,
        )
      : fc.check(
          fc.property(arb, (b) => {
            if (check(b) !== undefined) throw new Error(`target ${target.name} decodes asynchronously: mark it async`);
          }),
          params,
        );
  const seconds = (performance.now() - started) / 1000;
  const report: TargetReport = {
    target: target.name,
    seed: options.seed,
    inputs: stats.inputs,
    rejected: stats.rejected,
    seconds,
    inputsPerSecond: stats.inputs / seconds,
    slowestMs: stats.slowestMs,
  };
  if (result.failed && result.counterexample !== null) {
    const err = result.errorInstance;
    report.failure = {
      kind: err instanceof Finding ? err.kind : 'crash',
      error: err instanceof Finding ? `${err.kind}: ${err.message}` : describeError(err),
      input: result.counterexample[0],
      path: result.counterexamplePath ?? '',
      shrinks: result.numShrinks,
    };
  }
  return report;
}
