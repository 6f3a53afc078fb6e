// The server's error registry: misuse of the @tidewire/server API by an application (bad
// options, duplicate channel names, calls after close). Protocol errors on the wire are
// @tidewire/protocol's ProtocolError; these never travel to a client.

export type ServerErrorCode =
  | 'TW_SERVER_BAD_OPTION'
  | 'TW_SERVER_TOKEN_REQUIRED'
  | 'TW_SERVER_BAD_CHANNEL_NAME'
  | 'TW_SERVER_CHANNEL_EXISTS'
  | 'TW_SERVER_BAD_EVENT_KEY'
  | 'TW_SERVER_STATE';

export const ServerErrorCodes: Readonly<Record<ServerErrorCode, string>> = {
  TW_SERVER_BAD_OPTION: 'an option has the wrong type or is out of range',
  TW_SERVER_TOKEN_REQUIRED: 'a token is required when the server binds to a non-loopback address',
  TW_SERVER_BAD_CHANNEL_NAME: 'a channel name must be 1–128 bytes of UTF-8',
  TW_SERVER_CHANNEL_EXISTS: 'a channel with that name already exists',
  TW_SERVER_BAD_EVENT_KEY: 'an event key must be a string of at most 256 bytes',
  TW_SERVER_STATE: 'the call is not valid in the server’s current state (listening, closed)',
};

export class ServerError extends Error {
  readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string) {
    super(message);
    this.name = 'ServerError';
    this.code = code;
  }
}
