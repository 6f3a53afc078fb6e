// Chunked snapshots (docs/protocol.md §4.6): the server splits msgpack(node) into
// chunkBytes-sized SNAPSHOT_CHUNK frames behind a SNAPSHOT_BEGIN that announces the totals;
// the client reassembles them with SnapshotAssembler.
import { unpack } from './codec.ts';
import { badFrame } from './errors.ts';
import { encodeSnapshot, encodeSnapshotBegin, encodeSnapshotChunk } from './frames.ts';
import type { Position, SnapshotBeginFrame, SnapshotChunkFrame, SnapshotEncodingCode } from './frames.ts';

/**
 * Frames that carry `body` (encodeSnapshotBody(node), compressed as `encoding` says): one
 * SNAPSHOT, or BEGIN + chunks of exactly `chunkBytes` (the last one shorter).
 */
export function snapshotFrames(
  channel: number,
  pos: Position,
  nodeCount: number,
  encoding: SnapshotEncodingCode,
  body: Uint8Array,
  chunkBytes: number,
): Uint8Array[] {
  if (!(chunkBytes > 0)) throw new RangeError(`chunkBytes must be positive, got ${chunkBytes}`);
  if (body.length <= chunkBytes) return [encodeSnapshot(channel, pos, nodeCount, encoding, body)];
  const chunkCount = Math.ceil(body.length / chunkBytes);
  const frames = [encodeSnapshotBegin(channel, pos, nodeCount, encoding, body.length, chunkCount)];
  for (let i = 0; i < chunkCount; i++) {
    frames.push(encodeSnapshotChunk(channel, i, body.subarray(i * chunkBytes, Math.min(body.length, (i + 1) * chunkBytes))));
  }
  return frames;
}

/** Default cap on a reassembled snapshot: larger announcements are refused before allocating. */
export const DEFAULT_MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024;

/**
 * Reassembles one chunked snapshot. Chunks must arrive in index order and add up to exactly
 * `totalBytes`; anything else is TW_BAD_FRAME. Chunk bytes are copied (frames are borrowed).
 */
export class SnapshotAssembler {
  readonly channel: number;
  readonly position: Position;
  readonly nodeCount: number;
  readonly encoding: SnapshotEncodingCode;
  readonly totalBytes: number;
  readonly chunkCount: number;
  private readonly buffer: Uint8Array;
  private nextIndex = 0;
  private received = 0;

  constructor(begin: SnapshotBeginFrame, maxTotalBytes = DEFAULT_MAX_SNAPSHOT_BYTES) {
    if (begin.totalBytes > maxTotalBytes) {
      throw badFrame(`SNAPSHOT_BEGIN announces ${begin.totalBytes} bytes, above the ${maxTotalBytes}-byte limit`);
    }
    this.channel = begin.channel;
    this.position = { epoch: begin.epoch, offset: begin.offset };
    this.nodeCount = begin.nodeCount;
    this.encoding = begin.encoding;
    this.totalBytes = begin.totalBytes;
    this.chunkCount = begin.chunkCount;
    this.buffer = new Uint8Array(begin.totalBytes);
  }

  get receivedBytes(): number {
    return this.received;
  }

  /** Adds a chunk; returns the whole body once the last chunk is in, else undefined. */
  push(chunk: SnapshotChunkFrame): Uint8Array | undefined {
    if (chunk.channel !== this.channel) throw badFrame(`SNAPSHOT_CHUNK for channel ${chunk.channel} inside channel ${this.channel}'s snapshot`);
    if (chunk.index !== this.nextIndex) throw badFrame(`SNAPSHOT_CHUNK index ${chunk.index}, expected ${this.nextIndex}`);
    if (this.received + chunk.bytes.length > this.totalBytes) {
      throw badFrame(`SNAPSHOT_CHUNK ${chunk.index} runs past the announced ${this.totalBytes} bytes`);
    }
    this.buffer.set(chunk.bytes, this.received);
    this.received += chunk.bytes.length;
    this.nextIndex++;
    const done = this.nextIndex === this.chunkCount;
    if (done !== (this.received === this.totalBytes)) {
      throw badFrame(`snapshot chunks do not add up: ${this.received} of ${this.totalBytes} bytes after ${this.nextIndex} of ${this.chunkCount} chunks`);
    }
    return done ? this.buffer : undefined;
  }
}

/**
 * Decodes a snapshot body that is already inflated (encoding MSGPACK). The node is validated by
 * @tidewire/tree's parseSnapshot. Inflating DEFLATE_RAW bodies is the transport's job: browsers
 * use DecompressionStream, Node zlib; the isomorphic core takes no dependency on either.
 */
export function decodeSnapshotBody(body: Uint8Array): unknown {
  return unpack(body, 'snapshot body');
}
