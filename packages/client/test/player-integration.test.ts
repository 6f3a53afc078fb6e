// docs/timeline-format.md §W, the player's side: the Player against the real @tidewire/server on loopback, in both pacings: play, pause,
// seek and speed, every shown frame checked against the file decoded independently
// (TimelineReader), and random seeks while playing show each target first, then only later frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { seededRandom, seeds } from '@tidewire/random';
import { createPlayer, interpolationMask, PerfMonitor, TidewireClient } from '@tidewire/client';
import type { FrameEvent, Player } from '@tidewire/client';
import type { TimelineChannel } from '@tidewire/server';
import { FIELD, PERIOD_MS, buildTimeline, decodeTruth, expectedAt, firstDifference, frameValues, raceSchema, startTimelineServer } from './player-fixtures.ts';

const FRAMES = 1000;
const WAIT = { timeoutMs: 10_000 };
const file = await buildTimeline(FRAMES);
const { frames: truth } = await decodeTruth(file);
const mask = interpolationMask(raceSchema().fields);

/** What frameAt(t) must be: the file's frames around t, interpolated per the mask. */
function expected(frame: number, timeMs: number): Float64Array {
  return expectedAt(truth, mask, frame, timeMs);
}

function record(player: Player): FrameEvent[] {
  const events: FrameEvent[] = [];
  player.onFrame((ev) => events.push({ timeMs: ev.timeMs, frame: ev.frame, values: ev.values.slice() }));
  return events;
}

function checkEvents(events: FrameEvent[], what: string): void {
  for (const ev of events) {
    assert.equal(ev.values[FIELD.frame], ev.frame, `${what}: stepped fields show frame ${ev.frame}`);
    assert.equal(firstDifference(ev.values, expected(ev.frame, ev.timeMs), 1e-6), null, `${what}: frame ${ev.frame} at ${ev.timeMs} ms`);
  }
}

async function playPauseSeekSpeed(player: Player): Promise<void> {
  await player.ready(WAIT);
  assert.equal(player.state.get().frame, 0);
  assert.equal(firstDifference(player.values!, truth[0]!), null);
  const s0 = player.state.get();
  assert.equal(s0.frameCount, FRAMES);
  assert.equal(s0.endMs, (FRAMES - 1) * PERIOD_MS);
  assert.equal(player.schema!.entities.length, 4);

  // Seek while paused: exactly the target frame.
  player.seek({ frame: 537 });
  await player.waitFor((s) => s.frame === 537 && !s.seeking, WAIT);
  assert.equal(firstDifference(player.values!, truth[537]!), null);
  player.seek(612 * PERIOD_MS);
  await player.waitFor((s) => s.frame === 612 && !s.seeking, WAIT);
  assert.equal(firstDifference(player.values!, truth[612]!), null);

  // Play: frames move forward, each one the file's truth (interpolated where numeric).
  const events = record(player);
  player.play();
  await player.waitFor((s) => s.playing && s.frame >= 640, WAIT);
  player.setSpeed(8);
  assert.equal(player.state.get().speed, 8);
  await player.waitFor((s) => s.frame >= 760, WAIT);
  player.pause();
  await player.waitFor((s) => !s.playing, WAIT);
  const paused = player.state.get();
  assert.equal(paused.speed, 8);
  checkEvents(events, player.mode);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.timeMs >= events[i - 1]!.timeMs, 'time never goes back while playing');
  assert.ok(events.length > 10, `${events.length} frames shown`);
  assert.ok(
    events.some((e) => e.timeMs !== e.frame * PERIOD_MS),
    'some shown frames are interpolated',
  );

  // Paused: what is shown is frameAt(timeMs).
  await new Promise((r) => setTimeout(r, 100));
  const still = player.state.get();
  assert.equal(still.frame, player.state.get().frame);
  assert.equal(firstDifference(player.values!, player.frameAt(still.timeMs)!), null);
  assert.equal(firstDifference(player.values!, expected(still.frame, still.timeMs), 1e-6), null);

  // Step moves whole frames.
  player.step(3);
  await player.waitFor((s) => s.frame === still.frame + 3 && !s.seeking, WAIT);
  await player.waitFor(() => player.values![FIELD.frame] === still.frame + 3, WAIT);

  // Play to the end: the player stops on the last frame.
  player.seek({ frame: FRAMES - 30 });
  player.setSpeed(16);
  player.play();
  await player.waitFor((s) => !s.playing && s.frame === FRAMES - 1, WAIT);
  assert.equal(firstDifference(player.values!, truth[FRAMES - 1]!), null);
}

