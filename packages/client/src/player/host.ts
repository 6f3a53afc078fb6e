// The engine's side of the player's port: makes the PlayerEngine on the first message (with a
// connection of its own in a worker, or the caller's TidewireClient in-process) and feeds it
// every message after that.
import { TidewireClient } from '../client.ts';
import { toClientError } from '../errors.ts';
import type { Timers } from '../timers.ts';
import { PlayerEngine } from './engine.ts';
import type { FetchLike } from './engine.ts';
import type { FromEngine, ToEngine, TransferPort } from './messages.ts';

export interface EngineHostOptions {
  /** Use this connection (in-process players); otherwise the engine connects itself. */
  client?: TidewireClient;
  /** WebSocket constructor for the engine's own connection (Node: `ws`). */
  WebSocket?: unknown;
  fetch?: FetchLike;
  timers?: Timers;
}

export function startEngineHost(port: TransferPort, options: EngineHostOptions = {}): void {
  let engine: PlayerEngine | null = null;
  const post = (msg: FromEngine, transfer?: Transferable[]) => port.postMessage(msg, transfer);
  port.onmessage = (ev) => {
    const msg = ev.data as ToEngine;
    if (!msg || typeof msg !== 'object') return;
    if (!engine) {
      if (msg.t === 'close') {
        post({ t: 'closed' });
        return;
      }
      if (msg.t !== 'open') return;
      try {
        const c = msg.connect;
        const client =
          options.client ??
          new TidewireClient({
            url: c?.url ?? msg.open.httpUrl,
            WebSocket: options.WebSocket,
            ...(c?.token !== undefined ? { token: c.token } : {}),
            clientName: c?.clientName ?? 'tidewire-player',
            ...(c?.reconnect !== undefined ? { reconnect: c.reconnect } : {}),
            ...(options.timers ? { timers: options.timers } : {}),
          });
        engine = new PlayerEngine({ client, ownsClient: options.client === undefined, fetch: options.fetch, timers: options.timers, post });
      } catch (err) {
        const e = toClientError(err, 'TW_WORKER');
        post({ t: 'error', code: e.code, message: e.message });
        return;
      }
    }
    engine.handle(msg);
  };
}

/** Two ends of an in-process port: delivery is asynchronous (a microtask), as across a worker. */
export function localPorts(): { main: TransferPort; engine: TransferPort } {
  const main: TransferPort = { onmessage: null, postMessage: (m) => queueMicrotask(() => engine.onmessage?.({ data: m })) };
  const engine: TransferPort = { onmessage: null, postMessage: (m) => queueMicrotask(() => main.onmessage?.({ data: m })) };
  return { main, engine };
}
