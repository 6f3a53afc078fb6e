// Timeline channel frames (docs/timeline-format.md §W, frame types 0x40–0x4F). One type, one
// encoder and one decoding branch per frame, named after its §W section. Kept apart from
// frames.ts so decodeFrame() stays as it is: a receiver routes 0x40–0x4F here.
import { pack, unpack } from './codec.ts';
import { badFrame, ProtocolError } from './errors.ts';
import { asMap, bool, isFiniteNumber, isSafeInteger, oneOf, uint } from './fields.ts';
import type { Fields } from './fields.ts';
import { TIMELINE_FRAME_RANGE } from './frames.ts';
import { varuintSize, writeVaruint } from '@tidewire/base';
import { expectEnd, FrameReader, headedFrame } from './varuint.ts';

export const TimelineFrameType = {
  TL_CONTROL: 0x40,
  TL_CREDIT: 0x41,
  TL_FRAMES: 0x42,
  TL_STATE: 0x43,
} as const;
export type TimelineFrameTypeCode = (typeof TimelineFrameType)[keyof typeof TimelineFrameType];

/** Playback speed range (§W.1): a speed outside it is a malformed TL_CONTROL. */
export const MIN_TL_SPEED = 0.1;
export const MAX_TL_SPEED = 16;
/** |steps| cap of one `step` (§W.1). */
export const MAX_TL_STEPS = 65_536;
/** Largest `seq` a client may tag a TL_CONTROL with (echoed as TL_STATE.ack). */
export const MAX_TL_SEQ = 2 ** 32 - 1;
/** Largest `leadMs` a client may ask for (§W.1, §W.5): what a server-paced session may send
 *  ahead of its due time is bounded, so a viewer's playout buffer stays small and a seek or a
 *  pause leaves at most this much of sent-ahead frames behind. */
export const MAX_TL_LEAD_MS = 1000;

export const TL_OPS = ['play', 'pause', 'seek', 'speed', 'step', 'live'] as const;
export type TimelineOp = (typeof TL_OPS)[number];
export const TL_MODES = ['server', 'client'] as const;
export type TimelineMode = (typeof TL_MODES)[number];

export function isTimelineFrameType(type: number): boolean {
  return type >= TIMELINE_FRAME_RANGE.first && type <= TIMELINE_FRAME_RANGE.last;
}

/** §W.1. Exactly the fields its op needs are present (seek: frame xor timeMs; speed: speed). */
export interface TlControlFrame {
  type: typeof TimelineFrameType.TL_CONTROL;
  channel: number;
  op: TimelineOp;
  frame?: number;
  timeMs?: number;
  speed?: number;
  /** `step` only: frames to move, non-zero, |steps| ≤ MAX_TL_STEPS; default 1. */
  steps?: number;
  mode?: TimelineMode;
  /** Server-paced playback of existing frames: send each frame up to this many wall ms before
   *  its due time (0 … MAX_TL_LEAD_MS; §W.5). Any op may carry it; applies from this request on. */
  leadMs?: number;
  /** Client tag echoed as TL_STATE.ack, so a client knows which request a state answers. */
  seq?: number;
}

/** §W.2. Grants are additive. */
export interface TlCreditFrame {
  type: typeof TimelineFrameType.TL_CREDIT;
  channel: number;
  frames: number;
  bytes: number;
}

/** §W.3. `frames` are borrowed views into the message. Copy them to keep them. */
export interface TlFramesFrame {
  type: typeof TimelineFrameType.TL_FRAMES;
  channel: number;
  seekEpoch: number;
  firstFrame: number;
  frames: Uint8Array[];
}

