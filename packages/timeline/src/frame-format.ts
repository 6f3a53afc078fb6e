// Constants of the frame layout (docs/timeline-format.md §4.2). One place, so the encoder,
// the decoder, the spec and the known-answer tests agree.

export const FrameKind = {
  KEYFRAME: 0x01,
  DELTA: 0x02,
} as const;

/** Column header bits (§4.3). */
export const ORDER_MASK = 0x03;
export const COL_PRESENCE = 0x04;
export const COL_SPARSE = 0x08;
export const COL_RESERVED = 0xf0;

/** True for a keyframe; false for a delta; throws nothing (an unknown kind is neither, returns false). */
export function isKeyframe(frame: Uint8Array): boolean {
  return frame[0] === FrameKind.KEYFRAME; // an empty frame has frame[0] undefined: false
}
