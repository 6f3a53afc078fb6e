// §W.5 lead (TL_CONTROL.leadMs) over real sockets, paced by a hand-driven clock: frames due
// within the lead go in one TL_FRAMES, never earlier than leadMs before their due time and never
// after it; pause, seek and speed answer at once; the live edge is never sent ahead; an
// out-of-range lead is refused with a code.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TL_LEAD_MS, pack } from '@tidewire/protocol';
import type { TimelineChannelImpl } from '../src/timeline-channel.ts';
import { startServer } from './helpers.ts';
import type { Received } from './timeline-client.ts';
import { TimelineViewer } from './timeline-client.ts';
import { buildFile, frameOf, ManualClock, schema, values } from './timeline-helpers.ts';

const RATE = 25;
const PERIOD = 1000 / RATE;
const LEAD = 200;
const s = schema(20, RATE);

async function setup(t: TestContext, source: 'recorded' | 'live' = 'recorded') {
  const clock = new ManualClock();
  const file = source === 'recorded' ? await buildFile(s, 1500, 50) : undefined;
  let ch!: TimelineChannelImpl;
  const server = await startServer(
    t,
    {},
    (srv) => void (ch = (file ? srv.timeline('race', { file }) : srv.timeline('race', { schema: s, live: true, keyframeInterval: 50 })) as TimelineChannelImpl),
    { timelineClock: clock },
  );
  const v = await TimelineViewer.open(server.url, s, { frameOf });
  t.after(() => v.close());
  await v.subscribe('race');
  v.autoCredit = { frames: 0, bytes: 0 };
  v.credit(10_000, 64 << 20);
  const drained = () => v.until(() => v.framesReceived === ch.stats.framesSent, 'frames in flight');
  const control = async (body: Parameters<TimelineViewer['controlAnswered']>[0]) => {
    const st = await v.controlAnswered(body);
    await drained();
    return st;
  };
  /** Every batch with the clock time it was sent at (the clock moves 1 ms at a time). */
  const sent: { b: Received; at: number }[] = [];
  const run = async (ms: number) => {
    for (let i = 0; i < ms; i++) {
      clock.advance(1);
      await drained();
      while (sent.length < v.batches.length) sent.push({ b: v.batches[sent.length]!, at: clock.now() });
    }
  };
  const mark = () => {
    while (sent.length < v.batches.length) sent.push({ b: v.batches[sent.length]!, at: clock.now() });
    return sent.length;
  };
  return { clock, ch, v, control, run, drained, sent, mark };
}

test('§W.5 lead: at play every frame due within leadMs comes in one TL_FRAMES, then one per ~leadMs/2, none sent earlier than leadMs before its due time nor after it', async (t) => {
  const { clock, v, control, run, sent, mark } = await setup(t);
  await control({ op: 'seek', frame: 100 });
  const before = mark();
  const t0 = clock.now();
  const st = await control({ op: 'play', leadMs: LEAD });
  assert.equal(st.frame, 100, 'TL_STATE.frame stays the playhead');
  const due = (k: number) => t0 + (k - 100) * PERIOD;
  // 101 … 105 fall due within 200 ms of play: all of them now, in one message.
  assert.deepEqual(
    v.batches.slice(before).map((b) => [b.seekEpoch, b.firstFrame, b.count]),
    [[2, 101, 5]],
  );
  mark();
  await run(2000);
  const after = sent.slice(before + 1);
  for (const { b, at } of after) {
    const last = b.firstFrame + b.count - 1;
    // A timer may serve its entry up to 1 ms early (playback-scheduler.ts EARLY_MS).
    assert.ok(at >= due(last) - LEAD - 1, `frame ${last} due at ${due(last)} sent at ${at}: more than ${LEAD} ms early`);
    assert.ok(at <= due(b.firstFrame), `frame ${b.firstFrame} due at ${due(b.firstFrame)} sent late at ${at}`);
  }
  // 2 s at 25 fps is 50 frames: without a lead 50 messages; with one, a message per ~100 ms.
  assert.ok(after.length <= 2000 / (LEAD / 2) + 1, `${after.length} messages in 2 s`);
  assert.ok(
    after.every(({ b }) => b.count >= 2),
    `batches of ${after.map(({ b }) => b.count).join(',')}`,
  );
  assert.ok(v.renderedFrame >= 150 && v.renderedFrame <= 155, `frames through ${v.renderedFrame} after 2 s`);
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
});

