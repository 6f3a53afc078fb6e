// What every raw server-paced timeline viewer of the benchmarks does with the frames it receives
// (the timeline bench's WsViewer, the soak's ReplayViewer): follow the seek epoch from TL_STATE,
// check that a TL_FRAMES batch continues the last one or starts with a keyframe, decode each frame
// into one scratch row, and return the credit it consumed at most as often as the Player does
// (its CONSUMED_EVERY_MS). The socket, the subscription and what a frame is used for stay with the viewer.
import { CONSUMED_EVERY_MS } from '@tidewire/client';
import { FrameDecoder, isKeyframe } from '@tidewire/timeline';
import type { TimelineSchema } from '@tidewire/timeline';

export const CREDIT_EVERY_MS = CONSUMED_EVERY_MS;

/** Credit to return: the frames and bytes consumed since the last grant. */
export interface CreditGrant {
  frames: number;
  bytes: number;
}

export class PacedFrames {
  /** The seek epoch of the frames being decoded (-1 before the first TL_STATE). */
  epoch = -1;
  private expectNext = -1;
  private owedFrames = 0;
  private owedBytes = 0;
  private lastGrant = 0;
  private readonly decoder: FrameDecoder;
  /** Frames decoded so far. */
  decoded = 0;
  /** The decoded row, borrowed by `frame` callbacks. */
  readonly values: Float64Array;

  constructor(schema: TimelineSchema) {
    this.decoder = new FrameDecoder(schema);
    this.values = new Float64Array(schema.entities.length * schema.fields.length);
  }

  /** The credit clock starts when the subscription does. */
  start(at: number): void {
    this.lastGrant = at;
  }

  /** A TL_STATE's epoch: a new one (a seek) ends the continuity of what came before. */
  state(seekEpoch: number): void {
    if (seekEpoch === this.epoch) return;
    this.epoch = seekEpoch;
    this.expectNext = -1;
  }

  /**
   * One TL_FRAMES batch arriving at `at`. Batches of an older epoch are only counted for credit.
   * Returns the credit to send now, or undefined; calls `gap` when the batch neither continues
   * the last one nor starts with a keyframe (then nothing of it is decoded).
   */
  frames(
    epoch: number,
    first: number,
    frames: readonly Uint8Array[],
    at: number,
    gap: (message: string) => void,
    frame?: (k: number, values: Float64Array) => void,
  ): CreditGrant | undefined {
    let bytes = 0;
    for (const f of frames) bytes += f.length;
    this.owedFrames += frames.length;
    this.owedBytes += bytes;
    if (epoch === this.epoch && frames.length > 0) {
      if (first !== this.expectNext && !isKeyframe(frames[0]!)) {
        gap(`TL_FRAMES at ${first} neither continues at ${this.expectNext} nor starts with a keyframe`);
      } else {
        for (let j = 0; j < frames.length; j++) {
          this.decoder.decode(frames[j]!, this.values);
          frame?.(first + j, this.values);
        }
        this.expectNext = first + frames.length;
        this.decoded += frames.length;
      }
    }
    if (at - this.lastGrant < CREDIT_EVERY_MS) return undefined;
    const grant = { frames: this.owedFrames, bytes: this.owedBytes };
    this.owedFrames = 0;
    this.owedBytes = 0;
    this.lastGrant = at;
    return grant;
  }
}
