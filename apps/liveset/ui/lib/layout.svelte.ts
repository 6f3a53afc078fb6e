// The set's structure as the session view needs it, kept current from the store: the track
// columns (re-derived only when a track's kind or group changes, not on every mute or fader
// move), the scene ids, and which groups are folded.
import type { NodeView, TreeStore } from '@tidewire/client/main';
import { SvelteSet } from 'svelte/reactivity';
import { buildColumns, groupSize, shapeOf, visibleColumns } from './columns.ts';
import type { Column, TrackShape } from './columns.ts';

export class SetLayout {
  /** Every track, in Live's order. */
  tracks = $state.raw<readonly Column[]>([]);
  scenes = $state.raw<readonly string[]>([]);
  readonly folded = new SvelteSet<string>();
  /** The tracks shown: none inside a folded group. */
  readonly columns = $derived(visibleColumns(this.tracks, this.folded));

  private readonly store: TreeStore;
  private trackIds: readonly string[] = [];
  private readonly shapes = new Map<string, TrackShape>();
  private readonly trackSubs = new Map<string, () => void>();
  private readonly offs: (() => void)[] = [];
  private queued = false;

  constructor(store: TreeStore) {
    this.store = store;
    this.offs.push(store.subscribe('tracks', (v) => this.setTracks(v)));
    this.offs.push(store.subscribe('scenes', (v) => (this.scenes = v?.children ?? [])));
    this.setTracks(store.get('tracks'));
    this.scenes = store.get('scenes')?.children ?? [];
  }

  toggle(groupId: string): void {
    if (this.folded.has(groupId)) this.folded.delete(groupId);
    else this.folded.add(groupId);
  }

  groupSize(groupId: string): number {
    return groupSize(this.tracks, groupId);
  }

  dispose(): void {
    for (const off of this.offs) off();
    for (const off of this.trackSubs.values()) off();
    this.trackSubs.clear();
  }

  private setTracks(view: NodeView | undefined): void {
    const ids = view?.children ?? [];
    this.trackIds = ids;
    const keep = new Set(ids);
    for (const [id, off] of this.trackSubs) {
      if (keep.has(id)) continue;
      off();
      this.trackSubs.delete(id);
      this.shapes.delete(id);
    }
    for (const id of ids) {
      if (this.trackSubs.has(id)) continue;
      this.shapes.set(id, shapeOf(this.store.get(id)?.attrs));
      this.trackSubs.set(
        id,
        this.store.subscribe(id, (v) => {
          const next = shapeOf(v?.attrs);
          const prev = this.shapes.get(id);
          if (prev && prev.kind === next.kind && prev.group === next.group) return;
          this.shapes.set(id, next);
          this.rebuild();
        }),
      );
    }
    this.rebuild();
  }

  /** Coalesced: a snapshot swap notifies every track at once. */
  private rebuild(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.tracks = buildColumns(this.trackIds, (id) => this.shapes.get(id) ?? shapeOf(undefined));
    });
  }
}
