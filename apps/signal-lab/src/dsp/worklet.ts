// The AudioWorklet module: the processor `tidewire-lab`, a thin shell around LabEngine, and
// `tidewire-tap`, which only meters and taps its input (the UI's view of a chain's end when
// that is another node, such as a Faust effect). Loaded
// with context.audioWorklet.addModule(url) (lab.ts); Vite bundles it with its imports into one
// file (`?worker&url`). Everything is allocated in the constructor; process() drains the control
// ring, points the parameter list at this block's arrays, runs the engine and feeds the taps.
import { BLOCK, PARAM_NAMES, PARAMS, PROCESSOR_NAME, TAP_PROCESSOR_NAME } from './constants.ts';
import { ControlReceiver, isControlMessage } from './controls.ts';
import { DEFAULT_INIT, LabEngine } from './engine.ts';
import type { EngineInit } from './engine.ts';
import { TapWriter } from './taps.ts';
import type { TapsMessage } from './taps.ts';

/** processorOptions of the node (lab.ts builds them). */
export interface LabProcessorOptions {
  init: EngineInit;
  controlSab: SharedArrayBuffer | null;
  scopeSab: SharedArrayBuffer | null;
  meterSab: SharedArrayBuffer | null;
}

// AudioWorkletGlobalScope, typed here rather than in a global .d.ts: those names exist only in
// the worklet, and declaring them globally would let main-thread code use them by mistake.
interface WorkletScope {
  sampleRate: number;
  AudioWorkletProcessor: new (options?: unknown) => { readonly port: MessagePort };
  registerProcessor(name: string, ctor: unknown): void;
}
const scope = globalThis as unknown as WorkletScope;

const PARAM_COUNT = PARAMS.length;

class LabProcessor extends scope.AudioWorkletProcessor {
  static get parameterDescriptors(): object[] {
    return PARAMS.map((p) => ({ name: p.name, defaultValue: p.defaultValue, minValue: p.minValue, maxValue: p.maxValue, automationRate: 'a-rate' }));
  }

  private readonly engine: LabEngine;
  private readonly controls: ControlReceiver | null;
  private readonly taps: TapWriter;
  /** This block's parameter arrays in PARAMS order (the entries are repointed, never created). */
  private readonly params: Float32Array[];

  constructor(options: { processorOptions?: Partial<LabProcessorOptions> } = {}) {
    super(options);
    const po = options.processorOptions ?? {};
    this.engine = new LabEngine(scope.sampleRate, { ...DEFAULT_INIT, ...(po.init ?? {}) });
    this.controls = po.controlSab ? new ControlReceiver(po.controlSab) : null;
    const port = this.port;
    this.taps = new TapWriter(po.scopeSab ?? null, po.meterSab ?? null, (msg: TapsMessage) => port.postMessage(msg), scope.sampleRate, BLOCK);
    this.params = new Array<Float32Array>(PARAM_COUNT);
    const constant = new Float32Array(1);
    for (let i = 0; i < PARAM_COUNT; i++) this.params[i] = constant;
    const engine = this.engine;
    // The fallback control path, and the same path for tests that post controls: messages
    // arrive between blocks on the audio thread, so applying them at once is race-free.
    port.onmessage = (e: MessageEvent) => {
      if (isControlMessage(e.data)) engine.applyControl(e.data.key, e.data.value);
      else if (typeof e.data === 'object' && e.data !== null && (e.data as { type?: unknown }).type === 'stats') {
        port.postMessage({ type: 'stats', rejected: engine.rejected, faults: engine.faults, dropped: this.taps.dropped });
      }
    };
  }

  process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean {
    const engine = this.engine;
    if (this.controls !== null) this.controls.drain(engine);
    const params = this.params;
    for (let i = 0; i < PARAM_COUNT; i++) params[i] = parameters[PARAM_NAMES[i]];
    const main = outputs[0];
    const out = main[0];
    const inChannels = inputs.length > 0 ? inputs[0] : null;
    const input = inChannels !== null && inChannels.length > 0 ? inChannels[0] : null;
    const probe = outputs.length > 1 ? outputs[1][0] : null;
    const n = out.length;
    engine.process(params, input, out, probe === undefined ? null : probe, n);
    // Mono source: every further channel of the main output carries the same signal.
    for (let c = 1; c < main.length; c++) main[c].set(out);
    this.taps.write(out, n, engine.meters);
    return true;
  }
}

scope.registerProcessor(PROCESSOR_NAME, LabProcessor);

/** processorOptions of a tap node (createTap in lab.ts builds them). */
export interface TapProcessorOptions {
  scopeSab: SharedArrayBuffer | null;
  meterSab: SharedArrayBuffer | null;
}

// No parameters and no outputs: every AudioParam costs the renderer per block (measured ~0.01 %
// of the real-time budget each), and a node without outputs needs no silent sink to be pulled.
class TapProcessor extends scope.AudioWorkletProcessor {
  private readonly taps: TapWriter;
  private readonly meters = new Float32Array(3);
  private readonly silence = new Float32Array(BLOCK);
  private alive = true;

  constructor(options: { processorOptions?: Partial<TapProcessorOptions> } = {}) {
    super(options);
    const po = options.processorOptions ?? {};
    const port = this.port;
    this.taps = new TapWriter(po.scopeSab ?? null, po.meterSab ?? null, (msg: TapsMessage) => port.postMessage(msg), scope.sampleRate, BLOCK);
    // A node without outputs is kept rendering while process() returns true: dispose ends it.
    port.onmessage = (e: MessageEvent) => {
      if ((e.data as { type?: unknown })?.type === 'dispose') this.alive = false;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const channels = inputs[0];
    // Unconnected (or silent upstream): the renderer hands over no channel; tap silence.
    const x = channels !== undefined && channels.length > 0 ? channels[0] : this.silence;
    const n = x.length;
    let peak = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
      sum += v * v;
    }
    const m = this.meters;
    m[0] = peak;
    m[1] = Math.sqrt(sum / n);
    m[2] = 0;
    this.taps.write(x, n, m);
    return this.alive;
  }
}

scope.registerProcessor(TAP_PROCESSOR_NAME, TapProcessor);
