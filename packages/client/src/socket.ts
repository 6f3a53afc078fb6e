// The slice of the WebSocket API the client uses. Both the browser's WebSocket and the `ws`
// package satisfy it, so the connection core stays free of platform imports.
import { invalidOption } from './errors.ts';

export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SocketConstructor = new (url: string) => SocketLike;

/** WebSocket.OPEN in both implementations. */
export const SOCKET_OPEN = 1;

/** The injected constructor, or the runtime's global WebSocket (browsers, workers, Node ≥ 22). */
export function resolveSocketConstructor(injected: unknown): SocketConstructor {
  const ctor = injected ?? (globalThis as { WebSocket?: unknown }).WebSocket;
  if (typeof ctor !== 'function') {
    throw invalidOption('no WebSocket implementation: pass the `WebSocket` option (in Node: `import { WebSocket } from "ws"`)');
  }
  return ctor as SocketConstructor;
}

/**
 * Validates `url` and adds the token as `access_token` (browsers cannot set an Authorization
 * header on a WebSocket, docs/protocol.md §2). http(s) URLs become ws(s); a URL without a path
 * gets the protocol's `/ws`.
 */
export function connectUrl(url: string, token?: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidOption(`url is not an absolute URL: ${JSON.stringify(url)}`);
  }
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw invalidOption(`url must be ws:, wss:, http: or https:, got ${u.protocol}`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/ws';
  if (token !== undefined) {
    if (typeof token !== 'string' || token.length === 0) throw invalidOption('token must be a non-empty string');
    u.searchParams.set('access_token', token);
  }
  return u.toString();
}

/**
 * Resolves a relative URL against the page, so a worker (whose base differs) gets an absolute
 * one.
 */
export function absoluteUrl(url: string): string {
  if (typeof url !== 'string' || url.length === 0) throw invalidOption('url must be a non-empty string');
  const base = (globalThis as { location?: { href: string } }).location?.href;
  try {
    return new URL(url, base).toString();
  } catch {
    throw invalidOption(`url is not a valid URL: ${JSON.stringify(url)}`);
  }
}

/** Message data as bytes; undefined for text messages. */
export function messageBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/**
 * Closes without throwing: browsers reject close codes outside 1000 and 3000–4999, which
 * would turn a local protocol-error close into an exception.
 */
export function closeQuietly(socket: SocketLike, code: number, reason: string): void {
  try {
    socket.close(code, reason);
  } catch {
    try {
      socket.close();
    } catch {
      // already closing
    }
  }
}
