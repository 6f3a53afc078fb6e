// One load (and, when asked, one storm) of a tree page — /liveset/ or /demo/, Tidewire's page or
// the baseline's — in a fresh tab of the bench's Chromium. Definitions: docs/benchmarks.md, browser.
import { gzipSync } from 'node:zlib';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import type { Child } from '../child.ts';
import { installProbe } from './probe.ts';
import type { LoadProbe, ProbeConfig, StormProbe } from './probe.ts';
import { BASELINE_PREFIX } from './messages.ts';
import type { ServerCommand, StormDone, TreePage } from './messages.ts';

export type System = 'baseline' | 'tidewire';

/** The first screenful: track names with real data, on screen. */
export const FIRST_SCREEN_SELECTOR = '[data-track] [data-testid="track-name"]';

const PATHS: Record<TreePage, Record<System, string>> = {
  liveset50: { tidewire: '/liveset/', baseline: `${BASELINE_PREFIX}liveset/` },
  demo17k: { tidewire: '/demo/', baseline: `${BASELINE_PREFIX}demo/` },
};

/** Where the socket-relative figures start: the page's User Timing mark, else what the bench observed. */
export type SocketOpenSource = 'mark' | 'client-state' | 'navigation';

export interface LoadSample {
  firstScreenFromNavMs: number;
  snapshotFromNavMs: number;
  socketOpenAtMs: number;
  socketOpenSource: SocketOpenSource;
  snapshotSource: 'mark' | 'store-swap';
  firstScreenMs: number;
  snapshotMs: number;
  longestTaskMs: number;
  totalBlockingMs: number;
  heapMB: number;
  initialJsGzipBytes: number;
  /** The HUD's "load" (PerfMonitor snapshotLoadMs), Tidewire pages only. */
  hudLoadMs: number | null;
}

export interface StormSample {
  busyPct: number;
  framesOver20ms: number;
  frames: number;
  latencies: number[];
  longestTaskMs: number;
  sent: number;
  stamped: number;
}

const TIMEOUT_MS = 60_000;
/** Long tasks right after the snapshot still count as the load's (the first renders after the swap). */
const SETTLE_MS = 500;

interface Marks {
  socketOpen: number | null;
  snapshotApplied: number | null;
  hudLoadMs: number | null;
}

async function readMarks(page: Page, system: System): Promise<Marks> {
  return page.evaluate((prefix) => {
    const at = (name: string) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? null;
    const tw = (window as unknown as { tidewire?: { perf?: { get(): { snapshotLoadMs: number | null } } | null } }).tidewire;
    return { socketOpen: at(`${prefix}:socket-open`), snapshotApplied: at(`${prefix}:snapshot-applied`), hudLoadMs: tw?.perf?.get().snapshotLoadMs ?? null };
  }, system);
}

const longest = (tasks: { duration: number }[]) => Math.max(0, ...tasks.map((t) => t.duration));
const blocking = (tasks: { duration: number }[]) => tasks.reduce((s, t) => s + Math.max(0, t.duration - 50), 0);

export interface OpenedPage {
  page: Page;
  cdp: CDPSession;
  close(): Promise<void>;
}

/** A fresh tab with the probe installed and the CPU throttled `rate`×; scripts it loads are counted. */
export async function openTab(context: BrowserContext, config: ProbeConfig, rate: number): Promise<OpenedPage & { scripts: Promise<number>[] }> {
  const page = await context.newPage();
  // As source text: the bench runs under tsx, whose esbuild wraps named functions in a
  // `__name` helper the page does not have (page.evaluate sources below rely on it too).
  await page.addInitScript({ content: `globalThis.__name = (f) => f;\n(${installProbe.toString()})(${JSON.stringify(config)});` });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  const scripts: Promise<number>[] = [];
  page.on('response', (r) => {
    if (r.request().resourceType() === 'script' || r.url().endsWith('.js'))
      scripts.push(
        r.body().then(
          (b) => gzipSync(b).length,
          () => 0,
        ),
      );
  });
  return { page, cdp, scripts, close: () => page.close() };
}

export interface TreeTrial {
  load: LoadSample;
  storm?: StormSample;
  /** Elements of the first screenful on screen at the end of the load. */
  visible: number;
}

/**
 * Loads `page` as `system` in a fresh tab; with `stormSeconds`, then runs the storm on it. The
 * tab is closed at the end.
 */
