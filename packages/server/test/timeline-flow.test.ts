// §W.6 flow control over real sockets: credit is never exceeded, a stall is counted once, and a
// viewer that stops reading costs the server one message at most, then resumes at a keyframe.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { TimelineChannelImpl } from '../src/timeline-channel.ts';
import { startServer, turns } from './helpers.ts';
import { TimelineViewer } from './timeline-client.ts';
import { buildFile, frameOf, ManualClock, noisyValues, schema, values } from './timeline-helpers.ts';

async function setup(t: TestContext, entities: number, frames: number, gen = values) {
  const clock = new ManualClock();
  const s = schema(entities, 25);
  const file = await buildFile(s, frames, 50, gen);
  let ch!: TimelineChannelImpl;
  const server = await startServer(t, {}, (srv) => void (ch = srv.timeline('race', { file }) as TimelineChannelImpl), { timelineClock: clock });
  const v = await TimelineViewer.open(server.url, s, { frameOf });
  t.after(() => v.close());
  await v.subscribe('race');
  const control = (body: Parameters<TimelineViewer['controlAnswered']>[0]) => v.controlAnswered(body);
  const settle = async () => {
    await turns(3);
    await v.until(() => v.framesReceived === ch.stats.framesSent, 'frames in flight');
  };
  return { clock, s, ch, v, control, settle, server };
}

test('§W.6 the server never sends beyond the granted frames; a stall is counted once per stall', async (t) => {
  const { clock, ch, v, control, settle } = await setup(t, 20, 1500);
  await control({ op: 'play', speed: 16 });
  v.credit(10, 1 << 30);
  await settle();
  for (let i = 0; i < 50; i++) {
    clock.advance(20);
    await settle();
  }
  assert.equal(v.framesReceived, 10, 'exactly the grant');
  assert.equal(ch.stats.creditStalls, 1, 'one stall when the grant ran out (waiting for the first one is not a stall)');
  const before = v.batches.length;
  v.credit(5, 1 << 30);
  for (let i = 0; i < 20; i++) {
    clock.advance(20);
    await settle();
  }
  assert.equal(v.framesReceived, 15);
  assert.equal(ch.stats.creditStalls, 2);
  // The backlog spanned keyframes: the grant resumed at the newest keyframe due, not at frame 10.
  assert.ok(v.batches[before]!.keyframeFirst && v.batches[before]!.firstFrame > 10, JSON.stringify(v.batches[before]));
  assert.ok(ch.stats.keyframeSkips >= 1);
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
});

test('§W.6 byte credit: frames go while the byte balance is positive (at most one frame over)', async (t) => {
  const { clock, v, control, settle } = await setup(t, 20, 1500);
  await control({ op: 'play', speed: 4 });
  let granted = 0;
  let maxFrame = 0;
  for (let i = 0; i < 40; i++) {
    v.credit(1000, 150);
    granted += 150;
    clock.advance(50);
    await settle();
    for (const b of v.batches) maxFrame = Math.max(maxFrame, b.frameBytes / b.count);
    assert.ok(v.frameBytesReceived <= granted + maxFrame, `${v.frameBytesReceived} bytes received for ${granted} granted`);
  }
  assert.ok(v.frameBytesReceived > granted / 2, 'the grants were used');
  assert.deepEqual(v.violations, []);
});

test('§W.6 a viewer that stops reading: server queue stays at one message, then it resumes at a keyframe (skips counted)', async (t) => {
  // Wide noisy frames (1,000 entities, ~9 KB each) fill the socket buffers quickly at 16×.
  const frames = 3000;
  const t0 = performance.now();
  const { clock, ch, v, control, server } = await setup(t, 1000, frames, noisyValues);
  t.diagnostic(`file built in ${(performance.now() - t0).toFixed(0)} ms`);
  v.credit(1_000_000, 2 ** 40);
  await control({ op: 'play', speed: 16 });
  v.setReading(false);
  let maxQueued = 0;
  let maxBuffered = 0;
  let stalledAt = -1;
  for (let i = 0; i < 400; i++) {
    clock.advance(20);
    await turns(2);
    const st = server.connectionStats()[0]!;
    maxQueued = Math.max(maxQueued, st.queuedBytes);
    maxBuffered = Math.max(maxBuffered, st.inFlight);
    if (stalledAt < 0 && i > 20 && ch.stats.framesSent === lastSent) stalledAt = i;
    lastSent = ch.stats.framesSent;
  }
  const sentWhilePaused = ch.stats.framesSent;
  t.diagnostic(`${sentWhilePaused} frames (${(ch.stats.frameBytesSent / 1e6).toFixed(1)} MB) went out while not reading`);
  assert.ok(stalledAt > 0 && sentWhilePaused < frames - 200, `the socket backed up and sending stopped (${sentWhilePaused} of ${frames} frames sent)`);
  // Bounded: at most one TL_FRAMES message (≤ chunkBytes) waits in the outbox, and the bytes
  // handed to the socket stay within about one chunk of the state window.
  assert.ok(maxQueued <= 64 * 1024 + 64, `queued ${maxQueued}`);
  assert.ok(maxBuffered <= 2 * 64 * 1024 + 64, `in flight ${maxBuffered}`);
  v.setReading(true);
  await turns(5);
  await v.until(() => v.framesReceived === ch.stats.framesSent, 'backlog');
  for (let i = 0; i < 20; i++) {
    clock.advance(20);
    await turns(2);
  }
  await v.until(() => v.framesReceived === ch.stats.framesSent, 'resumed');
  assert.ok(ch.stats.keyframeSkips >= 1, `skipped ahead instead of sending the backlog: ${JSON.stringify(ch.stats)} ${JSON.stringify(v.batches.slice(-3))}`);
  assert.ok(ch.stats.framesSkipped > 100);
  const resumed = v.batches.find((b, i) => i > 0 && b.firstFrame !== v.batches[i - 1]!.firstFrame + v.batches[i - 1]!.count);
  assert.ok(resumed?.keyframeFirst, 'the first batch after the gap starts with a keyframe');
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
  assert.equal(v.staleAfterState, 0);
});
let lastSent = 0;
