// The track map on a canvas: the circuit (with DRS zones), the pit lane, the start/finish line
// and every car as a team-coloured marker with its code. Geometry is turned into Path2Ds once;
// a draw is one transform and a few strokes, then the cars in screen space. devicePixelRatio-
// aware: the backing store is CSS size × dpr and everything is drawn in CSS pixels.
import type { Car, TrackGeometry } from './meta.ts';

export interface Camera {
  /** World point (m) at the centre of the canvas. */
  cx: number;
  cy: number;
  /** CSS pixels per metre. */
  scale: number;
}

export interface CarColumns {
  fields: number;
  x: number;
  y: number;
  status: number;
}

const BG = '#0c0e12';
const KERB = '#3b424d';
const ASPHALT = '#252a32';
const DRS = 'rgba(55, 214, 122, 0.35)';
const PIT = '#5c6573';
const LABEL = '#e8edf4';
const HALO = 'rgba(8, 10, 13, 0.9)';
/** Points of a traced path (8 m apart: a 5 km lap is ~600). */
const TRACE_MAX = 4000;

/** Polyline arc length (closed when `closed`), cumulative per point. */
function cumulative(points: Float64Array, closed: boolean): { cum: Float64Array; total: number } {
  const n = points.length / 2;
  const cum = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) {
    if (i === n && !closed) {
      cum[i] = cum[i - 1]!;
      break;
    }
    const j = i % n;
    cum[i] = cum[i - 1]! + Math.hypot(points[2 * j]! - points[2 * (i - 1)]!, points[2 * j + 1]! - points[2 * (i - 1) + 1]!);
  }
  return { cum, total: cum[n]! };
}

function polylinePath(points: Float64Array, closed: boolean): Path2D {
  const p = new Path2D();
  p.moveTo(points[0]!, points[1]!);
  for (let i = 2; i < points.length; i += 2) p.lineTo(points[i]!, points[i + 1]!);
  if (closed) p.closePath();
  return p;
}

/** The part of a closed polyline between arc lengths s0 and s1 (wrapping past the end). */
export function arcPath(points: Float64Array, cum: Float64Array, total: number, s0: number, s1: number): Path2D {
  const n = points.length / 2;
  const p = new Path2D();
  const len = (((s1 - s0) % total) + total) % total;
  const pointAt = (s: number): [number, number] => {
    const u = ((s % total) + total) % total;
    let i = 0;
    while (i < n - 1 && cum[i + 1]! < u) i++;
    const j = (i + 1) % n;
    const seg = cum[i + 1]! - cum[i]!;
    const t = seg > 0 ? (u - cum[i]!) / seg : 0;
    return [points[2 * i]! + (points[2 * j]! - points[2 * i]!) * t, points[2 * i + 1]! + (points[2 * j + 1]! - points[2 * i + 1]!) * t];
  };
  const [x0, y0] = pointAt(s0);
  p.moveTo(x0, y0);
  // Walk the vertices strictly inside the arc, then the end point.
  const start = ((s0 % total) + total) % total;
  for (let k = 1; k <= n; k++) {
    const idx = k % n;
    let s = cum[idx]! - start;
    if (s <= 0) s += total;
    if (s >= len) break;
    p.lineTo(points[2 * idx]!, points[2 * idx + 1]!);
  }
  const [x1, y1] = pointAt(s0 + len);
  p.lineTo(x1, y1);
  return p;
}

export class TrackView {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private width = 0;
  private height = 0;
  private dpr = 1;
  private track: Path2D | null = null;
  private pit: Path2D | null = null;
  private drs: Path2D[] = [];
  private bounds = { minX: -500, minY: -500, maxX: 500, maxY: 500 };
  private startFinish: TrackGeometry['startFinish'] = null;
  /** Without geometry (a live feed): the path of the first car drawn, traced as it drives. */
  private trace: number[] = [];
  private traced: Path2D | null = null;
  private traceBounds = false;
  /** Screen positions of the cars last drawn (NaN: not drawn), for picking. */
  private screen = new Float64Array(0);

  constructor(canvas: HTMLCanvasElement) {
    this.canvas = canvas;
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('no 2D canvas context');
    this.ctx = ctx;
  }

  setGeometry(track: TrackGeometry | null): void {
    if (!track) return;
    const pts = track.points;
    this.track = polylinePath(pts, true);
    this.pit = track.pitLane ? polylinePath(track.pitLane, false) : null;
    this.startFinish = track.startFinish;
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    for (let i = 0; i < pts.length; i += 2) {
      minX = Math.min(minX, pts[i]!);
      maxX = Math.max(maxX, pts[i]!);
      minY = Math.min(minY, pts[i + 1]!);
      maxY = Math.max(maxY, pts[i + 1]!);
    }
    this.bounds = { minX, minY, maxX, maxY };
    const { cum, total } = cumulative(pts, true);
    // DRS zones are in official metres; the polyline is the lap stretched uniformly (§3.4).
    const k = track.lengthM && track.lengthM > 0 ? total / track.lengthM : 1;
    this.drs = total > 0 ? track.drsZones.map((z) => arcPath(pts, cum, total, z.startM * k, z.endM * k)) : [];
  }

