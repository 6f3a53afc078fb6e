// When the main thread does its share of work: inside requestAnimationFrame in a browser, so
// store updates land right before paint and never more than once per frame; a plain timer
// elsewhere (Node, workers without rAF).

/** Runs `fn` once, soon; returns a cancel function. */
export type FrameScheduler = (fn: () => void) => () => void;

/** requestAnimationFrame where there is one, else a `fallbackMs` timer. */
export function animationFrameScheduler(fallbackMs: number): FrameScheduler {
  return (fn) => {
    const g = globalThis as { requestAnimationFrame?: (cb: () => void) => number; cancelAnimationFrame?: (h: number) => void };
    if (typeof g.requestAnimationFrame === 'function' && typeof g.cancelAnimationFrame === 'function') {
      const handle = g.requestAnimationFrame(fn);
      return () => g.cancelAnimationFrame!(handle);
    }
    const handle = setTimeout(fn, fallbackMs);
    return () => clearTimeout(handle);
  };
}

export const frameScheduler: FrameScheduler = animationFrameScheduler(0);

/** Never runs by itself: the owner calls flush (tests). */
export const manualScheduler: FrameScheduler = () => () => {};
