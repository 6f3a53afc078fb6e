// React adapter. React is an optional peer: instead of importing it, the hooks are built from
// the app's own React (`createTidewireHooks(React)`), so this package type-checks and runs
// without react installed and never bundles a second copy.
import type { PerfMonitor, PerfStats } from './perf.ts';
import type { StoreStatus, TreeStore } from './store.ts';
import type { NodeView } from './views.ts';

/** The two React APIs the hooks use (React ≥ 18). */
export interface ReactHooksLike {
  useSyncExternalStore<T>(subscribe: (onChange: () => void) => () => void, getSnapshot: () => T, getServerSnapshot?: () => T): T;
  useCallback<T extends (...args: never[]) => unknown>(fn: T, deps: readonly unknown[]): T;
}

export interface TidewireHooks {
  /** The view of node `id`; the component re-renders only when that node changes. */
  useNode(store: TreeStore, id: string): NodeView | undefined;
  useRoot(store: TreeStore): NodeView | undefined;
  useStatus(store: TreeStore): StoreStatus;
  usePerf(perf: PerfMonitor): PerfStats;
}

export function createTidewireHooks(react: ReactHooksLike): TidewireHooks {
  const { useSyncExternalStore, useCallback } = react;
  return {
    useNode(store, id) {
      const subscribe = useCallback((onChange: () => void) => store.subscribe(id, onChange), [store, id]);
      // Views are immutable and replaced on change, so get() is a stable snapshot.
      const get = useCallback(() => store.get(id), [store, id]);
      return useSyncExternalStore(subscribe, get, get);
    },
    useRoot(store) {
      const subscribe = useCallback((onChange: () => void) => store.subscribeRoot(onChange), [store]);
      const get = useCallback(() => store.root, [store]);
      return useSyncExternalStore(subscribe, get, get);
    },
    useStatus(store) {
      const subscribe = useCallback((onChange: () => void) => store.subscribeStatus(onChange), [store]);
      const get = useCallback(() => store.status, [store]);
      return useSyncExternalStore(subscribe, get, get);
    },
    usePerf(perf) {
      // PerfMonitor.subscribe calls back at once; useSyncExternalStore tolerates that (same snapshot).
      const subscribe = useCallback((onChange: () => void) => perf.subscribe(() => onChange()), [perf]);
      const get = useCallback(() => perf.get(), [perf]);
      return useSyncExternalStore(subscribe, get, get);
    },
  };
}