  /**
   * A timeline without track geometry (the UDP feed): grows the view to hold every car and
   * traces one car's path, so the circuit appears after a lap. Capped; cheap per frame.
   */
  traceCars(v: Float64Array, c: CarColumns, cars: number): void {
    if (this.track) return;
    let leader = true;
    for (let e = 0; e < cars; e++) {
      const x = v[e * c.fields + c.x]!;
      const y = v[e * c.fields + c.y]!;
      if (!(x === x && y === y)) continue;
      if (!this.traceBounds) {
        this.traceBounds = true;
        this.bounds = { minX: x - 50, minY: y - 50, maxX: x + 50, maxY: y + 50 };
      }
      const bb = this.bounds;
      bb.minX = Math.min(bb.minX, x - 20);
      bb.maxX = Math.max(bb.maxX, x + 20);
      bb.minY = Math.min(bb.minY, y - 20);
      bb.maxY = Math.max(bb.maxY, y + 20);
      if (!leader) continue;
      leader = false;
      const t = this.trace;
      const n = t.length;
      if (n < 2 * TRACE_MAX && (n === 0 || Math.hypot(x - t[n - 2]!, y - t[n - 1]!) >= 8)) {
        t.push(x, y);
        this.traced = null;
      }
    }
  }

  /** Sizes the backing store; true when it changed. */
  resize(cssWidth: number, cssHeight: number, dpr: number): boolean {
    const w = Math.max(1, Math.round(cssWidth));
    const h = Math.max(1, Math.round(cssHeight));
    const r = Math.min(4, Math.max(1, dpr || 1));
    if (w === this.width && h === this.height && r === this.dpr) return false;
    this.width = w;
    this.height = h;
    this.dpr = r;
    this.canvas.width = Math.round(w * r);
    this.canvas.height = Math.round(h * r);
    return true;
  }

  /** The whole circuit in view, with a margin. */
  overview(): Camera {
    const b = this.bounds;
    const pad = 28;
    const sx = (this.width - 2 * pad) / Math.max(1, b.maxX - b.minX);
    const sy = (this.height - 2 * pad) / Math.max(1, b.maxY - b.minY);
    return { cx: (b.minX + b.maxX) / 2, cy: (b.minY + b.maxY) / 2, scale: Math.max(0.01, Math.min(sx, sy)) };
  }

  draw(cam: Camera, values: Float64Array | null, cols: CarColumns | null, cars: readonly Car[], order: readonly number[], selected: number): void {
    const { ctx, dpr, width, height } = this;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = BG;
    ctx.fillRect(0, 0, width, height);
    const s = cam.scale;
    // World → CSS px: x right, y up (north at the top).
    ctx.setTransform(dpr * s, 0, 0, -dpr * s, dpr * (width / 2 - cam.cx * s), dpr * (height / 2 + cam.cy * s));
    ctx.lineJoin = 'round';
    ctx.lineCap = 'round';
    if (this.pit) {
      ctx.strokeStyle = PIT;
      ctx.lineWidth = Math.max(1.5 / s, 5);
      ctx.setLineDash([Math.max(4 / s, 8), Math.max(4 / s, 8)]);
      ctx.stroke(this.pit);
      ctx.setLineDash([]);
    }
    if (this.track) {
      const w = Math.max(6 / s, 13);
      ctx.strokeStyle = KERB;
      ctx.lineWidth = w + 3 / s;
      ctx.stroke(this.track);
      ctx.strokeStyle = ASPHALT;
      ctx.lineWidth = w;
      ctx.stroke(this.track);
      ctx.strokeStyle = DRS;
      ctx.lineWidth = w * 0.45;
      for (const z of this.drs) ctx.stroke(z);
    }
    if (!this.track && this.trace.length >= 4) {
      this.traced ??= polylinePath(Float64Array.from(this.trace), false);
      ctx.strokeStyle = KERB;
      ctx.lineWidth = Math.max(4 / s, 10);
      ctx.stroke(this.traced);
    }
    if (this.startFinish) this.drawStartLine(s);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (values && cols) this.drawCars(cam, values, cols, cars, order, selected);
  }

