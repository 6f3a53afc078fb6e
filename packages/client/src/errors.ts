// The client's error registry. Codes are stable API: apps and tests match on `code`, never
// on the message. Errors the server reports in an ERROR frame keep the server's code
// (docs/protocol.md §6) and carry `source: 'server'`.
import { defineErrors, type ErrorInfo } from '@tidewire/base';

export interface ClientErrorInfo extends ErrorInfo {
  /** A fatal error stops the client: no reconnect. */
  readonly fatal: boolean;
}

export const ClientErrorCodes = {
  TW_BAD_FRAME: { fatal: false, description: 'the server sent a malformed frame; the client closes the connection and reconnects' },
  TW_TEXT_FRAME: { fatal: false, description: 'the server sent a text message; the client closes the connection and reconnects' },
  TW_FRAME_TOO_LARGE: { fatal: false, description: 'a frame above the size limit (outgoing: maxFrameBytes from WELCOME; incoming: maxIncomingFrameBytes)' },
  TW_PROTOCOL_VERSION: { fatal: true, description: 'the server speaks another major protocol version; the client stops' },
  TW_HANDSHAKE_TIMEOUT: { fatal: false, description: 'no WELCOME within handshakeTimeoutMs; the client reconnects' },
  TW_CONNECT_FAILED: { fatal: false, description: 'the WebSocket closed before the handshake completed; the client reconnects' },
  TW_UNKNOWN_FRAME_TYPE: { fatal: false, description: 'a frame type this client does not know; ignored' },
  TW_WRONG_KIND: { fatal: false, description: 'the channel exists with another kind than the one subscribed as' },
  TW_DIVERGED: { fatal: false, description: 'an op batch did not apply to the replica; the client reloads a fresh snapshot' },
  TW_INVALID_OPTION: { fatal: true, description: 'an option or argument failed validation' },
  TW_CLOSED: { fatal: false, description: 'the client or subscription was closed while waiting' },
  TW_TIMEOUT: { fatal: false, description: 'a wait helper gave up after its timeoutMs' },
  TW_WORKER: { fatal: false, description: 'the Web Worker reported an error or could not start' },
  TW_HTTP: {
    fatal: false,
    description: 'a timeline HTTP request (metadata or segment) failed or answered an error status; the player retries on its next need',
  },
  TW_BAD_TIMELINE: { fatal: false, description: 'timeline metadata, a segment or a streamed frame did not validate or decode (docs/timeline-format.md)' },
  TW_PLAYER_STATE: {
    fatal: false,
    description: 'the player was asked to make a move its phase table refuses (player/phase.ts): a bug in the player, never expected',
  },
} as const satisfies Readonly<Record<string, ClientErrorInfo>>;

export type ClientErrorCode = keyof typeof ClientErrorCodes;

// reason: the registry is seen as string-keyed so that `code` is any string: an ERROR frame
// carries the server's code, which this client may not know (a newer server's).
const registry = defineErrors<Readonly<Record<string, ClientErrorInfo>>>('ClientError', ClientErrorCodes);

export class ClientError extends registry.Error {
  readonly source: 'client' | 'server';
  readonly fatal: boolean;
  /** The channel name the error is about, when there is one. */
  channelName?: string;

  /** `code`: a ClientErrorCode, or the server's code for errors that came in an ERROR frame. */
  constructor(code: string, message: string, context: { source?: 'client' | 'server'; fatal?: boolean; channelName?: string; cause?: unknown } = {}) {
    super(code, message, context);
    this.source = context.source ?? 'client';
    this.fatal = context.fatal ?? (isClientErrorCode(code) ? ClientErrorCodes[code].fatal : false);
    if (context.channelName !== undefined) this.channelName = context.channelName;
  }
}

export function isClientErrorCode(value: unknown): value is ClientErrorCode {
  return registry.isCode(value);
}

export function invalidOption(message: string): ClientError {
  return new ClientError('TW_INVALID_OPTION', message);
}

/** Any thrown value as a ClientError; `code` is kept when the value has a string code. */
export function toClientError(err: unknown, fallback: ClientErrorCode, channelName?: string): ClientError {
  if (err instanceof ClientError) return err;
  const code = typeof (err as { code?: unknown } | null)?.code === 'string' ? (err as { code: string }).code : fallback;
  const message = err instanceof Error ? err.message : String(err);
  return new ClientError(code, message, { channelName, cause: err });
}
