// The server's error registry: misuse of the @tidewire/server API by an application (bad
// options, duplicate channel names, calls after close). Protocol errors on the wire are
// @tidewire/protocol's ProtocolError; these never travel to a client.
import { defineErrors } from '@tidewire/base';

export const ServerErrorCodes = {
  TW_SERVER_BAD_OPTION: { description: 'an option has the wrong type or is out of range' },
  TW_SERVER_TOKEN_REQUIRED: { description: 'a token is required when the server binds to a non-loopback address' },
  TW_SERVER_BAD_CHANNEL_NAME: { description: 'a channel name must be 1–128 bytes of UTF-8' },
  TW_SERVER_CHANNEL_EXISTS: { description: 'a channel with that name already exists' },
  TW_SERVER_BAD_EVENT_KEY: { description: 'an event key must be a string of at most 256 bytes' },
  TW_SERVER_STATE: { description: 'the call is not valid in the server’s current state (listening, closed)' },
} as const;

export type ServerErrorCode = keyof typeof ServerErrorCodes;

export class ServerError extends defineErrors('ServerError', ServerErrorCodes).Error {}
