// The DSP browser tests' page: renders the real worklet in an OfflineAudioContext (or runs it
// live in an AudioContext) as the test asks through window.labTest, and hands back the
// samples as base64 float32 so the analysis runs in Node in double precision.
import { createLab } from '../../src/dsp/index.ts';
import type { Lab, LabOptions, ParamName } from '../../src/dsp/index.ts';

export interface AutomationStep {
  param: ParamName;
  method: 'setValueAtTime' | 'linearRampToValueAtTime' | 'exponentialRampToValueAtTime' | 'setTargetAtTime';
  args: number[];
}

/** A call on the Lab before rendering starts: [method name, ...arguments]. */
export type LabCall = [string, ...unknown[]];

export interface RenderSpec {
  seconds: number;
  sampleRate?: number;
  options?: LabOptions;
  automation?: AutomationStep[];
  calls?: LabCall[];
}

export interface RenderResult {
  /** base64 of each rendered channel's float32 samples (channel 1 is the probe, if any). */
  channels: string[];
  shared: boolean;
  crossOriginIsolated: boolean;
  stats: { rejected: number; faults: number; dropped: number };
  scopeAvailable: number;
  meters: number[];
}

function toBase64(a: Float32Array): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function applyCalls(lab: Lab, calls: LabCall[] = []): void {
  for (const [method, ...args] of calls) (lab as unknown as Record<string, (...a: unknown[]) => unknown>)[method](...args);
}

async function render(spec: RenderSpec): Promise<RenderResult> {
  const sampleRate = spec.sampleRate ?? 48000;
  const probe = spec.options?.probe !== undefined && spec.options.probe !== false;
  const ctx = new OfflineAudioContext({ numberOfChannels: probe ? 2 : 1, length: Math.round(spec.seconds * sampleRate), sampleRate });
  const lab = await createLab(ctx, spec.options ?? {});
  if (probe) {
    const merger = new ChannelMergerNode(ctx, { numberOfInputs: 2 });
    lab.node.connect(merger, 0, 0);
    lab.node.connect(merger, 1, 1);
    merger.connect(ctx.destination);
  } else {
    lab.node.connect(ctx.destination);
  }
  for (const a of spec.automation ?? []) (lab.params[a.param][a.method] as (...x: number[]) => AudioParam).apply(lab.params[a.param], a.args);
  applyCalls(lab, spec.calls);
  const buf = await ctx.startRendering();
  const channels: string[] = [];
  for (let c = 0; c < buf.numberOfChannels; c++) channels.push(toBase64(buf.getChannelData(c)));
  const meters = new Float32Array(3 * 64);
  const m = lab.taps.readMeters(meters);
  const result: RenderResult = {
    channels,
    shared: lab.shared,
    crossOriginIsolated,
    stats: await lab.stats(),
    scopeAvailable: lab.taps.availableScope(),
    meters: Array.from(meters.subarray(0, m)),
  };
  lab.dispose();
  return result;
}

export interface LiveSpec {
  /** Runs until this many output samples and meter frames reached this thread, or 15 s passed. */
  minScope: number;
  minMeterFrames: number;
  options?: LabOptions;
  calls?: LabCall[];
}

export interface LiveResult {
  shared: boolean;
  crossOriginIsolated: boolean;
  /** Output samples and meter frames the taps delivered to the main thread. */
  scope: number;
  meterFrames: number;
  maxPeak: number;
  state: string;
}

/** Runs a lab live until its taps delivered enough to this thread (or a generous deadline). */
async function live(spec: LiveSpec): Promise<LiveResult> {
  const ctx = new AudioContext({ sampleRate: 48000 });
  const lab = await createLab(ctx, spec.options ?? {});
  lab.node.connect(ctx.destination);
  applyCalls(lab, spec.calls);
  await ctx.resume();
  const scopeBuf = new Float32Array(1 << 16);
  const meterBuf = new Float32Array(3 * 1024);
  let scope = 0,
    meterFrames = 0,
    maxPeak = 0;
  const deadline = performance.now() + 15_000;
  while ((scope < spec.minScope || meterFrames < spec.minMeterFrames) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    scope += lab.taps.readScope(scopeBuf);
    const m = lab.taps.readMeters(meterBuf);
    meterFrames += m / 3;
    for (let i = 0; i < m; i += 3) maxPeak = Math.max(maxPeak, meterBuf[i]);
  }
  const state = ctx.state;
  lab.dispose();
  await ctx.close();
  return { shared: lab.shared, crossOriginIsolated, scope, meterFrames, maxPeak, state };
}

/** Errors as { code, message } so the test can assert the code. */
async function expectError(spec: RenderSpec): Promise<{ code: string | null; message: string }> {
  try {
    await render(spec);
    return { code: null, message: 'no error' };
  } catch (e) {
    return { code: (e as { code?: string }).code ?? null, message: String(e) };
  }
}

declare global {
  interface Window {
    labTest: { render: typeof render; live: typeof live; expectError: typeof expectError };
  }
}

window.labTest = { render, live, expectError };
document.getElementById('status')!.textContent = 'ready';
