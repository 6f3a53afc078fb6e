// The protocol's error registry (docs/protocol.md §6). Codes are stable API: tests and
// clients match on `code`, never on the message text.
import { defineErrors, type ErrorInfo } from '@tidewire/base';

export interface ErrorCodeInfo extends ErrorInfo {
  /** A fatal error closes the connection after the ERROR frame. */
  readonly fatal: boolean;
  /** WebSocket close code sent after a fatal error. */
  readonly closeCode?: number;
}

export const ErrorCodes = {
  TW_BAD_FRAME: {
    fatal: true,
    closeCode: 1002,
    description: 'malformed frame: truncated or overlong varuint, undecodable msgpack, wrong field types, trailing bytes',
  },
  TW_TEXT_FRAME: { fatal: true, closeCode: 1003, description: 'a text WebSocket message; the protocol is binary only' },
  TW_FRAME_TOO_LARGE: { fatal: true, closeCode: 1009, description: 'a frame above maxFrameBytes' },
  TW_HANDSHAKE_REQUIRED: { fatal: true, closeCode: 1002, description: 'a frame before HELLO, or a second HELLO' },
  TW_HANDSHAKE_TIMEOUT: { fatal: true, closeCode: 1002, description: 'no HELLO within the handshake timeout' },
  TW_PROTOCOL_VERSION: { fatal: true, closeCode: 4001, description: 'the peer speaks another major protocol version' },
  TW_UNKNOWN_FRAME_TYPE: { fatal: false, description: 'a frame type this peer does not know' },
  TW_UNKNOWN_CHANNEL: { fatal: false, description: 'SUBSCRIBE to a channel name the server does not have' },
  TW_TOO_MANY_SUBSCRIPTIONS: { fatal: false, description: 'more subscriptions than maxSubscriptions' },
  TW_NOT_SUBSCRIBED: { fatal: false, description: 'a frame about a channel the client has not subscribed' },
  TW_READ_ONLY: { fatal: false, description: 'an EVENT to a channel that takes no input' },
  TW_SLOW_CONSUMER: { fatal: false, description: "the client's queue passed its cap; queued ops were dropped and a snapshot follows" },
} as const satisfies Readonly<Record<string, ErrorCodeInfo>>;

export type ErrorCode = keyof typeof ErrorCodes;

// Stryker disable next-line StringLiteral: the registry's name only shows on a direct instance of registry.Error, which nothing creates; ProtocolError takes its own class name (new.target)
const registry = defineErrors('ProtocolError', ErrorCodes);

export class ProtocolError extends registry.Error {
  readonly fatal: boolean;
  readonly closeCode: number | undefined;
  channel?: number;
  /** Channel name, when the error is about a name (TW_UNKNOWN_CHANNEL). */
  channelName?: string;

  constructor(code: ErrorCode, message: string, context?: { channel?: number; channelName?: string }) {
    super(code, message);
    const info: ErrorCodeInfo = ErrorCodes[code];
    this.fatal = info.fatal;
    this.closeCode = info.closeCode;
    if (context?.channel !== undefined) this.channel = context.channel;
    if (context?.channelName !== undefined) this.channelName = context.channelName;
  }
}

/** True when `value` is one of the protocol's codes (an ERROR frame's code may be any string). */
export const isErrorCode = registry.isCode;

/** Shorthand for the most common failure: a malformed frame. */
export function badFrame(message: string): ProtocolError {
  return new ProtocolError('TW_BAD_FRAME', message);
}