/** §W.4 body. */
export interface TlState {
  seekEpoch: number;
  playing: boolean;
  speed: number;
  /** The playhead: the frame the client shows once it has everything sent so far. */
  frame: number;
  frameCount: number;
  /** The session follows the live edge: new frames are sent as they are appended. */
  live: boolean;
  /** Newest frame of a timeline still being appended; absent once recorded or ended. */
  liveFrame?: number;
  rateHz: number;
  mode?: TimelineMode;
  /** The `seq` of the TL_CONTROL this state answers. */
  ack?: number;
}
export interface TlStateFrame extends TlState {
  type: typeof TimelineFrameType.TL_STATE;
  channel: number;
}

export type TimelineFrame = TlControlFrame | TlCreditFrame | TlFramesFrame | TlStateFrame;

type ControlBody = Omit<TlControlFrame, 'type' | 'channel'>;

// ---- helpers -------------------------------------------------------------------------

function finite(m: Fields, key: string, frame: string): number {
  const v = m[key];
  if (!isFiniteNumber(v)) throw badFrame(`${frame}.${key} must be a finite number`);
  return v;
}

function checkSpeed(speed: number, frame: string): number {
  // A small tolerance: 0.1 may travel as float32 in some encoders.
  if (!(speed >= MIN_TL_SPEED - 1e-9 && speed <= MAX_TL_SPEED)) throw badFrame(`${frame}.speed ${speed} is outside [${MIN_TL_SPEED}, ${MAX_TL_SPEED}]`);
  return speed;
}

/** §W.1 `leadMs`: an integer number of ms within 0 … MAX_TL_LEAD_MS. */
function leadMs(m: Fields): number {
  const v = m.leadMs;
  if (!isSafeInteger(v) || v < 0 || v > MAX_TL_LEAD_MS) throw badFrame(`TL_CONTROL.leadMs ${String(v)} is not an integer in [0, ${MAX_TL_LEAD_MS}]`);
  return v;
}

// ---- §W.1 TL_CONTROL -----------------------------------------------------------------
export function encodeTlControl(channel: number, body: ControlBody): Uint8Array {
  const m: Fields = { op: body.op };
  if (body.frame !== undefined) m.frame = body.frame;
  if (body.timeMs !== undefined) m.timeMs = body.timeMs;
  if (body.speed !== undefined) m.speed = body.speed;
  if (body.steps !== undefined) m.steps = body.steps;
  if (body.mode !== undefined) m.mode = body.mode;
  if (body.leadMs !== undefined) m.leadMs = body.leadMs;
  if (body.seq !== undefined) m.seq = body.seq;
  return headedFrame(TimelineFrameType.TL_CONTROL, [channel], pack(m));
}

function decodeControl(r: FrameReader): TlControlFrame {
  const channel = r.varuint('TL_CONTROL.channel');
  const m = asMap(unpack(r.restBorrow(), 'TL_CONTROL body'), 'TL_CONTROL');
  const f: TlControlFrame = { type: TimelineFrameType.TL_CONTROL, channel, op: oneOf(m, 'op', 'TL_CONTROL', TL_OPS) };
  if (m.frame !== undefined) f.frame = uint(m, 'frame', 'TL_CONTROL');
  if (m.timeMs !== undefined) {
    f.timeMs = finite(m, 'timeMs', 'TL_CONTROL');
    if (f.timeMs < 0) throw badFrame(`TL_CONTROL.timeMs ${f.timeMs} is negative`);
  }
  if (m.speed !== undefined) f.speed = checkSpeed(finite(m, 'speed', 'TL_CONTROL'), 'TL_CONTROL');
  if (m.steps !== undefined) {
    const s = m.steps;
    if (!isSafeInteger(s) || s === 0 || Math.abs(s) > MAX_TL_STEPS) {
      throw badFrame(`TL_CONTROL.steps must be a non-zero integer within ±${MAX_TL_STEPS}`);
    }
    f.steps = s;
  }
  if (m.mode !== undefined) f.mode = oneOf(m, 'mode', 'TL_CONTROL', TL_MODES);
  if (m.leadMs !== undefined) f.leadMs = leadMs(m);
  if (m.seq !== undefined) {
    f.seq = uint(m, 'seq', 'TL_CONTROL');
    if (f.seq > MAX_TL_SEQ) throw badFrame(`TL_CONTROL.seq exceeds ${MAX_TL_SEQ}`);
  }
  switch (f.op) {
    case 'seek':
      if ((f.frame === undefined) === (f.timeMs === undefined)) throw badFrame('TL_CONTROL seek needs exactly one of frame, timeMs');
      break;
    case 'speed':
      if (f.speed === undefined) throw badFrame('TL_CONTROL speed needs speed');
      break;
    default:
      if (f.frame !== undefined || f.timeMs !== undefined) throw badFrame(`TL_CONTROL ${f.op} takes no frame or timeMs`);
  }
  if (f.steps !== undefined && f.op !== 'step') throw badFrame(`TL_CONTROL ${f.op} takes no steps`);
  return f;
}

