// createPlayer: one entry for both pacings and both placements of the engine.
// - Browser with `url`: the engine runs in a Web Worker of its own (fetch, gunzip by the
//   browser, decode), posting decoded blocks as transferred ArrayBuffers.
// - `client` (an existing TidewireClient), or no Worker (Node): the same engine in-process.
// The in-process engine is imported on demand, so the page bundle of a worker setup never
// holds the codec.
import type { ReconnectOptions } from '../backoff.ts';
import type { TidewireClient } from '../client.ts';
import { invalidOption } from '../errors.ts';
import { absoluteUrl } from '../socket.ts';
import type { FetchLike } from './engine.ts';
import type { TransferPort } from './messages.ts';
import { Player } from './player.ts';
import type { PlayerOptions } from './options.ts';

export interface CreatePlayerOptions extends PlayerOptions {
  /** Server URL (http(s) or ws(s); relative URLs resolve against the page). Needs no `client`. */
  url?: string;
  /** An existing connection to share; the engine then runs in-process on this thread. */
  client?: TidewireClient;
  /** Bearer token for HTTP and `access_token` for the WebSocket (taken from `client` if given). */
  token?: string;
  /** Where the REST routes live; default the origin of `url` (or of the client's URL). */
  httpUrl?: string;
  /**
   * true: run the engine in a Web Worker (default when `Worker` exists and no `client` is given);
   * false: in-process; or a worker / port whose other end runs startEngineHost.
   */
  worker?: boolean | (TransferPort & { terminate?: () => void });
  /** In-process engine: WebSocket constructor for its own connection (Node: `ws`). */
  WebSocket?: unknown;
  /** In-process engine: fetch to use. */
  fetch?: FetchLike;
  clientName?: string;
  reconnect?: Partial<ReconnectOptions> | false;
}

export function createPlayer(options: CreatePlayerOptions): Player {
  if (!options || typeof options !== 'object') throw invalidOption('options must be an object');
  const { client } = options;
  if (client === undefined && (typeof options.url !== 'string' || options.url.length === 0)) throw invalidOption('createPlayer needs `url` or `client`');
  const serverUrl = client !== undefined ? client.url : absoluteUrl(options.url!);
  const token = options.token ?? (client !== undefined ? (new URL(client.url).searchParams.get('access_token') ?? undefined) : undefined);
  const httpUrl = (options.httpUrl ?? httpOrigin(serverUrl)).replace(/\/+$/, '');
  const connect =
    client === undefined
      ? {
          url: serverUrl,
          ...(token !== undefined ? { token } : {}),
          ...(options.clientName !== undefined ? { clientName: options.clientName } : {}),
          ...(options.reconnect !== undefined ? { reconnect: options.reconnect } : {}),
        }
      : undefined;
  const open = { httpUrl, ...(token !== undefined ? { token } : {}), ...(connect ? { connect } : {}) };

  const w = options.worker;
  if (w !== undefined && w !== true && w !== false) {
    return new Player(w, options, open, () => w.terminate?.());
  }
  const useWorker = w === true || (w === undefined && client === undefined && typeof Worker === 'function');
  if (useWorker) {
    if (client !== undefined) throw invalidOption('a player in a worker makes its own connection: pass `url`, not `client`');
    if (typeof Worker !== 'function') throw invalidOption('no Worker in this environment: pass worker: false');
    const worker = defaultWorker();
    return new Player(worker, options, open, () => worker.terminate());
  }
  // In-process: the port's engine end is served once the engine module has loaded.
  let ports: { main: TransferPort; engine: TransferPort } | null = null;
  const held: unknown[] = [];
  const relay: TransferPort = {
    onmessage: null,
    postMessage(m) {
      if (ports) ports.main.postMessage(m);
      else held.push(m);
    },
  };
  const player = new Player(relay, options, open);
  void import('./host.ts').then(
    ({ startEngineHost, localPorts }) => {
      ports = localPorts();
      ports.main.onmessage = (ev) => relay.onmessage?.(ev);
      startEngineHost(ports.engine, {
        ...(client !== undefined ? { client } : {}),
        ...(options.WebSocket !== undefined ? { WebSocket: options.WebSocket } : {}),
        ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
        ...(options.timers !== undefined ? { timers: options.timers } : {}),
      });
      for (const m of held.splice(0)) ports.main.postMessage(m);
    },
    (err: unknown) => relay.onmessage?.({ data: { t: 'error', code: 'TW_WORKER', message: `player engine failed to load: ${String(err)}` } }),
  );
  return player;
}

/** http(s) origin of a ws(s) or http(s) URL. */
function httpOrigin(url: string): string {
  const u = new URL(url);
  if (u.protocol === 'ws:') return `http://${u.host}`;
  if (u.protocol === 'wss:') return `https://${u.host}`;
  if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
  throw invalidOption(`url must be http(s) or ws(s), got ${u.protocol}`);
}

function defaultWorker(): TransferPort & { terminate(): void } {
  // Written out literally: this is the expression Vite recognises to bundle the worker entry.
  return new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'tidewire-player' }) as unknown as TransferPort & { terminate(): void };
}
