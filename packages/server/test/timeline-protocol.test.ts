// §W on the server's side of the wire: capability and kind, input validation (a malformed
// timeline frame is fatal for that connection only), session caps, client-paced mode, metrics.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { encodeTlCredit, encodeTlFrames, encodeTlState, encodeUnsubscribe, pack } from '@tidewire/protocol';
import type { TimelineChannelImpl } from '../src/timeline-channel.ts';
import { createServer, MAX_CREDIT_BYTES, MAX_CREDIT_FRAMES } from '../src/index.ts';
import { root, startServer, turns } from './helpers.ts';
import { RawClient } from './raw-client.ts';
import { TimelineViewer } from './timeline-client.ts';
import { buildFile, frameOf, ManualClock, schema } from './timeline-helpers.ts';

const s = schema(20, 25);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

async function setup(t: TestContext, options: Parameters<typeof startServer>[1] = {}, names = ['race']) {
  const clock = new ManualClock();
  const file = await buildFile(s, 300, 50);
  const chs: TimelineChannelImpl[] = [];
  const server = await startServer(
    t,
    options,
    (srv) => {
      for (const n of names) chs.push(srv.timeline(n, { file }) as TimelineChannelImpl);
      srv.tree('doc', root());
    },
    { timelineClock: clock },
  );
  const viewer = async (name = 'race') => {
    const v = await TimelineViewer.open(server.url, s, { frameOf });
    t.after(() => v.close());
    await v.subscribe(name);
    return v;
  };
  return { clock, server, ch: chs[0]!, chs, viewer };
}

async function fatal(v: TimelineViewer, bytes: Uint8Array, code = 'TW_BAD_FRAME'): Promise<void> {
  v.send(bytes);
  const { code: closeCode } = await v.closedWithin();
  assert.deepEqual(v.errors, [code]);
  assert.equal(closeCode, 1002);
}

test('§W WELCOME announces the timeline capability and channel kind; SUBSCRIBED says kind timeline', async (t) => {
  const { server } = await setup(t);
  const c = await RawClient.open(server.url);
  t.after(() => c.close());
  const w = c.frames.find((f) => f.type === 0x02) as { capabilities: string[]; channels: { name: string; kind: string }[] };
  assert.ok(w.capabilities.includes('timeline'));
  assert.deepEqual(
    w.channels.find((x) => x.name === 'race'),
    { name: 'race', kind: 'timeline' },
  );
});

test('§W.1 a speed outside [0.1, 16] is a fatal TW_BAD_FRAME for that connection only', async (t) => {
  const { viewer, clock } = await setup(t);
  const good = await viewer();
  good.autoCredit = { frames: 0, bytes: 0 };
  good.credit(1000, 1 << 30);
  good.control({ op: 'play', seq: 1 });
  await good.until(() => good.state?.ack === 1);
  const bad = await viewer();
  await fatal(bad, cat(Uint8Array.of(0x40, bad.channel), pack({ op: 'speed', speed: 20 })));
  for (let i = 0; i < 10; i++) {
    clock.advance(40);
    await turns(2);
  }
  await good.until(() => good.renderedFrame >= 9, 'the other viewer keeps playing');
  assert.equal(good.closeCode, undefined);
});

test('§W.1 a seek beyond the last frame, and op live on a recording, are TW_BAD_FRAME', async (t) => {
  const { viewer } = await setup(t);
  const a = await viewer();
  await fatal(a, cat(Uint8Array.of(0x40, a.channel), pack({ op: 'seek', frame: 300 })));
  const b = await viewer();
  await fatal(b, cat(Uint8Array.of(0x40, b.channel), pack({ op: 'live' })));
});

test('§W server-to-client frames, truncated frames and bad fields from a client are fatal', async (t) => {
  const { viewer } = await setup(t);
  const cases = (ch: number) => [
    encodeTlFrames(ch, 1, 0, [Uint8Array.of(1, 2)]),
    encodeTlState(ch, { seekEpoch: 1, playing: false, speed: 1, frame: 0, frameCount: 1, live: false, rateHz: 25 }),
    Uint8Array.of(0x41, ch, 5),
    cat(encodeTlCredit(ch, 1, 1), Uint8Array.of(0)),
    cat(Uint8Array.of(0x40, ch), pack({ op: 'seek', frame: -5 })),
    cat(Uint8Array.of(0x40, ch), pack({ op: 'step', steps: 0 })),
    cat(Uint8Array.of(0x40, ch), pack({ op: 'fly' })),
  ];
  for (let i = 0; i < cases(1).length; i++) {
    const v = await viewer();
    await fatal(v, cases(v.channel)[i]!);
  }
});

test('§W timeline frames about a channel not subscribed get TW_NOT_SUBSCRIBED; unknown 0x4x types are ignored', async (t) => {
  const { viewer, server } = await setup(t);
  const v = await viewer();
  const tree = server.channel('doc')!.id;
  v.send(encodeTlCredit(99, 1, 1));
  v.send(encodeTlCredit(tree, 1, 1));
  v.send(Uint8Array.of(0x4e, 0));
  v.credit(10, 1000);
  await v.until(() => v.errors.length === 3 && v.framesReceived === 1);
  assert.deepEqual(v.errors, ['TW_NOT_SUBSCRIBED', 'TW_NOT_SUBSCRIBED', 'TW_UNKNOWN_FRAME_TYPE']);
  assert.equal(v.closeCode, undefined);
});

