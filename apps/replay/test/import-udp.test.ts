// F1 game UDP ingest (docs/replay-import.md §3, §4): packet layouts of F1 23/24/25 checked
// against hand-built vectors, bounds checks on every truncation, the live timeline built from
// real UDP datagrams on loopback, drops counted in /metrics, capture record → replay round trip,
// and a viewer scrubbing back into the live timeline and returning to the edge.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createPlayer } from '@tidewire/client';
import { Prng, seedHint, seeds } from '@tidewire/random';
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import {
  CAPTURE_MAGIC,
  decodePacket,
  encodeCaptureHeader,
  encodeCaptureRecord,
  LAYOUTS,
  LiveRace,
  mountReplayIngest,
  readCapture,
  ImportError,
} from '../src/import/index.ts';
import type { ReplayIngest } from '../src/import/index.ts';
import { f1_22MotionPacket, lapDataPacket, motionPacket, otherPacket, participantsPacket, telemetryPacket, type Format } from './fixtures/f1-udp-packets.ts';
import { CARS, expectedFrames, NAMES, NUMBERS, participants, sessionPackets, STEP_S, type ExpectedCar } from './fixtures/f1-session.ts';
import { decodeAll, type DecodedTimeline } from './fixtures/timeline-frames.ts';

const FORMATS: Format[] = [2023, 2024, 2025];
const WAIT = { timeoutMs: 10_000 };

