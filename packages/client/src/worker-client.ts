// createWorkerClient: the main-thread half. The connection, decoding and replicas live in a
// Web Worker; the main thread holds one TreeStore per tree channel and applies the worker's
// coalesced messages inside requestAnimationFrame, within a time budget per frame.
import type { ReconnectOptions } from './backoff.ts';
import type { ConnectionState } from './client.ts';
import { Emitter } from './emitter.ts';
import { ClientError, invalidOption } from './errors.ts';
import { PerfMonitor } from './perf.ts';
import { SNAPSHOT_APPLIED_MARK, SOCKET_OPEN_MARK, fromEpoch, markAt } from './marks.ts';
import type { FrameScheduler } from './scheduler.ts';
import type { ErrorInfo } from './store-messages.ts';
import type { SnapshotOrder } from './store-feed.ts';
import { absoluteUrl } from './socket.ts';
import { TreeStore } from './store.ts';
import type { Timers } from './timers.ts';
import type { FromWorker, MessagePortLike, ToWorker } from './worker-messages.ts';

export interface WorkerClientOptions {
  /** Server URL; relative URLs resolve against the page (http → ws). */
  url: string;
  /** Tree channels to replicate: one TreeStore each. */
  channels: string[];
  token?: string;
  clientName?: string;
  reconnect?: Partial<ReconnectOptions> | false;
  handshakeTimeoutMs?: number;
  /**
   * The worker (or any MessagePort-like whose other end runs startWorkerHost). Default: a
   * module worker from './worker.ts'.
   */
  worker?: MessagePortLike & { terminate?: () => void; onerror?: ((ev: unknown) => void) | null };
  /** Nodes per snapshot slice (at most) / changes message. Default 1,000. */
  sliceNodes?: number;
  /** Nodes in a snapshot's first slice; later slices double up to sliceNodes. Default 250 (docs/client.md §2.5). */
  firstSliceNodes?: number;
  /** The order of a snapshot's nodes. Default 'breadth-first' (docs/client.md §2.5). */
  snapshotOrder?: SnapshotOrder;
  /** Worker-side coalescing window. Default 16 ms. */
  flushMs?: number;
  /** Main-thread budget per frame for applying store messages. Default 8 ms. */
  budgetMs?: number;
  schedule?: FrameScheduler;
  timers?: Timers;
  /** A monitor to feed, or false for none. Default: a new, started PerfMonitor. */
  perf?: PerfMonitor | false;
}

interface WorkerClientEvents {
  state: ConnectionState;
  error: ClientError;
}

export interface WorkerClient {
  /** One store per tree channel, by name. */
  readonly stores: ReadonlyMap<string, TreeStore>;
  store(name: string): TreeStore;
  readonly state: ConnectionState;
  onState(fn: (state: ConnectionState) => void): () => void;
  onError(fn: (err: ClientError) => void): () => void;
  /** Listens to an events channel (values coalesced latest-wins per key per worker flush). */
  events(name: string, fn: (key: string, value: unknown) => void): () => void;
  send(name: string, key: string, value: unknown): void;
  /** Drops the connection and reconnects at once. */
  reconnect(): void;
  readonly perf: PerfMonitor | null;
  /** Closes the connection, stops the worker and disposes the stores. */
  close(): Promise<void>;
}

/** How long close() waits for the worker to confirm before tearing down anyway. */
const CLOSE_TIMEOUT_MS = 2000;

