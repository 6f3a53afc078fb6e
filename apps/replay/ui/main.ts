// The race replay page. The metadata fetch starts first (the track draws as soon as it lands);
// the player's engine (HTTP segments, WebSocket, decoding) runs in its own worker, so the page
// bundle holds no codec. `?mode=server` switches to server-paced playback, `?timeline=NAME`
// plays another timeline channel, `?access_token=` is passed on to the server.
import { mount } from 'svelte';
import { createPlayer, PerfMonitor } from '@tidewire/client/main';
import App from './App.svelte';
import { timelineFromQuery } from './lib/format.ts';
import { ReplayState } from './lib/replay.svelte.ts';
import './style.css';

const params = new URLSearchParams(location.search);
const timeline = timelineFromQuery(params.get('timeline'));
const mode = params.get('mode') === 'server' ? 'server' : 'client';
const token = params.get('access_token') || undefined;

const perf = new PerfMonitor();
perf.observeLongTasks();
perf.start();
const player = createPlayer({
  url: location.origin,
  timeline,
  mode,
  perf,
  clientName: 'tidewire-replay',
  // The telemetry chart and scrubbing back read recent frames: keep half a minute behind.
  keepBehindSeconds: 30,
  ...(token ? { token } : {}),
});
const replay = new ReplayState(player, perf, { timeline, httpBase: location.origin, ...(token ? { token } : {}) });
void replay.loadMeta();

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

// Mounted in a task of its own: the module's evaluation (every import, and the work started
// above) and the first render are each a long task on a slow machine; in one they added up to
// the page's longest (issue 14). The skeleton paints meanwhile.
setTimeout(() => {
  mount(App, { target: document.getElementById('app')!, props: { replay } });
  document.getElementById('skeleton')?.remove();
}, 0);