async function startServer(t: TestContext): Promise<{ server: TidewireServer; url: string }> {
  const server = await createServer({ port: 0, logger: false, defaultMetrics: false });
  t.after(() => server.close());
  const url = await server.listen();
  return { server, url };
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-udp-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Sends each datagram over real UDP and waits until the ingest has it (loopback could drop a burst). */
async function sendAll(t: TestContext, ingest: ReplayIngest, datagrams: Uint8Array[]): Promise<void> {
  const client = createSocket('udp4');
  t.after(() => new Promise<void>((r) => client.close(() => r())));
  const { port, address } = ingest.udpAddress!;
  let expected = ingest.stats.received;
  for (const d of datagrams) {
    await new Promise<void>((res, rej) => client.send(d, port, address, (e) => (e ? rej(e) : res())));
    await ingest.whenReceived(++expected);
  }
}

function checkFrames(d: DecodedTimeline, expected: ExpectedCar[][], what: string): void {
  assert.equal(d.frames.length, expected.length, `${what}: frame count`);
  for (let k = 0; k < expected.length; k++) {
    assert.equal(d.times[k], 40 * k, `${what}: frame ${k} time`);
    for (let i = 0; i < CARS; i++) {
      const e = expected[k]![i]!;
      for (const [f, v] of Object.entries(e)) {
        const got = d.frames[k]![i * d.F + d.col[f]!]!;
        const tol = f === 'x' || f === 'y' || f === 'distance' ? 0.051 : f === 'gapToLeader' ? 0.0006 : 0;
        assert.ok(Math.abs(got - v) <= tol, `${what}: frame ${k} car ${i} ${f} = ${got}, expected ${v}`);
      }
    }
    for (let i = CARS; i < 22; i++) {
      for (let f = 0; f < d.F; f++) assert.ok(Number.isNaN(d.frames[k]![i * d.F + f]!), `${what}: frame ${k} empty slot ${i} is absent`);
    }
  }
}

test('§3.1 packet sizes are the published ones for F1 23, 24 and 25', () => {
  const sizes: Record<Format, number[]> = { 2023: [1349, 1131, 1352, 1306], 2024: [1349, 1285, 1352, 1350], 2025: [1349, 1285, 1352, 1284] };
  for (const format of FORMATS) {
    const h = { format, sessionTime: 1 };
    const built = [motionPacket(h, []), lapDataPacket(h, []), telemetryPacket(h, []), participantsPacket(h, 0, [])].map((p) => p.length);
    assert.deepEqual(built, sizes[format], `${format}: the builders follow the spec`);
    const L = LAYOUTS[format];
    assert.deepEqual([L.motion, L.lapData, L.telemetry, L.participants], sizes[format], `${format}: the parser's layouts`);
  }
});

test('§3.1 every field the ingest uses reads back from hand-built packets of each format', () => {
  for (const format of FORMATS) {
    const h = { format, sessionTime: 123.25, frame: 77, sessionUID: 0x0123456789abcdefn };
    const m = decodePacket(
      motionPacket(h, [
        { x: 1.5, y: 2.5, z: -3.5, vx: 10, vy: 0, vz: -20 },
        { x: -1000.25, y: 0, z: 250.5 },
      ]),
    );
    assert.ok(m.ok && m.packet.kind === 'motion');
    assert.equal(m.header.packetFormat, format);
    assert.equal(m.header.gameYear, format - 2000);
    assert.equal(m.header.sessionUID, '0123456789abcdef');
    assert.equal(m.header.sessionTime, 123.25);
    assert.equal(m.header.frameIdentifier, 77);
    assert.equal(m.header.overallFrameIdentifier, 77);
    assert.equal(m.header.secondaryPlayerCarIndex, 255);
    assert.deepEqual([m.packet.x[0], m.packet.y[0], m.packet.z[0], m.packet.vx[0], m.packet.vz[0]], [1.5, 2.5, -3.5, 10, -20]);
    assert.deepEqual([m.packet.x[1], m.packet.z[1]], [-1000.25, 250.5]);

    const l = decodePacket(
      lapDataPacket(h, [
        { lap: 3, position: 2, pitStatus: 1, resultStatus: 2, driverStatus: 3, totalDistance: 4321.5, lapDistance: 12.25, deltaToLeaderMs: 61_234 },
      ]),
    );
    assert.ok(l.ok && l.packet.kind === 'lap-data');
    const lp = l.packet;
    assert.deepEqual([lp.currentLapNum[0], lp.carPosition[0], lp.pitStatus[0], lp.resultStatus[0], lp.driverStatus[0], lp.gridPosition[0]], [3, 2, 1, 2, 3, 1]);
    assert.deepEqual([lp.totalDistance[0], lp.lapDistance[0]], [4321.5, 12.25]);
    // F1 23 has a u16 of ms (61,234 wraps); F1 24/25 split minutes and ms.
    assert.equal(lp.deltaToLeaderMs[0], format === 2023 ? 61_234 % 65_536 : 61_234);
    assert.equal(lp.resultStatus[5], 0, 'an empty slot');

    const tl = decodePacket(telemetryPacket(h, [{ speed: 312, throttle: 0.75, brake: 0.5, gear: -1, drs: 1 }]));
    assert.ok(tl.ok && tl.packet.kind === 'car-telemetry');
    assert.deepEqual(
      [tl.packet.speed[0], tl.packet.throttle[0], tl.packet.brake[0], tl.packet.gear[0], tl.packet.drs[0], tl.packet.engineRPM[0]],
      [312, 0.75, 0.5, -1, 1, 11_000],
    );

    const p = decodePacket(
      participantsPacket(h, 2, [
        { name: 'Zoë Ünicode', raceNumber: 99, teamId: 8 },
        { name: 'x'.repeat(60), raceNumber: 4, teamId: 0 },
      ]),
    );
    assert.ok(p.ok && p.packet.kind === 'participants');
    assert.equal(p.packet.numActiveCars, 2);
    assert.deepEqual(p.packet.cars[0], { aiControlled: true, driverId: 0, networkId: 255, teamId: 8, raceNumber: 99, nationality: 10, name: 'Zoë Ünicode' });
    assert.equal(p.packet.cars[1]!.name, 'x'.repeat(format === 2025 ? 31 : 47), 'names are cut at the field');

    const s = decodePacket(otherPacket({ format, packetId: 1, sessionTime: 1 }, 644));
    assert.ok(s.ok && s.packet.kind === 'other');
  }
});

test('§3.1 bounds: every truncation, an extra byte, unknown ids, F1 22, oversized and random bytes are dropped by reason, never thrown', () => {
  for (const format of FORMATS) {
    const h = { format, sessionTime: 5 };
    for (const packet of [motionPacket(h, []), lapDataPacket(h, []), telemetryPacket(h, []), participantsPacket(h, 1, [])]) {
      for (let n = 0; n < packet.length; n++) {
        const r = decodePacket(packet.subarray(0, n));
        assert.ok(!r.ok, `${format} ${packet[6]} cut to ${n} bytes`);
        assert.equal(r.reason, 'truncated', `${format} id ${packet[6]} cut to ${n}`);
      }
      // Views into a larger buffer must not read the neighbour's bytes.
      const big = new Uint8Array(packet.length + 100);
      big.set(packet, 50);
      assert.equal((decodePacket(big.subarray(50, 50 + packet.length - 1)) as { reason: string }).reason, 'truncated');
      assert.ok(decodePacket(big.subarray(50, 50 + packet.length)).ok);
      const longer = new Uint8Array(packet.length + 1);
      longer.set(packet);
      assert.equal((decodePacket(longer) as { reason: string }).reason, 'bad-length');
    }
    assert.equal((decodePacket(otherPacket({ format, packetId: 16, sessionTime: 1 }, 100)) as { reason: string }).reason, 'unknown-packet');
  }
  assert.equal(
    (decodePacket(otherPacket({ format: 2023, packetId: 14, sessionTime: 1 }, 100)) as { reason: string }).reason,
    'unknown-packet',
    'Time Trial came with F1 24',
  );
  assert.ok(decodePacket(otherPacket({ format: 2024, packetId: 14, sessionTime: 1 }, 100)).ok);
  assert.equal((decodePacket(f1_22MotionPacket()) as { reason: string }).reason, 'unsupported-format');
  assert.equal((decodePacket(new Uint8Array(4096)) as { reason: string }).reason, 'oversized');
  assert.equal((decodePacket(motionPacket({ format: 2024, sessionTime: NaN }, [])) as { reason: string }).reason, 'bad-value');
  const bad = participantsPacket({ format: 2024, sessionTime: 1 }, 0, []);
  bad[29] = 23; // m_numActiveCars above 22
  assert.equal((decodePacket(bad) as { reason: string }).reason, 'bad-value');
  for (const seed of seeds(3)) {
    const rng = new Prng(seed);
    try {
      for (let k = 0; k < 2000; k++) {
        const n = rng.int(1500);
        const b = new Uint8Array(n);
        for (let i = 0; i < n; i++) b[i] = rng.int(256);
        if (n >= 2 && rng.bool()) {
          b[0] = 0xe7 + rng.int(3);
          b[1] = 0x07;
        } // a valid-looking format
        decodePacket(b);
      }
    } catch (e) {
      console.log(`# failing ${seedHint(seed)}`);
      throw e;
    }
  }
});

test('§3.3 real UDP on loopback: the live timeline holds the interpolated 25 Hz frames; bad datagrams are counted in /metrics and dropped', async (t) => {
  for (const format of FORMATS) {
    const { server, url } = await startServer(t);
    const ingest = await mountReplayIngest(server, { channel: 'live', udpPort: 0 });
    t.after(() => ingest.close());
    assert.equal(ingest.udpAddress!.address, '127.0.0.1');
    const steps = 90;
    const good = sessionPackets(format, 0, steps);
    const junk = [
      good[0]!.subarray(0, 100), // truncated
      otherPacket({ format, packetId: 16, sessionTime: 100 }, 64), // unknown-packet
      f1_22MotionPacket(), // unsupported-format
      Uint8Array.of(1, 2, 3), // unsupported-format (garbage)
      sessionPackets(format, 5, 6, 0x99n)[0]!, // other-session
    ];
    const datagrams = [...good];
    junk.forEach((j, i) => datagrams.splice(30 + 40 * i, 0, j));
    datagrams.splice(10, 0, participants(format, 3));
    await sendAll(t, ingest, datagrams);
    const st = ingest.stats;
    assert.equal(st.received, datagrams.length);
    assert.equal(st.accepted, good.length + 1);
    assert.deepEqual(st.dropped, { truncated: 1, 'unknown-packet': 1, 'unsupported-format': 2, 'other-session': 1 });
    assert.deepEqual(st.packets, { motion: steps, 'lap-data': steps, 'car-telemetry': steps, participants: 1 });
    assert.deepEqual(
      ingest.participants?.slice(0, 3).map((p) => p.name),
      NAMES,
    );
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /tidewire_replay_udp_dropped_total\{channel="live",reason="unsupported-format"\} 2/);
    assert.match(metrics, /tidewire_replay_udp_dropped_total\{channel="live",reason="truncated"\} 1/);
    assert.match(metrics, /tidewire_replay_udp_packets_total\{channel="live",type="motion"\} 90/);
    // Live metadata over HTTP while it runs.
    const meta = (await (await fetch(`${url}/api/timelines/live`)).json()) as {
      live: boolean;
      frameCount: number;
      static: { format: string; source: { kind: string } };
    };
    assert.equal(meta.live, true);
    assert.equal(meta.static.format, 'tidewire-race-replay');
    assert.equal(meta.static.source.kind, 'f1-udp');
    const expected = expectedFrames(steps, format);
    assert.equal(meta.frameCount, expected.length);
    const file = await ingest.close();
    checkFrames(await decodeAll(file), expected, `format ${format}`);
  }
});

