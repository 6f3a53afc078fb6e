// docs/protocol.md §6: the server never crashes on client input and one client's errors never affect another.
// Every malformed input below is sent by its own client while a bystander keeps receiving ops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeHello, encodeSubscribe, FrameType, PROTOCOL_VERSION } from '@tidewire/protocol';
import type { TreeChannel } from '../src/index.ts';
import { client, leaf, root, startServer } from './helpers.ts';
import { RawClient } from './raw-client.ts';

const hex = (s: string) =>
  Uint8Array.from(
    s
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );

interface Case {
  name: string;
  /** Sent after HELLO unless `beforeHello`. */
  frame: Uint8Array | string;
  beforeHello?: boolean;
  code: string;
  fatal: boolean;
  close?: number;
}

const cases: Case[] = [
  { name: 'truncated varuint', frame: hex('11 80'), code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  { name: 'overlong varuint', frame: hex('11 ff ff ff ff ff ff ff ff 01'), code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  { name: 'trailing bytes after UNSUBSCRIBE', frame: hex('11 01 00'), code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  { name: 'garbage msgpack', frame: hex('10 c1 c1 c1'), code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  { name: 'empty SUBSCRIBE body', frame: hex('10'), code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  // SUBSCRIBE {name: 42}: fixmap(1) "name" → 42
  { name: 'wrong field type', frame: hex('10 81 a4 6e616d65 2a'), code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  // EVENT on channel 1 whose body is not [key, value]
  { name: 'EVENT body not a pair', frame: hex('30 01 91 a1 6b'), code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  { name: 'server-only frame type (WELCOME) from a client', frame: hex('02 80'), code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  { name: 'empty frame', frame: new Uint8Array(0), code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  { name: 'unknown frame type', frame: hex('7f 01 02 03'), code: 'TW_UNKNOWN_FRAME_TYPE', fatal: false },
  { name: 'reserved frame type', frame: hex('55'), code: 'TW_UNKNOWN_FRAME_TYPE', fatal: false },
  { name: 'text frame', frame: 'hello', code: 'TW_TEXT_FRAME', fatal: true, close: 1003 },
  { name: 'text frame before HELLO', frame: 'hello', beforeHello: true, code: 'TW_TEXT_FRAME', fatal: true, close: 1003 },
  { name: 'SUBSCRIBE before HELLO', frame: encodeSubscribe({ name: 'doc' }), beforeHello: true, code: 'TW_HANDSHAKE_REQUIRED', fatal: true, close: 1002 },
  { name: 'garbage before HELLO', frame: hex('ff ff'), beforeHello: true, code: 'TW_HANDSHAKE_REQUIRED', fatal: true, close: 1002 },
  { name: 'malformed HELLO', frame: hex('01 c1'), beforeHello: true, code: 'TW_BAD_FRAME', fatal: true, close: 1002 },
  // HELLO {protocol: "1.0"}
  {
    name: 'HELLO with a wrong version type',
    frame: hex('01 81 a8 70726f746f636f6c a3 312e30'),
    beforeHello: true,
    code: 'TW_BAD_FRAME',
    fatal: true,
    close: 1002,
  },
];

test('§6 malformed frames fail only their own connection while a bystander keeps receiving', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root([leaf('counter', { n: 0 })]))));
  const bystander = await client(t, server);
  bystander.subscribe('doc');
  await bystander.until(() => bystander.mirror(doc.id)?.tree !== undefined);
  let n = 0;
  for (const c of cases) {
    await t.test(c.name, async () => {
      const bad = c.beforeHello ? await RawClient.connect(server.url) : await RawClient.open(server.url);
      try {
        bad.send(c.frame);
        doc.set('counter', { n: ++n });
        if (c.fatal) {
          const { code } = await bad.closedWithin();
          assert.equal(code, c.close);
          assert.deepEqual(bad.errors(), [c.code]);
          const err = bad.frames.find((f) => f.type === FrameType.ERROR);
          assert.ok(err?.type === FrameType.ERROR && err.fatal);
        } else {
          await bad.until(() => bad.errors().length === 1);
          assert.deepEqual(bad.errors(), [c.code]);
          // Still usable afterwards.
          bad.subscribe('doc');
          await bad.next((f) => f.type === FrameType.SUBSCRIBED);
          assert.equal(bad.closeCode, undefined);
        }
        await bystander.until(() => bystander.mirror(doc.id)!.tree!.get('counter')!.attrs.n === n);
      } finally {
        await bad.close();
      }
    });
  }
  assert.equal(bystander.closeCode, undefined);
  assert.deepEqual(bystander.errors(), []);
  assert.equal(bystander.mirror(doc.id)!.tree!.rootHash, doc.tree.rootHash);
  const metrics = await server.metrics.metrics();
  assert.match(metrics, /tidewire_protocol_errors_total\{code="TW_BAD_FRAME"\} \d+/);
  assert.match(metrics, /tidewire_protocol_errors_total\{code="TW_TEXT_FRAME"\} 2/);
});

test('§2 a frame split over WebSocket continuation fragments is one frame', async (t) => {
  const server = await startServer(t, {}, (s) => void s.tree('doc', root()));
  const c = await RawClient.connect(server.url);
  t.after(() => c.close());
  const hello = encodeHello({ protocol: [PROTOCOL_VERSION.major, 0], client: 'x', capabilities: [] });
  c.ws.send(hello.subarray(0, 3), { fin: false });
  c.ws.send(hello.subarray(3), { fin: true });
  await c.next((f) => f.type === FrameType.WELCOME);
});

test('§7 a client that floods requests but does not read its replies is cut off (1008), not buffered', async (t) => {
  const server = await startServer(t, { limits: { maxQueuedBytes: 4096 } });
  const c = await RawClient.open(server.url);
  t.after(() => c.ws.terminate());
  // Stop reading: once the kernel buffers are full, replies pile up in the control queue.
  c.setReading(false);
  const frame = encodeSubscribe({ name: 'x'.repeat(128) }); // each reply names the channel: ~300 bytes
  let peak = 0;
  for (let i = 0; i < 200 && server.connectionStats().length > 0; i++) {
    for (let j = 0; j < 500; j++) c.send(frame);
    await new Promise((r) => setTimeout(r, 5));
    for (const s of server.connectionStats()) peak = Math.max(peak, s.controlBytes);
  }
  assert.equal(server.connectionStats().length, 0, 'the server dropped the connection');
  assert.ok(peak <= 4096, `control queue peaked at ${peak} bytes`);
  assert.match(await server.metrics.metrics(), /tidewire_protocol_errors_total\{code="TW_SLOW_CONSUMER"\} 1/);
});
