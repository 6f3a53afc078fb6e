// Target tree-snapshot (docs/fuzzing.md §2.3): a nested snapshot body ({id, type, attrs,
// children}) → decodeSnapshotBody → parseSnapshot → a Tree. What parses is encoded again and must
// parse to the same snapshot, and the Tree must hand back that snapshot.
import * as fc from 'fast-check';
import { decodeSnapshotBody, encodeSnapshotBody, ProtocolError } from '@tidewire/protocol';
import { Prng } from '@tidewire/random';
import { parseSnapshot, Tree, TreeError } from '@tidewire/tree';
import { counterIds, randomSnapshot } from '@tidewire/tree/testing';
import { deepMsgpack } from '../hostile.ts';
import type { FuzzTarget } from '../target.ts';
import { plain, safePack, sameAfterRoundTrip } from './common.ts';
import { deepNode, nodeLike } from './tree-values.ts';

export const treeSnapshot: FuzzTarget = {
  name: 'tree-snapshot',
  what: 'parseSnapshot of @tidewire/tree (and new Tree) on a nested msgpack snapshot body',
  seeds: () => [3, 10, 40].map((n) => encodeSnapshotBody(randomSnapshot(new Prng(n), n, counterIds()))),
  generate: () =>
    fc.oneof({ weight: 8, arbitrary: nodeLike.map(safePack) }, { weight: 1, arbitrary: deepNode.map(safePack) }, { weight: 1, arbitrary: deepMsgpack }),
  decode(input) {
    const snapshot = parseSnapshot(decodeSnapshotBody(input));
    sameAfterRoundTrip('snapshot', snapshot, parseSnapshot(decodeSnapshotBody(plain(encodeSnapshotBody(snapshot)))));
    sameAfterRoundTrip('tree', snapshot, new Tree(snapshot).toSnapshot());
    return snapshot;
  },
  documented: (err) => TreeError.is(err) || ProtocolError.is(err, 'TW_BAD_FRAME'),
};
