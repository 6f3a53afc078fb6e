// One visit of /replay/ (Tidewire only): first frame, seeks, and playing at 1× and 16×.
// Definitions: docs/benchmarks.md, browser suite.
import type { BrowserContext } from 'playwright-core';
import { openTab } from './tree-pages.ts';
import type { LoadProbe } from './probe.ts';

export interface ReplaySample {
  firstFrameMs: number;
  longestTaskMs: number;
  seekMs: number[];
  seekTimeouts: number;
  /** The player's own seek figures (PlayerMetrics.seekMs) for the same seeks. */
  playerSeekMs: number[];
  dropped: Record<'x1' | 'x16', { droppedFrames: number; frames: number; seconds: number; playerFramesDropped: number }>;
}

/** A display refresh at 60 Hz. */
const REFRESH_MS = 1000 / 60;

interface ReplayWindow {
  replay: {
    firstFrameMs: number | null;
    player: {
      seek(t: { frame: number }): void;
      play(): void;
      pause(): void;
      setSpeed(s: number): void;
      onFrame(fn: (ev: { frame: number; timeMs: number }) => void): () => void;
      state: { get(): { frameCount: number; frame: number; playing: boolean } };
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
    // Seeks, paused: from seek() to the animation frame after the player showed the target frame
    // (the page draws in the frame after the player's; the probe's frame comes after that draw).
    const seeks = await page.evaluate(
      async ({ n, seed }) => {
        const p = (window as unknown as ReplayWindow).replay.player;
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
            const off = p.onFrame((ev) => {
              if (ev.frame !== frame) return;
              off();
              clearTimeout(timer);
              requestAnimationFrame(() => requestAnimationFrame((now) => resolve(now)));
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
          const p = (window as unknown as ReplayWindow).replay.player;
          p.seek({ frame: Math.floor(p.state.get().frameCount * 0.3) });
          await new Promise((r) => setTimeout(r, 500));
          p.setSpeed(speed);
          p.play();
          const droppedBefore = p.metrics.framesDropped;
          const frames: number[] = [];
          await new Promise<void>((resolve) => {
            const end = performance.now() + seconds * 1000;
            const tick = (now: number) => {
              frames.push(now);
              if (now < end) requestAnimationFrame(tick);
              else resolve();
            };
            requestAnimationFrame(tick);
          });
          p.pause();
          let droppedFrames = 0;
          for (let i = 1; i < frames.length; i++) droppedFrames += Math.max(0, Math.round((frames[i]! - frames[i - 1]!) / refresh) - 1);
          return { droppedFrames, frames: frames.length, seconds, playerFramesDropped: p.metrics.framesDropped - droppedBefore };
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
