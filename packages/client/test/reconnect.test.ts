// docs/client.md §1: connection core with an in-memory socket and a manual clock: backoff with jitter, the
// reset after a stable connection, the handshake timeout, options and resubscription.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameType, encodeEvent, encodeSubscribed } from '@tidewire/protocol';
import { Backoff, ManualTimers, TidewireClient, reconnectOptions } from '@tidewire/client';
import type { ClientError, ReconnectOptions } from '@tidewire/client';
import { socketFactory } from './fake-socket.ts';
import { History, sampleTree } from './fixtures.ts';

function setup(reconnect: Partial<ReconnectOptions> | false = { jitter: 0 }, extra: { handshakeTimeoutMs?: number; random?: () => number } = {}) {
  const timers = new ManualTimers();
  const f = socketFactory();
  const client = new TidewireClient({ url: 'ws://example.test/ws', WebSocket: f.WebSocket, timers, reconnect, ...extra });
  const errors: ClientError[] = [];
  client.on('error', (e) => errors.push(e));
  return { timers, client, errors, ...f };
}

test('§1.2 Backoff: min × factor^n capped at max; jitter takes up to that fraction off', () => {
  const exact = new Backoff(reconnectOptions({ jitter: 0 }));
  assert.deepEqual(
    Array.from({ length: 8 }, () => exact.next()),
    [250, 500, 1000, 2000, 4000, 8000, 10000, 10000],
  );
  exact.reset();
  assert.equal(exact.next(), 250);
  const low = new Backoff(reconnectOptions({ jitter: 0.5 }), () => 0.999999);
  assert.deepEqual([low.next(), low.next(), low.next()], [125, 250, 500]);
  const none = new Backoff(reconnectOptions({ jitter: 0.5 }), () => 0);
  assert.deepEqual([none.next(), none.next()], [250, 500]);
  const capped = new Backoff(reconnectOptions({ minDelayMs: 1, maxDelayMs: 50, factor: 10, jitter: 0 }));
  for (let i = 0; i < 2000; i++) capped.next();
  assert.equal(capped.next(), 50, 'no overflow to Infinity after many attempts');
});

test('§1.2 reconnect options are validated up front (TW_INVALID_OPTION)', () => {
  for (const bad of [{ minDelayMs: -1 }, { maxDelayMs: 10 }, { factor: 0.5 }, { jitter: 2 }, { jitter: Number.NaN }, { resetAfterMs: -5 }]) {
    assert.throws(
      () => reconnectOptions(bad),
      (e: ClientError) => e.code === 'TW_INVALID_OPTION',
      JSON.stringify(bad),
    );
  }
});

test('§1.2 failed connection attempts are retried after 250, 500, 1000, 2000 ms', () => {
  const { timers, sockets, client, errors } = setup();
  assert.equal(client.state, 'connecting');
  const waits: number[] = [];
  for (let i = 0; i < 4; i++) {
    sockets.at(-1)!.drop();
    waits.push(timers.delays[0]!);
    timers.advance(timers.delays[0]!);
  }
  assert.deepEqual(waits, [250, 500, 1000, 2000]);
  assert.equal(sockets.length, 5);
  assert.equal(client.state, 'connecting', 'still the first connection attempt');
  assert.ok(errors.every((e) => e.code === 'TW_CONNECT_FAILED'));
});

test('§1.2 the delay resets only after a connection stayed up resetAfterMs', () => {
  const { timers, sockets, last } = setup({ jitter: 0, resetAfterMs: 5000 });
  for (let i = 0; i < 3; i++) {
    last().drop();
    timers.advance(timers.delays[0]!);
  }
  // Welcomed, but dropped again quickly: the backoff keeps growing.
  last().open();
  last().welcome();
  timers.advance(100);
  last().drop();
  assert.equal(timers.delays[0], 2000);
  timers.advance(2000);
  last().open();
  last().welcome();
  timers.advance(5000);
  last().drop();
  assert.equal(timers.delays[0], 250);
  assert.equal(sockets.length, 5);
});

