// §5 Node ids are stable across re-saves: editing a set changes only the nodes the edit
// touches, so a diff of the two trees is exactly the edit (checked with @tidewire/tree's diff).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tree, diff } from '@tidewire/tree';
import type { Op } from '@tidewire/tree';
import type { AlsNode } from '../src/index.ts';
import { assertTreeInvariants, fixtureXml, gzipText, parseBytes } from './helpers.ts';

/** Ids added, removed, or whose attrs or child order differ (the id-level view of a diff). */
function idDiff(a: AlsNode, b: AlsNode): { added: string[]; removed: string[]; changed: string[] } {
  const ma = assertTreeInvariants(a);
  const mb = assertTreeInvariants(b);
  const added = [...mb.keys()].filter((id) => !ma.has(id)).sort();
  const removed = [...ma.keys()].filter((id) => !mb.has(id)).sort();
  const changed: string[] = [];
  for (const [id, na] of ma) {
    const nb = mb.get(id);
    if (!nb) continue;
    const kidsA = na.children.map((c) => c.id).filter((c) => mb.has(c));
    const kidsB = nb.children.map((c) => c.id).filter((c) => ma.has(c));
    try {
      assert.deepEqual(na.attrs, nb.attrs);
      assert.deepEqual(kidsA, kidsB);
    } catch {
      changed.push(id);
    }
  }
  return { added, removed, changed: changed.sort() };
}

function descendants(n: AlsNode): string[] {
  return [n.id, ...n.children.flatMap(descendants)];
}

function find(tree: AlsNode, id: string): AlsNode {
  const stack = [tree];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.id === id) return n;
    stack.push(...n.children);
  }
  throw new Error(`no node ${id}`);
}

/** The text of the element that starts at `open` (an index of its `<Name ...>`; not self-nesting). */
function elementAt(xml: string, open: number): string {
  const name = /^<([A-Za-z0-9_.]+)/.exec(xml.slice(open, open + 200))![1];
  const end = xml.indexOf(`</${name}>`, open);
  return xml.slice(open, end + name.length + 3);
}

function trackRange(xml: string, element: string, id: string): [number, number] {
  const start = xml.indexOf(`<${element} Id="${id}">`);
  assert.ok(start >= 0, `no ${element} ${id}`);
  return [start, xml.indexOf(`</${element}>`, start)];
}

function sortOps(ops: Op[]): string[] {
  return ops.map((o) => JSON.stringify(o)).sort();
}

async function parseXml(xml: string, name: string): Promise<AlsNode> {
  return (await parseBytes(gzipText(xml), name)).tree;
}

