// Frame types, encoders and the decoder (docs/protocol.md §4). One type, one encoder and one
// decoding branch per frame; the section each implements is named beside it.
import { pack, packSnapshot, unpack } from './codec.ts';
import { ProtocolError, badFrame, isErrorCode } from './errors.ts';
import type { ErrorCode } from './errors.ts';
import { asMap, bool, oneOf, str, strList, uint, version } from './fields.ts';
import type { Fields } from './fields.ts';
import { FrameReader, expectEnd, headedFrame } from './varuint.ts';

export const PROTOCOL_VERSION = { major: 1, minor: 0 } as const;

export const FrameType = {
  HELLO: 0x01,
  WELCOME: 0x02,
  ERROR: 0x03,
  SUBSCRIBE: 0x10,
  UNSUBSCRIBE: 0x11,
  SUBSCRIBED: 0x12,
  UNSUBSCRIBED: 0x13,
  SNAPSHOT: 0x20,
  SNAPSHOT_BEGIN: 0x21,
  SNAPSHOT_CHUNK: 0x22,
  OPS: 0x23,
  EVENT: 0x30,
} as const;
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

/** Frame types 0x40–0x4F belong to timeline channels (docs/timeline-format.md). */
export const TIMELINE_FRAME_RANGE = { first: 0x40, last: 0x4f } as const;
/** Frame types 0x70–0x7F are for application extensions. */
export const EXTENSION_FRAME_RANGE = { first: 0x70, last: 0x7f } as const;

