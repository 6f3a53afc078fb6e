// Units behind timeline playback, without sockets: the shared scheduler, the frame store's
// batches, and a session against a real Outbox whose writes complete only when the test says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTimelineFrame, TimelineFrameType } from '@tidewire/protocol';
import { seededRandom, seeds } from '@tidewire/random';
import type { TlFramesFrame, TlStateFrame } from '@tidewire/protocol';
import { FrameStore } from '../src/frame-store.ts';
import type { Batch } from '../src/frame-store.ts';
import { Outbox } from '../src/outbox.ts';
import { PlaybackScheduler } from '../src/playback-scheduler.ts';
import type { Scheduled } from '../src/playback-scheduler.ts';
import { loadRecorded } from '../src/timeline-load.ts';
import { TimelineSession } from '../src/timeline-session.ts';
import type { SessionHost } from '../src/timeline-session.ts';
import { buildFile, ManualClock, schema } from './timeline-helpers.ts';

// ---- scheduler -------------------------------------------------------------------------

function entry(log: number[], id: number, then?: (now: number) => number): Scheduled & { id: number } {
  return {
    id,
    due: Infinity,
    heapIndex: -1,
    wake(now) {
      log.push(id);
      if (then) sched!.at(this, then(now));
    },
  };
}
let sched: PlaybackScheduler | undefined;

test('§W.5 scheduler: one timer for all entries, woken in due order, each at or after its time', () => {
  const clock = new ManualClock();
  sched = new PlaybackScheduler(clock);
  const log: number[] = [];
  const seed = seeds(1)[0]!;
  const rand = seededRandom(seed);
  const dues = new Map<number, number>();
  for (let i = 0; i < 200; i++) {
    const e = entry(log, i);
    const due = clock.now() + Math.floor(rand() * 1000);
    dues.set(i, due);
    sched.at(e, due);
  }
  assert.equal(clock.pending, 1, 'a single timer, armed for the earliest');
  const woke: [number, number][] = [];
  for (let t = 0; t < 1100; t += 3) {
    const before = log.length;
    clock.advance(3);
    for (const id of log.slice(before)) woke.push([id, clock.now()]);
    assert.ok(clock.pending <= 1);
  }
  assert.equal(log.length, 200);
  const order = log.map((id) => dues.get(id)!);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    `seed ${seed}: due order`,
  );
  for (const [id, at] of woke) assert.ok(at >= dues.get(id)! - 1, `seed ${seed}: entry ${id} woke at ${at}, due ${dues.get(id)}`);
  assert.equal(sched.size, 0);
  assert.equal(clock.pending, 0, 'no timer when nothing is scheduled');
});

test('§W.5 scheduler: reschedule and remove keep the heap consistent (seeded)', () => {
  const seed = seeds(1)[0]!;
  const rand = seededRandom(seed);
  const clock = new ManualClock();
  sched = new PlaybackScheduler(clock);
  const log: number[] = [];
  const es = Array.from({ length: 100 }, (_, i) => entry(log, i));
  const due = new Map<number, number>();
  for (let k = 0; k < 5000; k++) {
    const e = es[Math.floor(rand() * es.length)]!;
    if (rand() < 0.3) {
      sched.remove(e);
      due.delete(e.id);
    } else {
      const d = clock.now() + 1 + Math.floor(rand() * 500);
      sched.at(e, d);
      due.set(e.id, d);
    }
  }
  assert.equal(sched.size, due.size, `seed ${seed}`);
  clock.advance(600);
  assert.deepEqual(new Set(log), new Set(due.keys()), `seed ${seed}: exactly the scheduled entries woke`);
  assert.deepEqual(
    log.map((id) => due.get(id)!),
    [...due.values()].sort((a, b) => a - b),
    `seed ${seed}: in due order`,
  );
});

test('§W.5 scheduler: an entry rescheduling into the past waits for the next timer, never spins', () => {
  const clock = new ManualClock();
  sched = new PlaybackScheduler(clock);
  const log: number[] = [];
  let n = 0;
  sched.at(
    entry(log, 1, (now) => (++n < 5 ? now - 10 : Infinity)),
    clock.now() + 5,
  );
  clock.advance(10);
  assert.equal(log.length, 5);
});