describe('§5 id stability', () => {
  it('the same set saved twice gives the same tree', async () => {
    const xml = fixtureXml('foo');
    const a = await parseXml(xml, 'a.als');
    // A re-save changes indentation and line endings, not content.
    const b = await parseXml(xml.replace(/\n\t*/g, '\r\n  '), 'b.als');
    assert.deepEqual(a, b);
  });

  it('Michelle: rename a track, add a session clip, delete a device -> exactly those ops', async () => {
    const xml = fixtureXml('michelle');
    let edited = xml;

    // 1. Rename track 21 ("Kick").
    const [k0, k1] = trackRange(edited, 'AudioTrack', '21');
    const kick = edited
      .slice(k0, k1)
      .replace('<EffectiveName Value="Kick" />', '<EffectiveName Value="Kick 2" />')
      .replace('<UserName Value="Kick" />', '<UserName Value="Kick 2" />');
    edited = edited.slice(0, k0) + kick + edited.slice(k1);

    // 2. Copy track 16's clip in slot 0 into its first empty slot.
    const [d0, d1] = trackRange(edited, 'MidiTrack', '16');
    let drums = edited.slice(d0, d1);
    const slots = drums.indexOf('<ClipSlotList>');
    const clip = elementAt(drums, drums.indexOf('<MidiClip ', slots));
    const empty = /<ClipSlot>\s*<Value \/>\s*<\/ClipSlot>/.exec(drums.slice(slots))!;
    const at = slots + empty.index;
    drums = `${drums.slice(0, at)}<ClipSlot><Value>${clip}</Value></ClipSlot>${drums.slice(at + empty[0].length)}`;
    edited = edited.slice(0, d0) + drums + edited.slice(d1);

    // 3. Delete the third device of track 24 (MidiRandom, Live Id 9).
    const [m0, m1] = trackRange(edited, 'MidiTrack', '24');
    const diva = edited.slice(m0, m1);
    const random = elementAt(diva, diva.indexOf('<MidiRandom Id="9">'));
    edited = edited.slice(0, m0) + diva.replace(random, '') + edited.slice(m1);

    const a = await parseXml(xml, 'before.als');
    const b = await parseXml(edited, 'after.als');
    const deleted = find(a, 't:24/d:9');
    assert.equal(deleted.attrs.class, 'MidiRandom');
    assert.equal(find(a, 't:16/slots').children[1].children.length, 0, 'slot 1 was empty');

    assert.deepEqual(idDiff(a, b), {
      added: ['t:16/s:1/clip'],
      removed: descendants(deleted).sort(),
      changed: ['t:21'],
    });
    const newClip = find(b, 't:16/s:1/clip');
    assert.deepEqual(newClip.attrs, find(a, 't:16/s:0/clip').attrs);

    const ops = diff(new Tree(a), new Tree(b));
    assert.deepEqual(
      sortOps(ops),
      sortOps([
        [0, 't:21', { name: 'Kick 2' }],
        [1, 't:16/s:1', 0, newClip],
        [2, 't:24/d:9'],
      ]),
    );
  });

  it('live10: appending an arrangement clip inserts one node and moves nothing', async () => {
    const xml = fixtureXml('live10');
    const events = xml.indexOf('</Events>', xml.lastIndexOf('<AudioClip Id="3"'));
    const last = elementAt(xml, xml.lastIndexOf('<AudioClip Id="3"'));
    const copy = last.replace(/^<AudioClip Id="3" Time="[^"]*">/, '<AudioClip Id="4" Time="9000">').replace(/<Name Value="[^"]*" \/>/, '<Name Value="Copy" />');
    const edited = xml.slice(0, events) + copy + xml.slice(events);
    const a = await parseXml(xml, 'before.als');
    const b = await parseXml(edited, 'after.als');
    assert.deepEqual(idDiff(a, b), { added: ['t:14/a:9000'], removed: [], changed: [] });
    const ops = diff(new Tree(a), new Tree(b));
    assert.deepEqual(ops, [[1, 't:14/arrangement', 4, find(b, 't:14/a:9000')]]);
    assert.equal(find(b, 't:14/a:9000').attrs.name, 'Copy');
  });

  it('Foo: a moved device keeps its id (Live device Ids, not positions)', async () => {
    const xml = fixtureXml('foo');
    // Swap the first two devices inside return B's rack chain.
    const [r0, r1] = trackRange(xml, 'ReturnTrack', '3');
    const ret = xml.slice(r0, r1);
    const chainDevices = ret.indexOf('<Devices>', ret.indexOf('<AudioToAudioDeviceChain'));
    const first = elementAt(ret, ret.indexOf('<', chainDevices + '<Devices>'.length));
    const afterFirst = ret.indexOf(first) + first.length;
    const second = elementAt(ret, ret.indexOf('<', afterFirst));
    assert.notEqual(first, second);
    const swapped = ret.replace(first + ret.slice(afterFirst, ret.indexOf(second, afterFirst)) + second, second + first);
    const a = await parseXml(xml, 'before.als');
    const b = await parseXml(xml.slice(0, r0) + swapped + xml.slice(r1), 'after.als');
    const d = idDiff(a, b);
    assert.deepEqual(d.added, []);
    assert.deepEqual(d.removed, []);
    assert.equal(d.changed.length, 1, `only the chain's child order changes: ${d.changed.join(', ')}`);
    const ops = diff(new Tree(a), new Tree(b));
    assert.equal(ops.length, 1);
    assert.equal(ops[0][0], 3, 'a single move op');
  });
});
