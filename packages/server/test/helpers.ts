// Shared fixtures for server tests: servers on 127.0.0.1 port 0 torn down with the test.
import type { TestContext } from 'node:test';
import type { NodeSnapshot } from '@tidewire/tree';
import { createServer } from '../src/index.ts';
import type { ServerOptions, TidewireServer } from '../src/index.ts';
import type { InternalServerOptions } from '../src/server.ts';
import { RawClient } from './raw-client.ts';
import { describeCondition } from './test-socket.ts';
import { seededRandom } from '@tidewire/random';

export async function startServer(
  t: TestContext,
  options: ServerOptions = {},
  setup?: (s: TidewireServer) => void | Promise<void>,
  internal?: InternalServerOptions,
): Promise<TidewireServer> {
  const server = await createServer({ defaultMetrics: false, ...options }, internal);
  t.after(() => server.close());
  if (setup) await setup(server);
  await server.listen();
  return server;
}

export async function client(t: TestContext, server: TidewireServer, opts?: Parameters<typeof RawClient.open>[1]): Promise<RawClient> {
  const c = await RawClient.open(server.url, opts);
  t.after(() => c.close());
  return c;
}

export function leaf(id: string, attrs: Record<string, unknown> = {}): NodeSnapshot {
  return { id, type: 'item', attrs: attrs as NodeSnapshot['attrs'], children: [] };
}

export function root(children: NodeSnapshot[] = [], attrs: Record<string, unknown> = {}): NodeSnapshot {
  return { id: 'root', type: 'root', attrs: attrs as NodeSnapshot['attrs'], children };
}

/** A tree of `n` leaves under the root, each with a payload of `bytes` random-ish characters. */
export function bigTree(n: number, bytes: number, seed = 1): NodeSnapshot {
  const rand = seededRandom(seed);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const children: NodeSnapshot[] = [];
  for (let i = 0; i < n; i++) {
    let text = '';
    for (let j = 0; j < bytes; j++) text += alphabet[Math.floor(rand() * alphabet.length)];
    children.push(leaf(`n${i}`, { text, i }));
  }
  return root(children);
}

/** Polls `cond` every 2 ms (server-side state has no event to wait on); after `timeoutMs` it
 *  fails with `timed out after N ms waiting for <what>` (default: the condition's source) rather
 *  than hang. `cond` may have side effects: it is called once per poll. */
export async function waitFor(cond: () => boolean, what = describeCondition(cond), timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Resolves after the event loop has gone round `n` times. */
export async function turns(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}
