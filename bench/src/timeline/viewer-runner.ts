// Viewer process of the timeline suite: runs `count` viewers of one system against the server
// process, each from a random start frame at 1×, and reports a measurement window: frame
// lateness (lateness.ts), frames received and missed, wire bytes, client-paced underruns, this
// process's CPU, errors, and sampled frames checked against the file. Driven over IPC.
import { readFileSync } from 'node:fs';
import { Prng } from '@tidewire/random';
import { baselineMismatch } from './baseline.ts';
import { BaselineClient } from './baseline-client.ts';
import { ByteMeter } from './byte-meter.ts';
import { fetchSegmentList, HttpViewer } from './http-viewer.ts';
import type { SegmentList } from './http-viewer.ts';
import { Histogram, StreamLateness } from './lateness.ts';
import type { ViewerCommand, ViewerReport } from './messages.ts';
import { firstDifference, Truth } from './truth.ts';
import { WsViewer } from './ws-viewer.ts';

/** One frame in this many is compared with the file (cheap enough at 50k frames/s). */
const CHECK_EVERY = 499;
/** Viewers connected concurrently while opening. */
const OPEN_BATCH = 100;
const HTTP_TICK_MS = 20;

let truth: Truth | undefined;
let truthPath = '';
/** The timeline's segment list per server URL, fetched once per process. */
const segmentLists = new Map<string, Promise<SegmentList>>();
const meter = new ByteMeter();
const books: StreamLateness[] = [];
const closers: (() => void)[] = [];
const httpViewers: HttpViewer[] = [];
let httpTimer: NodeJS.Timeout | undefined;
let recording = false;
let seen = 0;
let checks = 0;
let mismatches = 0;
let firstMismatch: string | undefined;
let errors = 0;
/** Client-paced: frames decoded from segments in the window (they have no arrival lateness). */
let decodedFrames = 0;
let firstError: string | undefined;
let mark = { at: 0, cpu: process.cpuUsage(), down: 0, up: 0, underruns: 0, segments: 0 };

function error(message: string): void {
  errors++;
  firstError ??= message;
}

function mismatch(message: string): void {
  mismatches++;
  firstMismatch ??= message;
}

function checkDue(): boolean {
  return ++seen % CHECK_EVERY === 0;
}

async function openOne(cmd: Extract<ViewerCommand, { cmd: 'open' }>, start: number): Promise<void> {
  const t = truth!;
  const book = new StreamLateness();
  if (cmd.system === 'baseline') {
    const numbers = t.schema.entities.map((e) => Number(e.id));
    const c = await BaselineClient.connect(cmd.url, meter);
    c.onFrame = (msg, at) => {
      book.frame(msg.frame, at, recording);
      if (checkDue()) {
        checks++;
        const bad = baselineMismatch(msg, t.frame(msg.frame), numbers);
        if (bad) mismatch(bad);
      }
    };
    c.onError = error;
    c.send({ type: 'seek', frame: start });
    c.send({ type: 'play' });
    closers.push(() => c.close());
  } else if (cmd.system === 'tidewire-ws') {
    const v = await WsViewer.open(cmd.url, start, t.schema, meter, {
      frame(k, at, values) {
        book.frame(k, at, recording);
        if (checkDue()) {
          checks++;
          const i = firstDifference(values, t.frame(k));
          if (i >= 0) mismatch(`frame ${k}, cell ${i}: ${values[i]} instead of ${t.frame(k)[i]}`);
        }
      },
      error,
    });
    closers.push(() => v.close());
  } else {
    let list = segmentLists.get(cmd.url);
    if (list === undefined) segmentLists.set(cmd.url, (list = fetchSegmentList(cmd.url)));
    const v = await HttpViewer.open(cmd.url, start, t.schema, await list, meter, {
      frame(k, values) {
        if (recording) decodedFrames++;
        if (checkDue()) {
          checks++;
          const i = firstDifference(values, t.frame(k));
          if (i >= 0) mismatch(`frame ${k}, cell ${i}: ${values[i]} instead of ${t.frame(k)[i]}`);
        }
      },
      error,
    });
    httpViewers.push(v);
    closers.push(() => v.close());
    httpTimer ??= setInterval(() => {
      const now = performance.now();
      for (const h of httpViewers) h.tick(now);
    }, HTTP_TICK_MS);
  }
  books.push(book);
}

async function open(cmd: Extract<ViewerCommand, { cmd: 'open' }>): Promise<void> {
  if (truthPath !== cmd.file) {
    truth = new Truth(new Uint8Array(readFileSync(cmd.file)));
    truthPath = cmd.file;
  }
  const rng = new Prng(cmd.seed);
  const starts = Array.from({ length: cmd.count }, () => rng.int(cmd.maxStartFrame));
  for (let i = 0; i < starts.length; i += OPEN_BATCH) await Promise.all(starts.slice(i, i + OPEN_BATCH).map((s) => openOne(cmd, s)));
}

function startWindow(): void {
  for (const b of books) b.startWindow();
  decodedFrames = 0;
  const bytes = meter.totals();
  mark = {
    at: performance.now(),
    cpu: process.cpuUsage(),
    down: bytes.down,
    up: bytes.up,
    underruns: httpViewers.reduce((n, h) => n + h.underruns, 0),
    segments: httpViewers.reduce((n, h) => n + h.segmentsFetched, 0),
  };
  recording = true;
}

function report(): ViewerReport {
  recording = false;
  const windowMs = performance.now() - mark.at;
  const cpu = process.cpuUsage(mark.cpu);
  const bytes = meter.totals();
  const h = new Histogram();
  let frames = decodedFrames;
  let missed = 0;
  for (const b of books) {
    b.collect(h);
    frames += b.received;
    missed += b.missed;
  }
  const r: ViewerReport = {
    streams: books.length,
    windowMs,
    lateness: h.toJSON(),
    frames,
    missed,
    bytesDown: bytes.down - mark.down,
    bytesUp: bytes.up - mark.up,
    underruns: httpViewers.reduce((n, v) => n + v.underruns, 0) - mark.underruns,
    segments: httpViewers.reduce((n, v) => n + v.segmentsFetched, 0) - mark.segments,
    cpuUser: cpu.user,
    cpuSystem: cpu.system,
    errors,
    checks,
    mismatches,
  };
  if (firstError !== undefined) r.firstError = firstError;
  if (firstMismatch !== undefined) r.firstMismatch = firstMismatch;
  return r;
}

function closeAll(): void {
  if (httpTimer !== undefined) clearInterval(httpTimer);
  httpTimer = undefined;
  for (const c of closers.splice(0)) c();
  books.length = 0;
  httpViewers.length = 0;
  meter.clear();
  recording = false;
  errors = 0;
  firstError = undefined;
  checks = 0;
  mismatches = 0;
  firstMismatch = undefined;
}

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- the whole body is in try/catch: the handler never rejects
process.on('message', async (msg: ViewerCommand) => {
  try {
    switch (msg.cmd) {
      case 'open':
        await open(msg);
        process.send!({ ok: true, streams: books.length });
        return;
      case 'mark':
        startWindow();
        process.send!({ ok: true });
        return;
      case 'report':
        process.send!(report());
        return;
      case 'close':
        closeAll();
        process.send!({ ok: true });
        return;
      case 'exit':
        closeAll();
        process.exit(0);
    }
  } catch (err) {
    process.send!({ error: (err as Error).stack ?? String(err) });
  }
});
// The suite died: do not outlive it.
process.on('disconnect', () => process.exit(1));
process.send!({ ok: true, ready: true });
