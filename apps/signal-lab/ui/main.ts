// Signal Lab's page. Audio starts at once (the worklet module is small and loads in parallel
// with the UI); the visualisers, the measurement code, the Faust runtime and the Faust editor
// are lazily loaded chunks. `?shared=0` forces the MessagePort fallback (to see and test it).
import { mount } from 'svelte';
import { PerfMonitor } from '@tidewire/client/main';
import App from './App.svelte';
import { createLab } from '../src/dsp/index.ts';
import { renderOffline } from './lib/graph.ts';
import { LabState } from './lib/lab.svelte.ts';
import type { LabSettings } from './lib/settings.ts';
import './style.css';

const params = new URLSearchParams(location.search);
const lab = new LabState();
void lab.start(params.get('shared') === '0' ? { shared: false } : {});

const perf = new PerfMonitor();
perf.observeLongTasks();
perf.start();
// The frame loop's own cost (taps drained, visualisers drawn) is the page's main-thread work.
lab.onFrame(() => {
  const t0 = performance.now();
  queueMicrotask(() => perf.recordMainWork(performance.now() - t0));
});

// The bundled Faust effects join the chain bypassed; their runtime loads when one is switched on.
const faust = import('./lib/faust-catalog.ts').then((m) => m.loadBundled(lab));

// For DevTools, the browser tests and the bench.
(globalThis as { signalLab?: unknown }).signalLab = {
  lab,
  perf,
  faust,
  measure: () => import('./lib/measure.ts'),
  /** The DSP core's entry, for graphs the UI does not build (the bench's two-generator chain). */
  createLab,
  /** Renders settings offline (default: the live ones) through the same graph as live. */
  render: (s: LabSettings = lab.snapshot(), seconds = 1, channels = 1) => renderOffline(s, lab.catalog, seconds, lab.sampleRate || 48000, channels),
};

// Mounted in a task of its own: the module's evaluation (every import, and the work started
// above) and the first render are each a long task on a slow machine; in one they added up to
// the page's longest (issue 14). The skeleton paints meanwhile.
setTimeout(() => {
  mount(App, { target: document.getElementById('app')!, props: { lab, perf } });
  document.getElementById('skeleton')?.remove();
}, 0);