test('§W.5 lead: pause sends nothing ahead and play continues after what was sent; seek and speed answer at once with the lead', async (t) => {
  const { ch, v, control, run, drained } = await setup(t);
  await control({ op: 'seek', frame: 100 });
  await control({ op: 'play', leadMs: LEAD });
  await run(400);
  const paused = await control({ op: 'pause' });
  assert.equal(paused.frame, 110, 'the playhead, not the newest frame sent');
  const sentAtPause = ch.stats.framesSent;
  assert.ok(v.renderedFrame > 110 && v.renderedFrame <= 115, `sent ahead through ${v.renderedFrame}`);
  await run(1000);
  assert.equal(ch.stats.framesSent, sentAtPause, 'a paused session sends nothing');
  const batches = v.batches.length;
  await control({ op: 'play' });
  // The frames already sent are not sent again: the next batch continues the epoch.
  assert.equal(v.batches[batches]!.firstFrame, v.batches[batches - 1]!.firstFrame + v.batches[batches - 1]!.count);
  assert.equal(v.renderedFrame, 115, 'play: the playhead (110) plus 200 ms');
  // Seek while playing: keyframe 500 through the target 523 and the lead (524 … 528), one batch.
  const seekBatches = v.batches.length;
  const sk = await control({ op: 'seek', frame: 523 });
  assert.equal(sk.seekEpoch, 3);
  assert.deepEqual(
    v.batches.slice(seekBatches).map((b) => [b.seekEpoch, b.firstFrame, b.count, b.keyframeFirst]),
    [[3, 500, 29, true]],
  );
  // Speed: the lead is wall time, so at 4× it covers 4 × 5 frames, sent at once.
  await control({ op: 'speed', speed: 4 });
  assert.equal(v.renderedFrame, 543);
  // leadMs 0 applies from that request on: nothing more ahead; the next frame goes when due.
  await control({ op: 'speed', speed: 1, leadMs: 0 });
  const at = ch.stats.framesSent;
  // The playhead is at 523: frame 544 falls due 21 periods from now.
  await run(PERIOD * 21 - 1);
  assert.equal(ch.stats.framesSent, at, 'frames 524 … 543 were sent already and 544 is not due');
  await run(10);
  await drained();
  assert.equal(v.renderedFrame, 544);
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
});

test('§W.5 lead: the live edge is never sent ahead; a session behind it gets only frames that exist, then follows live', async (t) => {
  const { ch, v, control, run, drained } = await setup(t, 'live');
  const append = (n: number) => {
    for (let i = 0; i < n; i++) ch.append(values(s, ch.frameCount));
  };
  append(100);
  const live = await control({ op: 'live', leadMs: LEAD });
  assert.equal(live.live, true);
  for (let i = 0; i < 10; i++) {
    const n = v.framesReceived;
    append(1);
    await drained();
    assert.equal(v.framesReceived, n + 1, 'each appended frame once, as it is appended');
    assert.equal(v.renderedFrame, ch.frameCount - 1);
  }
  // 3 frames behind the edge, playing at 2× with a 200 ms lead (10 frames): only what exists.
  const behind = await control({ op: 'seek', frame: ch.frameCount - 4 });
  assert.equal(behind.live, false);
  await control({ op: 'play', speed: 2 });
  assert.equal(v.renderedFrame, ch.frameCount - 1, 'sent up to the newest frame, no further');
  append(1);
  await run(PERIOD);
  await drained();
  // At 2× it catches up with the edge and follows live again (TL_STATE live: true).
  await run(200);
  await v.until(() => v.state?.live === true, 'following live');
  append(1);
  await drained();
  assert.equal(v.renderedFrame, ch.frameCount - 1);
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
});

test(`§W.1 §W.5 a leadMs outside 0 … ${MAX_TL_LEAD_MS} is a fatal TW_BAD_FRAME`, async (t) => {
  const { v } = await setup(t);
  const bytes = pack({ op: 'play', leadMs: MAX_TL_LEAD_MS + 1 });
  const msg = new Uint8Array(2 + bytes.length);
  msg[0] = 0x40; // TL_CONTROL
  msg[1] = v.channel;
  msg.set(bytes, 2);
  v.send(msg);
  const { code } = await v.closedWithin();
  assert.deepEqual(v.errors, ['TW_BAD_FRAME']);
  assert.equal(code, 1002);
});
