// Rules both queue adapters share (docs/studio.md §4): option limits and defaults, the backoff
// curve, which errors are worth a retry, how a thrown value becomes a job's `error`, and how a
// stage's fraction becomes the whole job's progress.
import { isCodedError } from '@tidewire/base';
import { StudioError } from '../errors.ts';
import { STAGES, type RenderRequest, type Stage } from '../model.ts';
import type { AddJobOptions } from './types.ts';

export const DEFAULT_ATTEMPTS = 3;
export const MAX_ATTEMPTS = 20;
export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const MAX_TIMEOUT_MS = 6 * 60 * 60_000;

/** How long a finished job stays listed. */
export interface RetentionOptions {
  /** Finished jobs kept (newest first; default 200). */
  count?: number;
  /** Finished jobs older than this are dropped (default 7 days). */
  ageMs?: number;
}
export const DEFAULT_RETENTION = { count: 200, ageMs: 7 * 24 * 3600_000 } as const;

export interface BackoffOptions {
  /** Delay before the first retry; doubled for each further one (default 2 s). */
  baseMs?: number;
  /** The longest delay (default 5 minutes). */
  maxMs?: number;
  /** Random extra delay, at most this much, so retries of many jobs spread out (default 1 s). */
  jitterMs?: number;
}
export const DEFAULT_BACKOFF = { baseMs: 2000, maxMs: 5 * 60_000, jitterMs: 1000 } as const;

/** After a signal aborts, how long a handler gets to settle before the job is failed anyway. */
export const DEFAULT_GRACE_MS = 5000;
/** Progress reports within one stage are passed on at most this often. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 250;

/** The delay before retry number `retry` (1 = the first retry). */
export function backoffDelay(retry: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const jitter = options.jitterMs ?? DEFAULT_BACKOFF.jitterMs;
  // reason: 2 ** 40 already overflows any sane cap; clamping the exponent keeps it finite
  const exp = Math.min(base * 2 ** Math.min(Math.max(retry - 1, 0), 40), max);
  return Math.round(exp + random() * jitter);
}

/** Errors a retry cannot fix: the input is wrong, or a person or the clock stopped the job. */
export const PERMANENT_CODES: ReadonlySet<string> = new Set([
  'STUDIO_BAD_REQUEST',
  'STUDIO_BAD_NAME',
  'STUDIO_TOO_MANY_SCENES',
  'STUDIO_TEXT_TOO_LONG',
  'STUDIO_NOT_FOUND',
  'STUDIO_BAD_VOICE',
  'STUDIO_UNSUPPORTED_MEDIA',
  'STUDIO_TIMEOUT',
  'STUDIO_CANCELLED',
]);

/** The code any thrown value that carries none is recorded with. */
export const UNKNOWN_ERROR_CODE = 'STUDIO_JOB_ERROR';
const MAX_ERROR_MESSAGE = 2000;

/** A thrown value as a job's `error`: its code (or UNKNOWN_ERROR_CODE) and a bounded message. */
export function jobError(err: unknown): { code: string; message: string } {
  const code = isCodedError(err) ? err.code : UNKNOWN_ERROR_CODE;
  const message = err instanceof Error ? err.message : String(err);
  return { code, message: message.length > MAX_ERROR_MESSAGE ? `${message.slice(0, MAX_ERROR_MESSAGE)}…` : message };
}

/** The whole job's progress (0–1) from a stage and the fraction of that stage done. */
export function overallProgress(stage: Stage, fraction: number): number {
  const i = STAGES.indexOf(stage);
  const f = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
  return i < 0 ? 0 : (i + f) / STAGES.length;
}

export function isStage(value: unknown): value is Stage {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

/** Checks add()'s arguments at the boundary; returns the options with defaults filled in. */
export function checkAdd(request: RenderRequest, options: AddJobOptions = {}): Required<AddJobOptions> {
  const story = request?.story;
  if (!story || typeof story.id !== 'string' || typeof story.title !== 'string' || !Array.isArray(story.scenes)) {
    throw new StudioError('STUDIO_BAD_REQUEST', 'a render request needs a story with an id, a title and scenes');
  }
  const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > MAX_ATTEMPTS) {
    throw new StudioError('STUDIO_BAD_REQUEST', `attempts must be an integer 1–${MAX_ATTEMPTS}, got ${attempts}`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new StudioError('STUDIO_BAD_REQUEST', `timeoutMs must be 1–${MAX_TIMEOUT_MS}, got ${timeoutMs}`);
  }
  return { attempts, timeoutMs };
}

/** A concurrency from options: a positive integer, the machine's cores by default. */
export function checkConcurrency(value: number | undefined, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new StudioError('STUDIO_BAD_REQUEST', `concurrency must be an integer 1–1024, got ${n}`);
  return n;
}
