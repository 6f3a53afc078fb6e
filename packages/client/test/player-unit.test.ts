// docs/client.md §5: the Player against a scripted engine (no network, manual clock and display loop): the
// client-paced buffer window, stalls and seeks; the server-paced epoch rules and credit; the
// PlayerEngine against a scripted subscription (stale epochs dropped, credit granted back); and
// the connection core's routing of timeline frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeFrame,
  decodeTimelineFrame,
  encodeSubscribed,
  encodeTlFrames,
  encodeTlState,
  FrameType,
  MAX_TL_SPEED,
  MAX_TL_STEPS,
  MIN_TL_SPEED,
  TimelineFrameType,
} from '@tidewire/protocol';
import type { TimelineFrame } from '@tidewire/protocol';
import { FrameEncoder } from '@tidewire/timeline';
import {
  CONSUMED_EVERY_MS,
  DEFAULT_LEAD_MS,
  ManualTimers,
  manualScheduler,
  MAX_LEAD_MS,
  MAX_SPEED,
  MAX_STEPS,
  MIN_SPEED,
  PerfMonitor,
  Player,
  PlayerEngine,
  TidewireClient,
  TimelineSubscription,
} from '@tidewire/client';
import type { ClientError, PlayerOptions, TransferPort } from '@tidewire/client';
import type { EngineState, FromEngine, ToEngine } from '../src/player/messages.ts';
import { socketFactory } from './fake-socket.ts';
import { F, FIELD, PERIOD_MS, RATE_HZ, firstDifference, frameValues, SEG, SEGMENTS, unitBlock, unitMeta, unitSchema } from './player-fixtures.ts';

const schema = unitSchema;
const E = schema.entities.length;
const C = E * F;

const meta = unitMeta;
const block = unitBlock;

class Harness {
  readonly timers = new ManualTimers();
  readonly sent: ToEngine[] = [];
  readonly port: TransferPort = { onmessage: null, postMessage: (m) => this.sent.push(m as ToEngine) };
  readonly player: Player;
  readonly perf = new PerfMonitor({ timers: this.timers });

  constructor(options: Partial<PlayerOptions> = {}) {
    this.player = new Player(
      this.port,
      { timeline: 'race', schedule: manualScheduler, timers: this.timers, perf: this.perf, ...options },
      { httpUrl: 'http://x' },
    );
  }

  deliver(msg: FromEngine): void {
    this.port.onmessage!({ data: msg });
  }

  segment(n: number): void {
    this.deliver({ t: 'segment', index: n, bytes: 1000, decodeMs: 0, ...block(n * SEG, SEG) });
  }

  stream(epoch: number, first: number, count: number): void {
    this.deliver({ t: 'stream', epoch, bytes: count * 10, decodeMs: 0, ...block(first, count) });
  }

  state(s: Partial<EngineState> & { epoch: number }): void {
    this.deliver({ t: 'state', state: { playing: false, speed: 1, frame: 0, frameCount: SEG * SEGMENTS, live: false, ...s } });
  }

  /** Messages sent since the last call, of type `t`. */
  take<T extends ToEngine['t']>(t: T): Extract<ToEngine, { t: T }>[] {
    const out = this.sent.filter((m): m is Extract<ToEngine, { t: T }> => m.t === t);
    for (let i = this.sent.length - 1; i >= 0; i--) if (this.sent[i]!.t === t) this.sent.splice(i, 1);
    return out;
  }

  loads(): number[] {
    return this.take('load').flatMap((m) => m.segments);
  }

  advance(ms: number): void {
    this.timers.advance(ms);
    this.player.tick();
  }

  get shownFrame(): number {
    return this.player.values![FIELD.frame]!;
  }
}

