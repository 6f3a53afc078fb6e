// Timeline playback capacity (not a test): K server-paced streams at 1× from one recorded
// 20-car, 25 Hz timeline, over real sockets, with raw viewers in a child process that grant
// credit back as frames arrive (in halves of a 100-frame window). Reports per stream: frames/s,
// bytes/s, server CPU %, and the p99 lateness of frames (handed to the socket vs. due by the
// session's clock).
//
//   node --import tsx packages/server/bench/timeline-measure.ts [K…] [--seconds=10] [--warmup=3]
//
// The lateness probe wraps TimelineSession's send step (measurement only): for every frame it
// hands to the outbox it records now − due(frame), due from the session's play anchor.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import {
  decodeFrame,
  encodeHello,
  encodeSubscribe,
  encodeTlControl,
  encodeTlCredit,
  FrameType,
  isTimelineFrameType,
  PROTOCOL_VERSION,
  TimelineFrameType,
} from '@tidewire/protocol';
import { ByteReader } from '@tidewire/base';
import { TimelineWriter } from '@tidewire/timeline';
import { createServer } from '../src/index.ts';
import type { TimelineChannelImpl } from '../src/timeline-channel.ts';
import { TimelineSession } from '../src/timeline-session.ts';
// The format package's synthetic race (bench fixture, not part of its API).
import { raceFrames, raceSchema } from '@tidewire/timeline/testing';

const RATE = 25;
const FRAMES = 15_000; // 10 minutes: streams start at random points and never reach the end

interface ChildReport {
  type: 'report';
  frames: number;
  bytes: number;
  messages: number;
  cpuUser: number;
  cpuSystem: number;
  errors: number;
}

// ---- viewers (child process) ------------------------------------------------------------

async function viewers(url: string, k: number): Promise<void> {
  let frames = 0;
  let bytes = 0;
  let messages = 0;
  let errors = 0;
  const window = { frames: 100, bytes: 256 * 1024 };
  const sockets: WebSocket[] = [];
  let playing = 0;
  const opened = Array.from(
    { length: k },
    () =>
      new Promise<void>((resolve, reject) => {
        const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
        sockets.push(ws);
        let channel = -1;
        // Credit back in halves of the window, as a player would: one TL_CREDIT per ~50 frames.
        let owedFrames = 0;
        let owedBytes = 0;
        ws.on('open', () => {
          ws.send(encodeHello({ protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor], client: 'bench', capabilities: ['timeline'] }));
          ws.send(encodeSubscribe({ name: 'race' }));
        });
        ws.on('message', (data: Buffer) => {
          const b = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
          if (isTimelineFrameType(b[0]!)) {
            if (b[0] === TimelineFrameType.TL_FRAMES) {
              // Read the header only (4 varuints; the 4th is the frame count): the viewers' cost must
              // not be what limits the run. The grant returns the message's bytes (≥ its frames').
              messages++;
              const header = new ByteReader(b, { start: 1 });
              for (let n = 0; n < 3; n++) header.varuint('TL_FRAMES header');
              const count = header.varuint('TL_FRAMES.count');
              frames += count;
              bytes += b.length;
              owedFrames += count;
              owedBytes += b.length;
              if (owedFrames >= window.frames / 2) {
                ws.send(encodeTlCredit(channel, owedFrames, owedBytes));
                owedFrames = 0;
                owedBytes = 0;
              }
            }
            return;
          }
          const f = decodeFrame(b);
          if (f.type === FrameType.SUBSCRIBED) {
            channel = f.channel;
            ws.send(encodeTlCredit(channel, window.frames, window.bytes));
            ws.send(encodeTlControl(channel, { op: 'seek', frame: Math.floor(Math.random() * (FRAMES / 2)) }));
            ws.send(encodeTlControl(channel, { op: 'play' }));
            playing++;
            resolve();
          } else if (f.type === FrameType.ERROR) {
            errors++;
          }
        });
        ws.on('error', reject);
      }),
  );
  await Promise.all(opened);
  process.send!({ type: 'ready', playing });
  let cpu0 = process.cpuUsage();
  let f0 = 0;
  let b0 = 0;
  let m0 = 0;
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'mark') {
      cpu0 = process.cpuUsage();
      f0 = frames;
      b0 = bytes;
      m0 = messages;
    } else if (msg.type === 'report') {
      const cpu = process.cpuUsage(cpu0);
      const r: ChildReport = {
        type: 'report',
        frames: frames - f0,
        bytes: bytes - b0,
        messages: messages - m0,
        cpuUser: cpu.user,
        cpuSystem: cpu.system,
        errors,
      };
      process.send!(r);
    } else if (msg.type === 'exit') {
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
}

// ---- server (parent) ---------------------------------------------------------------------

