// The browser suite's figures from its samples (medians over loads, p99 over pooled storm
// samples), the acceptance targets of issue 14, and the human table.
import { percentile, round } from '../stats.ts';
import type { PlayFigures, ReplaySample } from './replay-page.ts';
import type { SignalLabSample } from './signal-lab-page.ts';
import type { LoadSample, StormSample } from './tree-pages.ts';
import type { TreePage } from './messages.ts';

const median = (xs: number[]) => percentile(xs, 50);

export interface RateFigures {
  firstScreenMs: number;
  firstScreenFromNavMs: number;
  snapshotMs: number;
  snapshotFromNavMs: number;
  longestTaskMs: number;
  longestTaskMaxMs: number;
  totalBlockingMs: number;
  heapMB: number;
  initialJsGzipKB: number;
  stormP50Ms: number;
  stormP99Ms: number;
  stormBusyPct: number;
  stormFramesOver20ms: number;
  stormLongestTaskMs: number;
  stormSamples: number;
  loads: number;
  storms: number;
  hudLoadMs?: number;
  socketOpenSource: string;
  snapshotSource: string;
}

export interface SystemFigures extends RateFigures {
  longestTaskMs4x: number;
  at4x: RateFigures;
}

export function rateFigures(loads: LoadSample[], storms: StormSample[]): RateFigures {
  const m = (f: (l: LoadSample) => number, digits = 1) => round(median(loads.map(f)), digits);
  const lat = storms.flatMap((s) => s.latencies);
  const hud = loads.map((l) => l.hudLoadMs).filter((v): v is number => v !== null);
  const sources = (f: (l: LoadSample) => string) => [...new Set(loads.map(f))].join('+');
  return {
    firstScreenMs: m((l) => l.firstScreenMs),
    firstScreenFromNavMs: m((l) => l.firstScreenFromNavMs),
    snapshotMs: m((l) => l.snapshotMs),
    snapshotFromNavMs: m((l) => l.snapshotFromNavMs),
    longestTaskMs: m((l) => l.longestTaskMs),
    longestTaskMaxMs: round(Math.max(...loads.map((l) => l.longestTaskMs)), 1),
    totalBlockingMs: m((l) => l.totalBlockingMs),
    heapMB: m((l) => l.heapMB),
    initialJsGzipKB: m((l) => l.initialJsGzipBytes / 1024),
    stormP50Ms: round(percentile(lat, 50), 1),
    stormP99Ms: round(percentile(lat, 99), 1),
    stormBusyPct: round(median(storms.map((s) => s.busyPct)), 1),
    stormFramesOver20ms: round(median(storms.map((s) => s.framesOver20ms)), 0),
    stormLongestTaskMs: round(median(storms.map((s) => s.longestTaskMs)), 1),
    stormSamples: lat.length,
    loads: loads.length,
    storms: storms.length,
    ...(hud.length > 0 ? { hudLoadMs: round(median(hud), 1) } : {}),
    socketOpenSource: sources((l) => l.socketOpenSource),
    snapshotSource: sources((l) => l.snapshotSource),
  };
}

export function systemFigures(at1x: RateFigures, at4x: RateFigures): SystemFigures {
  return { ...at1x, longestTaskMs4x: at4x.longestTaskMs, at4x };
}

const RATIO_KEYS = [
  'firstScreenMs',
  'firstScreenFromNavMs',
  'snapshotMs',
  'snapshotFromNavMs',
  'longestTaskMs',
  'longestTaskMs4x',
  'totalBlockingMs',
  'heapMB',
  'initialJsGzipKB',
  'stormP99Ms',
  'stormBusyPct',
] as const;

export function ratios(baseline: SystemFigures, tidewire: SystemFigures): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of RATIO_KEYS) out[k] = baseline[k] > 0 ? round(tidewire[k] / baseline[k], 3) : Number.NaN;
  return out;
}