// ---- §W.2 TL_CREDIT ------------------------------------------------------------------
export function encodeTlCredit(channel: number, frames: number, bytes: number): Uint8Array {
  return headedFrame(TimelineFrameType.TL_CREDIT, [channel, frames, bytes]);
}

// ---- §W.3 TL_FRAMES ------------------------------------------------------------------
/** `(varuint(len) • frameBytes)*`: the part of TL_FRAMES a server can build once per segment
 *  and slice per batch (a batch of consecutive frames is a contiguous range of it). */
export function encodeFrameBlock(frames: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const f of frames) size += varuintSize(f.length) + f.length;
  const out = new Uint8Array(size);
  let pos = 0;
  for (const f of frames) {
    pos = writeVaruint(out, pos, f.length);
    out.set(f, pos);
    pos += f.length;
  }
  return out;
}

/** TL_FRAMES from pre-built blocks (see encodeFrameBlock) holding `count` frames in all; the
 *  blocks are copied into the message, never re-encoded. */
export function encodeTlFramesFromBlocks(channel: number, seekEpoch: number, firstFrame: number, count: number, blocks: readonly Uint8Array[]): Uint8Array {
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`TL_FRAMES needs at least one frame, got ${count}`);
  let size = /* type */ 1 + varuintSize(channel) + varuintSize(seekEpoch) + varuintSize(firstFrame) + varuintSize(count);
  for (const b of blocks) size += b.length;
  const out = new Uint8Array(size);
  out[0] = TimelineFrameType.TL_FRAMES;
  let pos = writeVaruint(out, 1, channel);
  pos = writeVaruint(out, pos, seekEpoch);
  pos = writeVaruint(out, pos, firstFrame);
  pos = writeVaruint(out, pos, count);
  for (const b of blocks) {
    out.set(b, pos);
    pos += b.length;
  }
  return out;
}

export function encodeTlFrames(channel: number, seekEpoch: number, firstFrame: number, frames: readonly Uint8Array[]): Uint8Array {
  return encodeTlFramesFromBlocks(channel, seekEpoch, firstFrame, frames.length, [encodeFrameBlock(frames)]);
}

function decodeFrames(r: FrameReader): TlFramesFrame {
  const channel = r.varuint('TL_FRAMES.channel');
  const seekEpoch = r.varuint('TL_FRAMES.seekEpoch');
  const firstFrame = r.varuint('TL_FRAMES.firstFrame');
  const count = r.varuint('TL_FRAMES.count');
  // Every frame takes at least two bytes (length + one byte): refuse a count the rest cannot
  // hold before allocating for it.
  // Stryker disable next-line ArithmeticOperator: with count / 2 a too-large count still fails at the first truncated read below (same TW_BAD_FRAME); only the allocation grows
  if (count === 0 || count * 2 > r.remaining) throw badFrame(`TL_FRAMES.count ${count} does not fit in ${r.remaining} bytes`);
  if (!Number.isSafeInteger(firstFrame + count)) throw badFrame('TL_FRAMES frame numbers exceed 2^53-1');
  // Stryker disable next-line ArrayDeclaration: the loop assigns every index 0…count−1, so a presized and an empty array end up equal
  const frames = new Array<Uint8Array>(count);
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    const len = r.varuint('TL_FRAMES frame length');
    if (len === 0 || len > r.remaining) throw badFrame(`TL_FRAMES frame ${i} length ${len} at offset ${start} exceeds the frame`);
    frames[i] = r.buf.subarray(r.pos, r.pos + len);
    r.pos += len;
  }
  expectEnd(r, 'TL_FRAMES');
  return { type: TimelineFrameType.TL_FRAMES, channel, seekEpoch, firstFrame, frames };
}

