// Encoded snapshots (docs/protocol.md §4.6): msgpack(node) once per (channel, position), then
// deflate-raw for bodies above a threshold. Large bodies are compressed on libuv's thread pool
// so a 5 MB snapshot does not stall every other connection for ~100 ms; connections that need
// the frames meanwhile hold that channel's queue (OPS pile up behind it) until they are ready.
import { deflateRaw, deflateRawSync } from 'node:zlib';
import { encodeSnapshotBody, pack, SnapshotEncoding, snapshotFrames } from '@tidewire/protocol';
import { toColumns } from '@tidewire/tree';
import type { Position, SnapshotEncodingCode } from '@tidewire/protocol';
import type { Tree } from '@tidewire/tree';
import { asUint8 } from './bytes.ts';

export interface SnapshotEncodingOptions {
  chunkBytes: number;
  /** Bodies at least this large are deflate-raw compressed. */
  compressMinBytes: number;
  /** Bodies at least this large are compressed off the event loop. */
  asyncMinBytes: number;
  level: number;
}

type ReadyCallback = (entry: SnapshotEntry) => void;

export class SnapshotEntry {
  readonly channel: number;
  readonly epoch: number;
  readonly offset: number;
  readonly nodeCount: number;
  readonly rootHash: string;
  /** msgpack(node): the HTTP body. */
  readonly msgpack: Uint8Array;
  /** How `frames` carry the body; final once `frames` is set. */
  encoding: SnapshotEncodingCode = SnapshotEncoding.MSGPACK;
  /** Bytes of the body on the wire (what the chunks split). */
  wireBytes = 0;
  /** One SNAPSHOT frame or SNAPSHOT_BEGIN + chunks; undefined while compression runs. */
  frames: readonly Uint8Array[] | undefined = undefined;
  private waiters: ReadyCallback[] = [];

  constructor(channel: number, pos: Position, nodeCount: number, rootHash: string, msgpack: Uint8Array) {
    this.channel = channel;
    this.epoch = pos.epoch;
    this.offset = pos.offset;
    this.nodeCount = nodeCount;
    this.rootHash = rootHash;
    this.msgpack = msgpack;
  }

  /** Calls `cb` once the frames exist (at once if they already do). */
  whenReady(cb: ReadyCallback): void {
    if (this.frames !== undefined) cb(this);
    else this.waiters.push(cb);
  }

  finish(encoding: SnapshotEncodingCode, body: Uint8Array, chunkBytes: number): void {
    this.encoding = encoding;
    this.wireBytes = body.length;
    this.frames = snapshotFrames(this.channel, { epoch: this.epoch, offset: this.offset }, this.nodeCount, encoding, body, chunkBytes);
    const waiters = this.waiters;
    this.waiters = [];
    for (const cb of waiters) cb(this);
  }
}

/** Encodes `tree` at `pos`. `onEncoded` reports the synchronous encode time (seconds). */
export function encodeSnapshot(channel: number, pos: Position, tree: Tree, opts: SnapshotEncodingOptions, onEncoded: (seconds: number) => void): SnapshotEntry {
  const t0 = performance.now();
  // Columnar (docs/tree.md §9): clients build a usable tree from it in one pass.
  const msgpack = encodeSnapshotBody(toColumns(tree, pack));
  const entry = new SnapshotEntry(channel, pos, tree.size, tree.rootHash, msgpack);
  if (msgpack.length < opts.compressMinBytes) {
    entry.finish(SnapshotEncoding.MSGPACK, msgpack, opts.chunkBytes);
  } else if (msgpack.length < opts.asyncMinBytes) {
    finishCompressed(entry, msgpack, deflateRawSync(msgpack, { level: opts.level }), opts.chunkBytes);
  } else {
    deflateRaw(msgpack, { level: opts.level }, (err, z) => {
      // Compression is an optimisation: on failure send the body as it is.
      if (err) entry.finish(SnapshotEncoding.MSGPACK, msgpack, opts.chunkBytes);
      else finishCompressed(entry, msgpack, z, opts.chunkBytes);
    });
  }
  onEncoded((performance.now() - t0) / 1000);
  return entry;
}

function finishCompressed(entry: SnapshotEntry, msgpack: Uint8Array, z: Buffer, chunkBytes: number): void {
  // Incompressible bodies (already-compressed binary attrs) go as they are.
  if (z.length < msgpack.length) entry.finish(SnapshotEncoding.DEFLATE_RAW, asUint8(z), chunkBytes);
  else entry.finish(SnapshotEncoding.MSGPACK, msgpack, chunkBytes);
}
