// What a sync from Live reports (LiveModel), and the mirror tree built from it and the last
// good .als: Live's answer wins for everything it reports (structure of song tracks, devices,
// parameters, clips and scenes, and their properties); the file keeps what Live does not
// report over AbletonOSC (return and main tracks, sends, rack chains, arrangement clips,
// locators, file-only attributes). Node ids come from the .als where a Live track or device
// pairs with one (same position and name/class), so a tree keeps its ids across syncs and
// reloads; Live-only nodes get positional ids (docs/liveset-osc.md §3).
import type { NodeSnapshot } from '@tidewire/tree';
import { SONG_TRACK_KINDS } from './index-map.ts';

export interface LiveParam {
  name: string;
  value: number;
  min: number;
  max: number;
}

export interface LiveDevice {
  name: string;
  className: string;
  /** Live's device.parameters; index 0 is "Device On". */
  params: LiveParam[];
}

export interface LiveClip {
  name: string;
  /** 0xRRGGBB (Live's clip.color). */
  rgb?: number;
  /** Palette index (clip.color_index), what the .als stores as `color`. */
  color?: number;
}

export interface LiveTrack {
  name: string;
  rgb?: number;
  color?: number;
  mute: boolean;
  solo: boolean;
  arm?: boolean;
  canBeArmed: boolean;
  isGroup: boolean;
  midi: boolean;
  /** Mixer volume parameter, 0..1 (0.85 is 0 dB); the .als `volume` is a linear gain. */
  fader?: number;
  pan?: number;
  devices: LiveDevice[];
  /** One entry per scene; null for an empty slot. */
  clips: (LiveClip | null)[];
}

export interface LiveModel {
  tempo?: number;
  tracks: LiveTrack[];
  scenes: { name: string }[];
}

/** How far ahead pairing looks for a matching name (an insert or delete of up to this many). */
const ALIGN_WINDOW = 16;

export function emptyProject(): NodeSnapshot {
  return {
    id: 'project',
    type: 'project',
    attrs: {},
    children: [
      { id: 'tracks', type: 'tracks', attrs: {}, children: [] },
      { id: 'scenes', type: 'scenes', attrs: {}, children: [] },
      { id: 'locators', type: 'locators', attrs: {}, children: [] },
    ],
  };
}

function childOfType(n: NodeSnapshot, type: string): NodeSnapshot | undefined {
  return n.children.find((c) => c.type === type);
}

function ensureChild(parent: NodeSnapshot, id: string, type: string): NodeSnapshot {
  let c = childOfType(parent, type);
  if (!c) {
    c = { id, type, attrs: {}, children: [] };
    parent.children.push(c);
  }
  return c;
}

/**
 * For each of `live`, the index in `file` it pairs with, or -1. Equal lengths pair by position
 * (renames keep their ids); otherwise in order by equal key, so an inserted or deleted entry
 * does not shift the ids of the ones after it.
 */
export function align(live: readonly string[], file: readonly string[]): number[] {
  if (live.length === file.length) return live.map((_, i) => i);
  const out: number[] = [];
  let next = 0;
  for (const key of live) {
    let hit = -1;
    for (let j = next; j < Math.min(file.length, next + ALIGN_WINDOW); j++) {
      if (file[j] === key) {
        hit = j;
        break;
      }
    }
    out.push(hit);
    if (hit >= 0) next = hit + 1;
  }
  return out;
}

class IdAllocator {
  private readonly used = new Set<string>();
  reserve(id: string): void {
    this.used.add(id);
  }
  take(id: string): string {
    let out = id;
    for (let n = 2; this.used.has(out); n++) out = `${id}~${n}`;
    this.used.add(out);
    return out;
  }
}

function collectIds(n: NodeSnapshot, ids: IdAllocator): void {
  ids.reserve(n.id);
  for (const c of n.children) collectIds(c, ids);
}

function trackKind(t: LiveTrack): string {
  return t.isGroup ? 'group' : t.midi ? 'midi' : 'audio';
}

function buildDevice(d: LiveDevice, id: string, file: NodeSnapshot | undefined): NodeSnapshot {
  const attrs: NodeSnapshot['attrs'] = { ...(file?.attrs ?? {}), class: d.className, name: d.name };
  const on = d.params[0];
  if (on !== undefined) attrs.on = on.value !== 0;
  const children: NodeSnapshot[] = [];
  for (let k = 1; k < d.params.length; k++) {
    const p = d.params[k]!;
    children.push({ id: `${id}/p:#${k}`, type: 'param', attrs: { name: p.name, value: p.value, min: p.min, max: p.max }, children: [] });
  }
  // Rack chains are not reported over AbletonOSC: keep the file's.
  for (const c of file?.children ?? []) if (c.type === 'chain') children.push(c);
  return { id, type: 'device', attrs, children };
}