test('§W.7 client-paced on loopback: segments over HTTP, play / pause / seek / speed / step show the file’s frames', async (t) => {
  const { server, url } = await startTimelineServer(t, file);
  const perf = new PerfMonitor();
  const player = createPlayer({ url, timeline: 'race', mode: 'client', WebSocket, worker: false, perf, prefetchSeconds: 2 });
  t.after(() => player.close());
  await playPauseSeekSpeed(player);
  const m = player.metrics;
  assert.ok(m.segmentsFetched >= 3 && m.segmentsFetched <= 20, `${m.segmentsFetched} segments fetched`);
  assert.ok(m.bytesFetched > 0);
  assert.equal(m.framesDecoded, m.segmentsFetched * 50);
  assert.equal(m.seekMs.length, m.seeks);
  perf.tick();
  assert.equal(perf.get().timeline.totals.framesDecoded, m.framesDecoded);
  assert.equal(perf.get().timeline.totals.seeks, m.seeks);
  const ch = server.channel('race') as TimelineChannel;
  assert.equal(ch.stats.framesSent, 0, 'client-paced: no frame over the WebSocket');
  t.diagnostic(`client-paced seek latency ms: ${m.seekMs.map((x) => x.toFixed(1)).join(' ')}`);
});

test('§W.5 §W.6 server-paced on loopback: TL_FRAMES under credit, play / pause / seek / speed / step show the file’s frames', async (t) => {
  const { server, url } = await startTimelineServer(t, file);
  const client = new TidewireClient({ url, WebSocket, clientName: 'player-test' });
  t.after(() => client.close());
  const player = createPlayer({ client, timeline: 'race', mode: 'server' });
  t.after(() => player.close());
  await playPauseSeekSpeed(player);
  const ch = server.channel('race') as TimelineChannel;
  assert.ok(ch.stats.framesSent > 0);
  // The server counts one stall when the session starts, before SUBSCRIBED has told us the
  // channel to grant credit on; beyond that the window keeps up, even at 16×.
  assert.ok(ch.stats.creditStalls <= 1, `${ch.stats.creditStalls} credit stalls`);
  assert.equal(ch.stats.keyframeSkips, 0);
  assert.equal(player.metrics.bytesFetched, 0, 'server-paced: nothing over HTTP but metadata');
  t.diagnostic(`server-paced seek latency ms: ${player.metrics.seekMs.map((x) => x.toFixed(1)).join(' ')}`);
});

test('§W.5 server-paced: random seeks while playing show each target first, then only later frames, all exact', async (t) => {
  const seed = seeds(1)[0]!;
  t.diagnostic(`seed ${seed}`);
  const rand = seededRandom(seed);
  const { url } = await startTimelineServer(t, file);
  const player = createPlayer({ url, timeline: 'race', mode: 'server', WebSocket, worker: false });
  t.after(() => player.close());
  await player.ready(WAIT);
  const events = record(player);
  player.setSpeed(4);
  player.play();
  try {
    for (let k = 0; k < 12; k++) {
      const target = Math.floor(rand() * (FRAMES - 100));
      const from = events.length;
      player.seek({ frame: target });
      await player.waitFor((s) => !s.seeking, WAIT);
      // Let a few frames play in the new epoch (or none: the next seek may cut in at once).
      const more = Math.floor(rand() * 8);
      await player.waitFor((s) => s.frame >= target + more, WAIT);
      const after = events.slice(from);
      assert.ok(after.length > 0);
      assert.equal(after[0]!.frame, target, `seek ${k}: the first frame shown is the target`);
      for (let i = 1; i < after.length; i++)
        assert.ok(after[i]!.frame >= after[i - 1]!.frame, `seek ${k}: frames ${after[i - 1]!.frame} then ${after[i]!.frame}`);
    }
    checkEvents(events, 'random seeks');
  } catch (err) {
    console.log(`# failing seed ${seed} (replay: TIDEWIRE_SEED=${seed})`);
    throw err;
  }
});

test('§W.8 live timeline: goLive follows appended frames; seeking back plays the recorded part (both pacings)', async (t) => {
  const { server, url } = await startTimelineServer(t, file, 'recorded');
  const s = raceSchema();
  const live = server.timeline('live', { schema: s, live: true, keyframeInterval: 25 });
  let n = 0;
  const append = (count: number) => {
    for (let k = 0; k < count; k++, n++) live.append(frameValues(s, n), n * PERIOD_MS);
  };
  append(120);
  for (const mode of ['server', 'client'] as const) {
    const player = createPlayer({ url, timeline: 'live', mode, WebSocket, worker: false });
    t.after(() => player.close());
    await player.waitFor((st) => st.live && st.status === 'ready', WAIT);
    assert.equal(player.state.get().liveTimeline, true);
    const edge = n - 1;
    append(10);
    await player.waitFor(() => player.values![FIELD.frame]! >= edge + 5, WAIT);
    // Back into the recorded part: exact frames; then live again.
    player.pause();
    player.seek({ frame: 30 });
    await player.waitFor((st) => st.frame === 30 && !st.seeking && !st.live, WAIT);
    assert.equal(firstDifference(player.values!, frameValues(s, 30)), null, `${mode}: frame 30`);
    assert.equal(player.goLive(), true);
    append(5);
    await player.waitFor((st) => st.live && st.frame >= n - 3, WAIT);
    await player.close();
  }
  await live.end();
});