test('§5.3 client-paced: the segment under the playhead first, then the window ahead within the fetch cap', () => {
  const h = new Harness({ prefetchSeconds: 4, maxConcurrentFetches: 3 });
  const open = h.take('open');
  assert.equal(open.length, 1);
  assert.equal(open[0]!.open.mode, 'client');
  h.deliver({ t: 'meta', meta: meta() });
  h.player.tick();
  assert.deepEqual(h.loads(), [0], 'only the segment under the playhead');
  h.player.tick();
  assert.deepEqual(h.loads(), [], 'not asked twice while in flight');
  h.segment(0);
  assert.equal(h.player.state.get().status, 'ready');
  assert.equal(firstDifference(h.player.values!, frameValues(schema, 0)), null);
  // 4 s ahead of 0 ms: segments starting by 4000 ms are 1 and 2.
  assert.deepEqual(h.loads(), [1, 2]);
  h.player.play();
  h.advance(1000);
  assert.equal(h.player.state.get().frame, 25);
  assert.equal(h.shownFrame, 25);
  assert.deepEqual(h.loads(), [], 'segment 3 starts at 6 s, past the window; 1 and 2 are in flight');
  // Segment 1 is late: at 2.5 s the playhead has nothing under it and waits at 1 s.
  h.advance(1500);
  let s = h.player.state.get();
  assert.equal(s.buffering, true);
  assert.equal(s.timeMs, 1000);
  assert.equal(s.playing, true);
  h.segment(1);
  s = h.player.state.get();
  assert.equal(s.buffering, false);
  assert.equal(s.timeMs, 1000, 'resumes where it waited, not where the wall clock is');
  h.advance(1000);
  assert.equal(h.player.state.get().timeMs, 2000);
  assert.equal(h.shownFrame, 50);
  assert.deepEqual(h.loads(), [3], 'the window moved on to 6 s');
  assert.deepEqual(
    h.player.state.get().buffered.map((r) => [r.firstFrame, r.lastFrame]),
    [[0, 99]],
  );
  assert.equal(h.player.metrics.segmentsFetched, 2);
  assert.equal(h.player.metrics.bytesFetched, 2000);
  h.perf.tick();
  assert.equal(h.perf.get().timeline.totals.framesDecoded, 100);
});

test('§5.7 player.started resolves with the first message from the engine, not before', async () => {
  const h = new Harness();
  let started = false;
  void h.player.started.then(() => (started = true));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(started, false, 'no message from the engine yet');
  h.deliver({ t: 'connection', state: 'connecting' });
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(started, true);
});

test('§5.3 client-paced: the segment the engine fetches on its own with the metadata is not asked for again', () => {
  const h = new Harness({ prefetchSeconds: 4, maxConcurrentFetches: 3 });
  h.deliver({ t: 'meta', meta: meta(), prefetching: 0 });
  h.player.tick();
  assert.deepEqual(h.loads(), [], 'segment 0 is in flight: not asked for (and nothing ahead while it is missing)');
  h.segment(0);
  assert.equal(h.player.state.get().status, 'ready');
  assert.equal(firstDifference(h.player.values!, frameValues(schema, 0)), null);
  assert.deepEqual(h.loads(), [1, 2], 'then the window ahead');
});

test('§5.3 client-paced seek: instant within buffered frames, else the one segment holding the target; far-away fetches are cancelled', () => {
  const h = new Harness({ prefetchSeconds: 2, maxConcurrentFetches: 4, keepBehindSeconds: 1 });
  h.deliver({ t: 'meta', meta: meta() });
  h.player.tick();
  h.segment(0);
  h.take('load');
  h.player.seek({ frame: 30 });
  let s = h.player.state.get();
  assert.equal(s.frame, 30);
  assert.equal(s.seeking, false);
  assert.equal(firstDifference(h.player.values!, frameValues(schema, 30)), null, 'a paused seek shows the frame exactly');
  assert.deepEqual(h.player.metrics.seekMs, [0]);
  h.player.tick();
  h.take('load');
  h.player.seek(420 * PERIOD_MS);
  assert.deepEqual(h.loads(), [8]);
  assert.deepEqual(
    h.take('cancel').flatMap((m) => m.segments),
    [1],
    'the old window is abandoned',
  );
  s = h.player.state.get();
  assert.equal(s.seeking, true);
  assert.equal(s.frame, 30, 'the old frame stays until the target is here');
  h.timers.advance(12);
  h.segment(8);
  s = h.player.state.get();
  assert.equal(s.frame, 420);
  assert.equal(s.seeking, false);
  assert.equal(firstDifference(h.player.values!, frameValues(schema, 420)), null);
  assert.deepEqual(h.player.metrics.seekMs, [0, 12]);
  h.perf.tick();
  assert.equal(h.perf.get().timeline.seekMs.max, 12);
});

