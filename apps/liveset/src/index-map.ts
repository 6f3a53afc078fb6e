// AbletonOSC addresses things by position; the mirror's tree by id (docs/als.md §5). This maps
// one to the other over the current tree (docs/liveset-osc.md §3):
//   track i      the i-th track of kind audio, midi or group under `tracks`, in order
//                (Live's song.tracks: returns and the main track are not in it)
//   device j     the j-th device child of that track's `devices` node (top level; racks are one)
//   parameter k  0 is "Device On", the device's `on` attribute; k >= 1 is the (k-1)-th `param`
//                child of the device. Trees synced from Live hold Live's parameter list, so
//                this is exact; for a tree read from an .als it is the file's parameter order,
//                which matches Live's for racks and plug-ins but not for every native device
//   slot s       the s-th child of the track's `clipslots` node (slot s belongs to scene s)
//   scene s      the s-th child of `scenes`
// Built from a snapshot of the structure; the mirror rebuilds it after a structural change.

export interface MapNode {
  readonly id: string;
  readonly type: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly children: readonly MapNode[];
}

export interface DeviceEntry {
  readonly id: string;
  /** Param node ids: Live parameter k >= 1 is params[k - 1]. */
  readonly params: readonly string[];
}

export interface TrackEntry {
  readonly id: string;
  readonly kind: string;
  readonly devices: readonly DeviceEntry[];
  /** Clip slot node ids by scene index. */
  readonly slots: readonly string[];
}

export type ParamTarget = { readonly id: string; readonly attr: 'on' | 'value' };

/** Track kinds in Live's song.tracks (what track index i counts). */
export const SONG_TRACK_KINDS: ReadonlySet<string> = new Set(['audio', 'midi', 'group']);

function childOfType(n: MapNode, type: string): MapNode | undefined {
  for (const c of n.children) if (c.type === type) return c;
  return undefined;
}

function buildDevice(d: MapNode): DeviceEntry {
  const params: string[] = [];
  for (const c of d.children) if (c.type === 'param') params.push(c.id);
  return { id: d.id, params };
}

export class IndexMap {
  readonly tracks: readonly TrackEntry[];
  readonly scenes: readonly string[];

  private constructor(tracks: TrackEntry[], scenes: string[]) {
    this.tracks = tracks;
    this.scenes = scenes;
  }

  static build(root: MapNode): IndexMap {
    const tracks: TrackEntry[] = [];
    const tracksNode = childOfType(root, 'tracks');
    for (const t of tracksNode?.children ?? []) {
      if (t.type !== 'track' || !SONG_TRACK_KINDS.has(String(t.attrs.kind))) continue;
      const devicesNode = childOfType(t, 'devices');
      const devices: DeviceEntry[] = [];
      for (const d of devicesNode?.children ?? []) if (d.type === 'device') devices.push(buildDevice(d));
      const slotsNode = childOfType(t, 'clipslots');
      const slots: string[] = [];
      for (const s of slotsNode?.children ?? []) if (s.type === 'clipslot') slots.push(s.id);
      tracks.push({ id: t.id, kind: String(t.attrs.kind), devices, slots });
    }
    const scenes: string[] = [];
    for (const s of childOfType(root, 'scenes')?.children ?? []) if (s.type === 'scene') scenes.push(s.id);
    return new IndexMap(tracks, scenes);
  }

  track(i: number): TrackEntry | undefined {
    return Number.isInteger(i) && i >= 0 ? this.tracks[i] : undefined;
  }

  device(i: number, j: number): DeviceEntry | undefined {
    const t = this.track(i);
    return t !== undefined && Number.isInteger(j) && j >= 0 ? t.devices[j] : undefined;
  }

  param(i: number, j: number, k: number): ParamTarget | undefined {
    const d = this.device(i, j);
    if (d === undefined || !Number.isInteger(k) || k < 0) return undefined;
    if (k === 0) return { id: d.id, attr: 'on' };
    const id = d.params[k - 1];
    return id === undefined ? undefined : { id, attr: 'value' };
  }

  /** The clip slot node id of track i, scene s. */
  slot(i: number, s: number): string | undefined {
    const t = this.track(i);
    return t !== undefined && Number.isInteger(s) && s >= 0 ? t.slots[s] : undefined;
  }

  scene(s: number): string | undefined {
    return Number.isInteger(s) && s >= 0 ? this.scenes[s] : undefined;
  }
}
