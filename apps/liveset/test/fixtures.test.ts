// The facts in apps/liveset/fixtures/als/README.md, reproduced from every fixture (docs/als.md §2–§4).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AlsNode, AlsSummary, LiveSet } from '../src/index.ts';
import { readAls } from '../src/index.ts';
import { FIXTURES, assertTreeInvariants, childOfType, fixturePath, parseBytes } from './helpers.ts';
import type { FixtureName } from './helpers.ts';

interface Facts {
  counts: [audio: number, midi: number, group: number, ret: number];
  main: 'MasterTrack' | 'MainTrack';
  scenes: number;
  locators: number;
  sessionClips: number;
  arrangementClips: number;
  devices: number;
  tempo: number;
  creator: string;
  majorVersion: string;
  minorVersion: string;
}

const FACTS: Record<FixtureName, Facts> = {
  live08: {
    counts: [5, 11, 1, 2],
    main: 'MasterTrack',
    scenes: 20,
    locators: 2,
    sessionClips: 26,
    arrangementClips: 32,
    devices: 25,
    tempo: 95.3,
    creator: 'Ableton Live 8.1.4',
    majorVersion: '4',
    minorVersion: '8.1_226',
  },
  live09: {
    counts: [15, 9, 1, 2],
    main: 'MasterTrack',
    scenes: 8,
    locators: 3,
    sessionClips: 6,
    arrangementClips: 157,
    devices: 25,
    tempo: 135,
    creator: 'Ableton Live 9.7.1',
    majorVersion: '4',
    minorVersion: '9.5_327',
  },
  live10: {
    counts: [1, 0, 0, 0],
    main: 'MasterTrack',
    scenes: 8,
    locators: 15,
    sessionClips: 0,
    arrangementClips: 4,
    devices: 0,
    tempo: 119.999992,
    creator: 'Ableton Live 10.1.7',
    majorVersion: '5',
    minorVersion: '10.0_377',
  },
  michelle: {
    counts: [5, 4, 1, 3],
    main: 'MasterTrack',
    scenes: 8,
    locators: 0,
    sessionClips: 5,
    arrangementClips: 0,
    devices: 19,
    tempo: 126,
    creator: 'Ableton Live 11.3.21',
    majorVersion: '5',
    minorVersion: '11.0_11300',
  },
  foo: {
    counts: [2, 2, 0, 3],
    main: 'MasterTrack',
    scenes: 8,
    locators: 0,
    sessionClips: 0,
    arrangementClips: 0,
    devices: 7,
    tempo: 199.990005,
    creator: 'Ableton Live 11.3.35',
    majorVersion: '5',
    minorVersion: '11.0_11300',
  },
  live12: {
    counts: [1, 0, 0, 0],
    main: 'MainTrack',
    scenes: 8,
    locators: 6,
    sessionClips: 0,
    arrangementClips: 0,
    devices: 0,
    tempo: 120,
    creator: 'Ableton Live 12.0b16',
    majorVersion: '5',
    minorVersion: '12.0_12043',
  },
};

const sets = new Map<FixtureName, Promise<LiveSet>>();
function load(name: FixtureName): Promise<LiveSet> {
  let p = sets.get(name);
  if (p === undefined) sets.set(name, (p = readAls(fixturePath(name))));
  return p;
}

function sum(s: AlsSummary, key: 'devices' | 'sessionClips' | 'arrangementClips'): number {
  return s.tracks.reduce((n, t) => n + t[key], 0);
}

function track(tree: AlsNode, id: string): AlsNode {
  const t = childOfType(tree, 'tracks').children.find((c) => c.id === id);
  assert.ok(t, `no track ${id}`);
  return t;
}

describe('§2 summary facts of every fixture', () => {
  for (const name of Object.keys(FIXTURES) as FixtureName[]) {
    const f = FACTS[name];
    it(`${name}: version, tempo, tracks, clips, devices, scenes, locators`, async () => {
      const { summary: s, tree } = await load(name);
      assert.equal(s.creator, f.creator);
      assert.equal(s.majorVersion, f.majorVersion);
      assert.equal(s.minorVersion, f.minorVersion);
      assert.equal(s.tempo, f.tempo);
      assert.equal(s.timeSignature, '4/4');
      const count = (type: string) => s.tracks.filter((t) => t.type === type).length;
      assert.deepEqual([count('audio'), count('midi'), count('group'), count('return')], f.counts);
      assert.equal(s.mainTrack?.element, f.main);
      assert.equal(s.scenes, f.scenes);
      assert.equal(s.locators.length, f.locators);
      assert.equal(sum(s, 'sessionClips'), f.sessionClips);
      assert.equal(sum(s, 'arrangementClips'), f.arrangementClips);
      assert.equal(sum(s, 'devices'), f.devices);
      // Returns come last, after every audio/MIDI/group track.
      const firstReturn = s.tracks.findIndex((t) => t.type === 'return');
      if (firstReturn >= 0) assert.ok(s.tracks.slice(firstReturn).every((t) => t.type === 'return'));
      const times = s.locators.map((l) => l.time);
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
        'locators sorted by time',
      );
      assertTreeInvariants(tree);
    });
  }
});