test('§5.3 client-paced: the buffer stays under maxBufferBytes by dropping segments outside the window', () => {
  const perSegment = SEG * C * 8 + SEG * 8;
  const h = new Harness({ prefetchSeconds: 2, keepBehindSeconds: 0, maxBufferBytes: 2.5 * perSegment });
  h.deliver({ t: 'meta', meta: meta() });
  for (const n of [0, 1, 2, 3]) h.segment(n);
  h.player.seek({ frame: 160 });
  h.player.tick();
  // Window: segment 3 (under the playhead) and 4; 0–2 are outside and over budget.
  assert.deepEqual(
    h.player.state.get().buffered.map((r) => [r.firstFrame, r.lastFrame]),
    [[150, 199]],
  );
});

test('§5.1 frameAt interpolates numeric fields between the frames around t and steps the others', () => {
  const h = new Harness();
  h.deliver({ t: 'meta', meta: meta() });
  h.segment(0);
  const t = 10 * PERIOD_MS + PERIOD_MS / 4;
  const v = h.player.frameAt(t)!;
  const a = frameValues(schema, 10);
  const b = frameValues(schema, 11);
  for (let e = 0; e < E; e++) {
    for (const f of [FIELD.x, FIELD.y, FIELD.speed]) assert.ok(Math.abs(v[e * F + f]! - (a[e * F + f]! + (b[e * F + f]! - a[e * F + f]!) * 0.25)) < 1e-9);
    for (const f of [FIELD.gear, FIELD.drs, FIELD.frame]) assert.equal(v[e * F + f], a[e * F + f]);
  }
  const out = new Float64Array(C);
  assert.equal(h.player.frameAt(10 * PERIOD_MS, out), out);
  assert.equal(firstDifference(out, a), null, 'on a frame time: the frame itself');
  assert.equal(h.player.frameAt(60 * PERIOD_MS), null, 'not buffered');
  assert.throws(
    () => h.player.frameAt(0, new Float64Array(3)),
    (err: ClientError) => err.code === 'TW_INVALID_OPTION',
  );
});

test('§5.6 server-paced: frames of an older epoch, or arriving before the seek is answered, are never shown', () => {
  const h = new Harness({ mode: 'server', playoutDelayMs: 0 });
  h.deliver({ t: 'meta', meta: meta() });
  h.deliver({ t: 'subscribed', first: true });
  const restate = h.take('control');
  assert.deepEqual(
    restate.map((m) => m.control.op),
    ['speed'],
  );
  assert.equal(restate[0]!.control.mode, 'server');
  h.state({ epoch: 1 });
  h.stream(1, 0, 1);
  assert.equal(h.player.state.get().status, 'ready');
  assert.equal(h.shownFrame, 0);
  assert.deepEqual(h.take('consumed'), [{ t: 'consumed', epoch: 1, frame: 0 }]);

  h.player.seek({ frame: 120 });
  const [seek] = h.take('control');
  assert.equal(seek!.control.op, 'seek');
  assert.equal(seek!.control.frame, 120);
  assert.equal(h.player.state.get().seeking, true);
  h.stream(1, 1, 5); // still in flight when we asked: stale
  h.state({ epoch: 1, playing: false, frame: 5 }); // an answer to something older
  h.advance(20);
  assert.equal(h.shownFrame, 0, 'nothing new while the seek is unanswered');
  assert.equal(h.player.metrics.framesDropped, 5);

  h.state({ epoch: 2, frame: 120, ack: seek!.control.seq });
  h.stream(1, 6, 3); // an older epoch after the new state: stale
  assert.equal(h.shownFrame, 0);
  h.timers.advance(3);
  h.stream(2, 100, 21); // the seek's keyframe up to the target
  const s = h.player.state.get();
  assert.equal(s.frame, 120);
  assert.equal(s.seeking, false);
  assert.equal(firstDifference(h.player.values!, frameValues(schema, 120)), null);
  assert.equal(h.player.metrics.framesDropped, 8);
  assert.deepEqual(h.player.metrics.seekMs, [23]);
  assert.deepEqual(h.take('consumed'), [{ t: 'consumed', epoch: 2, frame: 120 }]);

  // Playing: the clock follows the server, never past the newest frame, a frame behind.
  h.player.play();
  assert.deepEqual(
    h.take('control').map((m) => m.control.op),
    ['play'],
  );
  h.state({ epoch: 2, playing: true, frame: 120 });
  const shown: number[] = [];
  h.player.onFrame((ev) => {
    assert.equal(ev.values[FIELD.frame], ev.frame, 'stepped field = the frame shown');
    shown.push(ev.frame);
  });
  h.advance(200); // 5 frames due, none here yet
  assert.equal(h.shownFrame, 120);
  h.stream(2, 121, 5);
  h.advance(0);
  assert.equal(h.shownFrame, 124, 'one frame behind the newest so the next one interpolates');
  assert.ok(shown.every((f) => f >= 120 && f <= 125));
  h.stream(3, 500, 1); // an epoch ahead of any TL_STATE: never shown
  h.advance(40);
  assert.ok(h.shownFrame <= 125);
});

