// The worker side of createWorkerClient: a TidewireClient with one replica and StoreFeed per
// tree channel, posting coalesced StoreMessages, events and perf counters to the main thread.
// Decoding, validation and op application all happen here, off the main thread.
import { TidewireClient } from './client.ts';
import { addBatch, emptySample } from './perf.ts';
import { StoreFeed } from './store-feed.ts';
import { realTimers } from './timers.ts';
import type { TimerHandle, Timers } from './timers.ts';
import type { FromWorker, MessagePortLike, ToWorker, WorkerInit } from './worker-messages.ts';

/**
 * The slices after the first ramp up to this. Each post costs a round trip and, in practice, a
 * display frame (the main thread acks it, the worker cuts the next): with 1,000 a 10.5k-node set
 * took 11 frames to arrive (issue 14's bench: whole snapshot 262 ms at 1×, 926 ms at 4×); with
 * 4,000, 6 posts (217 and 410 ms). A 1,000-node slice deserialises in ~2.5 ms on the main thread
 * at full speed, so the largest stays well inside a frame.
 */
const DEFAULT_SLICE_NODES = 4000;
/** Small enough to clone in a few ms; breadth-first, it holds the tracks and their heads (§2.5). */
const DEFAULT_FIRST_SLICE_NODES = 250;

export interface WorkerHostOptions {
  /** WebSocket constructor; default the worker's global WebSocket. */
  WebSocket?: unknown;
  timers?: Timers;
}

/** Serves one main-thread client over `port` (the worker's `self`, or a MessagePort in tests). */
export function startWorkerHost(port: MessagePortLike, options: WorkerHostOptions = {}): void {
  const timers = options.timers ?? realTimers;
  let client: TidewireClient | null = null;
  const feeds = new Map<string, StoreFeed>();
  const eventOffs = new Map<string, () => void>();
  const pendingEvents = new Map<string, Map<string, unknown>>();
  let perf = emptySample();
  let flushMs = 16;
  let timer: TimerHandle | undefined;

  const post = (msg: FromWorker) => port.postMessage(msg);

  // Events and perf counters share the feeds' cadence: at most one post of each per flush.
  const schedule = () => {
    if (timer === undefined) timer = timers.setTimeout(flush, flushMs);
  };
  const flush = () => {
    timer = undefined;
    for (const [name, entries] of pendingEvents) post({ t: 'events', name, entries: [...entries] });
    pendingEvents.clear();
    if (perf.messages > 0 || perf.batches > 0) {
      post({ t: 'perf', sample: perf });
      perf = emptySample();
    }
  };

  const init = (o: WorkerInit) => {
    if (client) return;
    flushMs = Math.max(0, o.flushMs ?? 16);
    try {
      client = new TidewireClient({
        url: o.url,
        WebSocket: options.WebSocket,
        token: o.token,
        clientName: o.clientName ?? 'tidewire-worker',
        reconnect: o.reconnect,
        handshakeTimeoutMs: o.handshakeTimeoutMs,
        timers,
      });
    } catch (err) {
      const e = err as { code?: string; message?: string };
      post({ t: 'error', error: { code: e.code ?? 'TW_WORKER', message: String(e.message ?? err) } });
      post({ t: 'state', state: 'failed' });
      return;
    }
    const c = client;
    c.on('state', (state) => post({ t: 'state', state }));
    // Posted at once, not coalesced: the page marks it on its own clock (docs/client.md §4.1).
    c.on('open', (e) => post({ t: 'socket-open', at: e.at }));
    c.on('error', (err) => post({ t: 'error', error: { code: err.code, message: err.message, ...(err.channelName ? { channelName: err.channelName } : {}) } }));
    c.on('frame', (f) => {
      perf.messages++;
      perf.bytes += f.bytes;
      schedule();
    });
    for (const name of o.trees) {
      const sub = c.tree(name);
      sub.on('ops', (e) => addBatch(perf, e.decodeMs, e.applyMs));
      feeds.set(
        name,
        new StoreFeed(sub, (messages) => post({ t: 'store', name, messages }), {
          sliceNodes: o.sliceNodes ?? DEFAULT_SLICE_NODES,
          firstSliceNodes: o.firstSliceNodes ?? DEFAULT_FIRST_SLICE_NODES,
          order: o.snapshotOrder,
          flushMs,
          timers,
          paced: true,
        }),
      );
    }
    post({ t: 'state', state: c.state });
  };

  port.onmessage = (ev) => {
    const msg = ev.data as ToWorker;
    if (!msg || typeof msg !== 'object') return;
    switch (msg.t) {
      case 'init':
        init(msg.options);
        return;
      case 'events': {
        if (!client || eventOffs.has(msg.name)) return;
        const name = msg.name;
        eventOffs.set(
          name,
          client.events(name, (key, value) => {
            let m = pendingEvents.get(name);
            if (!m) pendingEvents.set(name, (m = new Map<string, unknown>()));
            m.delete(key); // latest-wins, and re-inserted last so order follows recency
            m.set(key, value);
            schedule();
          }),
        );
        return;
      }
      case 'ack':
        feeds.get(msg.name)?.ack();
        return;
      case 'unevents':
        eventOffs.get(msg.name)?.();
        eventOffs.delete(msg.name);
        return;
      case 'send':
        try {
          client?.send(msg.name, msg.key, msg.value);
        } catch (err) {
          const e = err as { code?: string; message?: string };
          post({ t: 'error', error: { code: e.code ?? 'TW_WORKER', message: String(e.message ?? err), channelName: msg.name } });
        }
        return;
      case 'reconnect':
        client?.reconnect();
        return;
      case 'close':
        for (const f of feeds.values()) f.dispose();
        if (timer !== undefined) timers.clearTimeout(timer);
        timer = undefined;
        void (client?.close() ?? Promise.resolve()).then(() => post({ t: 'closed' }));
        return;
    }
  };
}
