// §W.5 playback semantics over real sockets, paced by a hand-driven clock (no timed
// assertions): play, pause, seek, speed, step, the end of a recording, and the drift-free rate.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { seedHint, seededRandom, seeds } from '@tidewire/random';
import type { TidewireServer } from '../src/index.ts';
import type { TimelineChannelImpl } from '../src/timeline-channel.ts';
import { startServer } from './helpers.ts';
import { TimelineViewer } from './timeline-client.ts';
import { buildFile, frameOf, ManualClock, schema } from './timeline-helpers.ts';

const RATE = 25;
const FRAMES = 1500; // 60 s at 25 Hz
const KEY = 50; // frames per segment

async function setup(t: TestContext, frames = FRAMES, opts: { credit?: boolean } = {}) {
  const clock = new ManualClock();
  const s = schema(20, RATE);
  const file = await buildFile(s, frames, KEY);
  let ch!: TimelineChannelImpl;
  const server: TidewireServer = await startServer(t, {}, (srv) => void (ch = srv.timeline('race', { file }) as TimelineChannelImpl), { timelineClock: clock });
  const v = await TimelineViewer.open(server.url, s, { frameOf });
  t.after(() => v.close());
  const first = await v.subscribe('race');
  if (opts.credit !== false) {
    v.autoCredit = { frames: 0, bytes: 0 };
    v.credit(10_000, 64 << 20);
    await v.until(() => v.framesReceived === 1, 'keyframe 0');
  }
  /** Sends a TL_CONTROL, waits for the TL_STATE that answers it and the frames sent before it. */
  const control = async (body: Parameters<TimelineViewer['controlAnswered']>[0]) => {
    const st = await v.controlAnswered(body);
    await drained();
    return st;
  };
  /** Waits until the viewer has every frame the server handed to its socket. */
  const drained = () => v.until(() => v.framesReceived === ch.stats.framesSent, 'frames in flight');
  /** Advances the clock in steps of `stepMs`, letting the frames of each step arrive. */
  const run = async (ms: number, stepMs = 10, late?: () => number) => {
    for (let done = 0; done < ms; done += stepMs) {
      clock.advance(Math.min(stepMs, ms - done), late);
      await drained();
    }
  };
  return { clock, s, ch, v, first, control, run, drained };
}

test('§W.5 subscribe: SUBSCRIBED kind timeline, TL_STATE at frame 0 paused, keyframe 0 once credit arrives', async (t) => {
  const { v, first, drained, ch } = await setup(t, FRAMES, { credit: false });
  assert.deepEqual(
    { ...first, channel: 0 },
    { type: 0x43, channel: 0, seekEpoch: 1, playing: false, speed: 1, frame: 0, frameCount: FRAMES, live: false, rateHz: RATE, mode: 'server' },
  );
  assert.equal(v.framesReceived, 0, 'no frames before credit');
  assert.equal(ch.stats.creditStalls, 0, 'waiting for the first grant is not a stall');
  v.credit(1, 1);
  await drained();
  await v.until(() => v.framesReceived === 1);
  assert.deepEqual(v.batches[0], { seekEpoch: 1, firstFrame: 0, count: 1, keyframeFirst: true, frameBytes: v.batches[0]!.frameBytes });
  assert.equal(v.renderedFrame, 0);
  assert.equal(v.wrongContent, 0);
});

test('§W.5 play at 1× sends one frame per 1/rateHz, in order; pause holds the position', async (t) => {
  const { v, control, run, ch } = await setup(t);
  await control({ op: 'play' });
  await run(2000);
  assert.equal(v.renderedFrame, 50, '2 s at 25 Hz');
  assert.equal(v.rendered, 51);
  const st = await control({ op: 'pause' });
  assert.equal(st.playing, false);
  assert.equal(st.frame, 50);
  await run(5000, 50);
  assert.equal(v.renderedFrame, 50, 'nothing moves while paused');
  await control({ op: 'play' });
  await run(400);
  assert.equal(v.renderedFrame, 60);
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
  assert.equal(ch.stats.keyframeSkips, 0);
});

test('§W.5 seek mid-segment: new epoch, TL_STATE first, then keyframe + deltas to the target in one batch', async (t) => {
  const { v, control } = await setup(t);
  const before = v.batches.length;
  const st = await control({ op: 'seek', frame: 123 });
  assert.equal(st.seekEpoch, 2);
  assert.equal(st.frame, 123);
  const b = v.batches.slice(before);
  assert.deepEqual(
    b.map((x) => [x.seekEpoch, x.firstFrame, x.count, x.keyframeFirst]),
    [[2, 100, 24, true]],
  );
  assert.equal(v.renderedFrame, 123);
  const byTime = await control({ op: 'seek', timeMs: 2000 });
  assert.equal(byTime.frame, 50, 'a keyframe target is one frame');
  assert.deepEqual(v.batches.at(-1), { ...v.batches.at(-1)!, seekEpoch: 3, firstFrame: 50, count: 1 });
  const past = await control({ op: 'seek', timeMs: 1e9 });
  assert.equal(past.frame, FRAMES - 1, 'a time past the end shows the last frame');
  assert.equal(v.renderedFrame, FRAMES - 1);
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
});

