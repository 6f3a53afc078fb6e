import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Packr, Unpackr } from 'msgpackr';
import { Tree, TreeError, toColumns, COLUMNS_VERSION } from '../src/index.ts';
import type { AttrValue, NodeSnapshot, SnapshotColumns } from '../src/index.ts';
import { forSeeds } from '@tidewire/random';
import { counterIds, randomSnapshot } from '../src/testing.ts';

const packr = new Packr({ useRecords: true, moreTypes: false });
const unpackr = new Unpackr({ useRecords: true, moreTypes: false });
const pack = (values: AttrValue[]) => packr.pack(values);
const unpack = (bytes: Uint8Array) => unpackr.unpack(bytes);

/** Binary decodes as Buffer in Node (a Uint8Array subclass): compare contents, not classes. */
// (The replacer reads this[key]: JSON.stringify has already applied Buffer's toJSON to `value`.)
const plain = (x: unknown): unknown =>
  JSON.parse(
    JSON.stringify(x, function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key];
      return raw instanceof Uint8Array ? { bin: [...raw] } : value;
    }),
  );

const SMALL: NodeSnapshot = {
  id: 'r',
  type: 'project',
  attrs: { name: 'set', tempo: 120 },
  children: [
    { id: 'a', type: 'track', attrs: { name: 'Kick', mute: false }, children: [{ id: 'a/c', type: 'clip', attrs: { name: 'Intro', len: 4 }, children: [] }] },
    { id: 'b', type: 'track', attrs: { name: 'Bass', mute: true }, children: [] },
  ],
};

/** Columns of SMALL, with a change applied to a copy. */
function cols(change: (c: SnapshotColumns & Record<string, unknown>) => void = () => {}): unknown {
  const c = toColumns(new Tree(SMALL), pack) as SnapshotColumns & Record<string, unknown>;
  change(c);
  return c;
}

const u16 = (...xs: number[]) => new Uint8Array(new Uint16Array(xs).buffer);
const u32 = (...xs: number[]) => new Uint8Array(new Uint32Array(xs).buffer);

function rejects(value: unknown, code: string = 'TREE_BAD_SNAPSHOT'): void {
  assert.throws(
    () => Tree.fromColumns(value, unpack),
    (e: unknown) => e instanceof TreeError && e.code === code,
  );
}