test('§4 capture: --record writes what arrived; --from-capture (fast and paced) rebuilds the same timeline, with names from the capture', async (t) => {
  const dir = await tempDir(t);
  const capture = join(dir, 'session.twcap');
  const steps = 60;
  const datagrams = [participants(2025, 0), ...sessionPackets(2025, 0, steps), Uint8Array.of(9, 9, 9)];
  const a = await startServer(t);
  const live = await mountReplayIngest(a.server, { channel: 'live', udpPort: 0, record: capture });
  await sendAll(t, live, datagrams);
  const liveFile = await live.close();
  assert.equal(live.stats.recorded, datagrams.length);

  // The file: magic, header, then every datagram with non-decreasing times.
  const bytes = new Uint8Array(await readFile(capture));
  assert.deepEqual(bytes.subarray(0, 8), CAPTURE_MAGIC);
  const records = [];
  for await (const r of readCapture(capture)) records.push(r);
  assert.deepEqual(
    records.map((r) => r.datagram),
    datagrams,
  );
  for (let i = 1; i < records.length; i++) assert.ok(records[i]!.recvTimeMs >= records[i - 1]!.recvTimeMs);

  for (const fast of [true, false]) {
    const b = await startServer(t);
    const replay = await mountReplayIngest(b.server, { channel: 'replay', fromCapture: capture, fast });
    assert.equal(replay.udpAddress, null);
    const done = await replay.captureDone!;
    assert.deepEqual(done, { records: datagrams.length, truncatedTail: false });
    const file = await replay.close();
    const [x, y] = [await decodeAll(liveFile), await decodeAll(file)];
    assert.deepEqual(y.frames, x.frames, `${fast ? 'fast' : 'paced'} replay gives the live frames`);
    checkFrames(y, expectedFrames(steps, 2025), 'replayed');
    // Names: the live schema was fixed before any packet; the replay read them from the capture first.
    assert.equal(x.reader.schema.entities[0]!.id, 'slot0');
    const ents = y.reader.schema.entities;
    assert.deepEqual(
      ents.slice(0, 3).map((e) => [e.id, e.name, e.number, e.team]),
      [
        ['7', NAMES[0], NUMBERS[0], 'Red Bull Racing'],
        ['21', NAMES[1], NUMBERS[1], 'Ferrari'],
        ['99', NAMES[2], NUMBERS[2], 'McLaren'],
      ],
    );
    assert.equal(ents[2]!.code, 'ZOË');
    assert.equal(ents[3]!.id, 'slot3');
  }
});

