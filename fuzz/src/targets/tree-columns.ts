// Target tree-columns (docs/fuzzing.md §2.4): a columnar snapshot body (docs/tree.md §9), as the
// client gets it → decodeSnapshotBody → Tree.fromColumns, then every node's attributes are
// materialised (they decode lazily). What builds is turned into columns again and must build
// the same tree.
import * as fc from 'fast-check';
import { decodeSnapshotBody, encodeSnapshotBody, pack, ProtocolError, unpack } from '@tidewire/protocol';
import { Prng } from '@tidewire/random';
import { toColumns, Tree, TreeError } from '@tidewire/tree';
import { counterIds, randomSnapshot } from '@tidewire/tree/testing';
import { hostileString, hostileValue } from '../hostile.ts';
import type { FuzzTarget } from '../target.ts';
import { plain, safePack, sameAfterRoundTrip } from './common.ts';

function columnsOf(seed: number, nodes: number): Uint8Array {
  return encodeSnapshotBody(toColumns(new Tree(randomSnapshot(new Prng(seed), nodes, counterIds())), pack));
}

/** Little-endian integers of `width` bytes: a column. */
function le(values: readonly number[], width: 2 | 4): Uint8Array {
  const out = new DataView(new ArrayBuffer(values.length * width));
  values.forEach((v, i) => (width === 2 ? out.setUint16(i * 2, v & 0xffff, true) : out.setUint32(i * 4, v >>> 0, true)));
  return new Uint8Array(out.buffer);
}

const small = fc.oneof({ weight: 6, arbitrary: fc.nat({ max: 4 }) }, { weight: 1, arbitrary: fc.constantFrom(0xffff, 0xffffffff, 0x7fffffff) });

/** Valid-looking columns for n nodes with hostile entries, lengths sometimes off by one. */
const columnsLike = fc.integer({ min: 1, max: 6 }).chain((n) => {
  const col = (width: 2 | 4) => fc.array(small, { minLength: Math.max(0, n - 1), maxLength: n + 1 }).map((v) => le(v, width));
  return fc.record(
    {
      v: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: hostileValue }),
      ids: fc.oneof(fc.constant('abcdefgh'.slice(0, n)), hostileString),
      idLengths: fc.oneof({ weight: 3, arbitrary: fc.constant(le(Array<number>(n).fill(1), 2)) }, { weight: 1, arbitrary: col(2) }),
      types: fc.array(fc.oneof(fc.constant('t'), hostileString), { maxLength: 3 }),
      typeOf: col(2),
      childCounts: col(4),
      shapes: fc.array(fc.array(fc.oneof(fc.constantFrom('a', 'b'), hostileString), { maxLength: 3 }), { maxLength: 3 }),
      shapeOf: col(2),
      valueEnds: col(4),
      values: fc.oneof(fc.uint8Array({ maxLength: 16 }), fc.array(hostileValue, { maxLength: 3 }).map(safePack)),
    },
    { requiredKeys: [] },
  );
});

export const treeColumns: FuzzTarget = {
  name: 'tree-columns',
  what: 'Tree.fromColumns of @tidewire/tree on a columnar msgpack snapshot body, every attribute read',
  seeds: () => [columnsOf(1, 1), columnsOf(2, 8), columnsOf(3, 30)],
  generate: () => fc.oneof({ weight: 6, arbitrary: columnsLike.map(safePack) }, { weight: 1, arbitrary: hostileValue.map(safePack) }),
  decode(input) {
    const snapshot = Tree.fromColumns(decodeSnapshotBody(input), unpack).toSnapshot();
    const again = Tree.fromColumns(decodeSnapshotBody(plain(encodeSnapshotBody(toColumns(new Tree(snapshot), pack)))), unpack).toSnapshot();
    sameAfterRoundTrip('columns', snapshot, again);
    return snapshot;
  },
  documented: (err) => TreeError.is(err) || ProtocolError.is(err, 'TW_BAD_FRAME'),
};