  private drawStartLine(s: number): void {
    const { ctx } = this;
    const sf = this.startFinish!;
    // A chequered strip across the track: 2 rows of squares, perpendicular to the heading.
    const half = Math.max(9 / s, 9);
    const sq = (2 * half) / 6;
    const nx = -Math.sin(sf.heading),
      ny = Math.cos(sf.heading);
    const tx = Math.cos(sf.heading),
      ty = Math.sin(sf.heading);
    for (let row = 0; row < 2; row++) {
      for (let i = 0; i < 6; i++) {
        ctx.fillStyle = (i + row) % 2 === 0 ? '#f4f6f8' : '#14171b';
        const a = -half + i * sq;
        const b = (row - 1) * sq;
        ctx.beginPath();
        ctx.moveTo(sf.x + nx * a + tx * b, sf.y + ny * a + ty * b);
        ctx.lineTo(sf.x + nx * (a + sq) + tx * b, sf.y + ny * (a + sq) + ty * b);
        ctx.lineTo(sf.x + nx * (a + sq) + tx * (b + sq), sf.y + ny * (a + sq) + ty * (b + sq));
        ctx.lineTo(sf.x + nx * a + tx * (b + sq), sf.y + ny * a + ty * (b + sq));
        ctx.fill();
      }
    }
  }

  private drawCars(cam: Camera, v: Float64Array, c: CarColumns, cars: readonly Car[], order: readonly number[], selected: number): void {
    const { ctx, width, height } = this;
    if (this.screen.length !== cars.length * 2) this.screen = new Float64Array(cars.length * 2);
    this.screen.fill(Number.NaN);
    ctx.font = '600 10px ui-monospace, SFMono-Regular, Menlo, monospace';
    ctx.textBaseline = 'middle';
    ctx.lineWidth = 3;
    ctx.lineJoin = 'round';
    // Markers back to front (the leader on top); labels front to back, skipping any that would
    // overlap one already placed, so a bunched field (the grid, a pit stop) stays readable.
    const n = cars.length;
    const ranked = order.length === n;
    for (let r = n - 1; r >= 0; r--) {
      const e = ranked ? order[r]! : r;
      if (e !== selected) this.drawCar(cam, v, c, cars[e]!, e, width, height, false);
    }
    if (selected >= 0 && selected < n) this.drawCar(cam, v, c, cars[selected]!, selected, width, height, true);
    this.placed.length = 0;
    if (selected >= 0 && selected < n) this.drawLabel(cars[selected]!, selected, true);
    for (let r = 0; r < n; r++) {
      const e = ranked ? order[r]! : r;
      if (e !== selected) this.drawLabel(cars[e]!, e, false);
    }
  }

  /** Label boxes placed this draw: x, y, w, h (CSS px). */
  private readonly placed: number[] = [];

  private drawLabel(car: Car, e: number, isSelected: boolean): void {
    const sx = this.screen[2 * e]!;
    const sy = this.screen[2 * e + 1]!;
    if (!(sx === sx)) return;
    const x = sx + 9;
    const y = sy - 6;
    const w = car.code.length * 6.5 + 2;
    const h = 12;
    const p = this.placed;
    if (!isSelected) {
      for (let i = 0; i < p.length; i += 4) {
        if (x < p[i]! + p[i + 2]! && x + w > p[i]! && y < p[i + 1]! + p[i + 3]! && y + h > p[i + 1]!) return;
      }
    }
    p.push(x, y, w, h);
    const { ctx } = this;
    ctx.lineWidth = 3;
    ctx.strokeStyle = HALO;
    ctx.strokeText(car.code, x, sy);
    ctx.fillStyle = isSelected ? '#ffffff' : LABEL;
    ctx.fillText(car.code, x, sy);
  }

  private drawCar(cam: Camera, v: Float64Array, c: CarColumns, car: Car, e: number, width: number, height: number, isSelected: boolean): void {
    const x = v[e * c.fields + c.x]!;
    const y = v[e * c.fields + c.y]!;
    if (!(x === x && y === y)) return;
    const sx = width / 2 + (x - cam.cx) * cam.scale;
    const sy = height / 2 - (y - cam.cy) * cam.scale;
    if (sx < -40 || sy < -40 || sx > width + 40 || sy > height + 40) return;
    this.screen[2 * e] = sx;
    this.screen[2 * e + 1] = sy;
    const { ctx } = this;
    const status = c.status >= 0 ? v[e * c.fields + c.status]! : 0;
    ctx.globalAlpha = status === 1 ? 0.65 : status === 2 ? 0.4 : 1;
    if (isSelected) {
      ctx.beginPath();
      ctx.arc(sx, sy, 10, 0, Math.PI * 2);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    ctx.beginPath();
    ctx.arc(sx, sy, isSelected ? 6.5 : 5.5, 0, Math.PI * 2);
    ctx.fillStyle = car.color;
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = HALO;
    ctx.stroke();
    ctx.globalAlpha = 1;
  }

  /** The car under a CSS-pixel point (within 14 px), or -1. */
  pick(px: number, py: number): number {
    let best = -1;
    let bestD = 14 * 14;
    for (let e = 0; e < this.screen.length / 2; e++) {
      const dx = this.screen[2 * e]! - px;
      const dy = this.screen[2 * e + 1]! - py;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = e;
      }
    }
    return best;
  }

  get size(): { width: number; height: number } {
    return { width: this.width, height: this.height };
  }
}