test('§5.6 server-paced: a reconnect restates mode, position and play', () => {
  const h = new Harness({ mode: 'server' });
  h.deliver({ t: 'meta', meta: meta() });
  h.deliver({ t: 'subscribed', first: true });
  h.state({ epoch: 1 });
  h.stream(1, 0, 1);
  h.player.play();
  h.take('control');
  h.deliver({ t: 'unsubscribed' });
  h.player.seek({ frame: 42 }); // not sent: no session
  assert.deepEqual(h.take('control'), []);
  h.deliver({ t: 'subscribed', first: false });
  const ops = h.take('control').map((m) => [m.control.op, m.control.frame]);
  assert.deepEqual(ops, [
    ['speed', undefined],
    ['seek', 42],
    ['play', undefined],
  ]);
});

test('§5.5 controls validate their arguments (TW_INVALID_OPTION)', () => {
  const h = new Harness();
  h.deliver({ t: 'meta', meta: meta() });
  for (const bad of [0, 0.05, 17, Number.NaN]) assert.throws(() => h.player.setSpeed(bad), { code: 'TW_INVALID_OPTION' });
  for (const bad of [0, 1.5, 70_000]) assert.throws(() => h.player.step(bad), { code: 'TW_INVALID_OPTION' });
  assert.throws(() => h.player.seek(Number.POSITIVE_INFINITY), { code: 'TW_INVALID_OPTION' });
  assert.throws(() => h.player.seek({ frame: -1 }), { code: 'TW_INVALID_OPTION' });
  assert.throws(() => new Player(h.port, { timeline: '' }, { httpUrl: 'http://x' }), { code: 'TW_INVALID_OPTION' });
  assert.throws(() => new Player(h.port, { timeline: 'x', mode: 'both' as 'client' }, { httpUrl: 'http://x' }), { code: 'TW_INVALID_OPTION' });
  h.player.setSpeed(16);
  h.player.setSpeed(0.1);
  assert.equal(h.player.state.get().speed, 0.1);
  assert.equal(h.player.goLive(), false, 'a recorded timeline has no live edge');
});

test("the player restates §W.1's control limits (kept out of the page bundle) without drifting from the protocol", () => {
  assert.deepEqual([MIN_SPEED, MAX_SPEED, MAX_STEPS], [MIN_TL_SPEED, MAX_TL_SPEED, MAX_TL_STEPS]);
});

// ---- the engine ------------------------------------------------------------------------

class ScriptedConnection {
  readonly out: TimelineFrame[] = [];
  readonly posted: FromEngine[] = [];
  /** Every URL the engine fetched, in order. */
  readonly urls: string[] = [];
  readonly sub: TimelineSubscription;
  readonly engine: PlayerEngine;
  private readonly encoder = new FrameEncoder(schema);

