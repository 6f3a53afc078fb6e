// What the browser suite's server child (server-entry.ts) and the suite say to each other over IPC.

/** The two tree pages measured side by side. */
export type TreePage = 'liveset50' | 'demo17k';

/** Where each page's tree lives on the server: the tree channel (Tidewire) and the baseline route's channel. */
export const TREE_CHANNELS: Record<TreePage, string> = { liveset50: 'liveset', demo17k: 'demo' };

/** The baseline's WebSocket route (bench-only: added to the bench's composition, never to the product). */
export const BASELINE_WS_PATH = '/bench/baseline-ws';
/** Where the baseline pages are served (bench/browser-baseline/dist). */
export const BASELINE_PREFIX = '/bench-baseline/';

export type ServerCommand =
  /** 1,000 changes/s (or `rate`) for `seconds` on both systems' copies of `page`'s tree. */
  { cmd: 'storm'; page: TreePage; rate: number; seconds: number } | { cmd: 'exit' };

export interface ServerReady {
  url: string;
  /** Nodes in each tree page's tree, and its size as JSON. */
  trees: Record<TreePage, { nodes: number; jsonBytes: number }>;
  /** Apps that did not mount (their pages are then not measured). */
  failed: { app: string; message: string }[];
}

export interface StormDone {
  sent: number;
  stamped: number;
  seconds: number;
}
