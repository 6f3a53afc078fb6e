// The server's error registries.
//
// ServerError: misuse of the @tidewire/server API by an application (bad options, duplicate
// channel names, calls after close). These never travel to a client.
//
// RefusalError: what the server answers a client it turns away (docs/server.md §1.3): an HTTP
// status (HTTP routes and the WebSocket upgrade, body `{ code, message }`) or, for a connection
// already open, a WebSocket close code (after an ERROR frame carrying the code). Protocol
// violations on the wire stay @tidewire/protocol's ProtocolError.
import { defineErrors } from '@tidewire/base';
import type { ErrorInfo } from '@tidewire/base';

export const ServerErrorCodes = {
  TW_SERVER_BAD_OPTION: { description: 'an option has the wrong type or is out of range' },
  TW_SERVER_TOKEN_REQUIRED: { description: 'a token is required when the server binds to a non-loopback address' },
  TW_SERVER_BAD_CHANNEL_NAME: { description: 'a channel name must be 1–128 bytes of UTF-8' },
  TW_SERVER_CHANNEL_EXISTS: { description: 'a channel with that name already exists' },
  TW_SERVER_BAD_EVENT_KEY: { description: 'an event key must be a string of at most 256 bytes' },
  TW_SERVER_REPLICA: { description: 'a change to a tree channel another cluster node owns (docs/cluster.md §7): changes go to the owner' },
  TW_SERVER_STATE: { description: 'the call is not valid in the server’s current state (listening, closed)' },
} as const;

export type ServerErrorCode = keyof typeof ServerErrorCodes;

export class ServerError extends defineErrors('ServerError', ServerErrorCodes).Error {}

export interface RefusalInfo extends ErrorInfo {
  /** HTTP status of the refusal (HTTP routes and the upgrade). */
  readonly status?: number;
  /** WebSocket close code, for a refusal of a connection already open. */
  readonly closeCode?: number;
}

export const RefusalCodes = {
  TW_HOST_NOT_ALLOWED: {
    status: 403,
    description: 'the Host header names neither a loopback address nor an allowedHosts entry (DNS rebinding)',
  },
  TW_ORIGIN_NOT_ALLOWED: { status: 403, description: 'a WebSocket upgrade from an Origin outside allowedOrigins' },
  TW_UNAUTHORIZED: { status: 401, description: 'the server has a token and the request does not carry it' },
  TW_NOT_FOUND: { status: 404, description: 'no route (or no WebSocket endpoint) at this path' },
  TW_METHOD_NOT_ALLOWED: { status: 405, description: 'the path exists but not for this method; Allow lists the methods it takes' },
  TW_UNAVAILABLE: { status: 503, description: 'the server is closing, or maxConnections WebSocket connections are open' },
  TW_TOO_MANY_CONNECTIONS: {
    status: 503,
    description: 'the client address already holds its share of WebSocket connections (maxConnectionsPerAddress)',
  },
  TW_BUSY: { status: 503, description: 'too many snapshot renders queued; retry after Retry-After seconds' },
  TW_IDLE_TIMEOUT: { closeCode: 1008, description: 'a connection subscribed to nothing for idleTimeoutMs after HELLO' },
} as const satisfies Readonly<Record<string, RefusalInfo>>;

export type RefusalCode = keyof typeof RefusalCodes;

const refusals = defineErrors('RefusalError', RefusalCodes);

export class RefusalError extends refusals.Error {
  /** HTTP status (0 for a refusal that only closes a WebSocket). */
  get status(): number {
    const info: RefusalInfo = RefusalCodes[this.code];
    return info.status ?? 0;
  }

  get closeCode(): number | undefined {
    const info: RefusalInfo = RefusalCodes[this.code];
    return info.closeCode;
  }

  /** The JSON body of an HTTP refusal. */
  body(): { code: RefusalCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The HTTP status of a refusal code. */
export function refusalStatus(code: RefusalCode): number {
  const info: RefusalInfo = RefusalCodes[code];
  return info.status ?? 0;
}
