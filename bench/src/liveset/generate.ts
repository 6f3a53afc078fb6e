// A generated Live Set tree in the exact shape and id scheme of the .als reader (docs/als.md
// §4–5), so the mirror's AbletonOSC index mapping works on it: 50 tracks with 4 devices each
// (200 devices) by default. Deterministic for a seed.
import type { NodeSnapshot } from '@tidewire/tree';
import { seededRandom } from '@tidewire/random';

export interface LiveSetShape {
  tracks?: number;
  devicesPerTrack?: number;
  paramsPerDevice?: number;
  scenes?: number;
  clipDensity?: number;
  seed?: number;
}

const CLASSES = ['Eq8', 'Compressor2', 'Reverb', 'AutoFilter', 'Delay', 'Saturator', 'GlueCompressor', 'PluginDevice'];
const PARAMS = ['Gain', 'Frequency', 'Resonance', 'Attack', 'Release', 'Threshold', 'Ratio', 'Dry/Wet', 'Drive', 'Feedback', 'Time', 'Width'];
const WORDS = ['Intro', 'Verse', 'Chorus', 'Break', 'Drop', 'Outro', 'Fill', 'Riser', 'Pad', 'Lead', 'Bass', 'Hats'];

const leaf = (id: string, type: string, attrs: NodeSnapshot['attrs']): NodeSnapshot => ({ id, type, attrs, children: [] });

export function generateLiveSet(shape: LiveSetShape = {}): NodeSnapshot {
  const { tracks = 50, devicesPerTrack = 4, paramsPerDevice = 40, scenes = 32, clipDensity = 0.3, seed = 1 } = shape;
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const trackNodes: NodeSnapshot[] = [];
  let liveId = 100;
  for (let t = 0; t < tracks; t++) {
    const id = `t:${liveId++}`;
    const kind = t % 4 === 0 ? 'audio' : 'midi';
    const devices: NodeSnapshot[] = [];
    for (let d = 0; d < devicesPerTrack; d++) {
      const did = `${id}/d:${liveId++}`;
      const cls = pick(CLASSES);
      const params: NodeSnapshot[] = [];
      for (let p = 0; p < paramsPerDevice; p++) {
        const name = `${pick(PARAMS)} ${p + 1}`;
        params.push(leaf(`${did}/p:Param.${p}/Manual`, 'param', { name, value: Math.round(rand() * 1e4) / 1e4, min: 0, max: 1 }));
      }
      devices.push({ id: did, type: 'device', attrs: { class: cls, name: cls, on: true }, children: params });
    }
    const slots: NodeSnapshot[] = [];
    for (let s = 0; s < scenes; s++) {
      const slot: NodeSnapshot = { id: `${id}/s:${s}`, type: 'clipslot', attrs: { hasStop: true }, children: [] };
      if (rand() < clipDensity) {
        const length = 4 * (1 + Math.floor(rand() * 8));
        slot.children.push(
          leaf(`${id}/s:${s}/clip`, 'clip', {
            kind,
            name: `${pick(WORDS)} ${s + 1}`,
            color: Math.floor(rand() * 70),
            start: 0,
            end: length,
            length,
            loop: true,
            loopStart: 0,
            loopEnd: length,
          }),
        );
      }
      slots.push(slot);
    }
    trackNodes.push({
      id,
      type: 'track',
      attrs: {
        kind,
        name: `${t + 1}-${kind === 'audio' ? 'Audio' : 'MIDI'}`,
        color: Math.floor(rand() * 70),
        mute: false,
        solo: false,
        arm: false,
        volume: 1,
        pan: 0,
        sends: [0.0003162277571, 0.0003162277571],
      },
      children: [
        { id: `${id}/devices`, type: 'devices', attrs: {}, children: devices },
        { id: `${id}/slots`, type: 'clipslots', attrs: {}, children: slots },
        { id: `${id}/arrangement`, type: 'arrangement', attrs: {}, children: [] },
      ],
    });
  }
  for (const [n, letter] of ['A', 'B'].entries()) {
    const id = `t:${liveId++}`;
    trackNodes.push({
      id,
      type: 'track',
      attrs: { kind: 'return', name: `${letter}-Return`, color: n, mute: false, solo: false, volume: 1, pan: 0 },
      children: [{ id: `${id}/devices`, type: 'devices', attrs: {}, children: [] }],
    });
  }
  trackNodes.push({
    id: 't:main',
    type: 'track',
    attrs: { kind: 'main', element: 'MainTrack', name: 'Main', volume: 1, pan: 0 },
    children: [{ id: 't:main/devices', type: 'devices', attrs: {}, children: [] }],
  });
  return {
    id: 'project',
    type: 'project',
    attrs: { creator: 'Ableton Live 12.0 (generated)', majorVersion: '5', minorVersion: '12.0_12049', tempo: 124, timeSignature: '4/4' },
    children: [
      { id: 'tracks', type: 'tracks', attrs: {}, children: trackNodes },
      { id: 'scenes', type: 'scenes', attrs: {}, children: Array.from({ length: scenes }, (_, s) => leaf(`scene:${s}`, 'scene', { name: `Scene ${s + 1}` })) },
      { id: 'locators', type: 'locators', attrs: {}, children: [] },
    ],
  };
}
