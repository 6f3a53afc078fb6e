// Timeline streaming benchmark (issue: Timeline streaming). On a generated 300,000-frame,
// 20-car session at 25 Hz (cached under .cache/bench/), side by side in one run:
//   baseline       the original design (timeline/baseline.ts): a 60 Hz polling loop per session,
//                  frames built as car objects and msgpack-encoded on every send, no flow
//                  control, seek by jumping the index
//   tidewire-ws    the real server, server-paced TL_FRAMES under credit (docs/timeline-format.md §W)
//   tidewire-http  the real server, client-paced: segments over HTTP, the WebSocket for control
// Per system: wire bytes per stream-second and server CPU per stream (at a fixed K), the largest
// K of a ladder that plays at 25 fps (p99 lateness < 40 ms at the viewers, no frames skipped;
// client-paced: no underrun), and seek latency / stale frames over random seeks while playing.
// The server under test runs alone in its process; viewers in two more (viewers included: it
// is one 2-core machine); the seek viewer in this one. Real sockets on 127.0.0.1 throughout.
import { Child } from '../child.ts';
import { percentile, round } from '../stats.ts';
import type { Suite, SuiteContext } from '../suite.ts';
import { MAX_P99_LATENESS_MS, rung, underLoad } from '../timeline/capacity.ts';
import type { RungOptions, RungRow } from '../timeline/capacity.ts';
import type { ServerCommand, ServerStarted, SystemName, ViewerCommand } from '../timeline/messages.ts';
import { baselineSeeks, playerSeeks } from '../timeline/seeks.ts';
import type { SeekResult } from '../timeline/seeks.ts';
import { CARS, loadSessionFile, RATE_HZ } from '../timeline/session-file.ts';
import type { SessionFile } from '../timeline/session-file.ts';
import { Truth } from '../timeline/truth.ts';

const SERVER_RUNNER = new URL('../timeline/server-runner.ts', import.meta.url);
const VIEWER_RUNNER = new URL('../timeline/viewer-runner.ts', import.meta.url);
const VIEWER_PROCESSES = 2;
const SEED = 20_250_611;
/** A failing rung is measured again once when processes outside the benchmark took more than
 *  this much CPU (% of one core) during its window: the machine is shared. */
const RETRY_OTHER_CPU_PCT = 10;

interface Params {
  frames: number;
  ladder: number[];
  /** The rung whose window gives bytes and CPU per stream; seeks run under this many streams. */
  fixedK: number;
  seeks: number;
  warmupMs: number;
  windowMs: number;
}

const FULL: Params = { frames: 300_000, ladder: [50, 100, 250, 500, 1000, 1500, 2000], fixedK: 100, seeks: 120, warmupMs: 2000, windowMs: 5000 };
const QUICK: Params = { frames: 30_000, ladder: [10, 50], fixedK: 50, seeks: 20, warmupMs: 1000, windowMs: 2000 };

const SYSTEMS: SystemName[] = ['baseline', 'tidewire-ws', 'tidewire-http'];

type SystemResult = {
  bytesPerSecPerStream: number;
  serverCpuPctPerStream: number;
  maxStreamsAt25fps: number;
  /** The rung that stopped the ladder ran while processes outside the benchmark were busy
   *  (even on its retry): the machine, not only the system, may have set the limit. */
  capacityDisturbed: boolean;
  seekP50Ms: number;
  seekP99Ms: number;
  staleFramesAfterSeeks: number;
  /** K of the rung that gave bytes and CPU per stream (and the seeks' background load). */
  fixedK: number;
  seeks: Omit<SeekResult, 'latenciesMs'>;
  serverLoadMs: number;
  ladder: LadderRow[];
};

type LadderRow = RungRow & {
  outsideLadder?: true;
  /** The first attempt, when it failed while something outside the benchmark was busy. */
  firstAttempt?: Pick<RungRow, 'pass' | 'latenessP99Ms' | 'missedFrames' | 'underruns' | 'otherCpuPct'>;
};

function brief(r: RungRow): string {
  const lat = r.latenessP99Ms === null ? `underruns ${r.underruns}` : `p99 ${r.latenessP99Ms} ms, missed ${r.missedFrames}`;
  return `${r.pass ? 'pass' : 'FAIL'}: ${r.framesPerSecPerStream} fps/stream, ${lat}, ${r.bytesPerSecPerStream} B/s/stream, CPU server ${r.serverCpuPct} % viewers ${r.viewersCpuPct} % others ${r.otherCpuPct ?? '?'} %, errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`;
}

