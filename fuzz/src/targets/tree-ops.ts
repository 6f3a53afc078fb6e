// Target tree-ops (docs/fuzzing.md §2.2): the msgpack body of an OPS frame → unpack → parseOps
// (docs/tree.md §7). Parsed ops are packed again and must parse to the same ops.
import * as fc from 'fast-check';
import { pack, ProtocolError, unpack } from '@tidewire/protocol';
import { parseOps, TreeError } from '@tidewire/tree';
import { deepMsgpack } from '../hostile.ts';
import type { FuzzTarget } from '../target.ts';
import { plain, safePack, sameAfterRoundTrip } from './common.ts';
import { realOps } from './protocol-frame.ts';
import { opLike } from './tree-values.ts';

export const treeOps: FuzzTarget = {
  name: 'tree-ops',
  what: 'parseOps of @tidewire/tree on the msgpack body of an OPS frame',
  seeds: () => [1, 2, 3, 4, 5].map((seed) => pack(realOps(seed, seed * 4))),
  generate: () => fc.oneof({ weight: 8, arbitrary: fc.array(opLike, { maxLength: 6 }).map(safePack) }, { weight: 1, arbitrary: deepMsgpack }),
  decode(input) {
    const ops = parseOps(unpack(input, 'OPS body'));
    sameAfterRoundTrip('ops', ops, parseOps(unpack(plain(pack(ops)))));
    return ops;
  },
  documented: (err) => TreeError.is(err) || ProtocolError.is(err, 'TW_BAD_FRAME'),
};
