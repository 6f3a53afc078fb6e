// The page's state, composed of one-job parts: the race metadata (race-meta), the transport
// (the client Player's state and commands), the timing tower, the camera and the drawing loop.
// This class holds what they share (the selected car) and the order of one drawn frame:
// sample the player at its time, update the tower, trace and draw the cars under the camera.
import type { PerfMonitor, Player } from '@tidewire/client/main';
import { CameraRig } from './camera.svelte.ts';
import { DrawLoop } from './draw-loop.ts';
import { FrameSampler } from './frame-sampler.ts';
import type { ReplayMeta } from './meta.ts';
import type { RaceSource } from './meta.ts';
import { RaceMeta } from './race-meta.svelte.ts';
import { TimingTower, type TelemetryCursor } from './timing-tower.svelte.ts';
import { TransportState } from './transport.svelte.ts';

export class ReplayState {
  readonly player: Player;
  readonly perf: PerfMonitor;
  readonly race: RaceMeta;
  readonly transport: TransportState;
  readonly tower: TimingTower;
  readonly camera: CameraRig;

  /** The selected car's entity index (-1: none). */
  selected = $state(-1);
  /** performance.now() when cars were first drawn (the bench reads it). */
  firstFrameMs: number | null = null;
  /** The race time the map and tower last showed (null before the first frame with cars). */
  shownTimeMs: number | null = null;
  /** Called after each drawn frame with cars (the bench and tests read what is on screen). */
  private readonly drawListeners = new Set<(shownTimeMs: number) => void>();

  private readonly sampler: FrameSampler;
  private readonly loop: DrawLoop;
  private readonly offs: (() => void)[] = [];

  constructor(player: Player, perf: PerfMonitor, source: RaceSource) {
    this.player = player;
    this.perf = perf;
    this.race = new RaceMeta(source, (meta) => this.onMeta(meta));
    this.tower = new TimingTower(this);
    this.camera = new CameraRig();
    this.sampler = new FrameSampler(player);
    this.loop = new DrawLoop(
      () => this.drawFrame(),
      () => this.camera.resized(),
    );
    this.transport = new TransportState(player, {
      onPlayingChange: () => this.tower.refreshText(),
      onSeek: () => this.tower.refreshText(),
      onPaused: () => this.loop.invalidate(),
    });
    this.offs.push(player.state.subscribe((s) => this.transport.apply(s)));
    // The player ticks on its own animation frame; we draw on ours, with the time it showed.
    this.offs.push(player.onFrame(() => this.loop.invalidate()));
  }

  /** `fn(shownTimeMs)` after every drawn frame with cars, in the animation frame that paints it; returns the unsubscribe. */
  onDraw(fn: (shownTimeMs: number) => void): () => void {
    this.drawListeners.add(fn);
    return () => this.drawListeners.delete(fn);
  }

  /** The frame the timing tower's texts were computed for. */
  get leaderboardFrame(): number {
    return this.tower.leaderboardFrame;
  }

  loadMeta(fetchImpl: typeof fetch = fetch, requested?: Promise<Response>): Promise<void> {
    return this.race.load(fetchImpl, requested);
  }

  private onMeta(meta: ReplayMeta): void {
    this.tower.setCars(meta.cars);
    this.transport.defaultEnd(meta.durationMs);
    this.loop.view?.setGeometry(meta.track);
    this.camera.reset();
    this.loop.invalidate();
  }

  attachCanvas(canvas: HTMLCanvasElement): () => void {
    const detach = this.loop.attach(canvas);
    if (this.race.meta) this.loop.view!.setGeometry(this.race.meta.track);
    return detach;
  }

  /** One frame, at the time the player shows. */
  private drawFrame(): void {
    const view = this.loop.view;
    const meta = this.race.meta;
    if (!view || !meta) return;
    const s = this.player.state.get();
    const t0 = performance.now();
    this.loop.fit(view);
    const values = this.sampler.sample(s.timeMs);
    const carCols = this.sampler.carCols;
    if (values && this.sampler.cols) this.tower.update(values, this.sampler, s.frame, t0);
    if (values && carCols && !meta.track) view.traceCars(values, carCols, meta.cars.length);
    const cam = this.camera.frame(view, values, carCols, this.selected, t0);
    view.draw(cam, values, carCols, meta.cars, this.tower.order, this.selected);
    if (values) {
      this.shownTimeMs = s.timeMs;
      if (this.firstFrameMs === null) {
        this.firstFrameMs = performance.now();
        performance.mark('replay:first-frame');
      }
      for (const fn of this.drawListeners) fn(s.timeMs);
    }
    if (this.camera.moving) this.loop.invalidate();
    this.perf.recordMainWork(performance.now() - t0);
  }

  // ---- interaction ---------------------------------------------------------------------

  select(entity: number): void {
    const n = this.race.cars.length;
    const e = entity >= 0 && entity < n ? entity : -1;
    if (e === this.selected) return;
    this.selected = e;
    if (e < 0) this.camera.follow = false;
    this.camera.retarget();
    this.tower.refreshText();
    this.loop.invalidate();
  }

  selectCode(code: string): boolean {
    const car = this.race.carByCode(code);
    if (!car) return false;
    this.select(car.index);
    return true;
  }

  toggleFollow(on = !this.camera.follow): void {
    if (on && this.selected < 0) return;
    this.camera.setFollow(on);
    this.loop.invalidate();
  }

  zoomBy(factor: number): void {
    this.camera.zoomBy(factor);
    this.loop.invalidate();
  }

  pick(px: number, py: number): void {
    const e = this.loop.view?.pick(px, py) ?? -1;
    if (e >= 0) this.select(e);
  }

  seekLap(k: number): boolean {
    const ms = this.race.lapStartMs(k);
    if (ms === null) return false;
    this.transport.seekMs(ms);
    return true;
  }

  /** Telemetry registers how to move its cursor (every drawn frame while a driver is selected). */
  onCursor(fn: TelemetryCursor | null): void {
    this.tower.onCursor(fn);
    this.loop.invalidate();
  }

  /** Lap window of the selected car's lap `lap` (telemetry). */
  lapWindow(lap: number): { startSec: number; endSec: number | null } | null {
    return this.race.lapWindow(this.selected, lap);
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.loop.close();
  }
}