test('§W.5 speed scales the rate and batches several frames per TL_FRAMES at 16×', async (t) => {
  const { v, control, run } = await setup(t);
  await control({ op: 'play', speed: 4 });
  await run(1000);
  // Frames due since the last batch (less than minBatchMs ago) go out with the next one.
  assert.ok(v.renderedFrame >= 100 - 2 && v.renderedFrame <= 100, `${v.renderedFrame}`);
  await control({ op: 'pause' });
  assert.equal(v.renderedFrame, 100, '1 s at 4× = 100 frames; pause sends what is due');
  const before = v.batches.length;
  const at = v.renderedFrame;
  await control({ op: 'play', speed: 16 });
  await run(1000, 5);
  await control({ op: 'pause' });
  assert.equal(v.renderedFrame, at + 400, '1 s at 16× = 400 frames');
  const batches = v.batches.slice(before);
  // minBatchMs (1000/60) caps a session at ~60 messages a second however fast the data is.
  assert.ok(batches.length <= 61, `${batches.length} messages for 400 frames`);
  assert.ok(Math.max(...batches.map((b) => b.count)) >= 6, 'frames are batched');
  const slow = await control({ op: 'play', speed: 0.1 });
  assert.equal(slow.speed, 0.1);
  await run(2000, 50);
  assert.equal(v.renderedFrame, at + 400 + 5, '2 s at 0.1× = 5 frames');
  assert.deepEqual(v.violations, []);
});

test('§W.5 step: forward in the same epoch, backward or across a keyframe by seeking', async (t) => {
  const { v, control } = await setup(t);
  await control({ op: 'seek', frame: 123 });
  let st = await control({ op: 'step' });
  assert.deepEqual([st.seekEpoch, st.frame, v.renderedFrame], [2, 124, 124]);
  st = await control({ op: 'step', steps: 3 });
  assert.deepEqual([st.seekEpoch, st.frame, v.renderedFrame], [2, 127, 127]);
  st = await control({ op: 'step', steps: -1 });
  assert.deepEqual([st.seekEpoch, st.frame, v.renderedFrame], [3, 126, 126]);
  assert.deepEqual(v.batches.at(-1), { ...v.batches.at(-1)!, firstFrame: 100, count: 27, keyframeFirst: true });
  st = await control({ op: 'step', steps: 30 });
  assert.deepEqual([st.seekEpoch, st.frame, v.renderedFrame], [4, 156, 156], 'a step past the next keyframe starts there');
  assert.deepEqual(v.batches.at(-1), { ...v.batches.at(-1)!, firstFrame: 150, count: 7 });
  st = await control({ op: 'step', steps: -1000 });
  assert.equal(st.frame, 0, 'steps clamp at the start');
  await control({ op: 'play' });
  st = await control({ op: 'step' });
  assert.equal(st.playing, false, 'step pauses');
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
});

test('§W.5 playback stops at the end of a recording with a TL_STATE', async (t) => {
  const { v, control, run } = await setup(t, 100);
  await control({ op: 'play', speed: 16 });
  await run(1000);
  assert.equal(v.renderedFrame, 99);
  const end = v.state!;
  assert.deepEqual([end.playing, end.frame, end.seekEpoch], [false, 99, 1]);
});

test('§W.5 pause/resume and speed changes hold the rate within 1% over 60 s of timeline time (late timers, no drift)', async (t) => {
  const seed = seeds(1)[0]!;
  const rand = seededRandom(seed);
  const { v, control, run, ch } = await setup(t, 1600);
  // A script of [speed, wall ms] segments with pauses between; timeline time adds up to 60 s.
  const script: [number, number][] = [
    [1, 10_000],
    [2, 5_000],
    [0.5, 8_000],
    [4, 2_500],
    [1, 6_000],
    [16, 1_000],
    [0.25, 8_000],
    [1, 2_000],
  ];
  const total = script.reduce((n, [speed, ms]) => n + speed * ms, 0);
  assert.equal(total, 60_000);
  let expected = 0;
  const wakes0 = ch.scheduler.wakes;
  for (const [speed, ms] of script) {
    await control({ op: 'speed', speed });
    await control({ op: 'play' });
    // Timers fire up to 7 ms late, in uneven steps: the position comes from the anchor, so lateness
    // delays a frame but never accumulates.
    await run(ms, 7 + Math.floor(rand() * 20), () => rand() * 7);
    expected += speed * ms;
    await control({ op: 'pause' });
    await run(500 + Math.floor(rand() * 1000), 100);
  }
  const frames = (expected * RATE) / 1000;
  assert.equal(frames, 1500);
  const got = v.renderedFrame;
  assert.ok(Math.abs(got - frames) <= frames * 0.01, `${seedHint(seed)}: rendered frame ${got}, expected ${frames} ±1%`);
  // Exact, in fact: pauses and speed changes re-anchor at the fractional position.
  assert.ok(Math.abs(got - frames) <= 1, `seed ${seed}: rendered frame ${got}`);
  assert.equal(v.rendered, got + 1, 'every frame once, none skipped');
  assert.deepEqual(v.violations, []);
  // One shared scheduler, woken per due frame (at most), not a 60 Hz loop per session.
  const wakes = ch.scheduler.wakes - wakes0;
  assert.ok(wakes <= 1600, `${wakes} scheduler wakes for 1500 frames`);
});