// ---- §W.4 TL_STATE -------------------------------------------------------------------
export function encodeTlState(channel: number, s: TlState): Uint8Array {
  const m: Fields = { seekEpoch: s.seekEpoch, playing: s.playing, speed: s.speed, frame: s.frame, frameCount: s.frameCount, live: s.live, rateHz: s.rateHz };
  if (s.liveFrame !== undefined) m.liveFrame = s.liveFrame;
  if (s.mode !== undefined) m.mode = s.mode;
  if (s.ack !== undefined) m.ack = s.ack;
  return headedFrame(TimelineFrameType.TL_STATE, [channel], pack(m));
}

function decodeState(r: FrameReader): TlStateFrame {
  const channel = r.varuint('TL_STATE.channel');
  const m = asMap(unpack(r.restBorrow(), 'TL_STATE body'), 'TL_STATE');
  const f: TlStateFrame = {
    type: TimelineFrameType.TL_STATE,
    channel,
    seekEpoch: uint(m, 'seekEpoch', 'TL_STATE'),
    playing: bool(m, 'playing', 'TL_STATE'),
    speed: checkSpeed(finite(m, 'speed', 'TL_STATE'), 'TL_STATE'),
    frame: uint(m, 'frame', 'TL_STATE'),
    frameCount: uint(m, 'frameCount', 'TL_STATE'),
    live: bool(m, 'live', 'TL_STATE'),
    rateHz: finite(m, 'rateHz', 'TL_STATE'),
  };
  if (!(f.rateHz > 0)) throw badFrame(`TL_STATE.rateHz ${f.rateHz} must be positive`);
  if (m.liveFrame !== undefined) f.liveFrame = uint(m, 'liveFrame', 'TL_STATE');
  if (m.mode !== undefined) f.mode = oneOf(m, 'mode', 'TL_STATE', TL_MODES);
  if (m.ack !== undefined) f.ack = uint(m, 'ack', 'TL_STATE');
  return f;
}

// ---- decoding ------------------------------------------------------------------------

/**
 * Decodes one timeline frame (types 0x40–0x4F). Throws ProtocolError: TW_BAD_FRAME for
 * malformed input, non-fatal TW_UNKNOWN_FRAME_TYPE for a type of the range this version does
 * not know (or one outside the range). TL_FRAMES' frames are borrowed views into `bytes`.
 */
export function decodeTimelineFrame(bytes: Uint8Array): TimelineFrame {
  const r = new FrameReader(bytes);
  const type = r.u8('frame type');
  switch (type) {
    case TimelineFrameType.TL_CONTROL:
      return decodeControl(r);
    case TimelineFrameType.TL_CREDIT: {
      const channel = r.varuint('TL_CREDIT.channel');
      const frames = r.varuint('TL_CREDIT.frames');
      const creditBytes = r.varuint('TL_CREDIT.bytes');
      expectEnd(r, 'TL_CREDIT');
      return { type, channel, frames, bytes: creditBytes };
    }
    case TimelineFrameType.TL_FRAMES:
      return decodeFrames(r);
    case TimelineFrameType.TL_STATE:
      return decodeState(r);
    default:
      throw new ProtocolError('TW_UNKNOWN_FRAME_TYPE', `unknown timeline frame type 0x${type.toString(16).padStart(2, '0')}`);
  }
}
