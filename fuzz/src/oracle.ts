// The oracle (docs/fuzzing.md §4): a decoder either returns a value or throws one of its own
// documented coded errors, within a second and without blowing up memory. Anything else —
// another error class (TypeError, RangeError, a plain Error), a failed round trip, a slow
// input, a resident set past the cap — is a Finding.
import { isDeepStrictEqual } from 'node:util';
import { ContractViolation, RoundTripMismatch, type FuzzTarget } from './target.ts';

export const SLOW_MS = 1000;
/** Resident set above which a target process counts as blown up (the fuzzer itself uses ~150 MB). */
export const MAX_RSS_BYTES = 1024 * 1024 * 1024;
/** RSS is read after every input slower than this (big allocations take time) and every 256th. */
const RSS_CHECK_MS = 5;

export type FindingKind = 'undocumented-error' | 'round-trip' | 'contract' | 'view' | 'slow' | 'memory';

export class Finding extends Error {
  override readonly name = 'Finding';
  constructor(
    readonly kind: FindingKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface OracleStats {
  inputs: number;
  slowestMs: number;
  /** Inputs that ended in a documented error (the rest decoded). */
  rejected: number;
}

export function newStats(): OracleStats {
  return { inputs: 0, slowestMs: 0, rejected: 0 };
}

/** One line naming an error: class, code, message (first 300 characters). */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return `non-Error thrown: ${String(err).slice(0, 300)}`;
  const code = (err as { code?: unknown }).code;
  return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message.slice(0, 300)}`;
}

function finish(stats: OracleStats, t0: number): void {
  const ms = performance.now() - t0;
  if (ms > stats.slowestMs) stats.slowestMs = ms;
  if (ms > SLOW_MS) throw new Finding('slow', `took ${ms.toFixed(0)} ms (limit ${SLOW_MS} ms)`);
  if (ms > RSS_CHECK_MS || (stats.inputs & 255) === 0) {
    const rss = process.memoryUsage.rss();
    if (rss > MAX_RSS_BYTES)
      throw new Finding('memory', `resident set ${(rss / 2 ** 20).toFixed(0)} MiB after this input (limit ${MAX_RSS_BYTES / 2 ** 20} MiB)`);
  }
}

function settle(target: FuzzTarget, stats: OracleStats, t0: number, err: unknown): void {
  if (err instanceof Finding) throw err;
  if (err instanceof RoundTripMismatch) throw new Finding('round-trip', err.message, { cause: err });
  if (err instanceof ContractViolation) throw new Finding('contract', err.message, { cause: err });
  if (!target.documented(err)) throw new Finding('undocumented-error', describeError(err), { cause: err });
  stats.rejected++;
  finish(stats, t0);
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function attempt(target: FuzzTarget, input: Uint8Array): Outcome | Promise<Outcome> {
  let result: unknown;
  try {
    result = target.decode(input);
  } catch (error) {
    return { ok: false, error };
  }
  if (!isThenable(result)) return { ok: true, value: result };
  return Promise.resolve(result).then(
    (value): Outcome => ({ ok: true, value }),
    (error: unknown): Outcome => ({ ok: false, error }),
  );
}

function judge(target: FuzzTarget, stats: OracleStats, t0: number, o: Outcome): void {
  if (o.ok) finish(stats, t0);
  else settle(target, stats, t0, o.error);
}

/** Junk bytes on each side of the view an input is decoded from the second time. */
const VIEW_PAD = 13;

/** `input` copied into the middle of a buffer of 0xa5 junk: a decoder must read only its view. */
function inView(input: Uint8Array): Uint8Array {
  const buf = new Uint8Array(input.length + 2 * VIEW_PAD).fill(0xa5);
  buf.set(input, VIEW_PAD);
  return buf.subarray(VIEW_PAD, VIEW_PAD + input.length);
}

function describeOutcome(o: Outcome): string {
  return o.ok ? 'a value' : describeError(o.error);
}

/** Same value (deep), or errors with the same code: what the first decode got, the view must get. */
function sameOutcome(a: Outcome, b: Outcome): void {
  const codeOf = (e: unknown) => (e as { code?: unknown } | null)?.code;
  const same = a.ok && b.ok ? isDeepStrictEqual(a.value, b.value) : !a.ok && !b.ok && codeOf(a.error) === codeOf(b.error);
  if (!same)
    throw new Finding('view', `decodes differently as a view at offset ${VIEW_PAD} of a larger buffer: ${describeOutcome(a)}, then ${describeOutcome(b)}`);
}

/**
 * Runs one input through the oracle; returns a promise only for an async decoder. Every input
 * is decoded twice: as it is, then from a view into a larger buffer of junk (Node hands decoders
 * slices of bigger buffers; STYLE.md "check lengths against the frame's own view"), which must
 * decode to the same value or fail with the same code. Twice for every input, not a sample, so a
 * finding reproduces while fast-check shrinks it and when the corpus replays it.
 */
export function checkInput(target: FuzzTarget, input: Uint8Array, stats: OracleStats): void | Promise<void> {
  stats.inputs++;
  const t0 = performance.now();
  const first = attempt(target, input);
  if (isThenable(first)) {
    return first.then(async (o) => {
      judge(target, stats, t0, o);
      sameOutcome(o, await attempt(target, inView(input)));
    });
  }
  judge(target, stats, t0, first);
  const second = attempt(target, inView(input));
  if (isThenable(second)) return second.then((o) => sameOutcome(first, o));
  sameOutcome(first, second);
}