test('§4 capture reader: a cut last record ends the capture quietly; bad magic, version or records are IMPORT_BAD_CAPTURE', async (t) => {
  const dir = await tempDir(t);
  const rec = (n: number, ms: number) => encodeCaptureRecord(new Uint8Array(n).fill(7), ms);
  const file = (...parts: Uint8Array[]) => Buffer.concat(parts);
  const cut = join(dir, 'cut.twcap');
  const whole = file(encodeCaptureHeader(1), rec(40, 0), rec(40, 5));
  await writeFile(cut, whole.subarray(0, whole.length - 3));
  const info: { truncatedTail?: boolean; startEpochMs?: number } = {};
  const got = [];
  for await (const r of readCapture(cut, info)) got.push(r);
  assert.equal(got.length, 1);
  assert.equal(info.truncatedTail, true);
  assert.equal(info.startEpochMs, 1);
  const cases: Array<[string, Buffer]> = [
    ['magic', file(new Uint8Array(20), rec(4, 0))],
    [
      'version',
      (() => {
        const h = encodeCaptureHeader(0);
        h[8] = 2;
        return file(h, rec(4, 0));
      })(),
    ],
    ['zero length', file(encodeCaptureHeader(0), rec(0, 0))],
    ['time going back', file(encodeCaptureHeader(0), rec(4, 10), rec(4, 5))],
    [
      'huge length',
      (() => {
        const r = rec(4, 0);
        new DataView(r.buffer).setUint32(0, 70_000, true);
        return file(encodeCaptureHeader(0), r);
      })(),
    ],
    ['short header', Buffer.from([0x89, 0x54])],
  ];
  for (const [what, bytes] of cases) {
    const p = join(dir, `${what}.twcap`);
    await writeFile(p, bytes);
    await assert.rejects(
      (async () => {
        for await (const _ of readCapture(p));
      })(),
      (e: unknown) => ImportError.is(e) && e.code === 'IMPORT_BAD_CAPTURE',
      what,
    );
  }
  await assert.rejects(
    (async () => {
      for await (const _ of readCapture(join(dir, 'nope')));
    })(),
    (e: unknown) => ImportError.is(e) && e.code === 'IMPORT_DATA_MISSING',
  );
});