  constructor() {
    this.sub = new TimelineSubscription('race', {
      send: (frame) => {
        if (frame[0]! >= 0x40) this.out.push(decodeTimelineFrame(frame));
        else decodeFrame(frame);
        return true;
      },
      report: () => {},
      release: () => {},
    });
    const client = { state: 'open', on: () => () => {}, timeline: () => this.sub, close: async () => {} } as unknown as TidewireClient;
    const body = JSON.stringify({
      ...meta(),
      schema: { name: schema.name, rateHz: RATE_HZ, fields: schema.fields },
      entities: schema.entities,
      static: schema.static,
    });
    const fetch = async (url: string) => {
      this.urls.push(url);
      return {
        ok: !url.includes('/segments/'),
        status: url.includes('/segments/') ? 404 : 200,
        headers: { get: () => null },
        arrayBuffer: async () => new TextEncoder().encode(body).buffer as ArrayBuffer,
      };
    };
    this.engine = new PlayerEngine({ client, fetch, post: (m) => this.posted.push(m) });
  }

  credits(): [number, number][] {
    const c = this.out
      .filter((f) => f.type === TimelineFrameType.TL_CREDIT)
      .map((f) => (f.type === TimelineFrameType.TL_CREDIT ? ([f.frames, f.bytes] as [number, number]) : ([0, 0] as [number, number])));
    this.out.length = 0;
    return c;
  }

  server(bytes: Uint8Array): void {
    const f = decodeTimelineFrame(bytes);
    this.sub.onTimelineFrame(f);
  }

  /** Encoded frames first..first+count-1, the first a keyframe. */
  frames(first: number, count: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++)
      out.push(i === 0 ? this.encoder.encodeKeyframe(frameValues(schema, first + i)) : this.encoder.encodeDelta(frameValues(schema, first + i)));
    return out;
  }

  streams(): Extract<FromEngine, { t: 'stream' }>[] {
    return this.posted.filter((m): m is Extract<FromEngine, { t: 'stream' }> => m.t === 'stream');
  }
}

test('§5.6 engine: decodes TL_FRAMES of the current epoch, drops stale ones and gives their credit back', async () => {
  const c = new ScriptedConnection();
  c.engine.handle({ t: 'open', open: { timeline: 'race', mode: 'server', httpUrl: 'http://x', creditFrames: 100, creditBytes: 100_000 } });
  await new Promise((r) => setTimeout(r, 0));
  assert.ok(c.posted.some((m) => m.t === 'meta'));
  decodeFrame(encodeSubscribed({ name: 'race', channel: 3, kind: 'timeline', epoch: 0, offset: 0, resume: 'none' }));
  c.sub.onSubscribed({ type: 0x11, name: 'race', channel: 3, kind: 'timeline', epoch: 0, offset: 0, resume: 'none' } as never);
  assert.deepEqual(c.credits(), [[100, 100_000]], 'the window on subscribe');
  c.server(encodeTlState(3, { seekEpoch: 1, playing: false, speed: 1, frame: 0, frameCount: 500, live: false, rateHz: RATE_HZ }));
  const batch = c.frames(0, 4);
  const bytes = batch.reduce((n, f) => n + f.length, 0);
  c.server(encodeTlFrames(3, 1, 0, batch));
  const [first] = c.streams();
  assert.equal(first!.epoch, 1);
  assert.equal(first!.count, 4);
  assert.equal(firstDifference(first!.values.subarray(3 * C, 4 * C), frameValues(schema, 3)), null);
  assert.deepEqual(
    [...first!.times],
    [0, 1, 2, 3].map((i) => i * PERIOD_MS),
  );

  c.engine.handle({ t: 'control', control: { op: 'seek', frame: 300, seq: 7 } });
  const seek = c.out.find((f) => f.type === TimelineFrameType.TL_CONTROL);
  assert.equal(seek?.type === TimelineFrameType.TL_CONTROL && seek.seq, 7);
  c.out.length = 0;
  const late = c.frames(4, 2).slice(1); // a delta of epoch 1, arriving after the seek went out
  c.server(encodeTlFrames(3, 1, 5, late));
  assert.equal(c.streams().length, 1, 'dropped');
  assert.deepEqual(c.credits(), [[1, late[0]!.length]], 'its credit goes straight back');
  c.server(encodeTlState(3, { seekEpoch: 2, playing: false, speed: 1, frame: 300, frameCount: 500, live: false, rateHz: RATE_HZ, ack: 7 }));
  assert.deepEqual(c.credits(), [[4, bytes]], 'the old epoch’s unconsumed frames are released');
  const target = c.frames(300, 1);
  c.server(encodeTlFrames(3, 2, 300, target));
  const streams = c.streams();
  assert.equal(streams.length, 2);
  assert.equal(streams[1]!.epoch, 2);
  assert.equal(firstDifference(streams[1]!.values, frameValues(schema, 300)), null);
  c.server(encodeTlFrames(3, 1, 9, c.frames(9, 1))); // a stale epoch after the new state
  assert.equal(c.streams().length, 2);
  c.credits();
  c.engine.handle({ t: 'consumed', epoch: 2, frame: 300 });
  assert.deepEqual(c.credits(), [[1, target[0]!.length]]);
  const state = c.posted.filter((m) => m.t === 'state').map((m) => (m.t === 'state' ? m.state.epoch : 0));
  assert.deepEqual(state, [1, 2]);
  await c.engine.close();
});

