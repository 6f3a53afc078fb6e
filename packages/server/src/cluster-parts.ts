// What an app offers a cluster (docs/cluster.md §9): the tree channel it changes, the events
// channels whose values follow that tree's owner, the channels whose client input the owner
// handles, and how it hears whether this process owns the tree. The composition root hands it to
// `ClusterNode.serve` (packages/cluster); apps need not know Redis exists.
import type { EventsChannel } from './events-channel.ts';
import type { TreeChannel } from './tree-channel.ts';

export interface ClusterParts {
  tree: TreeChannel;
  /** Published by the owner's app, republished on every other node. */
  events?: readonly EventsChannel[];
  /** Client input that must reach the owner's app. */
  requests?: readonly EventsChannel[];
  /** `owner`: change the tree (the cluster's tree: resync what you keep beside it); `replica`: stop. */
  onRole?(role: 'owner' | 'replica'): void;
}
