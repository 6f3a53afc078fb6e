// `npm run bench -- browser [--json] [--quick] [--pages LIST] [--blocks N] [--storm-seconds S] [--visits N]`
// (issue 14; docs/benchmarks.md, browser suite): the pages as a user sees them, in Chromium
// (playwright-core, the testkit's launcher), side by side in one run.
//   liveset50, demo17k   the /liveset/ page on a generated 50-track set and the /demo/ page on the
//                        17k-node project, each as Tidewire serves it and as the original design
//                        would (the baseline: JSON FULL_AST over a WebSocket, JSON.parse and the
//                        store rebuilt on the main thread, the same Svelte components), interleaved
//                        ABBA, at 1× and 4× CPU throttling: load, then a storm of changes.
//   replay               /replay/: first frame, seek → frame, dropped frames at 1× and 16×.
//   signalLab            /signal-lab/: audio ready, longest task while the visualisers run.
// One server (its own process, bench/src/browser/server-entry.ts) serves every page of both systems.
import { integer, number, parseCommandArgs, UsageError, type OptionsTable } from '@tidewire/cli';
import { chromiumAvailable, ensureAppBuilt, launchChromium } from '@tidewire/testkit';
import { Child } from '../child.ts';
import { round } from '../stats.ts';
import type { Suite, SuiteContext } from '../suite.ts';
import { ensureBaselineBuilt } from '../browser/baseline-build.ts';
import type { ServerCommand, ServerReady, TreePage } from '../browser/messages.ts';
import { formatTable, rateFigures, ratios, replayFigures, signalLabFigures, systemFigures, targets } from '../browser/report.ts';
import type { Pages, Target } from '../browser/report.ts';
import { replayVisit } from '../browser/replay-page.ts';
import type { ReplaySample } from '../browser/replay-page.ts';
import { signalLabVisit } from '../browser/signal-lab-page.ts';
import type { SignalLabSample } from '../browser/signal-lab-page.ts';
import { treeTrial } from '../browser/tree-pages.ts';
import type { LoadSample, StormSample, System } from '../browser/tree-pages.ts';