describe('§9 columnar snapshots', () => {
  test('encodes SMALL in preorder with little-endian integer columns', () => {
    const c = toColumns(new Tree(SMALL), pack);
    assert.equal(c.v, COLUMNS_VERSION);
    assert.equal(c.ids, 'raa/cb');
    assert.deepEqual([...c.idLengths], [1, 0, 1, 0, 3, 0, 1, 0]); // u16 LE: 1, 1, 3, 1
    assert.deepEqual(c.types, ['project', 'track', 'clip']);
    assert.deepEqual([...c.typeOf], [0, 0, 1, 0, 2, 0, 1, 0]);
    assert.deepEqual([...c.childCounts], [2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(c.shapes, [
      ['name', 'tempo'],
      ['name', 'mute'],
      ['name', 'len'],
    ]);
  });

  test('round-trips random trees: same snapshot, same root hash', () => {
    forSeeds(40, (rng) => {
      const seed = rng.seed;
      const tree = new Tree(randomSnapshot(rng, 1 + rng.int(400), counterIds('n'), 6));
      const decoded = Tree.fromColumns(unpackr.unpack(packr.pack(toColumns(tree, pack))), unpack);
      assert.equal(decoded.size, tree.size, `seed ${seed}`);
      assert.equal(decoded.rootHash, tree.rootHash, `seed ${seed}`);
      assert.deepEqual(plain(decoded.toSnapshot()), plain(tree.toSnapshot()), `seed ${seed}`);
    });
  });

  test('decodes attribute values only when a node attrs are first read', () => {
    let calls = 0;
    const counting = (b: Uint8Array) => {
      calls++;
      return unpack(b);
    };
    const tree = Tree.fromColumns(cols(), counting);
    assert.equal(calls, 0);
    assert.equal(tree.get('a/c')!.attrs.name, 'Intro');
    assert.equal(calls, 1);
    assert.equal(tree.get('a/c')!.attrs.len, 4);
    assert.equal(calls, 1, 'materialised once');
    // Ops work on lazy nodes: a set merges into the materialised attrs.
    tree.apply([0, 'b', { mute: false, solo: true }]);
    assert.deepEqual(tree.get('b')!.attrs, { name: 'Bass', mute: false, solo: true });
  });

  test('rejects malformed structure with TREE_BAD_SNAPSHOT', () => {
    rejects('columns');
    rejects(cols((c) => (c.v = 2)));
    rejects(cols((c) => ((c as Record<string, unknown>).ids = 5)));
    rejects(cols((c) => ((c as Record<string, unknown>).idLengths = [1, 1, 3, 1])));
    rejects(
      cols((c) => (c.idLengths = u16(1, 1, 3))),
      'TREE_BAD_SNAPSHOT',
    ); // typeOf etc. no longer match
    rejects(cols((c) => (c.idLengths = u16(1, 0, 4, 1)))); // an empty id
    rejects(cols((c) => (c.idLengths = u16(1, 1, 3, 2)))); // runs past the ids column
    rejects(cols((c) => (c.ids += 'x'))); // bytes after the last id
    rejects(cols((c) => (c.typeOf = u16(0, 1, 3, 1)))); // type index out of range
    rejects(cols((c) => (c.types = ['project', '', 'clip'])));
    rejects(
      cols(
        (c) =>
          (c.shapes = [
            ['name', 'name'],
            ['name', 'mute'],
            ['name', 'len'],
          ]),
      ),
    );
    rejects(
      cols(
        (c) =>
          (c.shapes = [
            ['__proto__', 'tempo'],
            ['name', 'mute'],
            ['name', 'len'],
          ]),
      ),
    );
    rejects(
      cols(
        (c) =>
          ((c as Record<string, unknown>).shapes = [
            [1, 'tempo'],
            ['name', 'mute'],
            ['name', 'len'],
          ]),
      ),
    );
    rejects(cols((c) => (c.shapeOf = u16(0, 1, 2, 3))));
    rejects(cols((c) => (c.valueEnds = u32(5, 4, 100, 200)))); // out of order
    rejects(cols((c) => (c.valueEnds = u32(1, 2, 3, c.values.length + 1)))); // past the values column
    rejects(cols((c) => (c.values = new Uint8Array([...c.values, 0])))); // trailing value bytes
    rejects(cols((c) => (c.childCounts = u32(2, 1, 0, 1)))); // the last node is owed a child
    rejects(cols((c) => (c.childCounts = u32(1, 1, 0, 0)))); // a node after the tree is complete
  });

  test('rejects duplicate ids and too-deep trees with their codes', () => {
    rejects(
      cols((c) => ((c.ids = 'raa/ca'), (c.idLengths = u16(1, 1, 3, 1)))),
      'TREE_DUPLICATE_ID',
    );
    let deep: NodeSnapshot = { id: 'x299', type: 't', attrs: {}, children: [] };
    for (let i = 298; i >= 0; i--) deep = { id: `x${i}`, type: 't', attrs: {}, children: [deep] };
    // toColumns only reads, so it can encode a tree deeper than a Tree may hold.
    const tooDeep = toColumns({ root: deep, size: 300 }, pack);
    rejects(tooDeep, 'TREE_TOO_DEEP');
  });

  test('rejects bad attribute values when they are read', () => {
    const badValues = (values: unknown) =>
      cols((c) => {
        const v = packr.pack(values);
        // Replace node 3 ('b', the last) values with `values`.
        const ends = new DataView(c.valueEnds.buffer, c.valueEnds.byteOffset, c.valueEnds.byteLength);
        const start = ends.getUint32(8, true);
        c.values = new Uint8Array([...c.values.subarray(0, start), ...v]);
        c.valueEnds = u32(ends.getUint32(0, true), ends.getUint32(4, true), start, start + v.length);
      });
    for (const values of [['Bass'], ['Bass', null], 'Bass', ['Bass', new Date(0)]]) {
      const tree = Tree.fromColumns(badValues(values), unpack);
      assert.equal(tree.get('a')!.attrs.name, 'Kick', 'other nodes are unaffected');
      assert.throws(() => tree.get('b')!.attrs, { code: 'TREE_BAD_SNAPSHOT' }, JSON.stringify(values));
    }
    const undecodable = Tree.fromColumns(
      cols((c) => (c.values = c.values.map((b, i) => (i >= c.values.length - 3 ? 0xc1 : b)))),
      unpack,
    );
    assert.throws(() => undecodable.toSnapshot(), { code: 'TREE_BAD_SNAPSHOT' });
  });

  test('fuzz: flipped bytes in any column give TreeError or a valid tree, never another exception', () => {
    forSeeds(300, (rng) => {
      const seed = rng.seed;
      const c = toColumns(new Tree(randomSnapshot(rng, 1 + rng.int(60), counterIds('f'), 4)), pack) as unknown as Record<string, Uint8Array | string>;
      const keys = ['idLengths', 'typeOf', 'childCounts', 'shapeOf', 'valueEnds', 'values'];
      const key = keys[rng.int(keys.length)]!;
      const col = new Uint8Array(c[key] as Uint8Array);
      if (col.length > 0) col[rng.int(col.length)] ^= 1 << rng.int(8);
      c[key] = col;
      try {
        Tree.fromColumns(c, unpack).toSnapshot();
      } catch (err) {
        if (!(err instanceof TreeError)) assert.fail(`seed ${seed}: ${(err as Error).stack}`);
      }
    });
  });
});