async function measureSystem(
  system: SystemName,
  file: SessionFile,
  truth: Truth,
  viewers: Child<ViewerCommand>[],
  p: Params,
  ctx: SuiteContext,
): Promise<SystemResult> {
  const server = await Child.spawn<ServerCommand>(SERVER_RUNNER, [system === 'baseline' ? 'baseline' : 'tidewire', file.path]);
  try {
    const started = await server.call<ServerStarted>({ cmd: 'start' });
    ctx.log(`${system}: server up in ${Math.round(started.loadMs)} ms`);
    const opts: RungOptions = {
      system,
      url: started.url,
      file: file.path,
      // Streams start anywhere but within a minute of the end: none reaches it during a rung.
      maxStartFrame: file.frameCount - 60 * RATE_HZ,
      warmupMs: p.warmupMs,
      windowMs: p.windowMs,
      seed: SEED,
    };
    const measure = async (k: number): Promise<LadderRow> => {
      const row: LadderRow = await rung(server, viewers, k, opts);
      ctx.log(`${system}: ${k} streams — ${brief(row)}`);
      if (row.pass || (row.otherCpuPct ?? 0) <= RETRY_OTHER_CPU_PCT) return row;
      ctx.log(`${system}: ${k} streams again (others used ${row.otherCpuPct} % CPU)`);
      const again: LadderRow = await rung(server, viewers, k, opts);
      ctx.log(`${system}: ${k} streams — ${brief(again)}`);
      again.firstAttempt = {
        pass: row.pass,
        latenessP99Ms: row.latenessP99Ms,
        missedFrames: row.missedFrames,
        underruns: row.underruns,
        otherCpuPct: row.otherCpuPct,
      };
      return again;
    };
    const ladder: LadderRow[] = [];
    let fixed: RungRow | undefined;
    let max = 0;
    let disturbed = false;
    for (const k of p.ladder) {
      const row = await measure(k);
      ladder.push(row);
      if (k === p.fixedK) fixed = row;
      if (!row.pass) {
        disturbed = (row.otherCpuPct ?? 0) > RETRY_OTHER_CPU_PCT;
        break; // stop climbing at the first failure
      }
      max = k;
    }
    if (fixed === undefined) {
      // The ladder stopped below the fixed K: measure it anyway (bytes and CPU per stream still
      // mean something when the system misses its deadlines there).
      fixed = await measure(p.fixedK);
      ladder.push({ ...fixed, outsideLadder: true });
    }
    ctx.log(`${system}: ${p.seeks} random seeks while playing, ${p.fixedK} streams in the background`);
    const seeks = await underLoad(viewers, p.fixedK, opts, () =>
      system === 'baseline'
        ? baselineSeeks(started.url, truth, p.seeks, SEED)
        : playerSeeks(started.url, system === 'tidewire-ws' ? 'server' : 'client', truth, p.seeks, SEED),
    );
    const { latenciesMs, ...seekRest } = seeks;
    return {
      bytesPerSecPerStream: fixed.bytesPerSecPerStream,
      serverCpuPctPerStream: fixed.serverCpuPctPerStream,
      maxStreamsAt25fps: max,
      capacityDisturbed: disturbed,
      seekP50Ms: round(percentile(latenciesMs, 50)),
      seekP99Ms: round(percentile(latenciesMs, 99)),
      staleFramesAfterSeeks: seeks.stale,
      fixedK: p.fixedK,
      seeks: seekRest,
      serverLoadMs: Math.round(started.loadMs),
      ladder,
    };
  } finally {
    await server.exit();
  }
}

function ratio(a: number, b: number): number | null {
  return b > 0 && Number.isFinite(a) ? round(a / b, 3) : null;
}