export async function treeTrial(
  context: BrowserContext,
  baseUrl: string,
  pageName: TreePage,
  system: System,
  opts: { rate: number; firstScreenMin: number; stormSeconds: number; stormRate: number; server: Child<ServerCommand> },
): Promise<TreeTrial> {
  const tab = await openTab(context, { selector: FIRST_SCREEN_SELECTOR, min: opts.firstScreenMin }, opts.rate);
  const { page, cdp } = tab;
  try {
    await page.goto(`${baseUrl}${PATHS[pageName][system]}`, { waitUntil: 'commit' });
    await page.waitForFunction(
      ({ system, watch }) => {
        const b = (window as unknown as { __bench?: { load(): LoadProbe } }).__bench;
        if (!b) return false;
        const p = b.load();
        const snap = performance.getEntriesByName(`${system}:snapshot-applied`, 'mark').length > 0 || p.storeSnapshotAt !== null;
        return snap && (!watch || p.firstScreenAt !== null);
      },
      { system, watch: opts.firstScreenMin > 0 },
      { timeout: TIMEOUT_MS, polling: 100 },
    );
    await page.waitForTimeout(SETTLE_MS * opts.rate);
    const probe = await page.evaluate(() => (window as unknown as { __bench: { load(): LoadProbe } }).__bench.load());
    const marks = await readMarks(page, system);
    const snapshotAt = marks.snapshotApplied ?? probe.storeSnapshotAt!;
    const [socketOpenAt, socketOpenSource]: [number, SocketOpenSource] =
      marks.socketOpen !== null ? [marks.socketOpen, 'mark'] : probe.clientOpenAt !== null ? [probe.clientOpenAt, 'client-state'] : [0, 'navigation'];
    const firstScreenAt = probe.firstScreenAt ?? Number.NaN;
    const loadTasks = probe.longTasks.filter((t) => t.start <= Math.max(snapshotAt, firstScreenAt || 0) + SETTLE_MS * opts.rate);
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const js = (await Promise.all(tab.scripts)).reduce((a, b) => a + b, 0);
    const load: LoadSample = {
      firstScreenFromNavMs: firstScreenAt,
      snapshotFromNavMs: snapshotAt,
      socketOpenAtMs: socketOpenAt,
      socketOpenSource,
      snapshotSource: marks.snapshotApplied !== null ? 'mark' : 'store-swap',
      firstScreenMs: firstScreenAt - socketOpenAt,
      snapshotMs: snapshotAt - socketOpenAt,
      longestTaskMs: longest(loadTasks),
      totalBlockingMs: blocking(loadTasks),
      heapMB: heap.usedSize / 2 ** 20,
      initialJsGzipBytes: js,
      hudLoadMs: marks.hudLoadMs,
    };
    const trial: TreeTrial = { load, visible: probe.visible };
    if (opts.stormSeconds > 0) trial.storm = await stormOn(page, cdp, pageName, opts);
    return trial;
  } finally {
    await cdp.detach().catch(() => {});
    await tab.close();
  }
}

type Metrics = Record<string, number>;
async function metrics(cdp: CDPSession): Promise<Metrics> {
  const r = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(r.metrics.map((m) => [m.name, m.value]));
}

/**
 * The storm on a loaded page: main-thread busy % is CDP Performance.getMetrics' TaskDuration
 * (the renderer main thread's task time) over the wall time between two readings around it.
 */
async function stormOn(
  page: Page,
  cdp: CDPSession,
  pageName: TreePage,
  opts: { stormSeconds: number; stormRate: number; server: Child<ServerCommand> },
): Promise<StormSample> {
  await cdp.send('Performance.enable');
  await page.evaluate(() => (window as unknown as { __bench: { stormStart(): void } }).__bench.stormStart());
  const m0 = await metrics(cdp);
  const done = await opts.server.call<StormDone>({ cmd: 'storm', page: pageName, rate: opts.stormRate, seconds: opts.stormSeconds });
  const m1 = await metrics(cdp);
  // The tail: changes sent last are still on their way to the screen.
  await page.waitForTimeout(300);
  const s = await page.evaluate(() => (window as unknown as { __bench: { stormStop(): StormProbe } }).__bench.stormStop());
  const gaps: number[] = [];
  for (let i = 1; i < s.frames.length; i++) gaps.push(s.frames[i]! - s.frames[i - 1]!);
  return {
    busyPct: (100 * (m1.TaskDuration! - m0.TaskDuration!)) / (m1.Timestamp! - m0.Timestamp!),
    framesOver20ms: gaps.filter((g) => g > 20).length,
    frames: s.frames.length,
    latencies: s.latencies,
    longestTaskMs: longest(s.longTasks),
    sent: done.sent,
    stamped: done.stamped,
  };
}
