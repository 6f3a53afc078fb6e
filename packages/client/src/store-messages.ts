// What a StoreFeed (next to the replica, usually in the worker) sends to a TreeStore (main
// thread). Plain data only: these cross postMessage as structured clones.
import type { Position } from '@tidewire/protocol';
import type { NodeView } from './views.ts';

/** The replica's state, as a feed reports it. */
export type ReplicaState = 'connecting' | 'loading' | 'live' | 'reconnecting' | 'error' | 'closed';

/**
 * A TreeStore's state: the replica's, plus the store's own `partial` — its first snapshot is
 * arriving and the nodes that arrived are already readable (docs/client.md §2.4). A feed never
 * sends `partial`.
 */
export type StoreState = ReplicaState | 'partial';

export interface ErrorInfo {
  code: string;
  message: string;
}

export type StoreMessage =
  /** The replica's status; `error` with state 'error' or for the latest non-fatal error. */
  | { t: 'status'; state: ReplicaState; error?: ErrorInfo }
  /** Download progress of a chunked snapshot. */
  | { t: 'progress'; receivedBytes: number; totalBytes: number; nodeCount: number }
  /**
   * A snapshot replaces the tree: `slice` messages follow, then `end`. `rootHash` is null when
   * the feed did not compute it first (it never does for a snapshot: hashing every node is about
   * half of a cold decode); a `hash` message follows once the snapshot is delivered.
   */
  | { t: 'begin'; rootId: string; nodeCount: number; position: Position; rootHash: string | null }
  /** The root hash at `position`, computed after the snapshot at that position went out. */
  | { t: 'hash'; position: Position; rootHash: string }
  /** Node views of the snapshot, parents before children (breadth-first by default: §2.5). */
  | { t: 'slice'; nodes: NodeView[] }
  | { t: 'end' }
  /**
   * Changed views after op batches (coalesced). Large change sets come as several messages;
   * the store applies them together when the one with `final` arrives.
   */
  | { t: 'changes'; upserts: NodeView[]; removes: string[]; final: boolean; position: Position; rootHash: string };
