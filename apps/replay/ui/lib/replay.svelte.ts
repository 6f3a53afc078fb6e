// The page's state: the race metadata (REST), the player's transport state, the timing tower and
// the selected driver, plus the display loop. Frames are drawn only from requestAnimationFrame:
// every reason to draw (a new frame shown by the player, a resize, a selection, a camera move)
// schedules one callback, which samples player.frameAt at the player's time and draws. The DOM is touched sparingly: rows are
// re-ordered only when the running order changes, and their texts are refreshed at most five
// times a second while playing (at once when paused, so a paused screen is exact).
import type { PerfMonitor, Player, PlayerState } from '@tidewire/client/main';
import { columnsOf, rowText, runningOrder, STATUS, type Columns, type RowText } from './leaderboard.ts';
import { lapLengthM, lapWindow, parseReplayMeta, type Car, type ReplayMeta } from './meta.ts';
import { TrackView, type Camera, type CarColumns } from './track-view.ts';

/** Row texts while playing are refreshed this often (ms). */
const TEXT_EVERY_MS = 200;
/** Follow camera: metres across the smaller side of the map at zoom 1. */
const FOLLOW_SPAN_M = 360;
/** Camera moves settle with this time constant (ms). */
const CAMERA_TAU_MS = 140;

export class Row {
  readonly car: Car;
  pos = $state('');
  gap = $state('');
  interval = $state('');
  lap = $state('');
  status = $state('');

  constructor(car: Car) {
    this.car = car;
  }

  set(pos: string, t: RowText): void {
    if (this.pos !== pos) this.pos = pos;
    if (this.gap !== t.gap) this.gap = t.gap;
    if (this.interval !== t.interval) this.interval = t.interval;
    if (this.lap !== t.lap) this.lap = t.lap;
    if (this.status !== t.status) this.status = t.status;
  }
}

/** The selected car's live numbers (the driver card). */
export interface CarReadout {
  speed: number;
  gear: number;
  throttle: number;
  brake: boolean;
  drs: boolean;
  lap: number;
  status: number;
  /** Metres into the current lap (NaN unknown). */
  lapDistance: number;
}

type TelemetryCursor = (lap: number, lapDistance: number, timeMs: number) => void;

export class ReplayState {
  readonly player: Player;
  readonly perf: PerfMonitor;
  readonly timeline: string;
  readonly httpBase: string;
  readonly token: string | undefined;

  meta = $state.raw<ReplayMeta | null>(null);
  metaError = $state<string | null>(null);
  // Transport (from player.state).
  ready = $state(false);
  playing = $state(false);
  speed = $state(1);
  timeMs = $state(0);
  startMs = $state(0);
  endMs = $state(0);
  buffered = $state.raw<{ startMs: number; endMs: number }[]>([]);
  buffering = $state(false);
  seeking = $state(false);
  liveTimeline = $state(false);
  live = $state(false);
  connection = $state('idle');
  error = $state<string | null>(null);
  // Timing tower.
  rows = $state.raw<Row[]>([]);
  leaderLap = $state<number | null>(null);
  // Selection and camera.
  selected = $state(-1);
  follow = $state(false);
  zoom = $state(1);
  readout = $state.raw<CarReadout | null>(null);

  /** performance.now() when cars were first drawn (the bench reads it). */
  firstFrameMs: number | null = null;
  /** The frame the timing tower's texts were computed for. */
  leaderboardFrame = -1;

  private view: TrackView | null = null;
  private cssW = 0;
  private cssH = 0;
  private cols: Columns | null = null;
  private carCols: CarColumns | null = null;
  private readoutCols: Record<string, number> = {};
  private values: Float64Array | null = null;
  private readonly order: number[] = [];
  private rowByEntity: Row[] = [];
  private readonly text: RowText = { gap: '', interval: '', lap: '', status: '' };
  private lastTextAt = Number.NEGATIVE_INFINITY;
  private cam: Camera | null = null;
  private camMoving = false;
  private lastDrawAt = 0;
  private raf = 0;
  private cursor: TelemetryCursor | null = null;
  private readonly offs: (() => void)[] = [];

