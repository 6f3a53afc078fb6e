// The race replay page proper, loaded by main.ts once the player's worker has started: the
// page's state, the globals DevTools, the browser tests and the bench read, and the mount.
import { mount } from 'svelte';
import type { PerfMonitor, Player } from '@tidewire/client/main';
import App from './App.svelte';
import type { RaceSource } from './lib/meta.ts';
import { ReplayState } from './lib/replay.svelte.ts';
import './style.css';

export interface PageStart {
  player: Player;
  perf: PerfMonitor;
  source: RaceSource;
  /** `GET /api/timelines/:name`, started by main.ts. */
  metaRequest: Promise<Response>;
}

export function startPage({ player, perf, source, metaRequest }: PageStart): void {
  const replay = new ReplayState(player, perf, source);
  void replay.loadMeta(fetch, metaRequest);

  // For DevTools, the browser test and the bench.
  (globalThis as { replay?: unknown }).replay = {
    player,
    state: replay,
    /** performance.now() when the cars were first drawn (null before). */
    get firstFrameMs() {
      return replay.firstFrameMs;
    },
    /** The race time on screen: what the last drawn frame showed (null before the first). */
    get shownTimeMs() {
      return replay.shownTimeMs;
    },
    /** fn(shownTimeMs) in every animation frame that draws the cars. */
    onDraw: (fn: (shownTimeMs: number) => void) => replay.onDraw(fn),
    get leaderboardFrame() {
      return replay.leaderboardFrame;
    },
    leaderboard: () => replay.tower.rows.map((r) => r.car.code),
    time: () => player.state.get().timeMs,
    seekLap: (k: number) => replay.seekLap(k),
    select: (code: string) => replay.selectCode(code),
    telemetry: (): unknown => null,
  };

  // Mounted in a task of its own: the module's evaluation and the first render are each a long
  // task on a slow machine; in one they added up to the page's longest (issue 14). Not after the
  // metadata: mounting with it in one task measured a 52–62 ms task in 4 of 8 loads. The skeleton
  // paints meanwhile.
  setTimeout(() => {
    mount(App, { target: document.getElementById('app')!, props: { replay } });
    document.getElementById('skeleton')?.remove();
  }, 0);
}
