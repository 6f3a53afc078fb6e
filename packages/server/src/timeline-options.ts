// Options of timeline channels: what server.timeline() takes and the server-wide pacing knobs
// (ServerOptions.timeline), checked when the server is created.
import type { TimelineSchema } from '@tidewire/timeline';
import { ServerError } from './errors.ts';
import { int, num } from './options.ts';
import { DEFAULT_PLAYBACK_TICK_MS } from './playback-scheduler.ts';
import type { SessionConfig } from './timeline-session.ts';

export type TimelineSource =
  /** A segment file (docs/timeline-format.md): validated and decoded once, here. */
  | { file: Uint8Array }
  /** A live timeline: frames come from TimelineChannel.append(). */
  | { schema: TimelineSchema; live: true; keyframeInterval?: number };

export interface TimelineOptions {
  /** Shortest wall time between two TL_FRAMES of one session: frames due meanwhile share one
   *  message (16× speed, or rates above the display's). Default 1000/60 ms. */
  minBatchMs?: number;
  /** Frames per TL_FRAMES message at most; default 1024. */
  maxBatchFrames?: number;
  /** The playback scheduler's tick: frames due between two ticks go out at the next one
   *  (docs/timeline-format.md §W.5). Default 10 ms; 0 wakes at every frame's own due time. */
  tickMs?: number;
}

export interface ResolvedTimelineOptions {
  session: SessionConfig;
  tickMs: number;
}

export function resolveTimelineOptions(o: TimelineOptions | undefined, chunkBytes: number): ResolvedTimelineOptions {
  if (o !== undefined && (o === null || typeof o !== 'object')) throw new ServerError('TW_SERVER_BAD_OPTION', 'timeline options must be an object');
  const maxBatchFrames = int('timeline.maxBatchFrames', o?.maxBatchFrames ?? 1024, 1, 65_535);
  return {
    tickMs: num('timeline.tickMs', o?.tickMs ?? DEFAULT_PLAYBACK_TICK_MS, 0, 100),
    session: {
      minBatchMs: num('timeline.minBatchMs', o?.minBatchMs ?? 1000 / 60, 0, 1000),
      maxBatchFrames,
      // One message is at most about one chunk: the socket window it is written into.
      maxMessageBytes: chunkBytes,
    },
  };
}
