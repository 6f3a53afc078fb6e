// Helpers for the mirror's tests: a real Tidewire server with a LiveSetMirror on ephemeral
// ports, a UDP sender, and polling waits (UDP and WebSocket delivery are asynchronous; the
// waits have generous deadlines and are not timing assertions).
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import type { TestContext } from 'node:test';
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import { LiveSetMirror } from '../src/mirror.ts';
import type { LiveSetMirrorOptions } from '../src/mirror.ts';
import { encodeOsc } from '../src/osc/codec.ts';
import type { OscArg } from '../src/osc/codec.ts';

export interface Started {
  server: TidewireServer;
  mirror: LiveSetMirror;
  url: string;
  logs: string[];
}

export async function startMirror(t: TestContext, opts: LiveSetMirrorOptions = {}): Promise<Started> {
  const server = await createServer({ port: 0, tickMs: 5, logger: false, defaultMetrics: false });
  const logs: string[] = [];
  let mirror: LiveSetMirror;
  try {
    mirror = await LiveSetMirror.start(server, { oscPort: 0, liveControl: false, log: (m) => logs.push(m), ...opts });
  } catch (err) {
    await server.close();
    throw err;
  }
  t.after(async () => {
    await mirror.close();
    await server.close();
  });
  const url = await server.listen();
  return { server, mirror, url, logs };
}

export interface UdpSender {
  socket: Socket;
  port: number;
  send(port: number, address: string, args?: OscArg[]): Promise<void>;
  sendRaw(port: number, bytes: Uint8Array): Promise<void>;
}

export async function udpSender(t: TestContext): Promise<UdpSender> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => socket.close(() => r())));
  const sendRaw = (port: number, bytes: Uint8Array) =>
    new Promise<void>((resolve, reject) => socket.send(bytes, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  return {
    socket,
    port: socket.address().port,
    sendRaw,
    send: (port, address, args = []) => sendRaw(port, encodeOsc(address, args)),
  };
}

/** Polls `pred` every 5 ms until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(pred: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function totalDrops(mirror: LiveSetMirror): number {
  return Object.values(mirror.metrics.dropped).reduce((a, b) => a + b, 0);
}