describe('§3 track names', () => {
  it('live09: EffectiveName of the first six tracks', async () => {
    const { summary } = await load('live09');
    assert.deepEqual(
      summary.tracks.slice(0, 6).map((t) => t.name),
      ['1-offline panda rack', '2-Audio', '3-Audio', 'fx im[act', 'fx stems', '6-Audio'],
    );
  });
  it('Michelle: first four names, and the group Haus has exactly two children', async () => {
    const { summary } = await load('michelle');
    assert.deepEqual(
      summary.tracks.slice(0, 4).map((t) => t.name),
      ['1-Drum Rack', 'Kick', 'Sub', 'Haus'],
    );
    assert.equal(summary.tracks[3].type, 'group');
    const members = summary.tracks.filter((t) => t.groupIndex === 3).map((t) => t.name);
    assert.deepEqual(members, ['5-drb130HOE27001tribal6', '6-dra130HOE19015addon2']);
  });
  it('Foo: four tracks, then the returns', async () => {
    const { summary } = await load('foo');
    assert.deepEqual(
      summary.tracks.map((t) => t.name),
      ['1-MIDI', '2-MIDI', '3-Audio', '4-Audio', 'A-Gated Verb Send', 'B-Large Reverb Send', 'C-Delay Brigade Return'],
    );
  });
  it("Live 8: an empty UserName gets Live's default `<index>-Audio` / `<index>-MIDI`", async () => {
    const { summary } = await load('live08');
    const names = summary.tracks.map((t) => t.name);
    assert.equal(names[1], '2-Audio');
    assert.equal(names[5], '6-Audio');
    assert.equal(names[6], '7-MIDI');
    assert.equal(names[10], 'synth saw'); // a user name wins
    assert.equal(names[16], '17-MIDI');
    // Four audio tracks sit in the Live 8 group (TrackGroupId 5).
    assert.deepEqual(
      summary.tracks.map((t, i) => (t.groupIndex === 0 ? i : -1)).filter((i) => i >= 0),
      [1, 2, 3, 4],
    );
  });
  it('Live 10: locators sorted by time keep their CJK name', async () => {
    const { summary } = await load('live10');
    assert.deepEqual(summary.locators[0], { name: 'mirvs - his track你好', time: 0 });
  });
  it('Live 12: locators come out sorted although the file stores them unsorted', async () => {
    const { summary } = await load('live12');
    assert.deepEqual(
      summary.locators.map((l) => l.name),
      ['A', 'B', 'D', 'C', 'Z', 'E'],
    );
    assert.equal(summary.mainTrack?.name, 'Main');
  });
});

describe('§4 tree contents', () => {
  it('Live 8 parameters take the first automation event (there is no Manual)', async () => {
    const { tree } = await load('live08');
    assert.equal(track(tree, 't:5').attrs.volume, 0.4120975137);
    const comp = childOfType(track(tree, 't:6'), 'devices').children[0];
    assert.equal(comp.attrs.class, 'Compressor2');
    assert.equal(comp.attrs.name, 'Gentle Squeeze');
    const threshold = comp.children.find((c) => c.id === 't:6/d:0/p:Threshold');
    assert.equal(threshold?.attrs.value, 0.1794389188);
  });
  it('Michelle: mixer, plug-ins, Max parameters, rack macros and session clips', async () => {
    const { tree } = await load('michelle');
    const diva = childOfType(track(tree, 't:24'), 'devices').children.find((d) => d.attrs.plugin === 'Diva');
    assert.equal(diva?.attrs.format, 'vst3');
    assert.equal(diva?.attrs.class, 'PluginDevice');
    assert.equal(track(tree, 't:28').attrs.arm, true);
    assert.equal(track(tree, 't:8').attrs.group, 't:20');
    const euclid = childOfType(track(tree, 't:24'), 'devices').children[0];
    const velocity = euclid.children.find((p) => p.attrs.name === 'Blue  Velocity');
    assert.deepEqual(velocity?.attrs, { name: 'Blue  Velocity', value: 80, min: 0, max: 127 });
    const rack = childOfType(track(tree, 't:16'), 'devices').children[0];
    assert.equal(rack.attrs.class, 'DrumGroupDevice');
    assert.equal(rack.children.find((p) => p.id === `${rack.id}/p:MacroControls.0`)?.attrs.name, 'Macro 1');
    const pads = rack.children.filter((c) => c.type === 'chain');
    assert.ok(pads.length > 10 && pads.every((c) => typeof c.attrs.receivingNote === 'number'));
    const clip = childOfType(track(tree, 't:16'), 'clipslots').children[0].children[0];
    assert.deepEqual(clip.attrs, {
      kind: 'midi',
      name: '',
      color: 26,
      start: 0,
      end: 8,
      length: 8,
      loop: true,
      loopStart: 0,
      loopEnd: 8,
      disabled: false,
      notes: 24,
    });
    const audio = childOfType(track(tree, 't:8'), 'clipslots').children[0].children[0];
    assert.equal(audio.attrs.sample, 'drb130HOE27001tribal6.wav');
  });
  it('live10: arrangement clips are keyed by their start time', async () => {
    const { tree } = await load('live10');
    const arr = childOfType(track(tree, 't:14'), 'arrangement');
    assert.deepEqual(
      arr.children.map((c) => c.id),
      ['t:14/a:0', 't:14/a:2378.1072562853815', 't:14/a:4756.214512570763', 't:14/a:7134.3217688561435'],
    );
  });
  it('reads a stream delivered one byte at a time exactly like the file', async () => {
    const bytes = readFileSync(fixturePath('live12'));
    const whole = await load('live12');
    const trickled = await parseBytes(bytes, 'live12.als', 1);
    assert.deepEqual(trickled.tree, whole.tree);
    assert.equal(trickled.xmlBytes, 48445);
  });
});
