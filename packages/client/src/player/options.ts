// The player's options, public types, limits and argument checks (kept apart from player.ts,
// which is the state machine).
import type { TimelineMode } from '@tidewire/protocol';
import { invalidOption } from '../errors.ts';
import type { PerfMonitor } from '../perf.ts';
import { animationFrameScheduler } from '../scheduler.ts';
import type { FrameScheduler } from '../scheduler.ts';
import type { Timers } from '../timers.ts';
import type { InterpolationOverrides } from './interpolate.ts';
import type { EngineConnect } from './messages.ts';

// §W.1's limits (MIN_TL_SPEED, MAX_TL_SPEED, MAX_TL_STEPS in @tidewire/protocol), restated: the
// player runs on the page, whose bundle must not pull in the protocol's codec (main-thread.ts).
export const MIN_SPEED = 0.1;
export const MAX_SPEED = 16;
export const MAX_STEPS = 65_536;
/** §W.5 lead (MAX_TL_LEAD_MS in @tidewire/protocol, restated for the same reason). */
export const MAX_LEAD_MS = 1000;
/** Server-paced: how far ahead of their due time the server may send a recording's frames. The
 *  display already trails the server by a frame plus playoutDelayMs; the lead lets the server
 *  send about leadMs/2 of frames per message instead of one message per frame (§W.5). */
export const DEFAULT_LEAD_MS = 200;

export interface PlayerOptions {
  /** Timeline channel name. */
  timeline: string;
  /** 'client' (default): segments over HTTP, local clock. 'server': TL_FRAMES at the server's pace. */
  mode?: TimelineMode;
  /** Client-paced: wall-clock seconds of playback fetched ahead of the playhead. Default 10. */
  prefetchSeconds?: number;
  /** Timeline seconds of decoded frames kept behind the playhead. Default 10. */
  keepBehindSeconds?: number;
  /** Decoded frames held on the main thread before far-away segments are dropped. Default 128 MiB. */
  maxBufferBytes?: number;
  /** Client-paced: segment requests in flight at most. Default 4. */
  maxConcurrentFetches?: number;
  /** Server-paced and live: wall ms the display trails the newest frame by (network jitter). Default 60. */
  playoutDelayMs?: number;
  /** Server-paced: wall ms ahead of their due time the server may send frames that exist (§W.5
   *  lead; the live edge is never sent ahead). Integer 0 … 1000; default 200; 0: each at its time. */
  leadMs?: number;
  /** Per field: interpolate (true) or step (false); see interpolationMask for the default. */
  interpolate?: InterpolationOverrides;
  /** Feeds frames decoded, bytes fetched and seek latency into this monitor. */
  perf?: PerfMonitor;
  /** When the display loop runs; default requestAnimationFrame (a 16 ms timer without it). */
  schedule?: FrameScheduler;
  timers?: Timers;
  /** Server-paced credit window (§W.1). Default: 2 s of frames at 16× (≥ 256), 8 MiB. */
  creditFrames?: number;
  creditBytes?: number;
}

/** The options the player keeps, checked and with their defaults. */
export type ResolvedPlayerOptions = Required<Omit<PlayerOptions, 'perf' | 'interpolate' | 'schedule' | 'timers' | 'creditFrames' | 'creditBytes'>>;

