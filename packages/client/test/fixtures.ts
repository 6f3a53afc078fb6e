// Server-side history for client tests: a Tree plus the OPS frames that change it, with
// helpers that encode the frames a server would send for it.
import { SnapshotEncoding, encodeOps, encodeSnapshotBody, encodeSubscribed, pack, snapshotFrames } from '@tidewire/protocol';
import type { Position, ResyncReason, SnapshotEncodingCode } from '@tidewire/protocol';
import { Tree, toColumns } from '@tidewire/tree';
import type { NodeSnapshot, Op } from '@tidewire/tree';
import { deflateRawSync } from 'node:zlib';

export function sampleTree(children = 3): NodeSnapshot {
  return {
    id: 'root',
    type: 'project',
    attrs: { title: 'demo' },
    children: Array.from({ length: children }, (_, i) => ({ id: `n${i}`, type: 'track', attrs: { index: i }, children: [] })),
  };
}

/** A tree of `count` nodes: tracks of clips, with a few attributes each (≈ 230 bytes/node). */
export function bigTree(count: number): NodeSnapshot {
  const root: NodeSnapshot = { id: 'root', type: 'project', attrs: { title: 'big' }, children: [] };
  let made = 1;
  for (let t = 0; made < count; t++) {
    const track: NodeSnapshot = { id: `t${t}`, type: 'track', attrs: { name: `Track ${t}`, gain: 0.8, color: '#336699' }, children: [] };
    root.children.push(track);
    made++;
    for (let c = 0; c < 200 && made < count; c++, made++) {
      track.children.push({
        id: `t${t}c${c}`,
        type: 'clip',
        attrs: { name: `Clip ${c} of track ${t} with a longer label`, start: c * 1.5, length: 1.25, muted: c % 7 === 0, notes: [c, c + 4, c + 7] },
        children: [],
      });
    }
  }
  return root;
}

export class History {
  readonly tree: Tree;
  epoch: number;
  offset = 0;
  /** batches[i] took the tree from offset i to i + 1. */
  readonly batches: Op[][] = [];

  constructor(snapshot: NodeSnapshot, epoch = 7) {
    this.tree = new Tree(snapshot);
    this.epoch = epoch;
  }

  get position(): Position {
    return { epoch: this.epoch, offset: this.offset };
  }

  /** Applies a batch and returns its OPS frame for `channel`. */
  commit(channel: number, ops: Op[]): Uint8Array {
    this.tree.applyBatch(ops);
    this.batches.push(ops);
    this.offset++;
    return encodeOps(channel, this.position, ops);
  }

  /** The OPS frame that brought the tree to `offset`. */
  opsFrame(channel: number, offset: number): Uint8Array {
    return encodeOps(channel, { epoch: this.epoch, offset }, this.batches[offset - 1]!);
  }

  subscribed(name: string, channel: number, resume: 'replay' | 'snapshot', reason?: ResyncReason): Uint8Array {
    return encodeSubscribed({ name, channel, kind: 'tree', epoch: this.epoch, offset: this.offset, resume, ...(reason ? { reason } : {}) });
  }

  snapshotFrames(channel: number, chunkBytes = 64 * 1024, encoding: SnapshotEncodingCode = SnapshotEncoding.MSGPACK): Uint8Array[] {
    const raw = encodeSnapshotBody(toColumns(this.tree, pack));
    const body = encoding === SnapshotEncoding.DEFLATE_RAW ? new Uint8Array(deflateRawSync(raw)) : raw;
    return snapshotFrames(channel, this.position, this.tree.size, encoding, body, chunkBytes);
  }
}

export function byteHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  return new Uint8Array(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}
