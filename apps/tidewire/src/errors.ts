// The tidewire command's error registry (the apps' own errors keep their codes: LIVESET_…,
// REPLAY_…). Codes are stable: `tidewire serve` prints them and tests compare them.
import { defineErrors } from '@tidewire/base';

export const ServeErrorCodes = {
  TIDEWIRE_PORT_IN_USE: { description: 'the HTTP/WebSocket port (--port) is taken by another process' },
} as const;

export class ServeError extends defineErrors('ServeError', ServeErrorCodes).Error {}
