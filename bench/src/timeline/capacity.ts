// One rung of the capacity ladder: K streams of one system, split over the viewer processes,
// a warm-up, then a measurement window in which the server process's CPU, the viewers' frames,
// lateness, bytes and CPU are taken, and how much CPU the rest of the machine used meanwhile.
import type { Child } from '../child.ts';
import { round, sleep } from '../stats.ts';
import { Histogram } from './lateness.ts';
import { machineBusyPct, machineTicks } from './machine-cpu.ts';
import type { ServerCommand, ServerCpu, SystemName, ViewerCommand, ViewerReport } from './messages.ts';
import { RATE_HZ } from './session-file.ts';

/** A rung passes when p99 lateness is under this (one frame period), … */
export const MAX_P99_LATENESS_MS = 40;
/** … at least this share of the frames due arrived, and at most this share were skipped. */
export const MIN_DELIVERED = 0.98;
export const MAX_MISSED = 0.01;

export interface RungOptions {
  system: SystemName;
  url: string;
  file: string;
  maxStartFrame: number;
  warmupMs: number;
  windowMs: number;
  seed: number;
}

export interface RungRow {
  K: number;
  pass: boolean;
  /** Server-paced: lateness at the viewers, ms. Client-paced: not applicable (null). */
  latenessP50Ms: number | null;
  latenessP99Ms: number | null;
  latenessMaxMs: number | null;
  framesPerSecPerStream: number;
  /** What the server process counts as handed to its sockets, per stream per second. */
  serverFramesPerSecPerStream: number;
  missedFrames: number;
  /** Client-paced: playhead stalls in the window, and segments fetched per stream per second. */
  underruns: number;
  segmentsPerSecPerStream: number;
  bytesPerSecPerStream: number;
  bytesDownPerSecPerStream: number;
  bytesUpPerSecPerStream: number;
  serverCpuPct: number;
  /** Of which in the kernel (on loopback a write also runs the receiving side's TCP work). */
  serverSystemCpuPct: number;
  serverCpuPctPerStream: number;
  viewersCpuPct: number;
  /** CPU of processes outside the benchmark during the window, % of one core (null: unknown). */
  otherCpuPct: number | null;
  errors: number;
  firstError?: string;
  checks: number;
  mismatches: number;
  firstMismatch?: string;
}

function split(k: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(k / parts) + (i < k % parts ? 1 : 0));
}

async function open(viewers: Child<ViewerCommand>[], k: number, o: RungOptions): Promise<void> {
  const counts = split(k, viewers.length);
  await Promise.all(
    viewers.map((v, i) =>
      counts[i]! > 0
        ? v.call({
            cmd: 'open',
            system: o.system,
            url: o.url,
            file: o.file,
            count: counts[i]!,
            seed: o.seed * 7919 + k * 31 + i,
            maxStartFrame: o.maxStartFrame,
          })
        : Promise.resolve(),
    ),
  );
}

async function closeAll(viewers: Child<ViewerCommand>[]): Promise<void> {
  await Promise.all(viewers.map((v) => v.call({ cmd: 'close' })));
}

export async function rung(server: Child<ServerCommand>, viewers: Child<ViewerCommand>[], k: number, o: RungOptions): Promise<RungRow> {
  try {
    await open(viewers, k, o);
    await sleep(o.warmupMs);
    const s0 = await server.call<ServerCpu>({ cmd: 'cpu' });
    await Promise.all(viewers.map((v) => v.call({ cmd: 'mark' })));
    const m0 = machineTicks();
    const p0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(o.windowMs);
    const m1 = machineTicks();
    const own = process.cpuUsage(p0);
    const s1 = await server.call<ServerCpu>({ cmd: 'cpu' });
    const wall = (performance.now() - t0) / 1000;
    const reports = await Promise.all(viewers.map((v) => v.call<ViewerReport>({ cmd: 'report' })));
    const machine = machineBusyPct(m0, m1);
    const row = summarise(k, o.system, wall, s0, s1, reports);
    row.otherCpuPct =
      machine === null ? null : round(Math.max(0, machine - row.serverCpuPct - row.viewersCpuPct - ((own.user + own.system) / 1e6 / wall) * 100), 1);
    return row;
  } finally {
    await closeAll(viewers);
  }
}

/** Runs `fn` while K streams of the system play (after a warm-up): background load. */
export async function underLoad<T>(viewers: Child<ViewerCommand>[], k: number, o: RungOptions, fn: () => Promise<T>): Promise<T> {
  try {
    await open(viewers, k, o);
    await sleep(o.warmupMs);
    return await fn();
  } finally {
    await closeAll(viewers);
  }
}

function summarise(k: number, system: SystemName, wall: number, s0: ServerCpu, s1: ServerCpu, reports: ViewerReport[]): RungRow {
  const h = new Histogram();
  let frames = 0,
    missed = 0,
    down = 0,
    up = 0,
    underruns = 0,
    segments = 0,
    viewerCpu = 0,
    errors = 0,
    checks = 0,
    mismatches = 0;
  let firstError: string | undefined;
  let firstMismatch: string | undefined;
  for (const r of reports) {
    h.merge(r.lateness);
    frames += r.frames;
    missed += r.missed;
    down += r.bytesDown;
    up += r.bytesUp;
    underruns += r.underruns;
    segments += r.segments;
    viewerCpu += r.cpuUser + r.cpuSystem;
    errors += r.errors;
    checks += r.checks;
    mismatches += r.mismatches;
    firstError ??= r.firstError;
    firstMismatch ??= r.firstMismatch;
  }
  // Each viewer process measured its own window; they are within a few ms of the server's.
  const windowS = Math.max(...reports.map((r) => r.windowMs)) / 1000;
  const serverCpu = ((s1.user + s1.system - s0.user - s0.system) / 1e6 / wall) * 100;
  const serverFrames = (s1.stats.framesSent ?? 0) - (s0.stats.framesSent ?? 0);
  const clientPaced = system === 'tidewire-http';
  const due = k * windowS * RATE_HZ;
  const pass = clientPaced
    ? underruns === 0 && errors === 0 && mismatches === 0
    : h.percentile(99) < MAX_P99_LATENESS_MS && frames >= MIN_DELIVERED * due && missed <= MAX_MISSED * due && errors === 0 && mismatches === 0;
  const row: RungRow = {
    K: k,
    pass,
    latenessP50Ms: clientPaced ? null : round(h.percentile(50)),
    latenessP99Ms: clientPaced ? null : round(h.percentile(99)),
    latenessMaxMs: clientPaced ? null : round(h.max),
    framesPerSecPerStream: round(frames / windowS / k),
    serverFramesPerSecPerStream: round(serverFrames / wall / k),
    missedFrames: missed,
    underruns,
    segmentsPerSecPerStream: round(segments / windowS / k, 3),
    bytesPerSecPerStream: Math.round((down + up) / windowS / k),
    bytesDownPerSecPerStream: Math.round(down / windowS / k),
    bytesUpPerSecPerStream: Math.round(up / windowS / k),
    serverCpuPct: round(serverCpu, 1),
    serverSystemCpuPct: round(((s1.system - s0.system) / 1e6 / wall) * 100, 1),
    serverCpuPctPerStream: round(serverCpu / k, 4),
    viewersCpuPct: round((viewerCpu / 1e6 / windowS) * 100, 1),
    otherCpuPct: null,
    errors,
    checks,
    mismatches,
  };
  if (firstError !== undefined) row.firstError = firstError;
  if (firstMismatch !== undefined) row.firstMismatch = firstMismatch;
  return row;
}
