// One visit of /replay/ (Tidewire only): first frame, seeks, and playing at 1× and 16×.
// Definitions: docs/benchmarks.md, browser suite.
import type { BrowserContext } from 'playwright-core';
import { openTab } from './tree-pages.ts';
import type { LoadProbe } from './probe.ts';

/** Playing at one speed: what the user saw (the page's drawn race time per display frame). */
export interface PlayFigures {
  /** staleFrames + skippedFrames + skippedBlocked at 1×; staleFrames at 16× (docs/browser-bench.md §6). */
  droppedFrames: number;
  /** Display frames (animation frames) while playing in which the drawn race time did not advance. */
  staleFrames: number;
  /** Of those, the ones in which the player itself was buffering (its state said so). */
  bufferingFrames: number;
  /** Telemetry frames never drawn although a display frame came between the draws around them. */
  skippedFrames: number;
  /** Telemetry frames never drawn, no display frame between the draws around them, but a long task of the page's in that gap (it held the refresh back: counted). */
  skippedBlocked: number;
  /** Telemetry frames never drawn, no display frame between the draws around them and no long task in the gap (the display did not refresh: not counted). */
  skippedUnrefreshed: number;
  /** Display frames observed while playing. */
  frames: number;
  seconds: number;
  /** The former definition on the same frames: Σ round(rAF interval / 16.7 ms) − 1. */
  refreshGaps: number;
  /** Long tasks (> 50 ms) while playing. */
  longTasks: number;
  /** The player's own counter (PlayerMetrics.framesDropped) over the same time. */
  playerFramesDropped: number;
}

export interface ReplaySample {
  firstFrameMs: number;
  longestTaskMs: number;
  seekMs: number[];
  seekTimeouts: number;
  /** The player's own seek figures (PlayerMetrics.seekMs) for the same seeks. */
  playerSeekMs: number[];
  dropped: Record<'x1' | 'x16', PlayFigures>;
}

/** A display refresh at 60 Hz. */
const REFRESH_MS = 1000 / 60;

interface ReplayWindow {
  replay: {
    firstFrameMs: number | null;
    /** The race time the last drawn frame showed. */
    shownTimeMs: number | null;
    /** fn(shownTimeMs) in each animation frame that draws the cars. */
    onDraw(fn: (shownTimeMs: number) => void): () => void;
    player: {
      seek(t: { frame: number }): void;
      play(): void;
      pause(): void;
      setSpeed(s: number): void;
      state: { get(): { frameCount: number; frame: number; playing: boolean; buffering: boolean; startMs: number; endMs: number } };
      metrics: { seekMs: number[]; framesDropped: number };
    };
  };
}