test('§3.3 a viewer scrubs back into the live timeline, sees the recorded frames, and returns to the live edge', async (t) => {
  const { server, url } = await startServer(t);
  const ingest = await mountReplayIngest(server, { channel: 'live', udpPort: 0 });
  t.after(() => ingest.close());
  const all = sessionPackets(2024, 0, 400);
  let sent = 0;
  const feed = (steps: number) => {
    for (const d of all.slice(sent, sent + 3 * steps)) ingest.handleDatagram(d);
    sent += 3 * steps;
  };
  feed(200); // 10 s of session: 249 frames, four sealed segments
  const expected = expectedFrames(400);
  const player = createPlayer({ url, timeline: 'live', mode: 'server', WebSocket, worker: false });
  t.after(() => player.close());
  await player.waitFor((s) => s.live && s.status === 'ready', WAIT);
  feed(20);
  await player.waitFor((s) => s.frame >= 250, WAIT);
  player.pause();
  player.seek({ frame: 30 });
  await player.waitFor((s) => s.frame === 30 && !s.seeking && !s.live, WAIT);
  const v = player.values!;
  const F = player.schema!.fields.length;
  const col = Object.fromEntries(player.schema!.fields.map((f, i) => [f.name, i]));
  for (let i = 0; i < CARS; i++) {
    assert.ok(Math.abs(v[i * F + col.x!]! - expected[30]![i]!.x) <= 0.051, `car ${i} x at frame 30`);
    assert.equal(v[i * F + col.lap!], expected[30]![i]!.lap);
    assert.equal(v[i * F + col.speed!], expected[30]![i]!.speed);
  }
  assert.equal(player.goLive(), true);
  feed(40);
  const edge = Math.floor(((220 + 40 - 1) * STEP_S * 1000 - 0.5) / 40);
  await player.waitFor((s) => s.live && s.frame >= edge - 2, WAIT);
  await player.close();
});

test('§3.6 options are checked; the channel name must be free', async (t) => {
  const { server } = await startServer(t);
  const bad = [
    { channel: '' },
    { udpPort: -1 },
    { channel: 'x', udpPort: 70000 },
    { channel: 'x', udpPort: null },
    { channel: 'x', host: 'localhost' },
    { channel: 'x', udpPort: null, record: 'a' },
    { channel: 'x', fromCapture: 'a', record: 'a', udpPort: 0 },
  ];
  for (const o of bad) {
    await assert.rejects(mountReplayIngest(server, o as never), (e: unknown) => ImportError.is(e) && e.code === 'IMPORT_BAD_OPTION', JSON.stringify(o));
  }
  const ok = await mountReplayIngest(server, { channel: 'taken', udpPort: 0 });
  t.after(() => ok.close());
  await assert.rejects(
    mountReplayIngest(server, { channel: 'taken', udpPort: 0 }),
    (e: unknown) => (e as { code?: string }).code === 'TW_SERVER_CHANNEL_EXISTS',
  );
  // What `tidewire replay serve --udp PORT` passes: just the port.
  const dflt = await mountReplayIngest(server, { udpPort: 0 });
  t.after(() => dflt.close());
  assert.equal(dflt.timeline, 'live');
  assert.equal(dflt.udpPort, dflt.udpAddress!.port);
  assert.ok(dflt.udpPort! > 0);
  assert.match(dflt.title, /udp:\/\/127\.0\.0\.1:\d+ → timeline "live"/);
});

test('§3.2 clock: a flashback (session time going back) carries the timeline on; a long jump leaves a gap instead of a burst', () => {
  const times: number[] = [];
  const race = new LiveRace({ rateHz: 25, onFrame: (_v, t) => void times.push(t) });
  const feed = (sessionTime: number) => {
    const d = decodePacket(motionPacket({ format: 2024, sessionTime }, [{ x: sessionTime, y: 0, z: 0 }]));
    assert.ok(d.ok && d.packet.kind === 'motion');
    race.motion(d.header, d.packet);
  };
  for (let k = 0; k <= 10; k++) feed(50 + k * 0.05); // 0 … 500 ms
  assert.deepEqual(
    times,
    Array.from({ length: 13 }, (_, k) => 40 * k),
  ); // frames 0 … 480 ms
  feed(49); // a flashback of 1.5 s: the timeline stays at 500 ms
  feed(49.1);
  assert.equal(race.clockRewinds, 1);
  assert.deepEqual(times.slice(13), [520, 560]);
  feed(60); // 10.9 s later: one frame at the new time, after a gap
  const before = times.length;
  feed(60.05);
  assert.ok(times.length - before <= 2, 'no burst of catch-up frames');
  assert.ok(times[before]! > 10_000, `the next frame is after the gap (${times[before]} ms)`);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!);
});