export interface ReplayFigures {
  firstFrameMs: number;
  longestTaskMs: number;
  seekP50Ms: number;
  seekP99Ms: number;
  playerSeekP99Ms: number;
  seeks: number;
  seekTimeouts: number;
  droppedFrames: number;
  droppedFrames16x: number;
  playerFramesDropped: number;
  playerFramesDropped16x: number;
  /** The parts of droppedFrames (sums over visits), per speed: docs/browser-bench.md §6. */
  play: Record<'x1' | 'x16', Pick<PlayFigures, PlayPart>>;
  visits: number;
}

/** The PlayFigures the report sums over visits, in the order it prints them. */
const PLAY_PARTS = ['staleFrames', 'bufferingFrames', 'skippedFrames', 'skippedBlocked', 'skippedUnrefreshed', 'frames', 'longTasks', 'refreshGaps'] as const;
type PlayPart = (typeof PLAY_PARTS)[number];

function playParts(v: PlayFigures[]): Pick<PlayFigures, PlayPart> {
  return Object.fromEntries(PLAY_PARTS.map((k) => [k, v.reduce((a, f) => a + f[k], 0)])) as Pick<PlayFigures, PlayPart>;
}

export function replayFigures(s: ReplaySample[]): ReplayFigures {
  const seeks = s.flatMap((v) => v.seekMs);
  const sum = (f: (v: ReplaySample) => number) => s.reduce((a, v) => a + f(v), 0);
  return {
    firstFrameMs: round(median(s.map((v) => v.firstFrameMs)), 1),
    longestTaskMs: round(median(s.map((v) => v.longestTaskMs)), 1),
    seekP50Ms: round(percentile(seeks, 50), 1),
    seekP99Ms: round(percentile(seeks, 99), 1),
    playerSeekP99Ms: round(
      percentile(
        s.flatMap((v) => v.playerSeekMs),
        99,
      ),
      1,
    ),
    seeks: seeks.length,
    seekTimeouts: sum((v) => v.seekTimeouts),
    droppedFrames: sum((v) => v.dropped.x1.droppedFrames),
    droppedFrames16x: sum((v) => v.dropped.x16.droppedFrames),
    playerFramesDropped: sum((v) => v.dropped.x1.playerFramesDropped),
    playerFramesDropped16x: sum((v) => v.dropped.x16.playerFramesDropped),
    play: {
      x1: playParts(s.map((v) => v.dropped.x1)),
      x16: playParts(s.map((v) => v.dropped.x16)),
    },
    visits: s.length,
  };
}

export interface SignalLabFigures {
  audioReadyMs: number;
  longestTaskMs: number;
  longestTaskLoadMs: number;
  visits: number;
}

export function signalLabFigures(s: SignalLabSample[]): SignalLabFigures {
  return {
    audioReadyMs: round(median(s.map((v) => v.audioReadyMs)), 1),
    longestTaskMs: round(median(s.map((v) => v.longestTaskMs)), 1),
    longestTaskLoadMs: round(median(s.map((v) => v.longestTaskLoadMs)), 1),
    visits: s.length,
  };
}

export interface Pages {
  liveset50?: { baseline: SystemFigures; tidewire: SystemFigures; ratios: Record<string, number> };
  demo17k?: { baseline: SystemFigures; tidewire: SystemFigures; ratios: Record<string, number> };
  replay?: { tidewire: ReplayFigures };
  signalLab?: { tidewire: SignalLabFigures };
}

/** One acceptance line of issue 14: what it asks, and whether the run met it. */
export interface Target {
  line: string;
  pass: boolean;
}

const LIMITS: Record<TreePage, { firstScreenMs: number; snapshotMs: number }> = {
  liveset50: { firstScreenMs: 100, snapshotMs: 150 },
  demo17k: { firstScreenMs: 100, snapshotMs: 250 },
};