test('§5.3 engine: a recorded timeline played client-paced fetches its first segment as soon as the metadata is in; server-paced does not', async () => {
  for (const mode of ['client', 'server'] as const) {
    const c = new ScriptedConnection();
    c.engine.handle({ t: 'open', open: { timeline: 'race', mode, httpUrl: 'http://x', creditFrames: 0, creditBytes: 0 } });
    await new Promise((r) => setTimeout(r, 0));
    assert.ok(c.posted.some((m) => m.t === 'meta'));
    // No `load` message was sent: the engine asked on its own, and said so in the meta message.
    assert.deepEqual(
      c.urls.map((u) => u.replace('http://x/api/timelines/race', '')),
      mode === 'client' ? ['', '/segments/0'] : [''],
      mode,
    );
    const metaMsg = c.posted.find((m) => m.t === 'meta');
    assert.equal(metaMsg?.t === 'meta' ? metaMsg.prefetching : null, mode === 'client' ? 0 : undefined, mode);
    await c.engine.close();
  }
});

test('§5.6 engine: client-paced sessions get credit only to follow the live edge', async () => {
  const c = new ScriptedConnection();
  c.engine.handle({ t: 'open', open: { timeline: 'race', mode: 'client', httpUrl: 'http://x', creditFrames: 0, creditBytes: 0 } });
  await new Promise((r) => setTimeout(r, 0));
  c.sub.onSubscribed({ type: 0x11, name: 'race', channel: 3, kind: 'timeline', epoch: 0, offset: 0, resume: 'none' } as never);
  assert.deepEqual(c.credits(), []);
  c.engine.handle({ t: 'control', control: { op: 'live', seq: 1, mode: 'client' } });
  const frames = c.out.map((f) => f.type);
  assert.deepEqual(frames, [TimelineFrameType.TL_CREDIT, TimelineFrameType.TL_CONTROL]);
  assert.deepEqual(c.credits(), [[Math.max(256, RATE_HZ * 32), 8 * 1024 * 1024]], 'the default window');
  await c.engine.close();
});

// ---- the connection core routes 0x40–0x4F ----------------------------------------------

