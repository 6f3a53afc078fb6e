// The measurements, a lazily loaded chunk (the page does not need them to make sound): each one
// renders the current settings offline (same graph as live, see graph.ts) and analyses the
// result. Offline renders also give the HUD its "× real time" figure.
import { designSweep } from '../../src/dsp/sweep.ts';
import { analyzeTone, type ToneAnalysis } from '../../src/app/thd.ts';
import { frequencyResponse, type FrequencyResponse } from '../../src/app/response.ts';
import { encodeWav, type WavFormat } from '../../src/app/wav.ts';
import { measureLoopback, type LatencyResult } from '../../src/app/latency.ts';
import { renderOffline } from './graph.ts';
import type { LabState, RenderTiming } from './lab.svelte.ts';
import type { LabSettings } from './settings.ts';

const TONAL = new Set(['sine', 'square', 'saw', 'triangle']);

async function timedRender(lab: LabState, s: LabSettings, seconds: number, channels = 1): Promise<AudioBuffer> {
  const t0 = performance.now();
  const buf = await renderOffline(s, lab.catalog, seconds, lab.sampleRate || 48000, channels);
  const wallMs = performance.now() - t0;
  lab.renderTiming = { seconds, wallMs, xRealtime: (seconds * 1000) / Math.max(wallMs, 1e-3) };
  return buf;
}

/** THD/THD+N of the current tone through the chain (a sine at the current frequency if the generator is not tonal). */
export async function measureThd(lab: LabState): Promise<ToneAnalysis & { generator: string }> {
  const s = lab.snapshot();
  if (!TONAL.has(s.generator)) s.generator = 'sine';
  s.params.on = 1;
  const buf = await timedRender(lab, s, 1.5);
  const r = analyzeTone(buf.getChannelData(0), buf.sampleRate, { fundamentalHz: s.params.frequency });
  return { ...r, generator: s.generator };
}

/** Frequency response of the chain: a sweep rendered through it and deconvolved. */
export async function measureResponse(lab: LabState): Promise<FrequencyResponse & { f1: number; f2: number }> {
  const s = lab.snapshot();
  const sr = lab.sampleRate || 48000;
  const sw = { f1: Math.fround(s.sweep.f1), f2: Math.fround(Math.min(s.sweep.f2, sr / 2)), duration: Math.fround(s.sweep.duration) };
  const design = designSweep(sw.f1, sw.f2, sw.duration, sr);
  s.generator = 'sweep';
  s.sweep = sw;
  s.params.on = 1;
  // The tail lets delays and reverbs ring out into the recording.
  const buf = await timedRender(lab, s, design.duration + 1);
  const amplitude = Math.pow(10, s.params.level / 20);
  return { ...frequencyResponse(buf.getChannelData(0), design, { amplitude, points: 320 }), f1: sw.f1, f2: sw.f2 };
}

/** Renders `seconds` of the current settings and encodes them as WAV (stereo when a Faust effect is on). */
export async function renderWav(lab: LabState, seconds: number, format: WavFormat): Promise<{ bytes: Uint8Array; name: string }> {
  const s = lab.snapshot();
  const stereo = s.faust.some((f) => !f.bypass);
  const buf = await timedRender(lab, s, seconds, stereo ? 2 : 1);
  const channels = Array.from({ length: buf.numberOfChannels }, (_, c) => buf.getChannelData(c));
  const bytes = encodeWav(channels, buf.sampleRate, format);
  const f = s.generator === 'sweep' ? `${s.sweep.f1}-${s.sweep.f2}Hz` : TONAL.has(s.generator) ? `${Math.round(s.params.frequency)}Hz` : '';
  const name = ['signal-lab', s.generator, f, `${Math.round(s.params.level)}dBFS`, format].filter(Boolean).join('_') + '.wav';
  return { bytes, name };
}

/** Saves bytes as a file download. */
export function download(bytes: Uint8Array, name: string, type = 'audio/wav'): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Loopback latency: one impulse out, the default input recorded, cross-correlated. */
export async function measureLatency(lab: LabState): Promise<LatencyResult> {
  const ctx = lab.context;
  const graph = lab.graph;
  if (!ctx || !graph) return { kind: 'no-input', reason: 'audio is not running' };
  const before = { generator: lab.settings.generator, on: lab.settings.params.on };
  try {
    return await measureLoopback(ctx, graph.output, () => {
      lab.setParam('on', 1);
      lab.setGenerator('impulse');
    });
  } finally {
    lab.setGenerator(before.generator);
    lab.setParam('on', before.on);
  }
}

/** How fast the chain renders offline: `seconds` of audio, wall time, × real time. */
export async function offlineSpeed(lab: LabState, seconds = 10): Promise<RenderTiming> {
  await timedRender(lab, lab.snapshot(), seconds);
  return lab.renderTiming!;
}
