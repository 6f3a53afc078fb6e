// The timing tower: running order, positions, gaps, intervals, laps and statuses, and the
// selected car's readout, from one frame of values. The DOM is touched sparingly: rows are
// re-ordered only when the running order changes, and their texts are refreshed at most five
// times a second while playing (at once when paused, so a paused screen is exact).
import { readCar, type CarReadout } from './car-readout.ts';
import { rowText, runningOrder, type RowText } from './leaderboard.ts';
import type { FrameSampler } from './frame-sampler.ts';
import type { Car } from './meta.ts';

/** Row texts while playing are refreshed this often (ms). */
const TEXT_EVERY_MS = 200;

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

/** Telemetry's cursor: moved on every drawn frame while a driver is selected. */
export type TelemetryCursor = (lap: number, lapDistance: number, timeMs: number) => void;

/** What the tower reads of the page on each frame (the page's state object). */
export interface TowerSource {
  readonly selected: number;
  readonly transport: { readonly playing: boolean; readonly timeMs: number };
  readonly race: { lapLengthM(): number | null };
}

export class TimingTower {
  rows = $state.raw<Row[]>([]);
  leaderLap = $state<number | null>(null);
  readout = $state.raw<CarReadout | null>(null);
  /** The frame the texts were computed for (the browser test reads it). */
  leaderboardFrame = -1;
  /** Entities in running order (the map draws the leader last). */
  readonly order: number[] = [];

  private readonly source: TowerSource;
  private rowByEntity: Row[] = [];
  private readonly text: RowText = { gap: '', interval: '', lap: '', status: '' };
  private lastTextAt = Number.NEGATIVE_INFINITY;
  private cursor: TelemetryCursor | null = null;

  constructor(source: TowerSource) {
    this.source = source;
  }

  setCars(cars: readonly Car[]): void {
    this.rowByEntity = cars.map((c) => new Row(c));
    this.rows = this.rowByEntity.slice();
  }

  /** The next frame refreshes every text, whatever the pace (a seek, a selection, play/pause). */
  refreshText(): void {
    this.lastTextAt = Number.NEGATIVE_INFINITY;
  }

  onCursor(fn: TelemetryCursor | null): void {
    this.cursor = fn;
  }

  update(v: Float64Array, s: FrameSampler, frame: number, now: number): void {
    const c = s.cols!;
    const cars = this.rowByEntity.length;
    if (cars === 0 || c.fields * cars !== v.length) return;
    const changed = runningOrder(v, c, cars, this.order);
    if (changed) this.rows = this.order.map((e) => this.rowByEntity[e]!);
    if (!changed && this.source.transport.playing && now - this.lastTextAt < TEXT_EVERY_MS) {
      this.moveCursor(v, s);
      return;
    }
    this.lastTextAt = now;
    const lapM = this.source.race.lapLengthM();
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
    const readout = this.readSelected(v, s);
    this.readout = readout;
    this.moveCursor(v, s, readout);
  }

  private readSelected(v: Float64Array, s: FrameSampler): CarReadout | null {
    const e = this.source.selected;
    if (e < 0 || !s.readoutCols) return null;
    return readCar(v, s.readoutCols, e, this.source.race.lapLengthM());
  }

  /** `readout`: the selected car's, when the caller has just read it from `v`. */
  private moveCursor(v: Float64Array, s: FrameSampler, readout?: CarReadout | null): void {
    if (!this.cursor || this.source.selected < 0) return;
    const r = readout === undefined ? this.readSelected(v, s) : readout;
    if (r) this.cursor(r.lap, r.lapDistance, this.source.transport.timeMs);
  }
}
