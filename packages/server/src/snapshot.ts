// Encoded snapshots (docs/protocol.md §4.6): msgpack(node) once per (channel, position), then
// deflate-raw for bodies above a threshold. Large trees are encoded on the snapshot thread
// (off-thread-snapshots.ts, docs/server.md §4.2); on the event loop, large bodies are compressed
// on libuv's thread pool so a 5 MB snapshot does not stall every other connection for ~100 ms.
// Connections that need the frames meanwhile hold that channel's queue (OPS pile up behind it)
// until the entry settles.
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

type SettledCallback = (entry: SnapshotEntry) => void;

/** Where an entry's encoding stands. A failed one is never sent: its waiters start over. */
export type SnapshotStatus = 'encoding' | 'ready' | 'failed';

export class SnapshotEntry {
  readonly channel: number;
  readonly epoch: number;
  readonly offset: number;
  readonly nodeCount: number;
  readonly rootHash: string;
  status: SnapshotStatus = 'encoding';
  /** msgpack(node): the HTTP body; set when ready. */
  msgpack: Uint8Array | undefined = undefined;
  /** How `frames` carry the body; final once `frames` is set. */
  encoding: SnapshotEncodingCode = SnapshotEncoding.MSGPACK;
  /** Bytes of the body on the wire (what the chunks split). */
  wireBytes = 0;
  /** One SNAPSHOT frame or SNAPSHOT_BEGIN + chunks; set when ready. */
  frames: readonly Uint8Array[] | undefined = undefined;
  private waiters: SettledCallback[] = [];

  constructor(channel: number, pos: Position, nodeCount: number, rootHash: string) {
    this.channel = channel;
    this.epoch = pos.epoch;
    this.offset = pos.offset;
    this.nodeCount = nodeCount;
    this.rootHash = rootHash;
  }

  /** Calls `cb` once the entry is ready or failed (at once if it already is); check `status`. */
  whenSettled(cb: SettledCallback): void {
    if (this.status !== 'encoding') cb(this);
    else this.waiters.push(cb);
  }

  /** The same as a promise. */
  settled(): Promise<SnapshotEntry> {
    return new Promise((resolve) => this.whenSettled(resolve));
  }

  finish(encoding: SnapshotEncodingCode, body: Uint8Array, chunkBytes: number, msgpack: Uint8Array): void {
    if (this.status !== 'encoding') return;
    this.encoding = encoding;
    this.wireBytes = body.length;
    this.msgpack = msgpack;
    this.frames = snapshotFrames(this.channel, { epoch: this.epoch, offset: this.offset }, this.nodeCount, encoding, body, chunkBytes);
    this.settle('ready');
  }

  /** The encoding cannot be had (the snapshot thread failed): waiters are told, nothing is sent. */
  fail(): void {
    if (this.status === 'encoding') this.settle('failed');
  }

  private settle(status: SnapshotStatus): void {
    this.status = status;
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
  const entry = new SnapshotEntry(channel, pos, tree.size, tree.rootHash);
  if (msgpack.length < opts.compressMinBytes) {
    entry.finish(SnapshotEncoding.MSGPACK, msgpack, opts.chunkBytes, msgpack);
  } else if (msgpack.length < opts.asyncMinBytes) {
    finishCompressed(entry, msgpack, deflateRawSync(msgpack, { level: opts.level }), opts.chunkBytes);
  } else {
    deflateRaw(msgpack, { level: opts.level }, (err, z) => {
      // Compression is an optimisation: on failure send the body as it is.
      if (err) entry.finish(SnapshotEncoding.MSGPACK, msgpack, opts.chunkBytes, msgpack);
      else finishCompressed(entry, msgpack, z, opts.chunkBytes);
    });
  }
  onEncoded((performance.now() - t0) / 1000);
  return entry;
}

function finishCompressed(entry: SnapshotEntry, msgpack: Uint8Array, z: Buffer, chunkBytes: number): void {
  // Incompressible bodies (already-compressed binary attrs) go as they are.
  if (z.length < msgpack.length) entry.finish(SnapshotEncoding.DEFLATE_RAW, asUint8(z), chunkBytes, msgpack);
  else entry.finish(SnapshotEncoding.MSGPACK, msgpack, chunkBytes, msgpack);
}