export function createWorkerClient(options: WorkerClientOptions): WorkerClient {
  if (!options || typeof options !== 'object') throw invalidOption('options must be an object');
  if (!Array.isArray(options.channels) || options.channels.some((c) => typeof c !== 'string' || c.length === 0)) {
    throw invalidOption('channels must be an array of tree channel names');
  }
  const url = absoluteUrl(options.url);
  const worker = options.worker ?? defaultWorker();
  const perf = options.perf === false ? null : (options.perf ?? new PerfMonitor({ timers: options.timers }));
  if (perf && options.perf === undefined) {
    perf.observeLongTasks();
    perf.start();
  }
  const stores = new Map<string, TreeStore>();
  for (const name of new Set(options.channels)) {
    const store = new TreeStore(name, {
      schedule: options.schedule,
      budgetMs: options.budgetMs,
      timers: options.timers,
      onWork: perf ? (ms) => perf.recordMainWork(ms) : undefined,
    });
    // Marked whether or not there is a monitor: benchmarks read the marks (docs/client.md §4.1).
    store.onSnapshot(() => {
      const at = markAt(SNAPSHOT_APPLIED_MARK, undefined, { channel: name });
      perf?.recordSnapshotApplied(name, at);
    });
    stores.set(name, store);
  }
  const emitter = new Emitter<WorkerClientEvents>();
  const listeners = new Map<string, Set<(key: string, value: unknown) => void>>();
  let state: ConnectionState = 'connecting';
  let closed: (() => void) | null = null;
  const post = (msg: ToWorker) => worker.postMessage(msg);

  worker.onmessage = (ev) => {
    const msg = ev.data as FromWorker;
    switch (msg.t) {
      case 'store': {
        const store = stores.get(msg.name);
        if (store) for (const m of msg.messages) store.receive(m);
        // Credit back to the worker's feed: the next post arrives as a task of its own.
        post({ t: 'ack', name: msg.name });
        return;
      }
      case 'state':
        state = msg.state;
        emitter.emit('state', state);
        return;
      case 'socket-open': {
        const at = markAt(SOCKET_OPEN_MARK, fromEpoch(msg.at));
        perf?.recordSocketOpen(at);
        return;
      }
      case 'error':
        emitter.emit('error', fromInfo(msg.error));
        return;
      case 'events': {
        const set = listeners.get(msg.name);
        if (set) for (const [k, v] of msg.entries) for (const fn of set) fn(k, v);
        return;
      }
      case 'perf':
        perf?.recordSample(msg.sample);
        return;
      case 'closed':
        closed?.();
        return;
    }
  };
  if ('onerror' in worker) {
    worker.onerror = (ev) => {
      const message = String((ev as { message?: unknown })?.message ?? 'worker error');
      emitter.emit('error', new ClientError('TW_WORKER', message));
    };
  }
  post({
    t: 'init',
    options: {
      url,
      trees: [...stores.keys()],
      ...(options.token !== undefined ? { token: options.token } : {}),
      ...(options.clientName !== undefined ? { clientName: options.clientName } : {}),
      ...(options.reconnect !== undefined ? { reconnect: options.reconnect } : {}),
      ...(options.handshakeTimeoutMs !== undefined ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
      ...(options.sliceNodes !== undefined ? { sliceNodes: options.sliceNodes } : {}),
      ...(options.firstSliceNodes !== undefined ? { firstSliceNodes: options.firstSliceNodes } : {}),
      ...(options.snapshotOrder !== undefined ? { snapshotOrder: options.snapshotOrder } : {}),
      ...(options.flushMs !== undefined ? { flushMs: options.flushMs } : {}),
    },
  });

  return {
    stores,
    store(name) {
      const s = stores.get(name);
      if (!s) throw invalidOption(`no store for channel ${JSON.stringify(name)}: list it in channels`);
      return s;
    },
    get state() {
      return state;
    },
    onState: (fn) => emitter.on('state', fn),
    onError: (fn) => emitter.on('error', fn),
    events(name, fn) {
      let set = listeners.get(name);
      if (!set) {
        listeners.set(name, (set = new Set()));
        post({ t: 'events', name });
      }
      set.add(fn);
      return () => {
        const s = listeners.get(name);
        if (!s?.delete(fn) || s.size > 0) return;
        listeners.delete(name);
        post({ t: 'unevents', name });
      };
    },
    send(name, key, value) {
      post({ t: 'send', name, key, value });
    },
    reconnect() {
      post({ t: 'reconnect' });
    },
    perf,
    close() {
      const done = new Promise<void>((resolve) => {
        // A worker that died cannot confirm; do not let close() hang on it.
        const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
        closed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      post({ t: 'close' });
      return done.then(() => {
        worker.terminate?.();
        if (perf && options.perf === undefined) perf.stop();
        for (const s of stores.values()) s.dispose();
        listeners.clear();
      });
    },
  };
}

function fromInfo(e: ErrorInfo & { channelName?: string }): ClientError {
  return new ClientError(e.code, e.message, e.channelName === undefined ? {} : { channelName: e.channelName });
}

function defaultWorker(): MessagePortLike & { terminate(): void } {
  if (typeof Worker === 'undefined') throw invalidOption('no Worker in this environment: pass the `worker` option');
  // Written out literally: this is the expression Vite recognises to bundle the worker entry.
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'tidewire' }) as unknown as MessagePortLike & { terminate(): void };
}
