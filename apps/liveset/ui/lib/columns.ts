// The session view's columns: every track in Live's order, with what the page needs to lay it
// out (group nesting, folding) and to address it in control messages (its index in Live's
// song.tracks, which counts audio, MIDI and group tracks only: docs/liveset-osc.md §3). The
// kinds counted are the server's own (index-map.ts), so a control addresses the track shown.
import { SONG_TRACK_KINDS } from '../../src/index-map.ts';

export interface TrackShape {
  kind: string;
  /** Node id of the group track this track is in. */
  group: string | null;
}

export interface Column {
  readonly id: string;
  readonly kind: string;
  /** Index in Live's song.tracks, what control messages address; null for returns and main. */
  readonly songIndex: number | null;
  /** How many groups this track is nested in. */
  readonly depth: number;
  readonly group: string | null;
}

/** Live nests groups a few levels deep; a longer chain (or a cycle) in a damaged set stops here. */
const MAX_DEPTH = 32;

export function shapeOf(attrs: Readonly<Record<string, unknown>> | undefined): TrackShape {
  const kind = typeof attrs?.kind === 'string' ? attrs.kind : 'audio';
  const group = typeof attrs?.group === 'string' && attrs.group.length > 0 ? attrs.group : null;
  return { kind, group };
}

export function buildColumns(ids: readonly string[], shape: (id: string) => TrackShape): Column[] {
  const shapes = new Map<string, TrackShape>();
  for (const id of ids) shapes.set(id, shape(id));
  const out: Column[] = [];
  let song = 0;
  for (const id of ids) {
    const s = shapes.get(id)!;
    let depth = 0;
    for (let g = s.group; g !== null && shapes.has(g) && depth < MAX_DEPTH; g = shapes.get(g)!.group) depth++;
    const group = s.group !== null && shapes.get(s.group)?.kind === 'group' ? s.group : null;
    out.push({ id, kind: s.kind, songIndex: SONG_TRACK_KINDS.has(s.kind) ? song++ : null, depth: group === null ? 0 : depth, group });
  }
  return out;
}

/** The columns shown: a track inside a folded group (at any level) is hidden. */
export function visibleColumns(all: readonly Column[], folded: ReadonlySet<string>): Column[] {
  if (folded.size === 0) return all as Column[];
  const byId = new Map<string, Column>();
  for (const c of all) byId.set(c.id, c);
  return all.filter((c) => {
    let n = 0;
    for (let g = c.group; g !== null && n < MAX_DEPTH; g = byId.get(g)?.group ?? null, n++) if (folded.has(g)) return false;
    return true;
  });
}

/** How many tracks are inside group `id` (directly or deeper). */
export function groupSize(all: readonly Column[], id: string): number {
  const inside = new Set([id]);
  let n = 0;
  for (const c of all) {
    if (c.group !== null && inside.has(c.group)) {
      inside.add(c.id);
      n++;
    }
  }
  return n;
}
