// Messages between the main thread (createWorkerClient) and the worker (startWorkerHost).
// Plain data only: they cross postMessage as structured clones.
import type { ReconnectOptions } from './backoff.ts';
import type { ConnectionState } from './client.ts';
import type { PerfSample } from './perf.ts';
import type { ErrorInfo, StoreMessage } from './store-messages.ts';
import type { SnapshotOrder } from './store-feed.ts';

export interface WorkerInit {
  url: string;
  token?: string;
  clientName?: string;
  reconnect?: Partial<ReconnectOptions> | false;
  handshakeTimeoutMs?: number;
  trees: string[];
  sliceNodes?: number;
  firstSliceNodes?: number;
  snapshotOrder?: SnapshotOrder;
  flushMs?: number;
}

export type ToWorker =
  | { t: 'init'; options: WorkerInit }
  | { t: 'events'; name: string }
  | { t: 'unevents'; name: string }
  | { t: 'send'; name: string; key: string; value: unknown }
  | { t: 'reconnect' }
  /** The main thread received a `store` post for `name`: the worker may send the next. */
  | { t: 'ack'; name: string }
  | { t: 'close' };

export type FromWorker =
  | { t: 'store'; name: string; messages: StoreMessage[] }
  | { t: 'state'; state: ConnectionState }
  /** The worker's WebSocket opened at `at` (ms since the Unix epoch: the worker's timeOrigin + now). */
  | { t: 'socket-open'; at: number }
  | { t: 'error'; error: ErrorInfo & { channelName?: string } }
  | { t: 'events'; name: string; entries: [string, unknown][] }
  | { t: 'perf'; sample: PerfSample }
  | { t: 'closed' };

/** The part of Worker / DedicatedWorkerGlobalScope / MessagePort both sides use. */
export interface MessagePortLike {
  postMessage(message: unknown): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