/** Checks the options when the player is made (not at first use) and fills in the defaults. */
export function playerOptions(options: PlayerOptions): ResolvedPlayerOptions {
  if (!options || typeof options !== 'object') throw invalidOption('player options must be an object');
  if (typeof options.timeline !== 'string' || options.timeline.length === 0) throw invalidOption('timeline must be a non-empty channel name');
  const mode = options.mode ?? 'client';
  if (mode !== 'client' && mode !== 'server') throw invalidOption(`mode must be 'client' or 'server', got ${String(mode)}`);
  return {
    timeline: options.timeline,
    mode,
    prefetchSeconds: positiveOption(options.prefetchSeconds, 10, 'prefetchSeconds'),
    keepBehindSeconds: positiveOption(options.keepBehindSeconds, 10, 'keepBehindSeconds'),
    maxBufferBytes: positiveOption(options.maxBufferBytes, 128 * 1024 * 1024, 'maxBufferBytes', 1),
    maxConcurrentFetches: Math.floor(positiveOption(options.maxConcurrentFetches, 4, 'maxConcurrentFetches', 1)),
    playoutDelayMs: positiveOption(options.playoutDelayMs, 60, 'playoutDelayMs'),
    leadMs: leadOption(options.leadMs),
  };
}

/** A bare number is timeline ms. */
export type SeekTarget = number | { timeMs: number } | { frame: number };

export interface FrameEvent {
  timeMs: number;
  frame: number;
  /** Interpolated values at timeMs (entities × fields, entity-major). Borrowed: copy to keep. */
  values: Float64Array;
}

export interface PlayerMetrics {
  framesDecoded: number;
  bytesFetched: number;
  segmentsFetched: number;
  /** Streamed frames dropped as stale (older epoch, or unanswered seek). */
  framesDropped: number;
  seeks: number;
  /** Latest seek latencies, ms, oldest first (at most 256). */
  seekMs: number[];
}

export interface PlayerOpen {
  httpUrl: string;
  token?: string;
  /** Engine in a worker: it makes its own connection. */
  connect?: EngineConnect;
}

/** Keep-alive of the display loop without requestAnimationFrame. */
export const FALLBACK_FRAME_MS = 16;
/** Credit goes back at most this often (ms). The window covers 2 s of frames even at 16× and the
 *  server sends a batch per ~leadMs/2, so one TL_CREDIT per 200 ms never stalls it, and costs the
 *  server a read a fifth as often as one per frame would (§W.2, §W.11). */
export const CONSUMED_EVERY_MS = 200;
/** A segment that failed is asked for again after this long. */
export const SEGMENT_RETRY_MS = 1000;
export const MAX_SEEK_SAMPLES = 256;

/** One seek's latency into the metrics (the newest MAX_SEEK_SAMPLES) and the perf monitor. */
export function recordSeek(metrics: PlayerMetrics, perf: PerfMonitor | undefined, ms: number): void {
  const s = metrics.seekMs;
  s.push(ms);
  if (s.length > MAX_SEEK_SAMPLES) s.shift();
  perf?.recordSeek(ms);
}

export const defaultFrameScheduler: FrameScheduler = animationFrameScheduler(FALLBACK_FRAME_MS);

export function positiveOption(value: number | undefined, fallback: number, name: string, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw invalidOption(`${name} must be a number ≥ ${min}, got ${String(value)}`);
  return value;
}

function leadOption(value: number | undefined): number {
  if (value === undefined) return DEFAULT_LEAD_MS;
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_LEAD_MS)
    throw invalidOption(`leadMs must be an integer in [0, ${MAX_LEAD_MS}], got ${String(value)}`);
  return value;
}

/** Validates a seek target; a bare number is ms. */
export function checkTarget(target: SeekTarget): { timeMs: number } | { frame: number } {
  if (typeof target === 'number') {
    if (!Number.isFinite(target)) throw invalidOption(`seek time must be a finite number of ms, got ${target}`);
    return { timeMs: target };
  }
  if (target && typeof target === 'object') {
    if ('frame' in target) {
      if (!Number.isSafeInteger(target.frame) || target.frame < 0)
        throw invalidOption(`seek frame must be a non-negative integer, got ${String(target.frame)}`);
      return { frame: target.frame };
    }
    if ('timeMs' in target && typeof target.timeMs === 'number' && Number.isFinite(target.timeMs)) return { timeMs: target.timeMs };
  }
  throw invalidOption('seek takes ms, { timeMs } or { frame }');
}