export const CHANNEL_KINDS = ['tree', 'events', 'timeline'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface Position {
  epoch: number;
  offset: number;
}

export interface Limits {
  maxFrameBytes: number;
  maxSubscriptions: number;
  chunkBytes: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxFrameBytes: 1024 * 1024,
  maxSubscriptions: 64,
  chunkBytes: 64 * 1024,
};

/** Size caps on strings inside frames (bytes, UTF-8). */
export const MAX_NAME_BYTES = 128;
export const MAX_KEY_BYTES = 256;
export const MAX_MESSAGE_BYTES = 4096;
export const MAX_CAPABILITIES = 64;
export const MAX_CHANNELS_LISTED = 4096;

export interface HelloFrame {
  type: typeof FrameType.HELLO;
  protocol: [number, number];
  client: string;
  capabilities: string[];
}
export interface WelcomeFrame {
  type: typeof FrameType.WELCOME;
  protocol: [number, number];
  instance: string;
  capabilities: string[];
  limits: Limits;
  channels: { name: string; kind: ChannelKind }[];
}
export interface ErrorFrame {
  type: typeof FrameType.ERROR;
  code: string;
  message: string;
  fatal: boolean;
  channel?: number;
  name?: string;
}
export interface SubscribeFrame {
  type: typeof FrameType.SUBSCRIBE;
  name: string;
  from?: Position;
}
export interface UnsubscribeFrame {
  type: typeof FrameType.UNSUBSCRIBE;
  channel: number;
}
export type ResumeMode = 'replay' | 'snapshot' | 'none';
export type ResyncReason = 'new' | 'epoch' | 'gap';
export interface SubscribedFrame {
  type: typeof FrameType.SUBSCRIBED;
  name: string;
  channel: number;
  kind: ChannelKind;
  epoch: number;
  offset: number;
  resume: ResumeMode;
  reason?: ResyncReason;
}
export interface UnsubscribedFrame {
  type: typeof FrameType.UNSUBSCRIBED;
  channel: number;
  reason: string;
}
/** How a snapshot body is encoded (§4.6). */
export const SnapshotEncoding = {
  /** msgpack(columns) as it is. */
  MSGPACK: 0,
  /** deflate-raw (RFC 1951) of msgpack(columns): browsers inflate it natively (DecompressionStream). */
  DEFLATE_RAW: 1,
} as const;
export type SnapshotEncodingCode = (typeof SnapshotEncoding)[keyof typeof SnapshotEncoding];

/** `body` is borrowed (a view into the frame) and still encoded as `encoding` says. */
export interface SnapshotFrame {
  type: typeof FrameType.SNAPSHOT;
  channel: number;
  epoch: number;
  offset: number;
  nodeCount: number;
  encoding: SnapshotEncodingCode;
  body: Uint8Array;
}
export interface SnapshotBeginFrame {
  type: typeof FrameType.SNAPSHOT_BEGIN;
  channel: number;
  epoch: number;
  offset: number;
  nodeCount: number;
  encoding: SnapshotEncodingCode;
  totalBytes: number;
  chunkCount: number;
}
/** `bytes` is borrowed: a view into the frame's buffer. Copy it to keep it. */
export interface SnapshotChunkFrame {
  type: typeof FrameType.SNAPSHOT_CHUNK;
  channel: number;
  index: number;
  bytes: Uint8Array;
}
/** `ops` is decoded msgpack, not yet validated as tree ops (that is @tidewire/tree's parseOps). */
export interface OpsFrame {
  type: typeof FrameType.OPS;
  channel: number;
  epoch: number;
  offset: number;
  ops: unknown[];
}
export interface EventFrame {
  type: typeof FrameType.EVENT;
  channel: number;
  key: string;
  value: unknown;
}

export type Frame =
  | HelloFrame
  | WelcomeFrame
  | ErrorFrame
  | SubscribeFrame
  | UnsubscribeFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | SnapshotFrame
  | SnapshotBeginFrame
  | SnapshotChunkFrame
  | OpsFrame
  | EventFrame;

type Body<F> = Omit<F, 'type'>;

// ---- encoding helpers ----------------------------------------------------------------

function mapFrame(type: number, body: object): Uint8Array {
  const payload = pack(body);
  const out = new Uint8Array(1 + payload.length);
  out[0] = type;
  out.set(payload, 1);
  return out;
}

// ---- §4.1 HELLO ----------------------------------------------------------------------
export function encodeHello(f: Body<HelloFrame>): Uint8Array {
  return mapFrame(FrameType.HELLO, { protocol: f.protocol, client: f.client, capabilities: f.capabilities });
}

// ---- §4.2 WELCOME --------------------------------------------------------------------
export function encodeWelcome(f: Body<WelcomeFrame>): Uint8Array {
  return mapFrame(FrameType.WELCOME, {
    protocol: f.protocol,
    instance: f.instance,
    capabilities: f.capabilities,
    limits: f.limits,
    channels: f.channels,
  });
}

// ---- §4.3 SUBSCRIBE ------------------------------------------------------------------
export function encodeSubscribe(f: Body<SubscribeFrame>): Uint8Array {
  return mapFrame(FrameType.SUBSCRIBE, f.from ? { name: f.name, from: { epoch: f.from.epoch, offset: f.from.offset } } : { name: f.name });
}

// ---- §4.4 UNSUBSCRIBE / UNSUBSCRIBED -------------------------------------------------
export function encodeUnsubscribe(channel: number): Uint8Array {
  return headedFrame(FrameType.UNSUBSCRIBE, [channel]);
}
export function encodeUnsubscribed(channel: number, reason: string): Uint8Array {
  return headedFrame(FrameType.UNSUBSCRIBED, [channel], pack({ reason }));
}

// ---- §4.5 SUBSCRIBED -----------------------------------------------------------------
export function encodeSubscribed(f: Body<SubscribedFrame>): Uint8Array {
  const body: Fields = { name: f.name, channel: f.channel, kind: f.kind, epoch: f.epoch, offset: f.offset, resume: f.resume };
  if (f.reason) body.reason = f.reason;
  return mapFrame(FrameType.SUBSCRIBED, body);
}

// ---- §4.6 SNAPSHOT, SNAPSHOT_BEGIN, SNAPSHOT_CHUNK -----------------------------------
/** msgpack(node) with bundled strings: what a snapshot body holds before any compression. */
export function encodeSnapshotBody(node: unknown): Uint8Array {
  return packSnapshot(node);
}
export function encodeSnapshot(channel: number, pos: Position, nodeCount: number, encoding: SnapshotEncodingCode, body: Uint8Array): Uint8Array {
  return headedFrame(FrameType.SNAPSHOT, [channel, pos.epoch, pos.offset, nodeCount, encoding], body);
}
export function encodeSnapshotBegin(
  channel: number,
  pos: Position,
  nodeCount: number,
  encoding: SnapshotEncodingCode,
  totalBytes: number,
  chunkCount: number,
): Uint8Array {
  return headedFrame(FrameType.SNAPSHOT_BEGIN, [channel, pos.epoch, pos.offset, nodeCount, encoding, totalBytes, chunkCount]);
}
export function encodeSnapshotChunk(channel: number, index: number, bytes: Uint8Array): Uint8Array {
  return headedFrame(FrameType.SNAPSHOT_CHUNK, [channel, index], bytes);
}

// ---- §4.7 OPS ------------------------------------------------------------------------
/** `pos` is the channel's position after this batch. */
export function encodeOps(channel: number, pos: Position, ops: readonly unknown[]): Uint8Array {
  return headedFrame(FrameType.OPS, [channel, pos.epoch, pos.offset], pack(ops));
}

/** An OPS frame without its type and node-local channel id: `varuint(epoch) • varuint(offset) •
 *  msgpack(op[])`. A cluster stores and forwards this, so a batch is encoded once however many
 *  nodes serve it (docs/cluster.md §3). The result is a view into `frame`. */
export function opsBatch(frame: Uint8Array): Uint8Array {
  const r = new FrameReader(frame);
  const type = r.u8('frame type');
  if (type !== FrameType.OPS) throw badFrame(`opsBatch expects an OPS frame (0x23), got type 0x${type.toString(16).padStart(2, '0')}`);
  r.varuint('OPS.channel');
  return frame.subarray(r.pos);
}

/** The OPS frame of `channel` carrying `batch` (from opsBatch): the inverse of opsBatch. */
export function opsFrameFromBatch(channel: number, batch: Uint8Array): Uint8Array {
  return headedFrame(FrameType.OPS, [channel], batch);
}

// ---- §4.8 EVENT ----------------------------------------------------------------------
export function encodeEvent(channel: number, key: string, value: unknown): Uint8Array {
  return headedFrame(FrameType.EVENT, [channel], pack([key, value]));
}

// ---- §4.9 ERROR ----------------------------------------------------------------------
export function encodeError(f: Body<ErrorFrame>): Uint8Array {
  const body: Fields = { code: f.code, message: f.message.slice(0, MAX_MESSAGE_BYTES / 4), fatal: f.fatal };
  if (f.channel !== undefined) body.channel = f.channel;
  if (f.name !== undefined) body.name = f.name;
  return mapFrame(FrameType.ERROR, body);
}

/** The ERROR frame that reports `err` to the peer. */
export function errorFrameFor(err: ProtocolError): Uint8Array {
  // encodeError leaves channel and name out of the map when they are undefined.
  return encodeError({ code: err.code, message: err.message, fatal: err.fatal, channel: err.channel, name: err.channelName });
}

// ---- decoding ------------------------------------------------------------------------

function decodePosition(value: unknown, frame: string): Position {
  const m = asMap(value, `${frame}.from`);
  return { epoch: uint(m, 'epoch', `${frame}.from`), offset: uint(m, 'offset', `${frame}.from`) };
}

function decodeLimits(value: unknown): Limits {
  const m = asMap(value, 'WELCOME.limits');
  return {
    maxFrameBytes: uint(m, 'maxFrameBytes', 'WELCOME.limits'),
    maxSubscriptions: uint(m, 'maxSubscriptions', 'WELCOME.limits'),
    chunkBytes: uint(m, 'chunkBytes', 'WELCOME.limits'),
  };
}

function decodeChannelList(value: unknown): { name: string; kind: ChannelKind }[] {
  if (!Array.isArray(value) || value.length > MAX_CHANNELS_LISTED) throw badFrame(`WELCOME.channels must be an array of at most ${MAX_CHANNELS_LISTED}`);
  return value.map((item) => {
    const m = asMap(item, 'WELCOME.channels[]');
    return { name: str(m, 'name', 'WELCOME.channels[]', MAX_NAME_BYTES, { nonEmpty: true }), kind: oneOf(m, 'kind', 'WELCOME.channels[]', CHANNEL_KINDS) };
  });
}

function decodeMapBody(r: FrameReader, frame: string): Fields {
  return asMap(unpack(r.restBorrow(), `${frame} body`), frame);
}

function snapshotEncoding(r: FrameReader, frame: string): SnapshotEncodingCode {
  const start = r.pos;
  const v = r.varuint(`${frame}.encoding`);
  if (v !== SnapshotEncoding.MSGPACK && v !== SnapshotEncoding.DEFLATE_RAW)
    throw badFrame(`${frame}.encoding ${v} is not a known snapshot encoding (offset ${start})`);
  return v;
}

/**
 * Decodes one frame. Validates every length and type; throws ProtocolError: TW_BAD_FRAME for
 * malformed input, TW_UNKNOWN_FRAME_TYPE (non-fatal) for a type this version does not know.
 * Borrowed views (SNAPSHOT_CHUNK bytes) point into `bytes`.
 */
export function decodeFrame(bytes: Uint8Array): Frame {
  const r = new FrameReader(bytes);
  const type = r.u8('frame type');
  switch (type) {
    case FrameType.HELLO: {
      const m = decodeMapBody(r, 'HELLO');
      return {
        type,
        protocol: version(m, 'HELLO'),
        client: str(m, 'client', 'HELLO', MAX_NAME_BYTES, { optional: true }),
        capabilities: m.capabilities === undefined ? [] : strList(m, 'capabilities', 'HELLO', MAX_CAPABILITIES, MAX_NAME_BYTES),
      };
    }
    case FrameType.WELCOME: {
      const m = decodeMapBody(r, 'WELCOME');
      return {
        type,
        protocol: version(m, 'WELCOME'),
        instance: str(m, 'instance', 'WELCOME', MAX_NAME_BYTES, { nonEmpty: true }),
        capabilities: strList(m, 'capabilities', 'WELCOME', MAX_CAPABILITIES, MAX_NAME_BYTES),
        limits: decodeLimits(m.limits),
        channels: decodeChannelList(m.channels),
      };
    }
    case FrameType.ERROR: {
      const m = decodeMapBody(r, 'ERROR');
      const f: ErrorFrame = {
        type,
        code: str(m, 'code', 'ERROR', MAX_NAME_BYTES, { nonEmpty: true }),
        message: str(m, 'message', 'ERROR', MAX_MESSAGE_BYTES),
        fatal: bool(m, 'fatal', 'ERROR'),
      };
      if (m.channel !== undefined) f.channel = uint(m, 'channel', 'ERROR');
      if (m.name !== undefined) f.name = str(m, 'name', 'ERROR', MAX_NAME_BYTES);
      return f;
    }
    case FrameType.SUBSCRIBE: {
      const m = decodeMapBody(r, 'SUBSCRIBE');
      const f: SubscribeFrame = { type, name: str(m, 'name', 'SUBSCRIBE', MAX_NAME_BYTES, { nonEmpty: true }) };
      if (m.from !== undefined && m.from !== null) f.from = decodePosition(m.from, 'SUBSCRIBE');
      return f;
    }
    case FrameType.UNSUBSCRIBE: {
      const channel = r.varuint('UNSUBSCRIBE.channel');
      expectEnd(r, 'UNSUBSCRIBE');
      return { type, channel };
    }
    case FrameType.SUBSCRIBED: {
      const m = decodeMapBody(r, 'SUBSCRIBED');
      const f: SubscribedFrame = {
        type,
        name: str(m, 'name', 'SUBSCRIBED', MAX_NAME_BYTES, { nonEmpty: true }),
        channel: uint(m, 'channel', 'SUBSCRIBED'),
        kind: oneOf(m, 'kind', 'SUBSCRIBED', CHANNEL_KINDS),
        epoch: uint(m, 'epoch', 'SUBSCRIBED'),
        offset: uint(m, 'offset', 'SUBSCRIBED'),
        resume: oneOf(m, 'resume', 'SUBSCRIBED', ['replay', 'snapshot', 'none'] as const),
      };
      if (m.reason !== undefined) f.reason = oneOf(m, 'reason', 'SUBSCRIBED', ['new', 'epoch', 'gap'] as const);
      return f;
    }
    case FrameType.UNSUBSCRIBED: {
      const channel = r.varuint('UNSUBSCRIBED.channel');
      const m = decodeMapBody(r, 'UNSUBSCRIBED');
      return { type, channel, reason: str(m, 'reason', 'UNSUBSCRIBED', MAX_MESSAGE_BYTES) };
    }
    case FrameType.SNAPSHOT: {
      const channel = r.varuint('SNAPSHOT.channel');
      const epoch = r.varuint('SNAPSHOT.epoch');
      const offset = r.varuint('SNAPSHOT.offset');
      const nodeCount = r.varuint('SNAPSHOT.nodeCount');
      const encoding = snapshotEncoding(r, 'SNAPSHOT');
      const body = r.restBorrow();
      if (body.length === 0) throw badFrame('SNAPSHOT carries no body');
      return { type, channel, epoch, offset, nodeCount, encoding, body };
    }
    case FrameType.SNAPSHOT_BEGIN: {
      const channel = r.varuint('SNAPSHOT_BEGIN.channel');
      const epoch = r.varuint('SNAPSHOT_BEGIN.epoch');
      const offset = r.varuint('SNAPSHOT_BEGIN.offset');
      const nodeCount = r.varuint('SNAPSHOT_BEGIN.nodeCount');
      const encoding = snapshotEncoding(r, 'SNAPSHOT_BEGIN');
      const totalBytes = r.varuint('SNAPSHOT_BEGIN.totalBytes');
      const chunkCount = r.varuint('SNAPSHOT_BEGIN.chunkCount');
      expectEnd(r, 'SNAPSHOT_BEGIN');
      // 1 ≤ chunkCount ≤ totalBytes: every chunk carries at least one byte (so totalBytes ≥ 1 too).
      if (chunkCount === 0 || chunkCount > totalBytes) {
        throw badFrame(`SNAPSHOT_BEGIN totals are inconsistent (totalBytes ${totalBytes}, chunkCount ${chunkCount})`);
      }
      return { type, channel, epoch, offset, nodeCount, encoding, totalBytes, chunkCount };
    }
    case FrameType.SNAPSHOT_CHUNK: {
      const channel = r.varuint('SNAPSHOT_CHUNK.channel');
      const index = r.varuint('SNAPSHOT_CHUNK.index');
      const chunk = r.restBorrow();
      if (chunk.length === 0) throw badFrame('SNAPSHOT_CHUNK carries no bytes');
      return { type, channel, index, bytes: chunk };
    }
    case FrameType.OPS: {
      const channel = r.varuint('OPS.channel');
      const epoch = r.varuint('OPS.epoch');
      const offset = r.varuint('OPS.offset');
      const ops = unpack(r.restBorrow(), 'OPS body');
      if (!Array.isArray(ops)) throw badFrame('OPS body must be an array of ops');
      return { type, channel, epoch, offset, ops };
    }
    case FrameType.EVENT: {
      const channel = r.varuint('EVENT.channel');
      const body = unpack(r.restBorrow(), 'EVENT body');
      if (!Array.isArray(body) || body.length !== 2 || typeof body[0] !== 'string') throw badFrame('EVENT body must be [key, value]');
      if (body[0].length > MAX_KEY_BYTES) throw badFrame(`EVENT key exceeds ${MAX_KEY_BYTES} bytes`);
      return { type, channel, key: body[0], value: body[1] };
    }
    default:
      throw new ProtocolError('TW_UNKNOWN_FRAME_TYPE', `unknown frame type 0x${type.toString(16).padStart(2, '0')}`);
  }
}

/** Turns a received ERROR frame back into a ProtocolError (unknown codes become TW_BAD_FRAME). */
export function errorFromFrame(f: ErrorFrame): ProtocolError {
  const code: ErrorCode = isErrorCode(f.code) ? f.code : 'TW_BAD_FRAME';
  const err = new ProtocolError(code, f.message, { channel: f.channel, channelName: f.name });
  return err;
}