  constructor(player: Player, perf: PerfMonitor, opts: { timeline: string; httpBase: string; token?: string }) {
    this.player = player;
    this.perf = perf;
    this.timeline = opts.timeline;
    this.httpBase = opts.httpBase;
    this.token = opts.token;
    this.offs.push(player.state.subscribe((s) => this.onPlayerState(s)));
    // The player ticks on its own animation frame; we draw on ours, with the time it showed.
    this.offs.push(player.onFrame(() => this.invalidate()));
  }

  // ---- metadata ------------------------------------------------------------------------

  /** Fetches `GET /api/timelines/:name` (the browser's HTTP cache keeps it: ETag + max-age). */
  async loadMeta(fetchImpl: typeof fetch = fetch): Promise<void> {
    try {
      const res = await fetchImpl(`${this.httpBase}/api/timelines/${encodeURIComponent(this.timeline)}`, {
        headers: { accept: 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      });
      if (!res.ok) throw new Error(`GET /api/timelines/${this.timeline}: HTTP ${res.status}`);
      this.setMeta(parseReplayMeta(await res.json(), this.timeline));
    } catch (err) {
      this.metaError = (err as Error).message;
    }
  }

  setMeta(meta: ReplayMeta): void {
    this.meta = meta;
    this.rowByEntity = meta.cars.map((c) => new Row(c));
    this.rows = this.rowByEntity.slice();
    if (this.endMs === 0) this.endMs = meta.durationMs;
    this.view?.setGeometry(meta.track);
    this.cam = null;
    this.invalidate();
  }

  // ---- canvas --------------------------------------------------------------------------

  attachCanvas(canvas: HTMLCanvasElement): () => void {
    this.view = new TrackView(canvas);
    if (this.meta) this.view.setGeometry(this.meta.track);
    const ro = new ResizeObserver((entries) => {
      const r = entries[0]!.contentRect;
      this.cssW = r.width;
      this.cssH = r.height;
      this.cam = this.camMoving || this.follow ? this.cam : null;
      this.invalidate();
    });
    ro.observe(canvas);
    return () => {
      ro.disconnect();
      this.view = null;
    };
  }

  /** Schedules one draw at the next animation frame (paused screens, selection, resize). */
  invalidate(): void {
    if (this.raf !== 0) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      const s = this.player.state.get();
      this.draw(s.timeMs, s.frame);
    });
  }

  private draw(timeMs: number, frame: number): void {
    const view = this.view;
    const meta = this.meta;
    if (!view || !meta) return;
    const t0 = performance.now();
    view.resize(this.cssW || view.canvas.clientWidth, this.cssH || view.canvas.clientHeight, devicePixelRatio);
    const values = this.sample(timeMs);
    if (values && this.cols) this.updateTower(values, frame, t0);
    if (values && this.carCols && !meta.track) view.traceCars(values, this.carCols, meta.cars.length);
    const cam = this.camera(values, t0);
    view.draw(cam, values, this.carCols, meta.cars, this.order, this.selected);
    if (values && this.firstFrameMs === null) {
      this.firstFrameMs = performance.now();
      performance.mark('replay:first-frame');
    }
    if (this.camMoving) this.invalidate();
    this.perf.recordMainWork(performance.now() - t0);
  }

  /** Interpolated values at `timeMs` (player.frameAt, into one reused array). */
  private sample(timeMs: number): Float64Array | null {
    const schema = this.player.schema;
    if (!schema) return null;
    const cells = schema.entities.length * schema.fields.length;
    if (!this.values || this.values.length !== cells) {
      this.values = new Float64Array(cells);
      const fi = (n: string) => this.player.fieldIndex(n);
      const F = schema.fields.length;
      this.cols = columnsOf(fi, F);
      this.carCols = { fields: F, x: fi('x'), y: fi('y'), status: fi('status') };
      this.readoutCols = Object.fromEntries(['speed', 'gear', 'throttle', 'brake', 'drs', 'lap', 'status', 'distance'].map((n) => [n, fi(n)]));
    }
    return this.player.frameAt(timeMs, this.values);
  }

  private updateTower(v: Float64Array, frame: number, now: number): void {
    const c = this.cols!;
    const cars = this.rowByEntity.length;
    if (cars === 0 || c.fields * cars !== v.length) return;
    const changed = runningOrder(v, c, cars, this.order);
    if (changed) this.rows = this.order.map((e) => this.rowByEntity[e]!);
    if (!changed && this.playing && now - this.lastTextAt < TEXT_EVERY_MS) {
      this.moveCursor(v);
      return;
    }
    this.lastTextAt = now;
    const lapM = lapLengthM(this.meta);
    for (let r = 0; r < this.order.length; r++) {
      const e = this.order[r]!;
      const pos = c.position >= 0 ? v[e * c.fields + c.position]! : Number.NaN;
      this.rowByEntity[e]!.set(pos === pos ? String(pos) : '', rowText(v, c, this.order, r, lapM, this.text));
    }
    const leader = this.order[0];
    const lap = leader !== undefined && c.lap >= 0 ? v[leader * c.fields + c.lap]! : Number.NaN;
    const leaderLap = lap === lap ? lap : null;
    if (this.leaderLap !== leaderLap) this.leaderLap = leaderLap;
    this.leaderboardFrame = frame;
    const readout = this.readCar(v);
    this.readout = readout;
    this.moveCursor(v, readout);
  }

  private readCar(v: Float64Array): CarReadout | null {
    const e = this.selected;
    const schema = this.player.schema;
    if (e < 0 || !schema) return null;
    const F = schema.fields.length;
    const get = (n: string) => (this.readoutCols[n]! >= 0 ? v[e * F + this.readoutCols[n]!]! : Number.NaN);
    const lap = get('lap');
    const lapM = lapLengthM(this.meta);
    const d = get('distance');
    return {
      speed: get('speed'),
      gear: get('gear'),
      throttle: get('throttle'),
      brake: get('brake') === 1,
      drs: get('drs') === 1,
      lap,
      status: get('status'),
      lapDistance: lapM && lap === lap && d === d ? d - (Math.max(1, lap) - 1) * lapM : Number.NaN,
    };
  }

  /** `readout`: the selected car's, when the caller has just read it from `v`. */
  private moveCursor(v: Float64Array, readout?: CarReadout | null): void {
    if (!this.cursor || this.selected < 0) return;
    const r = readout === undefined ? this.readCar(v) : readout;
    if (r) this.cursor(r.lap, r.lapDistance, this.timeMs);
  }

  /** Telemetry registers how to move its cursor (every drawn frame while a driver is selected). */
  onCursor(fn: TelemetryCursor | null): void {
    this.cursor = fn;
    this.invalidate();
  }

  private camera(v: Float64Array | null, now: number): Camera {
    const view = this.view!;
    const overview = view.overview();
    let target = overview;
    const e = this.selected;
    if (this.follow && e >= 0 && v && this.carCols) {
      const x = v[e * this.carCols.fields + this.carCols.x]!;
      const y = v[e * this.carCols.fields + this.carCols.y]!;
      if (x === x && y === y) {
        const { width, height } = view.size;
        target = { cx: x, cy: y, scale: Math.max(overview.scale, (Math.min(width, height) / FOLLOW_SPAN_M) * this.zoom) };
      }
    }
    const dt = Math.min(100, Math.max(0, now - this.lastDrawAt));
    this.lastDrawAt = now;
    if (!this.cam || !this.camMoving) {
      this.cam = target;
      return target;
    }
    // Ease towards the target in log-scale for zoom, linearly in screen space for the centre.
    const k = 1 - Math.exp(-dt / CAMERA_TAU_MS);
    const c = this.cam;
    const scale = Math.exp(Math.log(c.scale) + (Math.log(target.scale) - Math.log(c.scale)) * k);
    const cx = c.cx + (target.cx - c.cx) * k;
    const cy = c.cy + (target.cy - c.cy) * k;
    const settled = Math.abs(Math.log(scale / target.scale)) < 0.01 && Math.hypot(cx - target.cx, cy - target.cy) * scale < 0.5;
    this.cam = settled ? target : { cx, cy, scale };
    if (settled) this.camMoving = false;
    return this.cam;
  }

  // ---- interaction ---------------------------------------------------------------------

  select(entity: number): void {
    const n = this.meta?.cars.length ?? 0;
    const e = entity >= 0 && entity < n ? entity : -1;
    if (e === this.selected) return;
    this.selected = e;
    if (e < 0) this.follow = false;
    this.camMoving = true;
    this.lastTextAt = Number.NEGATIVE_INFINITY;
    this.invalidate();
  }

  selectCode(code: string): boolean {
    const car = this.meta?.cars.find((c) => c.code === code);
    if (!car) return false;
    this.select(car.index);
    return true;
  }

  toggleFollow(on = !this.follow): void {
    if (on && this.selected < 0) return;
    this.follow = on;
    this.camMoving = true;
    this.invalidate();
  }

  zoomBy(factor: number): void {
    this.zoom = Math.min(8, Math.max(0.25, this.zoom * factor));
    if (this.follow) this.camMoving = true;
    this.invalidate();
  }

  pick(px: number, py: number): void {
    const e = this.view?.pick(px, py) ?? -1;
    if (e >= 0) this.select(e);
  }

  togglePlay(): void {
    if (this.player.state.get().playing) this.player.pause();
    else this.player.play();
  }

  seekMs(ms: number): void {
    this.lastTextAt = Number.NEGATIVE_INFINITY;
    this.player.seek(Math.max(this.startMs, Math.min(this.endMs, ms)));
  }

  /** Start of lap k: one frame after the first car crosses the line, so it reads lap k. */
  lapStartMs(k: number): number | null {
    const meta = this.meta;
    const t = meta?.leaderLapStartSec[k - 1];
    if (!meta || t === undefined) return null;
    return t * 1000 + 1000 / meta.rateHz;
  }

  seekLap(k: number): boolean {
    const ms = this.lapStartMs(k);
    if (ms === null) return false;
    this.seekMs(ms);
    return true;
  }

  step(frames: number): void {
    this.player.step(frames);
  }

  /** Lap window of the selected car's lap `lap` (telemetry). */
  lapWindow(lap: number): { startSec: number; endSec: number | null } | null {
    return this.meta && this.selected >= 0 ? lapWindow(this.meta, this.selected, lap) : null;
  }

  private onPlayerState(s: PlayerState): void {
    this.ready = s.status === 'ready';
    if (this.playing !== s.playing) {
      this.playing = s.playing;
      this.lastTextAt = Number.NEGATIVE_INFINITY;
    }
    this.speed = s.speed;
    this.timeMs = s.timeMs;
    if (s.frameCount > 0) {
      this.startMs = s.startMs;
      this.endMs = s.endMs;
    }
    if (this.buffered !== s.buffered) this.buffered = s.buffered;
    this.buffering = s.buffering;
    this.seeking = s.seeking;
    this.liveTimeline = s.liveTimeline;
    this.live = s.live;
    this.connection = s.connection;
    this.error = s.error ? `${s.error.code}: ${s.error.message}` : null;
    // A pause shows exact texts for the frame on screen.
    if (!s.playing) this.invalidate();
  }

  /** Statuses by name for the templates. */
  readonly STATUS = STATUS;

  close(): void {
    for (const off of this.offs.splice(0)) off();
    if (this.raf !== 0) cancelAnimationFrame(this.raf);
  }
}
