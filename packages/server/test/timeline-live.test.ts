// §W.8 live timelines over real sockets: append, late joiners, scrubbing back into the recorded
// part, returning to live, segments sealed as they fill, end().
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { FrameDecoder, isKeyframe, parseSegmentPayload, TimelineReader } from '@tidewire/timeline';
import type { TimelineChannel } from '../src/index.ts';
import type { TimelineChannelImpl } from '../src/timeline-channel.ts';
import { startServer, turns, waitFor } from './helpers.ts';
import { TimelineViewer } from './timeline-client.ts';
import { frameOf, ManualClock, schema, values } from './timeline-helpers.ts';

const s = schema(20, 25, 'live');

/** A GET whose body comes back as sent (fetch would inflate a gzip body on its own). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function setup(t: TestContext) {
  const clock = new ManualClock();
  let ch!: TimelineChannelImpl;
  const server = await startServer(t, {}, (srv) => void (ch = srv.timeline('live', { schema: s, live: true, keyframeInterval: 50 }) as TimelineChannelImpl), {
    timelineClock: clock,
  });
  const append = (n: number) => {
    for (let i = 0; i < n; i++) ch.append(values(s, ch.frameCount));
  };
  const viewer = async () => {
    const v = await TimelineViewer.open(server.url, s, { frameOf });
    t.after(() => v.close());
    const st = await v.subscribe('live');
    v.autoCredit = { frames: 0, bytes: 0 };
    v.credit(100_000, 2 ** 30);
    return { v, st };
  };
  const control = async (v: TimelineViewer, body: Parameters<TimelineViewer['controlAnswered']>[0]) => {
    await v.controlAnswered(body);
    await drained(v);
    return v.state!;
  };
  const drained = (v: TimelineViewer) => v.until(() => v.framesReceived === ch.stats.framesSent, 'frames in flight');
  return { clock, server, ch, append, viewer, control, drained };
}

test('§W.8 a late joiner gets the last keyframe and the deltas since, then each frame as it is appended', async (t) => {
  const { ch, append, viewer, drained } = await setup(t);
  append(120);
  const { v, st } = await viewer();
  assert.deepEqual([st.live, st.playing, st.frame, st.frameCount, st.liveFrame], [true, true, 119, 120, 119]);
  await v.until(() => v.renderedFrame === 119, 'catch-up batch');
  assert.deepEqual(
    v.batches.map((b) => [b.seekEpoch, b.firstFrame, b.count, b.keyframeFirst]),
    [[1, 100, 20, true]],
  );
  append(10);
  await v.until(() => v.renderedFrame === 129, 'live frames');
  await drained(v);
  assert.deepEqual(
    v.batches.slice(1).map((b) => [b.firstFrame, b.count]),
    Array.from({ length: 10 }, (_, i) => [120 + i, 1]),
  );
  // Crossing a segment boundary live: the new keyframe just continues the stream.
  append(25);
  await v.until(() => v.renderedFrame === 154);
  assert.equal(v.rendered, 20 + 10 + 25);
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
  assert.equal(ch.stats.seeks, 0);
});

test('§W.8 a viewer that joins an empty live timeline gets the first keyframe when it is appended', async (t) => {
  const { append, viewer } = await setup(t);
  const { v, st } = await viewer();
  assert.deepEqual([st.live, st.frameCount, st.liveFrame], [true, 0, undefined]);
  append(3);
  await v.until(() => v.renderedFrame === 2);
  assert.deepEqual(v.batches[0], { ...v.batches[0]!, firstFrame: 0, keyframeFirst: true });
});

test('§W.8 scrub back into the recorded part, play, catch up with the edge, and return to live', async (t) => {
  const { clock, append, viewer, control, drained } = await setup(t);
  append(200);
  const { v } = await viewer();
  await v.until(() => v.renderedFrame === 199);
  let st = await control(v, { op: 'seek', frame: 30 });
  assert.deepEqual([st.seekEpoch, st.live, st.playing, st.frame, st.liveFrame], [2, false, true, 30, 199]);
  assert.deepEqual(v.batches.at(-1), { ...v.batches.at(-1)!, seekEpoch: 2, firstFrame: 0, count: 31 });
  // Paced playback in the recorded part while the producer keeps appending.
  for (let i = 0; i < 100; i++) {
    clock.advance(10);
    if (i % 4 === 0) append(1);
    await drained(v);
  }
  assert.equal(v.renderedFrame, 55, '1 s at 1× from frame 30');
  st = await control(v, { op: 'live' });
  assert.deepEqual([st.seekEpoch, st.live, st.playing, st.frame], [3, true, true, 224]);
  await v.until(() => v.renderedFrame === 224);
  assert.deepEqual(v.batches.at(-1), { ...v.batches.at(-1)!, seekEpoch: 3, firstFrame: 200, count: 25, keyframeFirst: true });
  append(2);
  await v.until(() => v.renderedFrame === 226);
  // Scrub back again and catch up at 16×: reaching the edge follows live again.
  await control(v, { op: 'seek', frame: 150 });
  await control(v, { op: 'play', speed: 16 });
  for (let i = 0; i < 40 && !v.state!.live; i++) {
    clock.advance(10);
    await drained(v);
  }
  assert.equal(v.state!.live, true, 'caught up with the live edge');
  append(1);
  await v.until(() => v.renderedFrame === 227);
  await control(v, { op: 'pause' });
  append(5);
  await turns(3);
  assert.equal(v.renderedFrame, 227, 'a paused viewer leaves the edge');
  assert.deepEqual(v.violations, []);
  assert.equal(v.wrongContent, 0);
  assert.equal(v.staleAfterState, 0);
});

test('§W.8 segments are sealed (gzip, HTTP) as they fill; end() stops followers and yields the file', async (t) => {
  const { server, ch, append, viewer } = await setup(t);
  const { v } = await viewer();
  append(120);
  await v.until(() => v.renderedFrame === 119);
  await waitFor(() => ch.store.segments.filter((x) => x.sealed).length === 2, 'segments 0 and 1 sealed');
  const meta = await (await fetch(`${server.url}/api/timelines/live`)).json();
  assert.equal(meta.live, true);
  assert.deepEqual(
    meta.segments.map((x: { index: number; firstFrame: number; frameCount: number }) => [x.index, x.firstFrame, x.frameCount]),
    [
      [0, 0, 50],
      [1, 50, 50],
    ],
  );
  const seg = await rawGet(`${server.url}/api/timelines/live/segments/1`, { 'accept-encoding': 'gzip' });
  assert.equal(seg.status, 200);
  assert.equal(seg.headers['content-encoding'], 'gzip');
  // The body inflates to segment 1's payload (§5.5): frames 50–99, a keyframe first, each frame
  // decoding to the values appended (x, y to their 0.01 scale; lap is the frame number).
  const payload = parseSegmentPayload(gunzipSync(seg.body), s.rateHz);
  assert.deepEqual([payload.index, payload.firstFrame, payload.frameCount, payload.frames.length], [1, 50, 50, 50]);
  assert.ok(isKeyframe(payload.frames[0]!), 'the segment starts with a keyframe');
  const decoder = new FrameDecoder(s);
  payload.frames.forEach((f, k) => {
    const got = decoder.decode(f);
    const want = values(s, 50 + k);
    for (let c = 0; c < want.length; c++) assert.ok(Math.abs(got[c]! - want[c]!) < 0.006, `frame ${50 + k} cell ${c}: ${got[c]} ≠ ${want[c]}`);
    assert.equal(frameOf(got), 50 + k);
  });
  assert.equal((await fetch(`${server.url}/api/timelines/live/segments/2`)).status, 404, 'the open segment is not served');
  const file = await (ch as TimelineChannel).end();
  const reader = TimelineReader.open(file);
  assert.equal(reader.frameCount, 120);
  assert.equal(reader.segmentCount, 3);
  await v.until(() => v.state!.live === false);
  assert.deepEqual([v.state!.playing, v.state!.liveFrame, v.state!.frame], [false, undefined, 119]);
  assert.throws(() => append(1), { code: 'TW_SERVER_STATE' });
  assert.equal((await (await fetch(`${server.url}/api/timelines/live`)).json()).live, false);
  assert.equal((await fetch(`${server.url}/api/timelines/live/segments/2`)).status, 200);
  assert.strictEqual(await ch.end(), file, 'idempotent');
  // A viewer that asks for live just after the end gets the last frame, paused (no error).
  v.control({ op: 'live', seq: 99 });
  await v.until(() => v.state?.ack === 99);
  assert.deepEqual([v.state!.live, v.state!.playing, v.state!.frame], [false, false, 119]);
  assert.equal(v.closeCode, undefined);
});

test('§W.8 append validates: a value out of its field range throws and changes nothing', async (t) => {
  const { ch, append } = await setup(t);
  append(2);
  const bad = values(s, 2);
  bad[2] = 70_000; // lap is u16
  assert.throws(() => ch.append(bad), { code: 'TL_BAD_VALUE' });
  assert.equal(ch.frameCount, 2);
  append(1);
  assert.equal(ch.frameCount, 3);
});
