// Svelte adapter. Svelte stores are a contract, not a library: an object whose subscribe(run)
// calls run now and on every change and returns an unsubscriber. Svelte 5 components use them
// as `$node` (or `fromStore(...)` from 'svelte/store' for runes), so this file imports nothing
// from svelte and works without its compiler.
import type { PerfMonitor, PerfStats } from './perf.ts';
import type { StoreStatus, TreeStore } from './store.ts';
import type { NodeView } from './views.ts';

export interface Readable<T> {
  subscribe(run: (value: T) => void): () => void;
}

/** The view of node `id`; updates only when that node changes. */
export function nodeStore(store: TreeStore, id: string): Readable<NodeView | undefined> {
  return {
    subscribe(run) {
      run(store.get(id));
      return store.subscribe(id, run);
    },
  };
}

/** The root node's view (a new root after a snapshot included). */
export function rootStore(store: TreeStore): Readable<NodeView | undefined> {
  return {
    subscribe(run) {
      run(store.root);
      return store.subscribeRoot(run);
    },
  };
}

/** connecting | loading (with progress) | live | reconnecting | error. */
export function statusStore(store: TreeStore): Readable<StoreStatus> {
  return {
    subscribe(run) {
      run(store.status);
      return store.subscribeStatus(run);
    },
  };
}

/** The PerfMonitor already is a store; this only narrows its type for templates. */
export function perfStore(perf: PerfMonitor): Readable<PerfStats> {
  return perf;
}
