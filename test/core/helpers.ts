// Shared by the core acceptance tests: real servers on loopback, real clients over `ws`.
import { inflateRawSync } from 'node:zlib';
import WebSocket from 'ws';
import { TidewireClient } from '@tidewire/client';
import type { ClientOptions, SocketConstructor } from '@tidewire/client';

export function nodeClient(url: string, options: Partial<ClientOptions> = {}): TidewireClient {
  return new TidewireClient({
    url,
    WebSocket: WebSocket as unknown as SocketConstructor,
    clientName: 'core-test',
    inflate: async (body) => inflateRawSync(body),
    ...options,
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seed from TIDEWIRE_SEED (to replay a failure) or fresh: @tidewire/random's one helper. */
export { testSeed } from '@tidewire/random';