test('§1.2 jitter spreads the delay below the exponential value', () => {
  const { timers, last } = setup({ jitter: 1 }, { random: () => 0.5 });
  last().drop();
  assert.equal(timers.delays[0], 125);
});

test('§1.3 the socket gets HELLO on open; WELCOME opens the client', () => {
  const { client, last } = setup();
  const s = last();
  s.open();
  assert.equal(s.sent[0]!.type, FrameType.HELLO);
  const hello = s.sent[0] as Extract<(typeof s.sent)[number], { type: typeof FrameType.HELLO }>;
  assert.deepEqual(hello.protocol, [1, 0]);
  assert.equal(hello.client, 'tidewire-client');
  assert.ok(hello.capabilities.includes('resume'));
  assert.equal(s.binaryType, 'arraybuffer');
  s.welcome();
  assert.equal(client.state, 'open');
});

test('subscriptions are pipelined right behind HELLO, before WELCOME (§4.1)', () => {
  const { client, last } = setup();
  client.tree('doc');
  client.events('cursor', () => {});
  const s = last();
  s.open();
  assert.deepEqual(
    s.sent.map((f) => f.type),
    [FrameType.HELLO, FrameType.SUBSCRIBE, FrameType.SUBSCRIBE],
  );
  assert.deepEqual(
    s.sent.slice(1).map((f) => (f as { name: string }).name),
    ['doc', 'cursor'],
  );
  // WELCOME does not subscribe a second time.
  s.welcome();
  assert.equal(s.sent.length, 3);
  // A subscription added after HELLO goes out at once.
  client.tree('later');
  assert.equal((s.sent[3] as { name: string }).name, 'later');
});

test('§1.3 no WELCOME within handshakeTimeoutMs: TW_HANDSHAKE_TIMEOUT, close, retry', () => {
  const { timers, sockets, errors, last } = setup({ jitter: 0 }, { handshakeTimeoutMs: 3000 });
  last().open();
  timers.advance(2999);
  assert.equal(errors.length, 0);
  timers.advance(1);
  assert.deepEqual(
    errors.map((e) => e.code),
    ['TW_HANDSHAKE_TIMEOUT'],
  );
  assert.notEqual(sockets[0]!.closedWith, null);
  timers.advance(250);
  assert.equal(sockets.length, 2);
});

test('§1.2 reconnect: false leaves the client closed after a drop', () => {
  const { timers, sockets, client, last } = setup(false);
  last().open();
  last().welcome();
  last().drop();
  assert.equal(client.state, 'closed');
  timers.advance(60_000);
  assert.equal(sockets.length, 1);
});

test('§1.2 close() while waiting to retry cancels the retry', async () => {
  const { timers, sockets, client, last } = setup();
  last().drop();
  await client.close();
  timers.advance(60_000);
  assert.equal(sockets.length, 1);
  assert.equal(client.state, 'closed');
});

test('§1.1 the token travels as access_token; a bare origin gets /ws; a bad URL is TW_INVALID_OPTION', () => {
  const f = socketFactory();
  new TidewireClient({ url: 'http://example.test:8080', token: 's3cret', WebSocket: f.WebSocket, timers: new ManualTimers() });
  assert.equal(f.last().url, 'ws://example.test:8080/ws?access_token=s3cret');
  assert.throws(
    () => new TidewireClient({ url: 'not a url', WebSocket: f.WebSocket }),
    (e: ClientError) => e.code === 'TW_INVALID_OPTION',
  );
  assert.throws(
    () => new TidewireClient({ url: 'ftp://x/ws', WebSocket: f.WebSocket }),
    (e: ClientError) => e.code === 'TW_INVALID_OPTION',
  );
  assert.throws(
    () => new TidewireClient({ url: 'ws://x/ws' }),
    (e: ClientError) => e.code === 'TW_INVALID_OPTION',
    'no WebSocket in Node 20',
  );
});

