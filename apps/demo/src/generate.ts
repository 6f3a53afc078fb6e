// A generated project tree shaped like a real Live Set (tracks › mixer, devices › params,
// clip slots › clips; scenes): the load the core is designed and benchmarked for. With the
// defaults (50 tracks) it is ~17k nodes and ~3.7 MB as JSON — the size the original system's
// FULL_AST messages reached. Deterministic for a given seed.
import type { NodeSnapshot } from '@tidewire/tree';
import { seededRandom } from '@tidewire/random';

export interface ProjectOptions {
  tracks?: number;
  scenes?: number;
  devicesPerTrack?: number;
  paramsPerDevice?: number;
  /** Fraction of clip slots holding a clip. */
  clipDensity?: number;
  seed?: number;
}

const DEVICE_CLASSES = ['Eq8', 'Compressor2', 'Reverb', 'AutoFilter', 'Delay', 'Saturator', 'GlueCompressor', 'PluginDevice'];
const PARAM_NAMES = ['Gain', 'Frequency', 'Resonance', 'Attack', 'Release', 'Threshold', 'Ratio', 'Mix', 'Drive', 'Feedback', 'Time', 'Width'];
const CLIP_WORDS = ['Intro', 'Verse', 'Chorus', 'Break', 'Drop', 'Outro', 'Fill', 'Riser', 'Pad', 'Lead', 'Bass', 'Hat'];

function leaf(id: string, type: string, attrs: NodeSnapshot['attrs']): NodeSnapshot {
  return { id, type, attrs, children: [] };
}

export function generateProject(options: ProjectOptions = {}): NodeSnapshot {
  const { tracks = 50, scenes = 64, devicesPerTrack = 8, paramsPerDevice = 32, clipDensity = 0.3, seed = 1 } = options;
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const trackNodes: NodeSnapshot[] = [];
  for (let t = 0; t < tracks; t++) {
    const tid = `t${t}`;
    const kind = t % 5 === 0 ? 'audio' : 'midi';
    const mixer = leaf(`${tid}/mixer`, 'mixer', { volume: 0.85, pan: 0, mute: false, solo: false, arm: false, sendA: 0, sendB: 0 });
    const devices: NodeSnapshot[] = [];
    for (let d = 0; d < devicesPerTrack; d++) {
      const did = `${tid}/d${d}`;
      const params: NodeSnapshot[] = [];
      for (let p = 0; p < paramsPerDevice; p++) {
        const name = `${pick(PARAM_NAMES)} ${p + 1}`;
        const value = Math.round(rand() * 1e4) / 1e4;
        // The fields a Live device parameter carries (range, default, display text, automation
        // and modulation state): what makes a real set's AST ~220 bytes per node as JSON.
        params.push(
          leaf(`${did}/p${p}`, 'param', {
            name,
            originalName: name,
            value,
            min: 0,
            max: 1,
            default: 0.5,
            unit: 'dB',
            display: `${(value * 24 - 12).toFixed(1)} dB`,
            automation: rand() < 0.1 ? 'playing' : 'none',
            modulation: 0,
            quantized: false,
            enabled: true,
          }),
        );
      }
      const cls = pick(DEVICE_CLASSES);
      devices.push({ id: did, type: 'device', attrs: { class: cls, name: `${cls} ${d + 1}`, on: true }, children: params });
    }
    const slots: NodeSnapshot[] = [];
    for (let s = 0; s < scenes; s++) {
      const slot: NodeSnapshot = { id: `${tid}/s${s}`, type: 'clipslot', attrs: { index: s }, children: [] };
      if (rand() < clipDensity) {
        slot.children.push(
          leaf(`${tid}/s${s}/clip`, 'clip', {
            name: `${pick(CLIP_WORDS)} ${s + 1}`,
            start: 0,
            end: 16,
            warp: true,
            color: Math.floor(rand() * 70),
            length: 4 * (1 + Math.floor(rand() * 8)),
            loop: true,
            playing: false,
          }),
        );
      }
      slots.push(slot);
    }
    trackNodes.push({
      id: tid,
      type: 'track',
      attrs: { kind, name: `${t + 1}-${kind === 'audio' ? 'Audio' : 'MIDI'}`, color: Math.floor(rand() * 70) },
      children: [
        mixer,
        { id: `${tid}/devices`, type: 'devices', attrs: {}, children: devices },
        { id: `${tid}/slots`, type: 'clipslots', attrs: {}, children: slots },
      ],
    });
  }
  const sceneNodes = Array.from({ length: scenes }, (_, s) => leaf(`scene${s}`, 'scene', { name: `Scene ${s + 1}`, tempo: 120 }));
  return {
    id: 'project',
    type: 'project',
    attrs: { name: 'Generated project', tempo: 124, timeSignature: '4/4', playing: false },
    children: [
      { id: 'tracks', type: 'tracks', attrs: {}, children: trackNodes },
      { id: 'scenes', type: 'scenes', attrs: {}, children: sceneNodes },
    ],
  };
}

/** Ids of every param node: what the change storm sweeps. */
export function paramIds(project: NodeSnapshot): string[] {
  const out: string[] = [];
  const walk = (n: NodeSnapshot) => {
    if (n.type === 'param') out.push(n.id);
    for (const c of n.children) walk(c);
  };
  walk(project);
  return out;
}
