// The map camera: the whole track (overview), or following the selected car at a zoom the wheel
// and the +/− buttons change. A change of target eases over a few frames (log-scale for the
// zoom, linear in screen space for the centre) while `moving`; the draw loop keeps drawing
// until it settles.
import type { Camera, CarColumns, TrackView } from './track-view.ts';

/** Follow camera: metres across the smaller side of the map at zoom 1. */
const FOLLOW_SPAN_M = 360;
/** Camera moves settle with this time constant (ms). */
const CAMERA_TAU_MS = 140;
const ZOOM_MIN = 0.25;
const ZOOM_MAX = 8;

export class CameraRig {
  follow = $state(false);
  zoom = $state(1);

  private cam: Camera | null = null;
  /** Easing towards a new target: every frame until it settles is drawn. */
  moving = false;
  private lastDrawAt = 0;

  /** The target changed (a selection, follow on or off): ease there. */
  retarget(): void {
    this.moving = true;
  }

  /** New track geometry: jump to the new target. */
  reset(): void {
    this.cam = null;
  }

  /** The canvas was resized: jump, unless a move or the follow camera is under way. */
  resized(): void {
    this.cam = this.moving || this.follow ? this.cam : null;
  }

  setFollow(on: boolean): void {
    this.follow = on;
    this.moving = true;
  }

  zoomBy(factor: number): void {
    this.zoom = Math.min(ZOOM_MAX, Math.max(ZOOM_MIN, this.zoom * factor));
    if (this.follow) this.moving = true;
  }

  /** The camera for this frame: `selected`'s position in `v` when following, else the overview. */
  frame(view: TrackView, v: Float64Array | null, carCols: CarColumns | null, selected: number, now: number): Camera {
    const overview = view.overview();
    let target = overview;
    if (this.follow && selected >= 0 && v && carCols) {
      const x = v[selected * carCols.fields + carCols.x]!;
      const y = v[selected * carCols.fields + carCols.y]!;
      if (x === x && y === y) {
        const { width, height } = view.size;
        target = { cx: x, cy: y, scale: Math.max(overview.scale, (Math.min(width, height) / FOLLOW_SPAN_M) * this.zoom) };
      }
    }
    const dt = Math.min(100, Math.max(0, now - this.lastDrawAt));
    this.lastDrawAt = now;
    if (!this.cam || !this.moving) {
      this.cam = target;
      return target;
    }
    const k = 1 - Math.exp(-dt / CAMERA_TAU_MS);
    const c = this.cam;
    const scale = Math.exp(Math.log(c.scale) + (Math.log(target.scale) - Math.log(c.scale)) * k);
    const cx = c.cx + (target.cx - c.cx) * k;
    const cy = c.cy + (target.cy - c.cy) * k;
    const settled = Math.abs(Math.log(scale / target.scale)) < 0.01 && Math.hypot(cx - target.cx, cy - target.cy) * scale < 0.5;
    this.cam = settled ? target : { cx, cy, scale };
    if (settled) this.moving = false;
    return this.cam;
  }
}
