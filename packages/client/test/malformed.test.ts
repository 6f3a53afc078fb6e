// docs/protocol.md §6: malformed server frames are reported locally as TW_BAD_FRAME (or TW_TEXT_FRAME) and the
// client closes and reconnects; an unknown frame type is non-fatal and ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { FrameType, encodeError, encodeOps, encodeSubscribed, encodeWelcome, DEFAULT_LIMITS } from '@tidewire/protocol';
import { TidewireClient } from '@tidewire/client';
import { startFakeServer } from './fake-server.ts';
import type { FakeConnection } from './fake-server.ts';
import { History, byteHex, sampleTree } from './fixtures.ts';

const FAST = { minDelayMs: 5, maxDelayMs: 20, factor: 2, jitter: 0 };

async function subscribed(t: import('node:test').TestContext) {
  const server = await startFakeServer(t);
  const client = new TidewireClient({ url: server.url, WebSocket, reconnect: FAST });
  t.after(() => client.close());
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  const sub = client.tree('doc');
  const conn = await server.connection();
  await conn.expect(FrameType.SUBSCRIBE);
  const h = new History(sampleTree());
  conn.send(h.subscribed('doc', 1, 'snapshot', 'new'), ...h.snapshotFrames(1));
  await sub.ready();
  return { server, client, sub, conn, errors, h };
}

/** Sends `bytes`, then checks the client closed this connection and resumed on a new one. */
async function expectReconnect(server: Awaited<ReturnType<typeof startFakeServer>>, conn: FakeConnection, bytes: Uint8Array | string) {
  conn.ws.send(bytes, { binary: typeof bytes !== 'string' });
  await conn.closedWithin();
  const again = await server.connection();
  const resub = await again.expect(FrameType.SUBSCRIBE);
  assert.deepEqual(resub.from, { epoch: 7, offset: 0 }, 'the replica resumes from its position');
  return again;
}

const MALFORMED: [string, Uint8Array][] = [
  // OPS • channel 1 • epoch: a varuint that never ends
  ['a truncated varuint', byteHex('23 01 ff ff')],
  // OPS • channel 1 • epoch 7 • offset 1 • msgpack fixmap {} (not an array)
  ['an OPS body that is not an array', byteHex('23 01 07 01 80')],
  // OPS • channel 1 • epoch 7 • offset 1 • [[9]] (op code 9 does not exist)
  ['an op with an unknown code', byteHex('23 01 07 01 91 91 09')],
  // SUBSCRIBED • msgpack 0xc1 (never used)
  ['undecodable msgpack', byteHex('12 c1')],
  // EVENT • channel 1 • ["k", 1] • trailing 0x00
  ['trailing bytes', byteHex('30 01 92 a1 6b 01 00')],
  // HELLO is client-to-server
  ['a client-to-server frame', byteHex('01 83 a8 70 72 6f 74 6f 63 6f 6c 92 01 00 a6 63 6c 69 65 6e 74 a0 ac 63 61 70 61 62 69 6c 69 74 69 65 73 90')],
];

for (const [what, bytes] of MALFORMED) {
  test(`§6 ${what} is TW_BAD_FRAME: the client closes and reconnects`, async (t) => {
    const { server, conn, errors, sub } = await subscribed(t);
    await expectReconnect(server, conn, bytes);
    assert.deepEqual(errors, ['TW_BAD_FRAME']);
    assert.notEqual(sub.tree, null, 'the replica survives the reconnect');
  });
}

test('§6 a second WELCOME is TW_BAD_FRAME', async (t) => {
  const { server, conn, errors } = await subscribed(t);
  const welcome = encodeWelcome({ protocol: [1, 0], instance: 'x', capabilities: [], limits: { ...DEFAULT_LIMITS }, channels: [] });
  await expectReconnect(server, conn, welcome);
  assert.deepEqual(errors, ['TW_BAD_FRAME']);
});

test('§2 a text message is TW_TEXT_FRAME: the client closes and reconnects', async (t) => {
  const { server, conn, errors } = await subscribed(t);
  await expectReconnect(server, conn, 'hello');
  assert.deepEqual(errors, ['TW_TEXT_FRAME']);
});