/** Lateness samples (ms) of frames handed to sockets while `recording`. */
const lateness: number[] = [];
let recording = false;

function installLatenessProbe(): void {
  type Probe = {
    send(now: number): void;
    next: number;
    anchorWall: number;
    anchorPos: number;
    speed: number;
    following: boolean;
    playing: boolean;
    host: { rateHz: number };
  };
  const proto = TimelineSession.prototype as unknown as Probe;
  const send = proto.send;
  proto.send = function (this: Probe, now: number): void {
    const before = this.next;
    send.call(this, now);
    if (!recording || !this.playing || this.following) return;
    const t = performance.now();
    const perMs = (this.host.rateHz * this.speed) / 1000;
    for (let k = before; k < this.next; k++) lateness.push(t - (this.anchorWall + (k - this.anchorPos) / perMs));
  };
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function once<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (msg: { type: string }) => {
      if (msg.type === type) {
        child.off('message', on);
        resolve(msg as T);
      }
    };
    child.on('message', on);
  });
}

async function measure(k: number, seconds: number, warmup: number, file: Uint8Array): Promise<void> {
  const server = await createServer({ defaultMetrics: false, limits: { maxConnections: k + 64 } });
  const ch = server.timeline('race', { file }) as unknown as TimelineChannelImpl;
  await server.listen();
  const child = fork(new URL(import.meta.url).pathname, ['--viewers', server.url, String(k)], { execArgv: ['--import', 'tsx'] });
  await once(child, 'ready');
  await sleep(warmup * 1000);
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  lateness.length = 0;
  recording = true;
  child.send({ type: 'mark' });
  const s0 = { ...ch.stats, bytes: ch.bytesSent, messages: ch.messagesSent, wakes: ch.scheduler.wakes };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const s1 = { ...ch.stats, bytes: ch.bytesSent, messages: ch.messagesSent, wakes: ch.scheduler.wakes };
  recording = false;
  h.disable();
  child.send({ type: 'report' });
  const r = await once<ChildReport>(child, 'report');
  child.send({ type: 'exit' });
  await new Promise((resolve) => child.once('exit', resolve));
  await server.close();

  const framesPerStream = (s1.framesSent - s0.framesSent) / wall / k;
  const bytesPerStream = (s1.bytes - s0.bytes) / wall / k;
  const serverCpu = ((cpu.user + cpu.system) / 1e6 / wall) * 100;
  const viewerCpu = ((r.cpuUser + r.cpuSystem) / 1e6 / wall) * 100;
  const row = {
    K: k,
    'frames/s/stream': framesPerStream.toFixed(2),
    'bytes/s/stream': bytesPerStream.toFixed(0),
    'msgs/s/stream': ((s1.messages - s0.messages) / wall / k).toFixed(2),
    'server CPU %': serverCpu.toFixed(1),
    'CPU %/stream': (serverCpu / k).toFixed(4),
    'viewers CPU %': viewerCpu.toFixed(1),
    'lateness p50 ms': pct(lateness, 0.5).toFixed(2),
    'p99 ms': pct(lateness, 0.99).toFixed(2),
    'max ms': pct(lateness, 1).toFixed(2),
    'loop p99 ms': (h.percentile(99) / 1e6).toFixed(1),
    'received frames/s/stream': (r.frames / wall / k).toFixed(2),
    skips: s1.keyframeSkips - s0.keyframeSkips,
    stalls: s1.creditStalls - s0.creditStalls,
    'wakes/s': ((s1.wakes - s0.wakes) / wall).toFixed(0),
    errors: r.errors,
  };
  console.log(JSON.stringify(row));
  results.push(row);
}

const results: Record<string, unknown>[] = [];

if (process.argv[2] === '--viewers') {
  await viewers(process.argv[3]!, Number(process.argv[4]));
} else {
  const args = process.argv.slice(2);
  const opt = (name: string, d: number) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? d);
  const ks = args.filter((a) => /^\d+$/.test(a)).map(Number);
  const seconds = opt('seconds', 10);
  const warmup = opt('warmup', 3);
  installLatenessProbe();
  const file = await buildRaceFile();
  console.log(`timeline: 20 cars × ${RATE} Hz × ${FRAMES} frames, file ${(file.length / 1e6).toFixed(2)} MB; ${seconds} s per run after ${warmup} s warm-up`);
  for (const k of ks.length > 0 ? ks : [100, 500, 1000]) await measure(k, seconds, warmup, file);
  console.table(results);
}

async function buildRaceFile(): Promise<Uint8Array> {
  const schema = raceSchema(20, RATE);
  const w = new TimelineWriter(schema, { compress: (raw) => gzipSync(raw) });
  let i = 0;
  for (const v of raceFrames(FRAMES, 20, RATE)) w.append((i++ * 1000) / RATE, v);
  return w.finish();
}