test('§W.5 scheduler tick: entries due within a tick wake together at its boundary, in due order, none early', () => {
  const seed = seeds(1)[0]!;
  const rand = seededRandom(seed);
  const clock = new ManualClock();
  const TICK = 10;
  sched = new PlaybackScheduler(clock, undefined, TICK);
  const log: number[] = [];
  const woke = new Map<number, number>();
  const dues = new Map<number, number>();
  // 300 streams at random phases, each rescheduling itself one 25 fps period later.
  for (let i = 0; i < 300; i++) {
    const e = entry(log, i, (now) => {
      woke.set(i, now);
      const next = dues.get(i)! + 40;
      dues.set(i, next);
      return next;
    });
    const due = clock.now() + rand() * 40;
    dues.set(i, due);
    sched.at(e, due);
  }
  let timersFired = 0;
  for (let t = 0; t < 400; t++) {
    const before = log.length;
    const pending = new Map(dues);
    clock.advance(1);
    if (log.length === before) continue;
    timersFired++;
    const served = log.slice(before);
    assert.ok(clock.now() % TICK === 0, `seed ${seed}: woke at ${clock.now()}, not on a tick`);
    const expected = [...pending].filter(([, d]) => d <= clock.now()).map(([id]) => id);
    assert.deepEqual(
      [...served].sort((a, b) => a - b),
      expected,
      `seed ${seed}: exactly the entries due by the tick, once each`,
    );
    for (const id of served) {
      const at = woke.get(id)!;
      const due = dues.get(id)! - 40;
      assert.ok(at >= due, `seed ${seed}: entry ${id} woke at ${at}, before its due time ${due}`);
      assert.ok(at - due < TICK, `seed ${seed}: entry ${id} woke at ${at}, a tick or more after ${due}`);
    }
    const order = served.map((id) => dues.get(id)!);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      `seed ${seed}: due order within the tick`,
    );
  }
  assert.equal(timersFired, 40, `seed ${seed}: one wake per tick for 300 streams over 400 ms`);
  assert.equal(log.length, 3000, 'every stream woke every 40 ms');
  assert.ok(clock.pending <= 1, 'a single timer');
});

test('§W.5 scheduler tick: a late wake also serves what fell due after its boundary', () => {
  const clock = new ManualClock();
  sched = new PlaybackScheduler(clock, undefined, 10);
  const woke: [number, number][] = [];
  const at = (id: number, due: number) => sched!.at({ due: Infinity, heapIndex: -1, wake: () => void woke.push([id, clock.now()]) }, due);
  at(1, clock.now() + 3);
  at(2, clock.now() + 14);
  at(3, clock.now() + 26);
  // The timer of the tick at +10 fires 6 ms late: entry 2 is overdue by then and goes with it.
  let late = 6;
  clock.advance(40, () => {
    const ms = late;
    late = 0;
    return ms;
  });
  assert.deepEqual(woke, [
    [1, 1016],
    [2, 1016],
    [3, 1030],
  ]);
});

// ---- frame store -----------------------------------------------------------------------

function liveStore(sizes: number[][]): FrameStore {
  const store = new FrameStore();
  let t = 0;
  for (const seg of sizes) {
    store.open(t, 1, 1);
    for (const len of seg) store.push(new Uint8Array(len).fill(len), (t += 40));
  }
  return store;
}

test('§W.3 frame store: batches respect frame, byte and message caps and span segments', () => {
  const store = liveStore([
    [10, 5, 5, 5],
    [20, 5, 5],
    [30, 7],
  ]);
  const b: Batch = { count: 0, frameBytes: 0, wireBytes: 0, blocks: [] };
  assert.equal(store.frameCount, 9);
  assert.deepEqual([store.keyframeAtOrBefore(3), store.keyframeAtOrBefore(4), store.keyframeAtOrBefore(8)], [0, 4, 7]);
  store.batch(2, 8, 100, 1e9, 1e9, b);
  assert.deepEqual([b.count, b.frameBytes, b.blocks.length], [7, 5 + 5 + 20 + 5 + 5 + 30 + 7, 3]);
  assert.equal(b.wireBytes, b.frameBytes + 7, 'one length byte per frame');
  store.batch(0, 8, 3, 1e9, 1e9, b);
  assert.equal(b.count, 3);
  store.batch(0, 8, 100, 16, 1e9, b);
  assert.deepEqual([b.count, b.frameBytes], [3, 20], 'frames while fewer than 16 bytes are taken; the last may overdraw');
  store.batch(4, 8, 100, 1e9, 33, b);
  assert.deepEqual([b.count, b.wireBytes], [3, 21 + 6 + 6], 'message cap');
  store.batch(4, 8, 100, 1e9, 1, b);
  assert.equal(b.count, 1, 'a frame larger than the message cap still goes alone');
  assert.deepEqual([store.frameAtTime(0), store.frameAtTime(80), store.frameAtTime(81), store.frameAtTime(1e9)], [0, 1, 1, 8]);
});

