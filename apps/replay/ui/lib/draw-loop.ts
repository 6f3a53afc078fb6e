// The drawing loop of the track map. Frames are drawn only from requestAnimationFrame: every
// reason to draw (a new frame shown by the player, a resize, a selection, a camera move)
// calls invalidate(), which schedules one callback at most. Owns the canvas's TrackView and
// its CSS size (a ResizeObserver).
import { TrackView } from './track-view.ts';

export class DrawLoop {
  /** The attached canvas's view (null while none is attached). */
  view: TrackView | null = null;
  private cssW = 0;
  private cssH = 0;
  private raf = 0;
  private readonly draw: () => void;
  private readonly onResize: () => void;

  /** `draw` runs at most once per animation frame; `onResize` before the redraw a resize asks for. */
  constructor(draw: () => void, onResize: () => void) {
    this.draw = draw;
    this.onResize = onResize;
  }

  /** Draws on `canvas` from now on; returns the detach function. */
  attach(canvas: HTMLCanvasElement): () => void {
    this.view = new TrackView(canvas);
    const ro = new ResizeObserver((entries) => {
      const r = entries[0]!.contentRect;
      this.cssW = r.width;
      this.cssH = r.height;
      this.onResize();
      this.invalidate();
    });
    ro.observe(canvas);
    return () => {
      ro.disconnect();
      this.view = null;
    };
  }

  /** Sizes the view's backing store to the canvas (CSS size × devicePixelRatio). */
  fit(view: TrackView): void {
    view.resize(this.cssW || view.canvas.clientWidth, this.cssH || view.canvas.clientHeight, devicePixelRatio);
  }

  /** Schedules one draw at the next animation frame. */
  invalidate(): void {
    if (this.raf !== 0) return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.draw();
    });
  }

  close(): void {
    if (this.raf !== 0) cancelAnimationFrame(this.raf);
    this.raf = 0;
  }
}