test('§W sessions per connection are capped and count toward maxSubscriptions', async (t) => {
  const { server } = await setup(t, { limits: { maxTimelineSessions: 2, maxSubscriptions: 3 } }, ['a', 'b', 'c']);
  const c = await RawClient.open(server.url);
  t.after(() => c.close());
  for (const n of ['a', 'b', 'c']) c.subscribe(n);
  await c.until(() => c.errors().length === 1 && c.frames.filter((f) => f.type === 0x12).length === 2);
  assert.deepEqual(c.errors(), ['TW_TOO_MANY_SUBSCRIPTIONS']);
  c.subscribe('doc');
  c.subscribe('c');
  await c.until(() => c.errors().length === 2);
  assert.deepEqual(c.errors(), ['TW_TOO_MANY_SUBSCRIPTIONS', 'TW_TOO_MANY_SUBSCRIPTIONS'], 'the tree took the last subscription');
  await assert.rejects(createServer({ limits: { maxTimelineSessions: 0 } }), { code: 'TW_SERVER_BAD_OPTION' });
  await assert.rejects(createServer({ timeline: { minBatchMs: -1 } }), { code: 'TW_SERVER_BAD_OPTION' });
  await assert.rejects(createServer({ timeline: { tickMs: -1 } }), { code: 'TW_SERVER_BAD_OPTION' });
  await assert.rejects(createServer({ timeline: { tickMs: 101 } }), { code: 'TW_SERVER_BAD_OPTION' });
});

test('§W unsubscribing ends the session: no more frames, nothing scheduled', async (t) => {
  const { viewer, ch, clock } = await setup(t);
  const v = await viewer();
  v.credit(1000, 1 << 30);
  v.control({ op: 'play', seq: 1 });
  await v.until(() => v.state?.ack === 1);
  clock.advance(200);
  await v.until(() => v.renderedFrame === 5);
  assert.equal(ch.scheduler.size, 1);
  v.send(encodeUnsubscribe(v.channel));
  await turns(5);
  assert.equal(ch.stats.sessions, 0);
  assert.equal(ch.scheduler.size, 0);
  const sent = ch.stats.framesSent;
  clock.advance(1000);
  await turns(3);
  assert.equal(ch.stats.framesSent, sent);
});

test('§W a corrupt segment file is refused with its TimelineError code and the name stays free', async (t) => {
  const file = await buildFile(s, 100, 50);
  const bad = file.slice();
  bad[bad.length - 40] ^= 0xff; // inside the INDEX/FOOTER: a CRC mismatch
  const server = await startServer(t);
  assert.throws(
    () => server.timeline('race', { file: bad }),
    (e: unknown) => typeof (e as { code?: string }).code === 'string' && (e as { code: string }).code.startsWith('TL_'),
  );
  assert.throws(() => server.timeline('race', { file: bad.subarray(0, 10) }), { code: 'TL_TRUNCATED' });
  assert.throws(() => server.timeline('race', { file: 'nope' as never }), { code: 'TW_SERVER_BAD_OPTION' });
  assert.throws(() => server.timeline('race', { schema: s } as never), { code: 'TW_SERVER_BAD_OPTION' });
  assert.equal(server.timeline('race', { file }).frameCount, 100);
});

test('§W credit grants saturate instead of overflowing', async (t) => {
  const { viewer, ch } = await setup(t);
  const v = await viewer();
  for (let i = 0; i < 3; i++) v.credit(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  v.control({ op: 'seek', frame: 10, seq: 1 });
  await v.until(() => v.state?.ack === 1 && v.renderedFrame === 10);
  const session = [...(ch as unknown as { sessions: Map<unknown, { creditFrames: number; creditBytes: number }> }).sessions.values()][0]!;
  assert.ok(session.creditFrames <= MAX_CREDIT_FRAMES && session.creditFrames > MAX_CREDIT_FRAMES - 100);
  assert.ok(session.creditBytes <= MAX_CREDIT_BYTES && Number.isSafeInteger(session.creditBytes));
});

test('§W client-paced mode sends TL_STATE only; server mode again sends the frames for the playhead', async (t) => {
  const { viewer, clock } = await setup(t);
  const v = await viewer();
  v.credit(1000, 1 << 30);
  await v.until(() => v.framesReceived === 1);
  v.control({ op: 'seek', frame: 77, mode: 'client', seq: 1 });
  await v.until(() => v.state?.ack === 1);
  v.control({ op: 'play', seq: 2 });
  await v.until(() => v.state?.ack === 2);
  clock.advance(1000);
  await turns(5);
  assert.equal(v.framesReceived, 1, 'no frames in client mode');
  assert.deepEqual([v.state!.mode, v.state!.frame, v.state!.seekEpoch], ['client', 77, 2]);
  v.control({ op: 'pause', mode: 'server', seq: 3 });
  await v.until(() => v.state?.ack === 3);
  const st = v.state!;
  assert.equal(st.mode, 'server');
  await v.until(() => v.renderedFrame === st.frame);
  assert.deepEqual(v.violations, []);
});

test('§W metrics: sessions, frames and bytes sent, stalls, skips, seeks and seek latency', async (t) => {
  const { viewer, server } = await setup(t);
  const v = await viewer();
  v.credit(1000, 1 << 30);
  v.control({ op: 'seek', frame: 120, seq: 1 });
  await v.until(() => v.state?.ack === 1 && v.renderedFrame === 120);
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);
  assert.equal(value('tidewire_timeline_sessions'), 1);
  assert.equal(value('tidewire_timeline_frames_sent_total'), 1 + 21);
  assert.ok(value('tidewire_timeline_frame_bytes_sent_total') > 0);
  assert.equal(value('tidewire_timeline_credit_stalls_total'), 0);
  assert.equal(value('tidewire_timeline_keyframe_skips_total'), 0);
  assert.equal(value('tidewire_timeline_seeks_total'), 1);
  assert.equal(value('tidewire_timeline_seek_latency_seconds_count'), 1);
  assert.ok(value('tidewire_channel_bytes_sent_total') > 0, 'message bytes in the channel counters');
});