export function targets(pages: Pages): Record<string, Target> {
  const t: Record<string, Target> = {};
  for (const name of ['liveset50', 'demo17k'] as const) {
    const p = pages[name];
    if (!p) continue;
    const tw = p.tidewire;
    const b = p.baseline;
    const lim = LIMITS[name];
    t[`${name}LongTask1x`] = {
      line: `${name}: no task > 50 ms at 1× (load ${tw.longestTaskMs}, storm ${tw.stormLongestTaskMs})`,
      pass: tw.longestTaskMs <= 50 && tw.stormLongestTaskMs <= 50,
    };
    t[`${name}LongTask4x`] = {
      line: `${name}: no task > 100 ms at 4× (load ${tw.at4x.longestTaskMs}, storm ${tw.at4x.stormLongestTaskMs})`,
      pass: tw.at4x.longestTaskMs <= 100 && tw.at4x.stormLongestTaskMs <= 100,
    };
    t[`${name}FirstScreen`] = {
      line: `${name}: first screenful ≤ ${lim.firstScreenMs} ms after socket open and ≤ 0.3× baseline (${tw.firstScreenMs} vs ${b.firstScreenMs})`,
      pass: tw.firstScreenMs <= lim.firstScreenMs && tw.firstScreenMs <= 0.3 * b.firstScreenMs,
    };
    t[`${name}Snapshot`] = {
      line: `${name}: whole snapshot ≤ ${lim.snapshotMs} ms and ≤ 0.3× baseline (${tw.snapshotMs} vs ${b.snapshotMs})`,
      pass: tw.snapshotMs <= lim.snapshotMs && tw.snapshotMs <= 0.3 * b.snapshotMs,
    };
    t[`${name}StormP99`] = { line: `${name}: storm mutation→pixels p99 ≤ 50 ms (${tw.stormP99Ms}; baseline ${b.stormP99Ms})`, pass: tw.stormP99Ms <= 50 };
    t[`${name}StormBusy`] = { line: `${name}: storm main-thread busy ≤ 25 % (${tw.stormBusyPct}; baseline ${b.stormBusyPct})`, pass: tw.stormBusyPct <= 25 };
  }
  const r = pages.replay?.tidewire;
  if (r) {
    t.replayLongTask1x = { line: `replay: no task > 50 ms during load (${r.longestTaskMs})`, pass: r.longestTaskMs <= 50 };
    t.replayFirstFrame = { line: `replay: first frame ≤ 300 ms after navigation (${r.firstFrameMs})`, pass: r.firstFrameMs <= 300 };
    t.replaySeekP99 = {
      line: `replay: seek → frame p99 ≤ 100 ms (${r.seekP99Ms}, ${r.seekTimeouts} timed out)`,
      pass: r.seekP99Ms <= 100 && r.seekTimeouts === 0,
    };
    t.replayDropped1x = { line: `replay: no dropped frames at 1× (${r.droppedFrames})`, pass: r.droppedFrames === 0 };
  }
  const s = pages.signalLab?.tidewire;
  if (s) {
    t.signalLabLongTask1x = {
      line: `signal lab: no task > 50 ms (load ${s.longestTaskLoadMs}, visualisers ${s.longestTaskMs})`,
      pass: s.longestTaskLoadMs <= 50 && s.longestTaskMs <= 50,
    };
  }
  return t;
}

