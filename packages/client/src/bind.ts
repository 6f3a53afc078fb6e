// In-process binding: a TreeStore fed directly by a TreeSubscription on the same thread
// (Node, tests, or a browser app that does not want a worker).
import { StoreFeed } from './store-feed.ts';
import type { StoreFeedOptions } from './store-feed.ts';
import { TreeStore } from './store.ts';
import type { TreeStoreOptions } from './store.ts';
import type { TreeSubscription } from './tree-subscription.ts';

export type BindOptions = Omit<TreeStoreOptions, 'onDispose'> & StoreFeedOptions;

/** A TreeStore that follows `sub`; dispose() detaches it. */
export function bindTreeStore(sub: TreeSubscription, options: BindOptions = {}): TreeStore {
  let feed: StoreFeed | null = null;
  const store = new TreeStore(sub.name, { ...options, onDispose: () => feed?.dispose() });
  feed = new StoreFeed(
    sub,
    (messages) => {
      for (const m of messages) store.receive(m);
    },
    options,
  );
  return store;
}