const SERVER = new URL('../browser/server-entry.ts', import.meta.url);
const RATES = [1, 4] as const;
/** One ABBA block: each system loads twice, in mirrored order, so drift in the machine's load cancels. */
const ABBA: readonly System[] = ['baseline', 'tidewire', 'tidewire', 'baseline'];
/** Real-time audio without a gesture, and Chromium's fake media devices (as Signal Lab's browser tests). */
const FLAGS = ['--autoplay-policy=no-user-gesture-required', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

/** The pages a run can visit, in the order it visits them. */
export const PAGE_NAMES = ['liveset50', 'demo17k', 'replay', 'signalLab'] as const;
export type PageName = (typeof PAGE_NAMES)[number];

/** `--pages replay,signalLab`: a comma-separated subset of PAGE_NAMES (no repeats), in run order. */
export function pageList(raw: string, flag: string): PageName[] {
  const names = raw.split(',').map((n) => n.trim());
  for (const n of names) {
    if (!(PAGE_NAMES as readonly string[]).includes(n)) throw new UsageError(`${flag} takes a comma-separated list of ${PAGE_NAMES.join(', ')}, got '${n}'`);
  }
  if (new Set(names).size !== names.length) throw new UsageError(`${flag} names a page twice: '${raw}'`);
  return PAGE_NAMES.filter((n) => names.includes(n));
}

const OPTIONS = {
  json: { type: 'boolean', help: 'print one JSON object on stdout' },
  quick: { type: 'boolean', help: 'a short run (the smoke test)' },
  pages: { type: 'string', value: 'LIST', parse: pageList, help: `pages to visit, comma-separated (default all: ${PAGE_NAMES.join(',')})` },
  blocks: { type: 'string', value: 'N', parse: integer(1, 20), help: 'ABBA blocks per tree page and CPU rate (default 3; --quick 1)' },
  'storm-seconds': { type: 'string', value: 'S', parse: number(1, 60), help: 'length of each storm (default 10; --quick 2)' },
  'storm-rate': { type: 'string', value: 'R', parse: integer(1, 10_000), help: 'changes per second in a storm (default 1000)' },
  visits: { type: 'string', value: 'N', parse: integer(1, 20), help: 'visits of /replay/ and /signal-lab/ (default 3; --quick 1)' },
} as const satisfies OptionsTable;

interface Plan {
  pages: readonly PageName[];
  blocks: number;
  stormSeconds: number;
  stormRate: number;
  visits: number;
  seeks: number;
  playSeconds: number;
  labSeconds: number;
}

function plan(args: readonly string[], quick: boolean): Plan {
  const parsed = parseCommandArgs({ name: 'bench browser', options: OPTIONS }, args);
  if (parsed === 'help') throw new UsageError('options: --pages LIST --blocks N --storm-seconds S --storm-rate R --visits N --quick --json');
  const v = parsed.values;
  return {
    pages: v.pages ?? PAGE_NAMES,
    blocks: v.blocks ?? (quick ? 1 : 3),
    stormSeconds: v['storm-seconds'] ?? (quick ? 2 : 10),
    stormRate: v['storm-rate'] ?? 1000,
    visits: v.visits ?? (quick ? 1 : 3),
    seeks: quick ? 8 : 40,
    playSeconds: quick ? 2 : 8,
    labSeconds: quick ? 2 : 5,
  };
}

type Samples = Record<System, Record<(typeof RATES)[number], { loads: LoadSample[]; storms: StormSample[] }>>;

export const suite: Suite = {
  async run(ctx: SuiteContext) {
    const p = plan(ctx.args, ctx.quick);
    if (!chromiumAvailable()) throw new Error('the browser suite needs Chromium (/usr/bin/chromium or $CHROMIUM_PATH)');
    const apps: Record<PageName, string> = { liveset50: 'liveset', demo17k: 'demo', replay: 'replay', signalLab: 'signal-lab' };
    for (const name of p.pages) ensureAppBuilt(apps[name], { quiet: true });
    const treePages = (['liveset50', 'demo17k'] as const).filter((n) => p.pages.includes(n));
    ensureBaselineBuilt(ctx.log); // the server serves the baseline pages whichever are visited
    ctx.log('starting the server (one for both systems)');
    const server = await Child.spawn<ServerCommand>(SERVER);
    const ready = server.ready as ServerReady;
    for (const f of ready.failed) ctx.log(`${f.app} did not mount: ${f.message}`);
    const browser = await launchChromium({ extraFlags: FLAGS, viewport: { width: 1280, height: 800 } });
    const pages: Pages = {};
    const firstScreenMin: Partial<Record<TreePage, number>> = {};
    try {
      for (const name of treePages) {
        // A warm-up load of each system (not measured) tells how many track names a screenful
        // shows: the first screenful is that many names on screen (the smaller of the two).
        const visible: number[] = [];
        for (const system of ['tidewire', 'baseline'] as const) {
          const warm = await treeTrial(browser.context, ready.url, name, system, { rate: 1, firstScreenMin: 0, stormSeconds: 0, stormRate: 0, server });
          visible.push(warm.visible);
        }
        const min = Math.min(...visible);
        if (!(min > 0)) throw new Error(`${name}: no track names on screen after the warm-up loads (${visible.join(', ')})`);
        firstScreenMin[name] = min;
        const samples = {
          baseline: { 1: { loads: [], storms: [] }, 4: { loads: [], storms: [] } },
          tidewire: { 1: { loads: [], storms: [] }, 4: { loads: [], storms: [] } },
        } as Samples;
        for (const rate of RATES) {
          for (let b = 0; b < p.blocks; b++) {
            for (const system of ABBA) {
              // Storms in the first block: two per system and rate.
              const stormSeconds = b === 0 ? p.stormSeconds : 0;
              const t = await treeTrial(browser.context, ready.url, name, system, { rate, firstScreenMin: min, stormSeconds, stormRate: p.stormRate, server });
              samples[system][rate].loads.push(t.load);
              if (t.storm) samples[system][rate].storms.push(t.storm);
              ctx.log(
                `${name} ${system} ${rate}×: first screen ${round(t.load.firstScreenMs, 1)} ms, snapshot ${round(t.load.snapshotMs, 1)} ms (${t.load.socketOpenSource}), longest task ${round(t.load.longestTaskMs, 1)} ms${
                  t.storm
                    ? `; storm latency max ${t.storm.latencies.length ? round(Math.max(...t.storm.latencies), 0) : '–'} ms, busy ${round(t.storm.busyPct, 1)} %`
                    : ''
                }`,
              );
            }
          }
        }
        const fig = (s: System) =>
          systemFigures(rateFigures(samples[s][1].loads, samples[s][1].storms), rateFigures(samples[s][4].loads, samples[s][4].storms));
        const baseline = fig('baseline');
        const tidewire = fig('tidewire');
        pages[name] = { baseline, tidewire, ratios: ratios(baseline, tidewire) };
      }
      if (p.pages.includes('replay') && !ready.failed.some((f) => f.app === 'replay')) {
        // A warm-up visit, not measured (as the tree pages' warm-up loads): the first visit after
        // the server starts measures its cold caches (timeline files read from disk, a cold JIT),
        // not the page — 1.2–2.3 s against 0.3–0.6 s for the next ones on this machine.
        await replayVisit(browser.context, ready.url, { seeks: 1, playSeconds: 0.5, seed: 1 });
        const visits: ReplaySample[] = [];
        for (let i = 0; i < p.visits; i++) {
          visits.push(await replayVisit(browser.context, ready.url, { seeks: p.seeks, playSeconds: p.playSeconds, seed: 17 + i }));
          ctx.log(`replay: first frame ${round(visits.at(-1)!.firstFrameMs, 1)} ms`);
        }
        pages.replay = { tidewire: replayFigures(visits) };
      }
      if (p.pages.includes('signalLab')) {
        await signalLabVisit(browser.context, ready.url, { seconds: 0.5 }); // warm-up, not measured (as replay's)
        const lab: SignalLabSample[] = [];
        for (let i = 0; i < p.visits; i++) {
          lab.push(await signalLabVisit(browser.context, ready.url, { seconds: p.labSeconds }));
          ctx.log(`signal lab: audio ready ${round(lab.at(-1)!.audioReadyMs, 1)} ms`);
        }
        pages.signalLab = { tidewire: signalLabFigures(lab) };
      }
    } finally {
      await browser.close();
      await server.exit();
    }
    const t = targets(pages);
    return {
      suite: 'browser',
      quick: ctx.quick,
      pages,
      targets: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.pass])),
      targetLines: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.line])),
      trees: ready.trees,
      method: {
        order: 'ABBA per page and CPU rate',
        blocks: p.blocks,
        loadsPerSystemPerRate: p.blocks * 2,
        stormsPerSystemPerRate: 2,
        stormSeconds: p.stormSeconds,
        stormRate: p.stormRate,
        firstScreenNames: firstScreenMin,
        statistic: 'median over loads (storm latencies: percentiles over pooled samples)',
        busy: 'CDP Performance.getMetrics TaskDuration delta / wall time',
        droppedFrame:
          '1×: a display frame whose drawn race time did not advance, or a telemetry frame never drawn though a display frame came between; 16×: the former (docs/browser-bench.md §6)',
      },
    };
  },
  format(result) {
    const r = result as { pages: Pages; targetLines: Record<string, string>; targets: Record<string, boolean> };
    const t: Record<string, Target> = {};
    for (const [k, line] of Object.entries(r.targetLines)) t[k] = { line, pass: r.targets[k]! };
    return formatTable({ pages: r.pages, targets: t });
  },
};