export const suite: Suite = {
  async run(ctx) {
    const p = ctx.quick ? QUICK : FULL;
    const t0 = performance.now();
    const file = await loadSessionFile(p.frames, ctx.log);
    const truth = new Truth(file.bytes);
    const out: Record<string, unknown> = {
      suite: 'timeline',
      quick: ctx.quick,
      session: {
        frames: file.frameCount,
        entities: CARS,
        rateHz: RATE_HZ,
        durationMin: round(file.frameCount / RATE_HZ / 60, 1),
        fileBytes: file.bytes.length,
        segments: file.segmentCount,
        cached: !file.generated,
      },
      params: {
        ladder: p.ladder,
        fixedK: p.fixedK,
        seeks: p.seeks,
        warmupMs: p.warmupMs,
        windowMs: p.windowMs,
        viewerProcesses: VIEWER_PROCESSES,
        maxP99LatenessMs: MAX_P99_LATENESS_MS,
      },
    };
    const viewers: Child<ViewerCommand>[] = [];
    try {
      for (let i = 0; i < VIEWER_PROCESSES; i++) viewers.push(await Child.spawn<ViewerCommand>(VIEWER_RUNNER));
      for (const s of SYSTEMS) out[s] = await measureSystem(s, file, truth, viewers, p, ctx);
    } finally {
      for (const v of viewers) await v.exit();
    }
    const b = out.baseline as SystemResult;
    const ws = out['tidewire-ws'] as SystemResult;
    const http = out['tidewire-http'] as SystemResult;
    out.ratios = Object.fromEntries(
      (['tidewire-ws', 'tidewire-http'] as const).map((name) => {
        const t = out[name] as SystemResult;
        return [
          name,
          {
            bytesPerSecPerStreamVsBaseline: ratio(t.bytesPerSecPerStream, b.bytesPerSecPerStream),
            serverCpuPctPerStreamVsBaseline: ratio(t.serverCpuPctPerStream, b.serverCpuPctPerStream),
            maxStreamsAt25fpsVsBaseline: ratio(t.maxStreamsAt25fps, b.maxStreamsAt25fps),
            seekP99MsVsBaseline: ratio(t.seekP99Ms, b.seekP99Ms),
          },
        ];
      }),
    );
    const mismatches = SYSTEMS.reduce((n, s) => {
      const r = out[s] as SystemResult;
      return n + r.seeks.mismatches + r.ladder.reduce((m, row) => m + row.mismatches, 0);
    }, 0);
    const checks = SYSTEMS.reduce((n, s) => {
      const r = out[s] as SystemResult;
      return n + r.seeks.checks + r.ladder.reduce((m, row) => m + row.checks, 0);
    }, 0);
    out.correctness = { framesChecked: checks, mismatches };
    const meets = (t: SystemResult) => ({
      bytesPerSecPerStream: t.bytesPerSecPerStream <= 6250,
      serverCpuPctPerStream: t.serverCpuPctPerStream <= 0.2,
      maxStreamsAt25fps: t.maxStreamsAt25fps >= 1000,
      seekP99Ms: t.seekP99Ms <= 50,
      staleFramesAfterSeeks: t.staleFramesAfterSeeks === 0,
    });
    const w = meets(ws);
    const h = meets(http);
    out.targets = {
      wsBytesPerSecPerStream: w.bytesPerSecPerStream,
      wsServerCpuPctPerStream: w.serverCpuPctPerStream,
      wsMaxStreamsAt25fps: w.maxStreamsAt25fps,
      wsSeekP99Ms: w.seekP99Ms,
      wsStaleFramesAfterSeeks: w.staleFramesAfterSeeks,
      httpBytesPerSecPerStream: h.bytesPerSecPerStream,
      httpServerCpuPctPerStream: h.serverCpuPctPerStream,
      httpMaxStreamsAt25fps: h.maxStreamsAt25fps,
      httpSeekP99Ms: h.seekP99Ms,
      httpStaleFramesAfterSeeks: h.staleFramesAfterSeeks,
      framesMatchFile: checks > 0 && mismatches === 0,
    };
    out.elapsedS = round((performance.now() - t0) / 1000, 1);
    return out;
  },

  format(result) {
    const lines: string[] = [];
    const s = result.session as Record<string, number>;
    lines.push(`timeline: ${s.frames} frames × ${s.entities} entities at ${s.rateHz} Hz (${s.durationMin} min, ${(s.fileBytes! / 1e6).toFixed(1)} MB)`);
    for (const name of SYSTEMS) {
      const r = result[name] as SystemResult;
      lines.push(
        '',
        `${name}: ${r.bytesPerSecPerStream} B/s/stream, server CPU ${r.serverCpuPctPerStream} %/stream (K=${r.fixedK}), max ${r.maxStreamsAt25fps} streams at 25 fps, seek p50 ${r.seekP50Ms} ms p99 ${r.seekP99Ms} ms, stale frames ${r.staleFramesAfterSeeks}`,
      );
      for (const row of r.ladder) lines.push(`  K=${String(row.K).padStart(4)} ${brief(row)}`);
    }
    lines.push(
      '',
      `ratios: ${JSON.stringify(result.ratios)}`,
      `targets: ${JSON.stringify(result.targets)}`,
      `correctness: ${JSON.stringify(result.correctness)}`,
    );
    return lines.join('\n');
  },
};
