// A framework-free performance HUD: a fixed <pre> that shows PerfMonitor numbers as text.
import type { PerfMonitor, PerfStats } from './perf.ts';

const ms = (v: number) => `${v.toFixed(1)} ms`;

function bytesPerSec(v: number): string {
  if (v >= 1024 * 1024) return `${(v / (1024 * 1024)).toFixed(2)} MiB/s`;
  if (v >= 1024) return `${(v / 1024).toFixed(1)} KiB/s`;
  return `${v.toFixed(0)} B/s`;
}

export function formatPerf(s: PerfStats): string {
  const lt = s.longTasks;
  return [
    `msgs   ${s.messagesPerSec.toFixed(0)}/s  ${bytesPerSec(s.bytesPerSec)}`,
    `decode ${ms(s.decodeMs.avg)} avg  ${ms(s.decodeMs.max)} max`,
    `apply  ${ms(s.applyMs.avg)} avg  ${ms(s.applyMs.max)} max`,
    `main   ${ms(s.mainWorkMs.avg)} avg  ${ms(s.mainWorkMs.max)} max`,
    `long   ${lt.supported ? `${lt.count} (max ${ms(lt.maxMs)})` : 'n/a'}`,
    `load   ${s.snapshotLoadMs === null ? '–' : ms(s.snapshotLoadMs)}`,
    // Only pages with a timeline player get the line.
    ...(s.timeline.totals.framesDecoded > 0
      ? [`tl     ${s.timeline.framesDecodedPerSec.toFixed(0)} fr/s  ${bytesPerSec(s.timeline.bytesFetchedPerSec)}  seek ${ms(s.timeline.seekMs.last)}`]
      : []),
  ].join('\n');
}

/** Mounts the HUD into `parent` (default document.body); returns the function that removes it. */
export function mountPerfHud(perf: PerfMonitor, parent?: HTMLElement): () => void {
  if (typeof document === 'undefined') return () => {};
  const el = document.createElement('pre');
  el.className = 'tidewire-hud';
  el.setAttribute('aria-label', 'performance');
  Object.assign(el.style, {
    position: 'fixed',
    right: '8px',
    bottom: '8px',
    margin: '0',
    padding: '6px 8px',
    zIndex: '2147483647',
    font: '11px/1.35 ui-monospace, monospace',
    color: '#d8f3dc',
    background: 'rgba(0,0,0,0.72)',
    borderRadius: '4px',
    pointerEvents: 'none',
  });
  (parent ?? document.body).appendChild(el);
  // textContent, never innerHTML: nothing here is markup.
  const off = perf.subscribe((s) => {
    el.textContent = formatPerf(s);
  });
  return () => {
    off();
    el.remove();
  };
}