test('§W.3 frame store: a segment hint (where the last batch ended) never changes which segment holds a frame', () => {
  const store = liveStore([[10, 5, 5, 5], [20], [30, 7, 7], [40, 9]]);
  for (let frame = 0; frame < store.frameCount; frame++) {
    const truth = store.segmentOf(frame);
    for (let hint = -1; hint <= store.segments.length; hint++) assert.equal(store.segmentOf(frame, hint), truth, `frame ${frame}, hint ${hint}`);
  }
  // A reused Batch carries the hint from one batch to the next, forwards and after a jump back.
  const b: Batch = { count: 0, frameBytes: 0, wireBytes: 0, blocks: [] };
  const sent: number[] = [];
  for (const [from, to] of [
    [0, 2],
    [3, 4],
    [5, 9],
    [1, 3],
    [6, 6],
  ] as const) {
    store.batch(from, to, 100, 1e9, 1e9, b);
    sent.push(...b.blocks.map((x) => x.length));
  }
  // Block bytes: one length byte per frame, then the frame.
  assert.deepEqual(sent, [3 + 10 + 5 + 5, 1 + 5, 1 + 20, 3 + 30 + 7 + 7, 2 + 40 + 9, 3 + 5 + 5 + 5, 1 + 7]);
});

// ---- session against a real Outbox -----------------------------------------------------

test('§W.5 a seek drops its older-epoch message still queued in the outbox, refunds its credit, and TL_STATE precedes the new frames', async () => {
  const s = schema(20, 25);
  const rec = loadRecorded(await buildFile(s, 200, 50));
  const clock = new ManualClock();
  const scheduler = new PlaybackScheduler(clock);
  const written: Uint8Array[] = [];
  const tasks: (() => void)[] = [];
  const CHUNK = 4096;
  let session: TimelineSession | undefined;
  const outbox = new Outbox(
    { write: (f) => void written.push(f), resync() {}, account() {}, drained: () => session!.drained(clock.now()) },
    { chunkBytes: CHUNK, maxQueuedBytes: 1 << 20, schedule: (task) => void tasks.push(task) },
  );
  const store = new FrameStore();
  for (const seg of rec.segments) store.add(seg);
  const host: SessionHost = {
    id: 5,
    store,
    rateHz: 25,
    live: false,
    isLiveTimeline: false,
    scheduler,
    config: { minBatchMs: 1000 / 60, maxMessageBytes: CHUNK, maxBatchFrames: 1024 },
    framesSent: 0,
    frameBytesSent: 0,
    creditStalls: 0,
    keyframeSkips: 0,
    framesSkipped: 0,
    seeks: 0,
    framesDropped: 0,
    observeSeekLatency() {},
  };
  session = new TimelineSession({ outbox, sendControl: (f) => void outbox.controlFrame(f) }, host);
  session.start(clock.now());
  session.credit(10_000, 1 << 30, clock.now());
  assert.equal(written.length, 2, 'TL_STATE, then keyframe 0');
  // Another channel fills the window: the seek's TL_STATE goes (control window), its frames wait.
  outbox.state(7, new Uint8Array(CHUNK).fill(0x23));
  const credit0 = session.creditFrames;
  session.control({ type: 0x40, channel: 5, op: 'seek', frame: 30 }, clock.now());
  assert.equal(session.creditFrames, credit0, 'nothing sent while the window is full');
  outbox.state(7, new Uint8Array(CHUNK).fill(0x23));
  // Everything written so far completes, but the pump that follows has not run yet: the window
  // is open while the other channel's frame is ahead of ours in the ring. A TL_CREDIT arriving
  // now makes the session build its batch, and the pump writes the other channel's frame first.
  for (let i = 0; i < written.length; i++) outbox.sent();
  session.credit(0, 0, clock.now());
  assert.ok(outbox.queuedBytesOf(5) > 0, 'the epoch-2 batch is queued behind the other channel');
  assert.equal(session.creditFrames, credit0 - 31);
  session.control({ type: 0x40, channel: 5, op: 'seek', frame: 120 }, clock.now());
  assert.equal(host.framesDropped, 31, 'the queued epoch-2 batch was dropped');
  assert.equal(session.creditFrames, credit0 - 31 + 31, 'and its credit refunded (epoch 3 is not sent yet)');
  // Drain: the pump runs, the window frees as writes complete, and drained() resumes the session
  // (no timer: nothing is scheduled while the socket is full).
  assert.equal(scheduler.size, 0);
  for (let round = 0; round < 10; round++) {
    for (const task of tasks.splice(0)) task();
    for (let i = 0; i < 4; i++) outbox.sent();
  }
  const ours = written.map((f) => (f[0]! >= 0x40 && f[0]! <= 0x4f ? decodeTimelineFrame(f) : undefined)).filter((f) => f !== undefined);
  const epochs = ours.map((f) =>
    f.type === TimelineFrameType.TL_STATE ? `S${(f as TlStateFrame).seekEpoch}` : `F${(f as TlFramesFrame).seekEpoch}:${(f as TlFramesFrame).firstFrame}`,
  );
  assert.deepEqual(epochs, ['S1', 'F1:0', 'S2', 'S3', 'F3:100'], 'no epoch-2 frames ever written; S3 before F3');
  assert.equal(session.creditFrames, credit0 - 21);
  assert.equal(host.framesSent, 1 + 21);
});
