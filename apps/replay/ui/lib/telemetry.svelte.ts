// The selected driver's telemetry over their current lap: speed, throttle and brake against
// metres into the lap, drawn by uPlot. This module and uPlot load only when a driver is first
// selected (App imports Telemetry.svelte dynamically), so the first page load does not pay for
// them. The lap's frames come from a worker (telemetry-worker.ts); a cursor line follows the car.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { lapLengthM } from './meta.ts';
import type { ReplayState } from './replay.svelte.ts';
import type { TelemetryReply, TelemetryRequest } from './telemetry-messages.ts';

/** A lap still being written (live) is read again this often (ms). */
const OPEN_LAP_REFRESH_MS = 2000;
/** Without lap times, this much history (frames at 25 Hz: 2 min) is searched for the current lap. */
const HISTORY_FRAMES = 3000;

export class TelemetryState {
  status = $state<'idle' | 'loading' | 'ready' | 'error'>('idle');
  message = $state('');
  lap = $state<number | null>(null);
  points = $state(0);

  private readonly replay: ReplayState;
  private readonly worker: Worker;
  private seq = 0;
  private wanted: { entity: number; lap: number } | null = null;
  private loaded: { entity: number; lap: number; open: boolean; at: number } | null = null;
  private plot: uPlot | null = null;
  private line: HTMLDivElement | null = null;
  private xIsDistance = true;

  constructor(replay: ReplayState) {
    this.replay = replay;
    this.worker = new Worker(new URL('./telemetry-worker.ts', import.meta.url), { type: 'module', name: 'replay-telemetry' });
    this.worker.onmessage = (ev: MessageEvent<TelemetryReply>) => this.onReply(ev.data);
  }

  /** Loads lap `lap` of car `entity` unless it is what the chart shows (or is loading). */
  request(entity: number, lap: number): void {
    if (!(entity >= 0) || !(lap >= 1) || !Number.isInteger(lap)) return;
    const schema = this.replay.player.schema;
    const meta = this.replay.race.meta;
    if (!schema || !meta) return;
    const now = performance.now();
    const l = this.loaded;
    const same = (x: { entity: number; lap: number } | null) => x !== null && x.entity === entity && x.lap === lap;
    if (same(this.wanted) && this.status === 'loading') return;
    if (same(l) && !(l!.open && now - l!.at > OPEN_LAP_REFRESH_MS)) return;
    const rate = schema.rateHz;
    const lastFrame = Math.max(0, Math.round((this.replay.transport.endMs / 1000) * rate));
    const win = this.replay.lapWindow(lap);
    let from: number;
    let to: number;
    let open: boolean;
    if (win) {
      from = Math.floor(win.startSec * rate);
      // Only a live timeline's open lap grows; a replay's unfinished lap (a retirement) is final.
      open = win.endSec === null && meta.live;
      to = win.endSec !== null ? Math.ceil(win.endSec * rate) : lastFrame;
    } else {
      const current = Math.round((this.replay.transport.timeMs / 1000) * rate);
      from = Math.max(0, current - HISTORY_FRAMES);
      to = current;
      open = true;
    }
    to = Math.min(to, lastFrame);
    if (to < from) return;
    this.wanted = { entity, lap };
    this.status = 'loading';
    const req: TelemetryRequest = {
      id: ++this.seq,
      base: this.replay.race.httpBase,
      timeline: this.replay.race.timeline,
      ...(this.replay.race.token ? { token: this.replay.race.token } : {}),
      schema: { name: schema.name, rateHz: schema.rateHz, fields: schema.fields, entities: schema.entities },
      entity,
      lap,
      from,
      to,
      lapLengthM: lapLengthM(meta),
    };
    this.loaded = { entity, lap, open, at: now };
    this.worker.postMessage(req);
  }

  private onReply(r: TelemetryReply): void {
    if (r.id !== this.seq) return; // an older request: a newer one is on its way
    if (!r.ok) {
      this.status = 'error';
      this.message = r.message;
      this.loaded = null;
      return;
    }
    this.lap = r.lap;
    this.points = r.x.length;
    this.xIsDistance = r.xIsDistance;
    this.plot?.setData([r.x, r.speed, r.throttle, r.brake]);
    this.status = 'ready';
  }

  /** Creates the chart in `el`; returns what removes it. */
  attach(el: HTMLElement): () => void {
    const width = Math.max(200, el.clientWidth);
    const axis = { stroke: '#858e9c', grid: { stroke: '#242932', width: 1 }, ticks: { stroke: '#2a2f37', width: 1 }, font: '10px system-ui, sans-serif' };
    const plot = new uPlot(
      {
        width,
        height: 170,
        padding: [6, 4, 0, 0],
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false }, kmh: { range: [0, 360] }, pct: { range: [0, 104] } },
        axes: [
          { ...axis, values: (_u, ticks) => ticks.map((v) => (this.xIsDistance ? `${Math.round(v)} m` : `${v.toFixed(0)} s`)) },
          { ...axis, scale: 'kmh', size: 34 },
          { ...axis, scale: 'pct', side: 1, size: 30, grid: { show: false } },
        ],
        series: [
          {},
          { label: 'speed km/h', scale: 'kmh', stroke: '#4cc9f0', width: 1.5 },
          { label: 'throttle %', scale: 'pct', stroke: '#37d67a', width: 1 },
          { label: 'brake', scale: 'pct', stroke: '#ff4d5e', width: 1, fill: 'rgba(255, 77, 94, 0.18)', paths: uPlot.paths.stepped!({ align: 1 }) },
        ],
      },
      [[], [], [], []],
      el,
    );
    const line = document.createElement('div');
    line.className = 'tel-cursor';
    line.dataset.testid = 'telemetry-cursor';
    plot.over.appendChild(line);
    this.plot = plot;
    this.line = line;
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: 170 }));
    ro.observe(el);
    this.replay.onCursor((lap, lapDistance, timeMs) => this.moveCursor(lap, lapDistance, timeMs));
    return () => {
      this.replay.onCursor(null);
      ro.disconnect();
      plot.destroy();
      this.plot = null;
      this.line = null;
    };
  }

  private moveCursor(lap: number, lapDistance: number, _timeMs: number): void {
    const plot = this.plot;
    const line = this.line;
    if (!plot || !line) return;
    const x = this.xIsDistance ? lapDistance : Number.NaN;
    const px = lap === this.lap && x === x ? plot.valToPos(x, 'x') : Number.NaN;
    if (px === px && px >= 0 && px <= plot.over.clientWidth) {
      line.style.transform = `translateX(${px.toFixed(1)}px)`;
      line.style.display = 'block';
    } else line.style.display = 'none';
  }

  /** What the browser test reads. */
  snapshot(): { status: string; lap: number | null; points: number; xMin: number; xMax: number; entity: number | null } {
    const x = this.plot?.data[0] as ArrayLike<number> | undefined;
    return {
      status: this.status,
      lap: this.lap,
      points: this.points,
      xMin: x && x.length > 0 ? x[0]! : Number.NaN,
      xMax: x && x.length > 0 ? x[x.length - 1]! : Number.NaN,
      entity: this.loaded?.entity ?? null,
    };
  }

  close(): void {
    this.worker.terminate();
  }
}
