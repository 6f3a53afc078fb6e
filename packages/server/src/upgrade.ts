// The HTTP upgrade gate in front of ws: path, Origin, token and connection cap are checked
// on the raw request, and a refusal is a plain HTTP response, before any WebSocket handshake.
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

export const WS_PATH = '/ws';

export type UpgradeVerdict = 0 | 401 | 403 | 404 | 503;

export interface UpgradePolicy {
  allowsOrigin(origin: string | undefined): boolean;
  allowsToken(req: IncomingMessage): boolean;
  hasRoom(): boolean;
  closing(): boolean;
}

/** 0 when the upgrade may proceed, else the HTTP status to refuse it with. */
export function judgeUpgrade(req: IncomingMessage, policy: UpgradePolicy): UpgradeVerdict {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path !== WS_PATH) return 404;
  if (policy.closing()) return 503;
  if (!policy.allowsOrigin(req.headers.origin)) return 403;
  if (!policy.allowsToken(req)) return 401;
  if (!policy.hasRoom()) return 503;
  return 0;
}

const REFUSAL_CODES: Record<number, string> = {
  401: 'TW_UNAUTHORIZED',
  403: 'TW_ORIGIN_NOT_ALLOWED',
  404: 'TW_NOT_FOUND',
  503: 'TW_UNAVAILABLE',
};

/** Writes a complete HTTP error response on the raw socket and closes it. */
export function refuseUpgrade(socket: Duplex, status: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ code: REFUSAL_CODES[status] ?? 'TW_REFUSED', message: STATUS_CODES[status] ?? 'refused' });
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  if (status === 401) headers.push('WWW-Authenticate: Bearer');
  socket.once('finish', socket.destroy);
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
