// Test page for packages/client/test/player-browser.test.ts: a client-paced Player (engine in
// its Web Worker) drawing every entity on a canvas once per animation frame, with the player
// exposed on `window.tl` for the test to drive and read.
import { createPlayer } from '../../src/player/index.ts';
import type { Player, PlayerState } from '../../src/player/index.ts';

const params = new URLSearchParams(location.search);
const player: Player = createPlayer({
  url: location.origin,
  timeline: params.get('timeline') ?? 'race',
  mode: 'client',
  prefetchSeconds: Number(params.get('prefetch') ?? 2),
});

const canvas = document.getElementById('track') as HTMLCanvasElement;
const ctx = canvas.getContext('2d')!;
const status = document.getElementById('status')!;
let drawn = 0;

player.onFrame((ev) => {
  const schema = player.schema!;
  const F = schema.fields.length;
  ctx.fillStyle = '#111';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#4cc9f0';
  for (let e = 0; e < schema.entities.length; e++) {
    const x = ev.values[e * F]!;
    const y = ev.values[e * F + 1]!;
    if (Number.isNaN(x) || Number.isNaN(y)) continue;
    ctx.beginPath();
    ctx.arc(320 + x * 0.28, 240 + y * 0.28, 5, 0, Math.PI * 2);
    ctx.fill();
  }
  drawn++;
});

player.state.subscribe((s: PlayerState) => {
  status.textContent = `${s.status} ${s.playing ? 'playing' : 'paused'} ${s.speed}× frame ${s.frame} ${s.timeMs.toFixed(1)} ms`;
});

/** What the test reads: one call returns a consistent snapshot of what is on screen. */
function snapshot(): { state: PlayerState; values: number[] | null; drawn: number } {
  const v = player.values;
  return { state: player.state.get(), values: v ? Array.from(v) : null, drawn };
}

(window as unknown as { tl: unknown }).tl = { player, snapshot };