export async function replayVisit(context: BrowserContext, baseUrl: string, opts: { seeks: number; playSeconds: number; seed: number }): Promise<ReplaySample> {
  const tab = await openTab(context, { selector: '', min: 0 }, 1);
  const { page } = tab;
  try {
    await page.goto(`${baseUrl}/replay/`, { waitUntil: 'commit' });
    await page.waitForFunction(() => (window as unknown as ReplayWindow).replay?.firstFrameMs != null, null, { timeout: 60_000, polling: 50 });
    const firstFrameMs = await page.evaluate(() => (window as unknown as ReplayWindow).replay.firstFrameMs!);
    await page.waitForTimeout(500);
    const loadTasks = await page.evaluate(() => (window as unknown as { __bench: { load(): LoadProbe } }).__bench.load().longTasks);
    // Seeks, paused: from seek() to the page's draw of the target frame (the animation frame that
    // paints it: the map and the tower are drawn in it), read through the page's onDraw hook.
    const seeks = await page.evaluate(
      async ({ n, seed }) => {
        const r = (window as unknown as ReplayWindow).replay;
        const p = r.player;
        p.pause();
        const count = p.state.get().frameCount;
        let x = seed;
        const rand = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
        const out: number[] = [];
        let timeouts = 0;
        const before = p.metrics.seekMs.length;
        for (let i = 0; i < n; i++) {
          const frame = Math.floor(rand() * (count - 1));
          const t0 = performance.now();
          const shown = await new Promise<number | null>((resolve) => {
            const timer = setTimeout(() => {
              off();
              resolve(null);
            }, 5000);
            const off = r.onDraw(() => {
              if (p.state.get().frame !== frame) return;
              off();
              clearTimeout(timer);
              resolve(performance.now());
            });
            p.seek({ frame });
          });
          if (shown === null) timeouts++;
          else out.push(shown - t0);
          await new Promise((r) => setTimeout(r, 50));
        }
        return { seekMs: out, timeouts, playerSeekMs: p.metrics.seekMs.slice(before) };
      },
      { n: opts.seeks, seed: opts.seed },
    );
    const dropped = {} as ReplaySample['dropped'];
    for (const [key, speed] of [
      ['x1', 1],
      ['x16', 16],
    ] as const) {
      dropped[key] = await page.evaluate(
        async ({ speed, seconds, refresh }) => {
          const r = (window as unknown as ReplayWindow).replay;
          const p = r.player;
          p.seek({ frame: Math.floor(p.state.get().frameCount * 0.3) });
          await new Promise((r) => setTimeout(r, 500));
          const st = p.state.get();
          const period = (st.endMs - st.startMs) / Math.max(1, st.frameCount - 1);
          // Every draw, keyed by its animation frame's time (document.timeline.currentTime is the
          // frame's timestamp in every callback of that frame, whichever runs first).
          const draws = new Map<number, number>();
          const offDraw = r.onDraw((t) => draws.set(Number(document.timeline.currentTime), t));
          const longTasks: { start: number; end: number }[] = [];
          const lt = new PerformanceObserver((l) => {
            for (const e of l.getEntries()) longTasks.push({ start: e.startTime, end: e.startTime + e.duration });
          });
          lt.observe({ type: 'longtask' });
          p.setSpeed(speed);
          p.play();
          const droppedBefore = p.metrics.framesDropped;
          const ticks: { at: number; buffering: boolean }[] = [];
          await new Promise<void>((resolve) => {
            const end = performance.now() + seconds * 1000;
            const tick = (now: number) => {
              ticks.push({ at: now, buffering: p.state.get().buffering });
              if (now < end) requestAnimationFrame(tick);
              else resolve();
            };
            requestAnimationFrame(tick);
          });
          p.pause();
          offDraw();
          lt.disconnect();
          // From the first display frame that drew a moving race time (play() takes effect on
          // the player's next tick) to the end.
          let first = -1;
          let prev: number | null = null;
          for (let i = 0; i < ticks.length; i++) {
            const t = draws.get(ticks[i]!.at);
            if (t === undefined) continue;
            if (prev !== null && t > prev) {
              first = i;
              break;
            }
            prev = t;
          }
          let staleFrames = 0;
          let bufferingFrames = 0;
          let skippedFrames = 0;
          let skippedBlocked = 0;
          let skippedUnrefreshed = 0;
          let refreshGaps = 0;
          const index = (t: number) => Math.floor((t - st.startMs) / period + 1e-6);
          let shown = prev ?? 0;
          let lastDrawTick = first - 1;
          for (let i = Math.max(first, 0); first >= 0 && i < ticks.length; i++) {
            if (i > first) refreshGaps += Math.max(0, Math.round((ticks[i]!.at - ticks[i - 1]!.at) / refresh) - 1);
            const t = draws.get(ticks[i]!.at);
            if (t === undefined || t <= shown) {
              staleFrames++;
              if (ticks[i]!.buffering) bufferingFrames++;
              continue;
            }
            const missed = Math.max(0, index(t) - index(shown) - 1);
            // Display frames between this draw and the one before it: the display refreshed
            // and the page did not show the telemetry frames that were due.
            if (i - lastDrawTick > 1) skippedFrames += missed;
            else if (missed > 0 && i > 0 && longTasks.some((lt) => lt.start < ticks[i]!.at && lt.end > ticks[i - 1]!.at)) skippedBlocked += missed;
            else skippedUnrefreshed += missed;
            shown = t;
            lastDrawTick = i;
          }
          const frames = first >= 0 ? ticks.length - first : 0;
          const droppedFrames = speed === 1 ? staleFrames + skippedFrames + skippedBlocked : staleFrames;
          return {
            droppedFrames,
            staleFrames,
            bufferingFrames,
            skippedFrames,
            skippedBlocked,
            skippedUnrefreshed,
            frames,
            seconds,
            refreshGaps,
            longTasks: longTasks.length,
            playerFramesDropped: p.metrics.framesDropped - droppedBefore,
          };
        },
        { speed, seconds: opts.playSeconds, refresh: REFRESH_MS },
      );
    }
    return {
      firstFrameMs,
      longestTaskMs: Math.max(0, ...loadTasks.map((t) => t.duration)),
      seekMs: seeks.seekMs,
      seekTimeouts: seeks.timeouts,
      playerSeekMs: seeks.playerSeekMs,
      dropped,
    };
  } finally {
    await tab.close();
  }
}