const ROWS: [keyof SystemFigures | `at4x.${keyof RateFigures}`, string][] = [
  ['firstScreenMs', 'first screenful, from socket open (ms)'],
  ['firstScreenFromNavMs', 'first screenful, from navigation (ms)'],
  ['snapshotMs', 'whole snapshot, from socket open (ms)'],
  ['snapshotFromNavMs', 'whole snapshot, from navigation (ms)'],
  ['hudLoadMs', 'HUD "load" (ms)'],
  ['longestTaskMs', 'longest task, load (ms)'],
  ['longestTaskMaxMs', 'longest task, load, worst run (ms)'],
  ['totalBlockingMs', 'total blocking, load (ms)'],
  ['heapMB', 'JS heap after load, main thread (MB)'],
  ['initialJsGzipKB', 'initial JS, gzipped (KB)'],
  ['stormP50Ms', 'storm mutation→pixels p50 (ms)'],
  ['stormP99Ms', 'storm mutation→pixels p99 (ms)'],
  ['stormBusyPct', 'storm main-thread busy (%)'],
  ['stormFramesOver20ms', 'storm frames > 20 ms (per storm)'],
  ['stormLongestTaskMs', 'storm longest task (ms)'],
  ['at4x.firstScreenMs', '4×: first screenful, from socket open (ms)'],
  ['at4x.snapshotMs', '4×: whole snapshot, from socket open (ms)'],
  ['longestTaskMs4x', '4×: longest task, load (ms)'],
  ['at4x.totalBlockingMs', '4×: total blocking, load (ms)'],
  ['at4x.stormP99Ms', '4×: storm mutation→pixels p99 (ms)'],
  ['at4x.stormBusyPct', '4×: storm main-thread busy (%)'],
  ['at4x.stormFramesOver20ms', '4×: storm frames > 20 ms (per storm)'],
  ['at4x.stormLongestTaskMs', '4×: storm longest task (ms)'],
];

function pick(f: SystemFigures, key: string): number | undefined {
  if (key.startsWith('at4x.')) return f.at4x[key.slice(5) as keyof RateFigures] as number | undefined;
  return f[key as keyof SystemFigures] as number | undefined;
}

const cell = (v: number | undefined, w: number) => (v === undefined || Number.isNaN(v) ? '–' : String(v)).padStart(w);

export function formatTable(result: { pages: Pages; targets: Record<string, Target>; method?: unknown }): string {
  const lines: string[] = [];
  for (const name of ['liveset50', 'demo17k'] as const) {
    const p = result.pages[name];
    if (!p) continue;
    lines.push(`${name}  (socket open: tidewire ${p.tidewire.socketOpenSource}, baseline ${p.baseline.socketOpenSource})`);
    lines.push(`${'metric'.padEnd(42)}${'baseline'.padStart(10)}${'tidewire'.padStart(10)}${'tw/base'.padStart(9)}`);
    for (const [key, label] of ROWS) {
      const b = pick(p.baseline, key);
      const t = pick(p.tidewire, key);
      const ratio = b !== undefined && t !== undefined && b > 0 ? round(t / b, 2) : undefined;
      lines.push(`${label.padEnd(42)}${cell(b, 10)}${cell(t, 10)}${cell(ratio, 9)}`);
    }
    lines.push('');
  }
  const r = result.pages.replay?.tidewire;
  if (r) {
    lines.push('replay (tidewire)');
    lines.push(`  first frame ${r.firstFrameMs} ms · longest task ${r.longestTaskMs} ms · seek p50/p99 ${r.seekP50Ms}/${r.seekP99Ms} ms over ${r.seeks} seeks`);
    lines.push(
      `  dropped frames: 1× ${r.droppedFrames}, 16× ${r.droppedFrames16x} (player's own count: ${r.playerFramesDropped}, ${r.playerFramesDropped16x})`,
    );
    for (const k of ['x1', 'x16'] as const) {
      const f = r.play[k];
      lines.push(
        `  ${k.slice(1)}×: ${f.frames} display frames, stale ${f.staleFrames} (buffering ${f.bufferingFrames}), telemetry frames skipped ${f.skippedFrames} + ${f.skippedBlocked} behind a long task (+${f.skippedUnrefreshed} with no display frame between, not counted), long tasks ${f.longTasks}; former definition (60 Hz refreshes without an animation frame) ${f.refreshGaps}`,
      );
    }
  }
  const s = result.pages.signalLab?.tidewire;
  if (s)
    lines.push(`signal lab (tidewire)\n  audio ready ${s.audioReadyMs} ms · longest task: load ${s.longestTaskLoadMs} ms, visualisers ${s.longestTaskMs} ms`);
  lines.push('', 'acceptance (issue 14)');
  for (const t of Object.values(result.targets)) lines.push(`  ${t.pass ? 'pass' : 'FAIL'}  ${t.line}`);
  return lines.join('\n');
}