function buildTrack(t: LiveTrack, index: number, file: NodeSnapshot | undefined, ids: IdAllocator): NodeSnapshot {
  const id = file ? file.id : ids.take(`t:L${index}`);
  const attrs: NodeSnapshot['attrs'] = { ...(file?.attrs ?? {}), kind: trackKind(t), name: t.name, mute: t.mute, solo: t.solo };
  if (t.canBeArmed && t.arm !== undefined) attrs.arm = t.arm;
  else delete attrs.arm;
  if (t.fader !== undefined) attrs.fader = t.fader;
  if (t.pan !== undefined) attrs.pan = t.pan;
  if (t.rgb !== undefined) attrs.rgb = t.rgb;
  if (t.color !== undefined) attrs.color = t.color;

  const fileDevices = file ? (childOfType(file, 'devices')?.children.filter((c) => c.type === 'device') ?? []) : [];
  const pairs = align(
    t.devices.map((d) => d.className),
    fileDevices.map((d) => String(d.attrs.class ?? '')),
  );
  const devices = t.devices.map((d, j) => {
    const f = pairs[j]! >= 0 && fileDevices[pairs[j]!]!.attrs.class === d.className ? fileDevices[pairs[j]!] : undefined;
    return buildDevice(d, f ? f.id : ids.take(`${id}/d:L${j}`), f);
  });

  const fileSlots = file ? (childOfType(file, 'clipslots')?.children ?? []) : [];
  const slots = t.clips.map((clip, s): NodeSnapshot => {
    const slotId = `${id}/s:${s}`;
    const fileSlot = fileSlots.find((x) => x.id === slotId);
    const children: NodeSnapshot[] = [];
    if (clip) {
      const fileClip = fileSlot?.children.find((c) => c.type === 'clip');
      const clipAttrs: NodeSnapshot['attrs'] = { ...(fileClip?.attrs ?? {}), name: clip.name };
      if (clip.rgb !== undefined) clipAttrs.rgb = clip.rgb;
      if (clip.color !== undefined) clipAttrs.color = clip.color;
      children.push({ id: `${slotId}/clip`, type: 'clip', attrs: clipAttrs, children: [] });
    }
    return { id: slotId, type: 'clipslot', attrs: { ...(fileSlot?.attrs ?? {}) }, children };
  });

  const arrangement = (file && childOfType(file, 'arrangement')) ?? { id: `${id}/arrangement`, type: 'arrangement', attrs: {}, children: [] };
  return {
    id,
    type: 'track',
    attrs,
    children: [
      { id: `${id}/devices`, type: 'devices', attrs: {}, children: devices },
      { id: `${id}/slots`, type: 'clipslots', attrs: {}, children: slots },
      arrangement,
    ],
  };
}

/**
 * The mirror's tree: a copy of `file` (the last good .als, or an empty project) with Live's
 * model laid over it. Neither input is modified.
 */
export function buildMirrorTree(file: NodeSnapshot | null, live: LiveModel | null): NodeSnapshot {
  const root = structuredClone(file ?? emptyProject());
  if (live === null) return root;
  if (live.tempo !== undefined) root.attrs.tempo = live.tempo;

  const tracksNode = ensureChild(root, 'tracks', 'tracks');
  const fileSongTracks: NodeSnapshot[] = [];
  const others: NodeSnapshot[] = [];
  for (const t of tracksNode.children) {
    if (t.type === 'track' && SONG_TRACK_KINDS.has(String(t.attrs.kind))) fileSongTracks.push(t);
    else others.push(t);
  }
  // Ids of everything that stays as it is (returns, main track, scenes, locators) are taken;
  // ids of the song tracks are reused only through pairing.
  const ids = new IdAllocator();
  const kept: NodeSnapshot = { ...root, children: root.children.filter((c) => c !== tracksNode) };
  for (const c of kept.children) collectIds(c, ids);
  for (const o of others) collectIds(o, ids);
  ids.reserve(root.id);
  ids.reserve(tracksNode.id);
  const pairs = align(
    live.tracks.map((t) => t.name),
    fileSongTracks.map((t) => String(t.attrs.name ?? '')),
  );
  const paired = new Set<number>();
  for (const p of pairs) if (p >= 0) paired.add(p);
  for (const p of paired) collectIds(fileSongTracks[p]!, ids);
  const songTracks = live.tracks.map((t, i) => buildTrack(t, i, pairs[i]! >= 0 ? fileSongTracks[pairs[i]!] : undefined, ids));
  tracksNode.children = [...songTracks, ...others];

  const scenesNode = ensureChild(root, 'scenes', 'scenes');
  const fileScenes = scenesNode.children;
  scenesNode.children = live.scenes.map((s, i) => ({
    id: `scene:${i}`,
    type: 'scene',
    attrs: { ...(fileScenes.find((f) => f.id === `scene:${i}`)?.attrs ?? {}), name: s.name },
    children: [],
  }));
  return root;
}
