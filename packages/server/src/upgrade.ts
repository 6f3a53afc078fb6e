// The HTTP upgrade gate in front of ws: path, Host, Origin, token and the connection caps are
// checked on the raw request, and a refusal is a plain HTTP response (a coded JSON body, the
// code's status; docs/server.md §1.3), before any WebSocket handshake.
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { RefusalCodes, RefusalError } from './errors.ts';
import type { RefusalCode } from './errors.ts';

export const WS_PATH = '/ws';

/** Undefined when the upgrade may proceed, else the refusal. */
export type UpgradeVerdict = RefusalCode | undefined;

export interface UpgradePolicy {
  allowsHost(host: string | undefined): boolean;
  allowsOrigin(origin: string | undefined): boolean;
  allowsToken(req: IncomingMessage): boolean;
  hasRoom(): boolean;
  /** Whether the client's address is below its own cap. */
  addressHasRoom(req: IncomingMessage): boolean;
  closing(): boolean;
}

export function judgeUpgrade(req: IncomingMessage, policy: UpgradePolicy): UpgradeVerdict {
  // The Host check comes first, as on every HTTP route: a rebound name learns nothing, not
  // even whether the path exists.
  if (!policy.allowsHost(req.headers.host)) return 'TW_HOST_NOT_ALLOWED';
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path !== WS_PATH) return 'TW_NOT_FOUND';
  if (policy.closing()) return 'TW_UNAVAILABLE';
  if (!policy.allowsOrigin(req.headers.origin)) return 'TW_ORIGIN_NOT_ALLOWED';
  if (!policy.allowsToken(req)) return 'TW_UNAUTHORIZED';
  if (!policy.hasRoom()) return 'TW_UNAVAILABLE';
  if (!policy.addressHasRoom(req)) return 'TW_TOO_MANY_CONNECTIONS';
  return undefined;
}

/** The message of each refusal an upgrade can get (judgeUpgrade's verdicts). */
const MESSAGES: Partial<Record<RefusalCode, string>> = {
  TW_HOST_NOT_ALLOWED: 'this server does not answer to that Host name',
  TW_ORIGIN_NOT_ALLOWED: 'this Origin may not open a WebSocket here',
  TW_UNAUTHORIZED: 'a bearer token is required',
  TW_NOT_FOUND: 'no WebSocket endpoint at this path',
  TW_UNAVAILABLE: 'the server is full or closing',
  TW_TOO_MANY_CONNECTIONS: 'this address holds its share of connections',
};

/** Writes a complete HTTP error response on the raw socket and closes it. */
export function refuseUpgrade(socket: Duplex, code: RefusalCode): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const refusal = new RefusalError(code, MESSAGES[code] ?? RefusalCodes[code].description);
  const status = refusal.status;
  const body = JSON.stringify(refusal.body());
  const headers = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  if (status === 401) headers.push('WWW-Authenticate: Bearer');
  if (status === 503) headers.push('Retry-After: 1');
  socket.once('finish', socket.destroy);
  socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
}
