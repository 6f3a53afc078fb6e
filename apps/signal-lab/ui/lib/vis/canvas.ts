// Canvas plumbing for the visualisers: backing store sized to the element × devicePixelRatio
// (re-measured only when the element resizes), and the shared colours.

export interface Surface {
  ctx: CanvasRenderingContext2D;
  /** CSS pixels. */
  width: number;
  height: number;
}

/** Keeps `canvas` sharp at its laid-out size; returns the surface getter and a disposer. */
export function surface(canvas: HTMLCanvasElement): { get(): Surface | null; dispose(): void } {
  const ctx = canvas.getContext('2d');
  let width = 0;
  let height = 0;
  const fit = () => {
    const r = canvas.getBoundingClientRect();
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    width = Math.max(1, Math.round(r.width));
    height = Math.max(1, Math.round(r.height));
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    ctx?.setTransform(dpr, 0, 0, dpr, 0, 0);
  };
  fit();
  const ro = new ResizeObserver(fit);
  ro.observe(canvas);
  return {
    get: () => (ctx ? { ctx, width, height } : null),
    dispose: () => ro.disconnect(),
  };
}

export const COLORS = {
  bg: '#0f1217',
  grid: '#1f2630',
  gridStrong: '#2b3340',
  label: '#6b7483',
  trace: '#4cc2ff',
  fill: 'rgba(76, 194, 255, 0.14)',
  peak: '#ffb020',
  rms: '#37d67a',
  hot: '#ff4d5e',
};
