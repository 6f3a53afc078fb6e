// The compact summary `tidewire als-info --json` prints, computed from the tree alone (so it
// also works on a tree rebuilt from a snapshot plus ops).
import type { AlsNode } from './node.ts';

export interface AlsTrackSummary {
  type: 'audio' | 'midi' | 'group' | 'return';
  name: string;
  /** Index into `tracks` of the group this track belongs to, or null at top level. */
  groupIndex: number | null;
  /** Top-level devices of the track's chain (a rack counts as one). */
  devices: number;
  sessionClips: number;
  arrangementClips: number;
}

export interface AlsSummary {
  creator: string;
  majorVersion: string;
  minorVersion: string;
  /** null only for a damaged set that stores no tempo. */
  tempo: number | null;
  timeSignature: string | null;
  mainTrack: { element: string; name: string; devices: number } | null;
  tracks: AlsTrackSummary[];
  scenes: number;
  locators: Array<{ name: string; time: number }>;
}

function child(n: AlsNode | undefined, type: string): AlsNode | undefined {
  return n?.children.find((c) => c.type === type);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function summarize(tree: AlsNode): AlsSummary {
  const a = tree.attrs;
  const tracks = child(tree, 'tracks')?.children ?? [];
  const regular = tracks.filter((t) => t.attrs.kind !== 'main');
  const main = tracks.find((t) => t.attrs.kind === 'main');
  const indexById = new Map(regular.map((t, i) => [t.id, i]));
  return {
    creator: str(a.creator),
    majorVersion: str(a.majorVersion),
    minorVersion: str(a.minorVersion),
    tempo: typeof a.tempo === 'number' ? a.tempo : null,
    timeSignature: typeof a.timeSignature === 'string' ? a.timeSignature : null,
    mainTrack: main ? { element: str(main.attrs.element), name: str(main.attrs.name), devices: child(main, 'devices')?.children.length ?? 0 } : null,
    tracks: regular.map((t) => {
      const group = typeof t.attrs.group === 'string' ? indexById.get(t.attrs.group) : undefined;
      return {
        type: t.attrs.kind as AlsTrackSummary['type'],
        name: str(t.attrs.name),
        groupIndex: group ?? null,
        devices: child(t, 'devices')?.children.length ?? 0,
        sessionClips: (child(t, 'clipslots')?.children ?? []).filter((s) => s.children.length > 0).length,
        arrangementClips: child(t, 'arrangement')?.children.length ?? 0,
      };
    }),
    scenes: child(tree, 'scenes')?.children.length ?? 0,
    locators: (child(tree, 'locators')?.children ?? []).map((l) => ({
      name: str(l.attrs.name),
      time: typeof l.attrs.time === 'number' ? l.attrs.time : 0,
    })),
  };
}