test('§4 an unknown frame type is non-fatal (TW_UNKNOWN_FRAME_TYPE) and the connection stays', async (t) => {
  const { server, conn, errors, sub, h } = await subscribed(t);
  conn.send(byteHex('7f 01 02 03'));
  conn.send(h.commit(1, [[0, 'n0', { ok: true }]]));
  await sub.waitForOffset(1);
  assert.deepEqual(errors, ['TW_UNKNOWN_FRAME_TYPE']);
  assert.equal(server.count, 1);
});

test('§4.5 SUBSCRIBED with resume "none" for a tree channel is TW_BAD_FRAME', async (t) => {
  const { server, conn, errors } = await subscribed(t);
  await expectReconnect(server, conn, encodeSubscribed({ name: 'doc', channel: 1, kind: 'tree', epoch: 7, offset: 0, resume: 'none' }));
  assert.deepEqual(errors, ['TW_BAD_FRAME']);
});

test('§4.9 a fatal server ERROR closes and reconnects (only TW_PROTOCOL_VERSION stops the client)', async (t) => {
  const { server, conn, errors, client } = await subscribed(t);
  await expectReconnect(server, conn, encodeError({ code: 'TW_HANDSHAKE_REQUIRED', message: 'x', fatal: true }));
  assert.deepEqual(errors, ['TW_HANDSHAKE_REQUIRED']);
  await client.waitForState('open');
});

test('§4.1 a major version mismatch fails the client with TW_PROTOCOL_VERSION and stops reconnecting', async (t) => {
  const server = await startFakeServer(t, { welcome: { protocol: [2, 0] } });
  const client = new TidewireClient({ url: server.url, WebSocket, reconnect: FAST });
  t.after(() => client.close());
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  const sub = client.tree('doc');
  const ready = sub.ready();
  await assert.rejects(client.waitForState('open'), (e: { code: string }) => e.code === 'TW_PROTOCOL_VERSION');
  await assert.rejects(ready, (e: { code: string }) => e.code === 'TW_PROTOCOL_VERSION');
  assert.equal(client.state, 'failed');
  assert.equal(client.fatalError?.code, 'TW_PROTOCOL_VERSION');
  assert.deepEqual(errors, ['TW_PROTOCOL_VERSION']);
  assert.equal(sub.status, 'error');
  // A would-be retry would open a second connection; give the (5 ms) backoff ample room by
  // round-tripping a fresh socket through the server first.
  const probe = new WebSocket(server.url);
  await new Promise((resolve) => probe.once('open', resolve));
  probe.send(byteHex('01 83 a8 70 72 6f 74 6f 63 6f 6c 92 01 00 a6 63 6c 69 65 6e 74 a0 ac 63 61 70 61 62 69 6c 69 74 69 65 73 90'));
  await server.connection();
  probe.close();
  assert.equal(server.count, 2, 'only the probe connected after the failure');
});

test('§4.9 ERROR TW_PROTOCOL_VERSION from the server also stops the client', async (t) => {
  const server = await startFakeServer(t, { welcome: false });
  const client = new TidewireClient({ url: server.url, WebSocket, reconnect: FAST });
  t.after(() => client.close());
  const conn = await server.connection();
  conn.send(encodeError({ code: 'TW_PROTOCOL_VERSION', message: 'server speaks 2.0, client 1.0', fatal: true }));
  await assert.rejects(client.waitForState('open'), (e: { code: string; source: string }) => e.code === 'TW_PROTOCOL_VERSION' && e.source === 'server');
  assert.equal(client.state, 'failed');
});

test('§4.7 OPS for a channel the client does not know are ignored', async (t) => {
  const { errors, conn, sub, h, server } = await subscribed(t);
  conn.send(encodeOps(42, { epoch: 1, offset: 1 }, [[0, 'x', { a: 1 }]]));
  conn.send(h.commit(1, [[0, 'n0', { ok: true }]]));
  await sub.waitForOffset(1);
  assert.deepEqual(errors, []);
  assert.equal(server.count, 1);
});
