// docs/liveset-osc.md §3: AbletonOSC positions -> node ids, pairing Live's model with the
// .als, and Live's reports surviving a rebuild.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Tree } from '@tidewire/tree';
import type { NodeSnapshot } from '@tidewire/tree';
import { readAls } from '../src/als/parse.ts';
import { IndexMap } from '../src/index-map.ts';
import { align, buildMirrorTree } from '../src/live-model.ts';
import type { LiveModel, LiveTrack } from '../src/live-model.ts';
import { LiveOverlay } from '../src/overlay.ts';
import { fixturePath } from './helpers.ts';

const liveTrack = (name: string, extra: Partial<LiveTrack> = {}): LiveTrack => ({
  name,
  mute: false,
  solo: false,
  canBeArmed: true,
  isGroup: false,
  midi: false,
  devices: [],
  clips: [],
  ...extra,
});

function ids(n: NodeSnapshot, out: string[] = []): string[] {
  out.push(n.id);
  for (const c of n.children) ids(c, out);
  return out;
}

describe('§3 index → node id', () => {
  it('indexes song tracks only: groups in, returns and the main track out', async () => {
    const { tree } = await readAls(fixturePath('live08'));
    const map = IndexMap.build(tree);
    const songTracks = tree.children[0]!.children.filter((t) => ['audio', 'midi', 'group'].includes(String(t.attrs.kind)));
    assert.equal(map.tracks.length, 17);
    assert.deepEqual(
      map.tracks.map((t) => t.id),
      songTracks.map((t) => t.id),
    );
    assert.equal(map.tracks[0]!.kind, 'group');
    assert.equal(map.track(17), undefined);
    assert.equal(map.track(-1), undefined);
    assert.equal(map.track(0.5), undefined);
    const withDevice = map.tracks.findIndex((t) => t.devices.length > 0);
    const d = map.tracks[withDevice]!.devices[0]!;
    assert.deepEqual(map.param(withDevice, 0, 0), { id: d.id, attr: 'on' });
    assert.deepEqual(map.param(withDevice, 0, 1), { id: d.params[0], attr: 'value' });
    assert.equal(map.param(withDevice, 0, d.params.length + 1), undefined);
    assert.equal(map.slot(1, 0), `${map.tracks[1]!.id}/s:0`);
    assert.equal(map.scene(0), 'scene:0');
  });

  it('pairs by position when the counts match, else by name without shifting later ids', () => {
    assert.deepEqual(align(['a', 'x', 'c'], ['a', 'b', 'c']), [0, 1, 2]);
    assert.deepEqual(align(['a', 'new', 'b', 'c'], ['a', 'b', 'c']), [0, -1, 1, 2]);
    assert.deepEqual(align(['a', 'c'], ['a', 'b', 'c']), [0, 2]);
    assert.deepEqual(align([], ['a']), []);
  });

  it('builds a valid tree from Live and the file, reusing file ids where they pair', async () => {
    const { tree: file } = await readAls(fixturePath('foo'));
    const before = JSON.stringify(file);
    const live: LiveModel = {
      tempo: 100,
      scenes: [{ name: 'A' }, { name: 'B' }],
      tracks: [
        liveTrack('1-MIDI', {
          midi: true,
          devices: [
            {
              name: 'eq8',
              className: 'AudioEffectGroupDevice',
              params: [
                { name: 'Device On', value: 0, min: 0, max: 1 },
                { name: 'M1', value: 5, min: 0, max: 127 },
              ],
            },
          ],
          clips: [{ name: 'c', rgb: 1 }, null],
        }),
        liveTrack('Inserted', { devices: [{ name: 'Reverb', className: 'Reverb', params: [] }], clips: [null, null] }),
        liveTrack('2-MIDI', { midi: true, devices: [{ name: 'Other', className: 'Delay', params: [] }], clips: [null, null] }),
        liveTrack('3-Audio', { clips: [null, null] }),
        liveTrack('4-Audio', { isGroup: true, canBeArmed: false, clips: [null, null] }),
      ],
    };
    const out = buildMirrorTree(file, live);
    assert.equal(JSON.stringify(file), before, 'the file tree is not modified');
    const t = new Tree(out); // throws on duplicate ids or invalid values
    const map = IndexMap.build(out);
    assert.deepEqual(
      map.tracks.map((x) => x.id),
      ['t:16', 't:L1', 't:17', 't:8', 't:14'],
    );
    assert.equal(t.get('t:14')!.attrs.kind, 'group', "Live's kind wins");
    assert.equal(t.get('t:14')!.attrs.arm, undefined, 'no arm on a track that cannot be armed');
    assert.equal(t.get('t:16/d:0')!.attrs.on, false);
    assert.deepEqual(t.get('t:16/d:0/p:#1')!.attrs, { name: 'M1', value: 5, min: 0, max: 127 });
    assert.ok(t.get('t:16/d:0/c:0'), 'chains kept from the file');
    assert.equal(map.tracks[2]!.devices[0]!.id, 't:17/d:L0', 'a device of another class does not take the file id');
    assert.deepEqual(t.get('t:16/s:0/clip')!.attrs, { name: 'c', rgb: 1 });
    assert.equal(t.get('t:16/slots')!.children.length, 2);
    assert.deepEqual(
      t.get('scenes')!.children.map((s) => s.attrs.name),
      ['A', 'B'],
    );
    assert.equal(t.root.attrs.tempo, 100);
    assert.equal(t.get('t:2')!.attrs.kind, 'return');
    assert.equal(new Set(ids(out)).size, ids(out).length);
  });

  it('lays Live reports over a rebuilt tree, creating reported clips, forgetting old reports', async () => {
    const { tree } = await readAls(fixturePath('foo'));
    const overlay = new LiveOverlay();
    overlay.record('t:16', 'mute', true);
    const mark = overlay.mark();
    overlay.record('t:16/s:2/clip', 'name', 'Reported');
    overlay.record('gone', 'name', 'x');
    const a = structuredClone(tree);
    overlay.applyTo(a);
    const t = new Tree(a);
    assert.equal(t.get('t:16')!.attrs.mute, true);
    assert.deepEqual(t.get('t:16/s:2/clip')!.attrs, { name: 'Reported' });
    assert.equal(overlay.size, 2, 'reports about missing nodes are forgotten');
    overlay.dropBefore(mark);
    const b = structuredClone(tree);
    overlay.applyTo(b);
    assert.equal(new Tree(b).get('t:16')!.attrs.mute, false);
  });
});