test('§1.4 every connection resubscribes: tree channels from their position, events channels plainly', () => {
  const { timers, client, last } = setup();
  const sub = client.tree('doc');
  client.events('cursor', () => {});
  let s = last();
  s.open();
  s.welcome();
  assert.deepEqual(
    s.sent.slice(1).map((f) => [f.type, (f as { name: string }).name, (f as { from?: unknown }).from]),
    [
      [FrameType.SUBSCRIBE, 'doc', undefined],
      [FrameType.SUBSCRIBE, 'cursor', undefined],
    ],
  );
  const h = new History(sampleTree());
  s.receive(h.subscribed('doc', 3, 'snapshot', 'new'), ...h.snapshotFrames(3), h.commit(3, [[0, 'n1', { v: 1 }]]));
  assert.deepEqual(sub.position, { epoch: 7, offset: 1 });
  s.drop();
  assert.equal(sub.status, 'reconnecting');
  timers.advance(timers.delays[0]!);
  s = last();
  s.open();
  s.welcome();
  assert.deepEqual(
    s.sent.slice(1).map((f) => (f as { from?: unknown }).from),
    [{ epoch: 7, offset: 1 }, undefined],
  );
});

test('§1.4 send() holds the latest value per key until the events channel is subscribed', () => {
  const { client, last } = setup();
  const s = last();
  client.send('control', 'tempo', 120);
  client.send('control', 'play', true);
  client.send('control', 'tempo', 128);
  s.open();
  s.welcome();
  assert.equal(s.sent.length, 2, 'HELLO and SUBSCRIBE only');
  s.receive(encodeSubscribed({ name: 'control', channel: 9, kind: 'events', epoch: 0, offset: 0, resume: 'none' }));
  const events = s.sent.slice(2).map((f) => f.type === FrameType.EVENT && [f.channel, f.key, f.value]);
  assert.deepEqual(events, [
    [9, 'play', true],
    [9, 'tempo', 128],
  ]);
  client.send('control', 'tempo', 90);
  assert.deepEqual(s.sent.at(-1), { type: FrameType.EVENT, channel: 9, key: 'tempo', value: 90 });
});

test('§1.4 events listeners get (key, value); the last listener leaving unsubscribes the channel', () => {
  const { client, last } = setup();
  const s = last();
  s.open();
  s.welcome();
  const got: unknown[] = [];
  const off = client.events('cursor', (k, v) => got.push([k, v]));
  s.receive(encodeSubscribed({ name: 'cursor', channel: 4, kind: 'events', epoch: 0, offset: 0, resume: 'none' }), encodeEvent(4, 'alice', { x: 1 }));
  assert.deepEqual(got, [['alice', { x: 1 }]]);
  off();
  assert.deepEqual(s.sent.at(-1), { type: FrameType.UNSUBSCRIBE, channel: 4 });
});

test('§1.4 a tree subscription answered with another kind fails with TW_WRONG_KIND and unsubscribes', async () => {
  const { client, last } = setup();
  const s = last();
  s.open();
  s.welcome();
  const sub = client.tree('cursor');
  const ready = sub.ready();
  s.receive(encodeSubscribed({ name: 'cursor', channel: 4, kind: 'events', epoch: 0, offset: 0, resume: 'none' }));
  await assert.rejects(ready, (e: ClientError) => e.code === 'TW_WRONG_KIND');
  assert.deepEqual(s.sent.at(-1), { type: FrameType.UNSUBSCRIBE, channel: 4 });
});

test('§1.4 waitFor helpers time out with TW_TIMEOUT and reject with TW_CLOSED on close', async () => {
  const { client, timers } = setup();
  const sub = client.tree('doc');
  const timed = sub.waitForOffset(5, { timeoutMs: 1000 });
  timers.advance(1000);
  await assert.rejects(timed, (e: ClientError) => e.code === 'TW_TIMEOUT');
  const pending = sub.ready();
  await client.close();
  await assert.rejects(pending, (e: ClientError) => e.code === 'TW_CLOSED');
});
