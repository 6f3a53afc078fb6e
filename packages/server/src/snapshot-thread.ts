// The snapshot thread (docs/server.md §4.2): a copy of every tree channel, kept current by the
// OPS frames the channel publishes, encoded to a columnar snapshot here instead of on the event
// loop. Encoding the demo's 17,000 nodes takes 40–80 ms; on the event loop every new subscriber
// under a change storm stalled every other client that long.
import { parentPort } from 'node:worker_threads';
import { deflateRawSync } from 'node:zlib';
import { decodeFrame, encodeSnapshotBody, FrameType, pack, SnapshotEncoding } from '@tidewire/protocol';
import type { SnapshotEncodingCode } from '@tidewire/protocol';
import { parseOps, toColumns, Tree } from '@tidewire/tree';
import type { FromSnapshotThread, ToSnapshotThread } from './snapshot-thread-messages.ts';

const port = parentPort;
if (port === null) throw new Error('snapshot-thread.ts runs as a worker thread');

/** Each channel's copy; a channel whose copy failed is absent until its next start. */
const trees = new Map<number, Tree>();

function post(m: FromSnapshotThread, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(m, transfer);
}

function channelFailed(channel: number, err: unknown): void {
  trees.delete(channel);
  post({ kind: 'channelFailed', channel, message: err instanceof Error ? err.message : String(err) });
}

/** A copy that owns its whole ArrayBuffer, so it can be transferred. */
function own(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

function applyFrame(channel: number, frame: Uint8Array): void {
  const tree = trees.get(channel);
  if (tree === undefined) return; // failed earlier: ignored until the next start
  try {
    const f = decodeFrame(frame);
    if (f.type !== FrameType.OPS) throw new Error(`expected an OPS frame, got type 0x${f.type.toString(16)}`);
    tree.applyBatch(parseOps(f.ops));
  } catch (err) {
    channelFailed(channel, err);
  }
}

function encode(m: Extract<ToSnapshotThread, { kind: 'encode' }>): void {
  const tree = trees.get(m.channel);
  if (tree === undefined) {
    post({ kind: 'failed', request: m.request, message: `channel ${m.channel} has no copy in the snapshot thread` });
    return;
  }
  const msgpack = own(encodeSnapshotBody(toColumns(tree, pack)));
  let encoding: SnapshotEncodingCode = SnapshotEncoding.MSGPACK;
  let body = msgpack;
  if (msgpack.length >= m.compression.minBytes) {
    const z = deflateRawSync(msgpack, { level: m.compression.level });
    // Incompressible bodies (already-compressed binary attrs) go as they are.
    if (z.length < msgpack.length) {
      encoding = SnapshotEncoding.DEFLATE_RAW;
      body = own(z);
    }
  }
  const transfer = body === msgpack ? [msgpack.buffer as ArrayBuffer] : [msgpack.buffer as ArrayBuffer, body.buffer as ArrayBuffer];
  post({ kind: 'encoded', request: m.request, nodeCount: tree.size, rootHash: tree.rootHash, msgpack, encoding, body }, transfer);
}

port.on('message', (m: ToSnapshotThread) => {
  switch (m.kind) {
    case 'start':
      try {
        trees.set(m.channel, new Tree(m.root));
      } catch (err) {
        channelFailed(m.channel, err);
      }
      return;
    case 'ops':
      applyFrame(m.channel, m.frame);
      return;
    case 'encode':
      encode(m);
      return;
    case 'drop':
      trees.delete(m.channel);
      return;
  }
});
