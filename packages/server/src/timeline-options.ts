// Options of timeline channels: what server.timeline() takes and the server-wide pacing knobs
// (ServerOptions.timeline), checked when the server is created.
import type { TimelineSchema } from '@tidewire/timeline';
import { ServerError } from './errors.ts';
import { int, num } from './options.ts';
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
}

export interface ResolvedTimelineOptions {
  session: SessionConfig;
}

export function resolveTimelineOptions(o: TimelineOptions | undefined, chunkBytes: number): ResolvedTimelineOptions {
  if (o !== undefined && (o === null || typeof o !== 'object')) throw new ServerError('TW_SERVER_BAD_OPTION', 'timeline options must be an object');
  const maxBatchFrames = int('timeline.maxBatchFrames', o?.maxBatchFrames ?? 1024, 1, 65_535);
  return {
    session: {
      minBatchMs: num('timeline.minBatchMs', o?.minBatchMs ?? 1000 / 60, 0, 1000),
      maxBatchFrames,
      // One message is at most about one chunk: the socket window it is written into.
      maxMessageBytes: chunkBytes,
    },
  };
}