test('§5.6 TidewireClient routes TL_STATE / TL_FRAMES to the timeline subscription; a malformed one is TW_BAD_FRAME, an unknown 0x4F is ignored', () => {
  const f = socketFactory();
  const client = new TidewireClient({
    url: 'ws://example.test/ws',
    WebSocket: f.WebSocket,
    timers: new ManualTimers(),
    reconnect: { minDelayMs: 5, maxDelayMs: 5, jitter: 0 },
  });
  const errors: string[] = [];
  client.on('error', (e) => errors.push(e.code));
  const sub = client.timeline('race');
  const seen: string[] = [];
  sub.on('subscribed', ({ channel }) => seen.push(`subscribed ${channel}`));
  sub.on('state', (s) => seen.push(`state ${s.seekEpoch}`));
  sub.on('frames', (fr) => seen.push(`frames ${fr.firstFrame}+${fr.frames.length}`));
  sub.on('unsubscribed', () => seen.push('unsubscribed'));
  const socket = f.last();
  socket.open();
  assert.equal(socket.sent.at(-1)?.type, FrameType.SUBSCRIBE);
  socket.welcome();
  socket.receive(encodeSubscribed({ name: 'race', channel: 4, kind: 'timeline', epoch: 0, offset: 0, resume: 'none' }));
  socket.receive(encodeTlState(4, { seekEpoch: 1, playing: false, speed: 1, frame: 0, frameCount: 10, live: false, rateHz: RATE_HZ }));
  socket.receive(encodeTlFrames(4, 1, 0, [new Uint8Array([1, 0])]));
  socket.receive(encodeTlFrames(9, 1, 0, [new Uint8Array([1, 0])])); // a channel we are not on: ignored
  // 0x4f: a timeline frame type this version does not know.
  socket.receive(new Uint8Array([0x4f, 4, 1, 2]));
  assert.deepEqual(seen, ['subscribed 4', 'state 1', 'frames 0+1']);
  assert.deepEqual(errors, ['TW_UNKNOWN_FRAME_TYPE']);
  const closed = (): { code?: number } | null => socket.closedWith;
  assert.equal(closed(), null);
  // TL_FRAMES • channel 4 • epoch 1 • first 0 • count 3, but only one frame follows.
  socket.receive(new Uint8Array([0x42, 4, 1, 0, 3, 1, 1]));
  assert.deepEqual(errors, ['TW_UNKNOWN_FRAME_TYPE', 'TW_BAD_FRAME']);
  assert.equal(closed()?.code, 1002);
  assert.deepEqual(seen.at(-1), 'unsubscribed');
  void client.close();
});

test('§5.6 server-paced, §W.5 lead: the Player asks for a 200 ms lead and shows frames sent ahead at their time, not on arrival', () => {
  const h = new Harness({ mode: 'server', playoutDelayMs: 0 });
  h.deliver({ t: 'meta', meta: meta() });
  h.deliver({ t: 'subscribed', first: true });
  const [restate] = h.take('control');
  assert.equal(restate!.control.leadMs, DEFAULT_LEAD_MS, 'with the first control of the session');
  assert.equal(DEFAULT_LEAD_MS, 200);
  h.state({ epoch: 1 });
  h.stream(1, 0, 1);
  h.player.play();
  h.take('control');
  h.state({ epoch: 1, playing: true, frame: 0 });
  h.stream(1, 1, 5); // the play's answer: frames 1 … 5, 200 ms of them, in one message
  h.advance(0);
  assert.equal(h.shownFrame, 0, 'frame 5 is here but not due');
  h.advance(2 * PERIOD_MS);
  assert.equal(h.shownFrame, 1, 'the display trails its clock by a frame, whatever it holds');
  h.advance(2 * PERIOD_MS);
  assert.equal(h.shownFrame, 3);
  // Credit goes back at most every CONSUMED_EVERY_MS while playing (one TL_CREDIT per batch or fewer).
  const consumed = h.take('consumed');
  assert.ok(consumed.length <= Math.ceil((4 * PERIOD_MS) / CONSUMED_EVERY_MS) + 1, `${consumed.length} credit returns`);
  assert.equal(CONSUMED_EVERY_MS, 200);
});

test('§5.5 leadMs is an integer in [0, MAX_LEAD_MS] (TW_INVALID_OPTION otherwise); 0 asks for frames at their due time', () => {
  for (const leadMs of [-1, 0.5, MAX_LEAD_MS + 1, Number.NaN]) assert.throws(() => new Harness({ mode: 'server', leadMs }), { code: 'TW_INVALID_OPTION' });
  const h = new Harness({ mode: 'server', leadMs: 0 });
  h.deliver({ t: 'meta', meta: meta() });
  h.deliver({ t: 'subscribed', first: true });
  assert.equal(h.take('control')[0]!.control.leadMs, 0);
});
