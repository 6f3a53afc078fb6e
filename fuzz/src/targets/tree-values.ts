// Arbitraries for tree-shaped input (docs/tree.md §3, §7) with hostile parts: ids and types that
// are empty, too long or not strings, attribute maps with odd keys and values, nodes missing
// fields, and subtrees deeper than MAX_TREE_DEPTH.
import * as fc from 'fast-check';
import { hostileNumber, hostileString, hostileValue, nest } from '../hostile.ts';

export const idLike: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('root', 'n1', 'n2', 'track', 'clip') },
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileValue },
);

export const attrsLike: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('name', 'gain', '', '__proto__'), hostileString), hostileValue, { maxKeys: 5 }) },
  { weight: 1, arbitrary: hostileValue },
);

interface NodeLike {
  id?: unknown;
  type?: unknown;
  attrs?: unknown;
  children?: unknown;
}

export const nodeLike: fc.Arbitrary<unknown> = fc.letrec<{ node: NodeLike; children: unknown }>((tie) => ({
  node: fc.record(
    { id: idLike, type: idLike, attrs: attrsLike, children: tie('children') },
    // Mostly complete nodes, sometimes with a field missing.
    { requiredKeys: [] },
  ),
  children: fc.oneof({ depthSize: 'small', maxDepth: 4 }, fc.constant([]), fc.array(tie('node'), { maxLength: 3 }), hostileValue),
})).node;

/** A chain of `depth` nodes, each the only child of the one before (deeper than any limit). */
export const deepNode: fc.Arbitrary<unknown> = fc.integer({ min: 200, max: 400 }).map((depth) => {
  let node: unknown = { id: `d${depth}`, type: 't', attrs: {}, children: [] };
  for (let i = depth - 1; i >= 0; i--) node = { id: `d${i}`, type: 't', attrs: {}, children: [node] };
  return node;
});

export const indexLike: fc.Arbitrary<unknown> = fc.oneof(fc.nat({ max: 5 }), hostileNumber, hostileValue);

/** Raw op arrays: the four kinds with hostile fields, and arrays of the wrong shape. */
export const opLike: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(fc.constant(0), idLike, fc.oneof(attrsLike, fc.dictionary(hostileString, fc.constant(null), { maxKeys: 3 }))),
  fc.tuple(fc.constant(1), idLike, indexLike, fc.oneof({ weight: 4, arbitrary: nodeLike }, { weight: 1, arbitrary: deepNode })),
  fc.tuple(fc.constant(2), idLike),
  fc.tuple(fc.constant(3), idLike, idLike, indexLike),
  fc.array(hostileValue, { maxLength: 5 }),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat({ max: 300 })).map(([kind, depth]) => nest(kind, depth, false)),
);
