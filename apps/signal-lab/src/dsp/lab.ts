// createLab: the main-thread handle on the processor. Loads the worklet module (once per
// context), picks the shared-memory path when the page is cross-origin isolated and the
// port fallback otherwise, and turns names into the codes the audio thread understands.
import workletUrl from './worklet.ts?worker&url';
import {
  CONTROL,
  DETECTORS,
  EFFECT_COUNT,
  EFFECT_KINDS,
  EQ_TYPES,
  GENERATOR_KINDS,
  PARAM_NAMES,
  PARAMS,
  PROCESSOR_NAME,
  TAP_PROCESSOR_NAME,
  packOrder,
} from './constants.ts';
import type { Detector, EffectKind, EqType, GeneratorKind, ParamName } from './constants.ts';
import { ControlSender, controlStorage } from './controls.ts';
import { DEFAULT_INIT, MAX_SEED } from './engine.ts';
import type { EngineInit } from './engine.ts';
import { DspError } from './errors.ts';
import { designSweep } from './sweep.ts';
import type { SweepDesign } from './sweep.ts';
import { DEFAULT_METER_CAPACITY, DEFAULT_SCOPE_CAPACITY, MAX_TAP_CAPACITY, METER_STRIDE, TapReader, tapStorage } from './taps.ts';
import type { TapsMessage } from './taps.ts';
import type { LabProcessorOptions, TapProcessorOptions } from './worklet.ts';

export { workletUrl };

export interface SweepSettings {
  f1: number;
  f2: number;
  /** Requested duration (s); the synchronised design rounds it (see Lab.sweep). */
  duration: number;
}

export interface LabOptions {
  /** Where to load the worklet from; defaults to the bundled module. */
  moduleUrl?: string;
  generator?: GeneratorKind;
  /** Noise seed, an integer in [0, 2^24). */
  seed?: number;
  /** Chain order, every effect once; default gain → eq → delay → comp. */
  chain?: readonly EffectKind[];
  /** Effects bypassed; default all of them (the generator goes out untouched). */
  bypass?: readonly EffectKind[];
  eqType?: EqType;
  detector?: Detector;
  sweep?: SweepSettings;
  /** Initial AudioParam values (set before the first block). */
  params?: Partial<Record<ParamName, number>>;
  /**
   * Adds a second output carrying a parameter's per-sample values as the processor reads them
   * (a diagnostic for automation); a name also probes that parameter from the first block.
   */
  probe?: boolean | ParamName;
  /** false forces the port fallback even where SharedArrayBuffer is usable (to test it). */
  shared?: boolean;
  /** Ring sizes in samples (scope) and meter values; defaults 32768 and 3072. */
  scopeCapacity?: number;
  meterCapacity?: number;
}

export interface Lab {
  readonly node: AudioWorkletNode;
  readonly params: Readonly<Record<ParamName, AudioParam>>;
  /** True: controls and taps use SharedArrayBuffer; false: the port fallback (show a notice). */
  readonly shared: boolean;
  readonly taps: TapReader;
  /** The sweep as the processor plays it (for renderSweep / deconvolveSweep). */
  readonly sweep: SweepDesign;
  setGenerator(kind: GeneratorKind): void;
  trigger(): void;
  setSeed(seed: number): void;
  /** Order (every effect once) and the effects to bypass; bypass defaults to none. */
  setChain(order: readonly EffectKind[], bypass?: readonly EffectKind[]): void;
  setBypass(bypass: readonly EffectKind[]): void;
  setEqType(type: EqType): void;
  setDetector(detector: Detector): void;
  /** Takes effect at the next trigger() or setGenerator('sweep'). */
  setSweep(settings: SweepSettings): SweepDesign;
  /** Mirrors a parameter on the probe output (needs options.probe); null stops. */
  setProbe(name: ParamName | null): void;
  /** Clears the effects' state (delay line, filter memory, compressor envelope). */
  resetEffects(): void;
  /** Counters from the audio thread: refused controls, non-finite blocks, dropped tap values. */
  stats(): Promise<{ rejected: number; faults: number; dropped: number }>;
  dispose(): void;
}

const loaded = new WeakMap<BaseAudioContext, Map<string, Promise<void>>>();

/**
 * Adds an AudioWorklet module to `context` once (later calls share the first promise; a failed
 * load is forgotten so it can be retried). Every worklet the lab uses goes through here.
 */
export function loadWorkletModule(context: BaseAudioContext, url: string): Promise<void> {
  let byUrl = loaded.get(context);
  if (!byUrl) loaded.set(context, (byUrl = new Map<string, Promise<void>>()));
  let p = byUrl.get(url);
  if (!p) {
    p = context.audioWorklet.addModule(url).catch((cause: unknown) => {
      byUrl!.delete(url);
      throw new DspError('DSP_WORKLET_LOAD', `could not load the AudioWorklet module ${url}`, { cause });
    });
    byUrl.set(url, p);
  }
  return p;
}

function code<T extends string>(list: readonly T[], value: T, what: string): number {
  const i = list.indexOf(value);
  if (i < 0) throw new DspError('DSP_BAD_CONTROL', `unknown ${what} ${JSON.stringify(value)} (one of ${list.join(', ')})`);
  return i;
}

export function chainOrderCode(order: readonly EffectKind[]): number {
  if (!Array.isArray(order) || order.length !== EFFECT_COUNT) {
    throw new DspError('DSP_BAD_CONTROL', `chain order must list all ${EFFECT_COUNT} effects once (${EFFECT_KINDS.join(', ')})`);
  }
  const ids = order.map((k) => code(EFFECT_KINDS, k, 'effect'));
  if (new Set(ids).size !== EFFECT_COUNT) throw new DspError('DSP_BAD_CONTROL', `chain order repeats an effect: ${order.join(', ')}`);
  return packOrder(ids);
}

export function bypassCode(bypass: readonly EffectKind[]): number {
  if (!Array.isArray(bypass)) throw new DspError('DSP_BAD_CONTROL', 'bypass must be a list of effects');
  let mask = 0;
  for (const k of bypass) mask |= 1 << code(EFFECT_KINDS, k, 'effect');
  return mask;
}

function checkSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed >= MAX_SEED) throw new DspError('DSP_BAD_OPTION', `seed must be an integer in [0, 2^24), got ${seed}`);
  return seed;
}

function checkCapacity(v: number | undefined, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 128 || v > MAX_TAP_CAPACITY) throw new DspError('DSP_BAD_OPTION', `${what} must be an integer in [128, ${MAX_TAP_CAPACITY}]`);
  return v;
}

/** Whether this page can share memory with the audio thread. */
export function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
}

/**
 * A node's taps, both ends: the rings the processor writes (null on the MessagePort fallback,
 * where the reader is fed port batches instead) and the main-thread reader.
 */
function tapChannel(options: { shared?: boolean; scopeCapacity?: number; meterCapacity?: number }): {
  shared: boolean;
  scopeSab: SharedArrayBuffer | null;
  meterSab: SharedArrayBuffer | null;
  taps: TapReader;
} {
  const scopeCapacity = checkCapacity(options.scopeCapacity, DEFAULT_SCOPE_CAPACITY, 'scopeCapacity');
  const meterValues = checkCapacity(options.meterCapacity, DEFAULT_METER_CAPACITY, 'meterCapacity');
  // Whole frames only, so a full ring never splits a [peak, rms, gr] triplet.
  const meterCapacity = meterValues - (meterValues % METER_STRIDE);
  const shared = options.shared !== false && sharedMemoryAvailable();
  const scopeSab = shared ? tapStorage(scopeCapacity) : null;
  const meterSab = shared ? tapStorage(meterCapacity) : null;
  return { shared, scopeSab, meterSab, taps: new TapReader(scopeSab, meterSab, scopeCapacity, meterCapacity) };
}

export async function createLab(context: BaseAudioContext, options: LabOptions = {}): Promise<Lab> {
  const sr = context.sampleRate;
  const sweepSettings = options.sweep ?? { f1: DEFAULT_INIT.sweepF1, f2: Math.min(DEFAULT_INIT.sweepF2, sr / 2), duration: DEFAULT_INIT.sweepDuration };
  // The processor receives float32 values through the control ring: design with those.
  const f32 = (s: SweepSettings): SweepSettings => ({ f1: Math.fround(s.f1), f2: Math.fround(s.f2), duration: Math.fround(s.duration) });
  const sweepNow = f32(sweepSettings);
  let design = designSweep(sweepNow.f1, sweepNow.f2, sweepNow.duration, sr);
  const init: EngineInit = {
    generator: code(GENERATOR_KINDS, options.generator ?? 'sine', 'generator'),
    seed: checkSeed(options.seed ?? DEFAULT_INIT.seed),
    chainOrder: options.chain ? chainOrderCode(options.chain) : DEFAULT_INIT.chainOrder,
    bypass: options.bypass ? bypassCode(options.bypass) : DEFAULT_INIT.bypass,
    eqType: code(EQ_TYPES, options.eqType ?? 'peaking', 'EQ type'),
    detector: code(DETECTORS, options.detector ?? 'rms', 'detector'),
    sweepF1: sweepNow.f1,
    sweepF2: sweepNow.f2,
    sweepDuration: sweepNow.duration,
    probe: typeof options.probe === 'string' ? code(PARAM_NAMES, options.probe, 'parameter') : -1,
  };
  const parameterData: Record<string, number> = {};
  for (const [name, value] of Object.entries(options.params ?? {})) {
    if (!PARAM_NAMES.includes(name as ParamName)) throw new DspError('DSP_BAD_OPTION', `unknown parameter ${name}`);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new DspError('DSP_BAD_OPTION', `parameter ${name} must be a finite number`);
    parameterData[name] = value;
  }
  const { shared, scopeSab, meterSab, taps } = tapChannel(options);

  await loadWorkletModule(context, options.moduleUrl ?? workletUrl);

  const controlSab = shared ? controlStorage() : null;
  const processorOptions: LabProcessorOptions = { init, controlSab, scopeSab, meterSab };
  const probe = options.probe !== undefined && options.probe !== false;
  const node = new AudioWorkletNode(context, PROCESSOR_NAME, {
    numberOfInputs: 1,
    numberOfOutputs: probe ? 2 : 1,
    outputChannelCount: probe ? [1, 1] : [1],
    parameterData,
    processorOptions,
  });
  const sender = new ControlSender(controlSab, node.port);
  const statsWaiters: Array<(s: { rejected: number; faults: number; dropped: number }) => void> = [];
  node.port.onmessage = (e: MessageEvent) => {
    const data = e.data as { type?: string };
    if (data?.type === 'taps') taps.receive(e.data as TapsMessage);
    else if (data?.type === 'stats') statsWaiters.shift()?.(e.data as { rejected: number; faults: number; dropped: number });
  };

  const params = {} as Record<ParamName, AudioParam>;
  // AudioParamMap is a maplike; the ES2022 DOM typings omit its Map methods.
  const paramMap = node.parameters as unknown as ReadonlyMap<string, AudioParam>;
  for (const p of PARAMS) params[p.name] = paramMap.get(p.name)!;

  return {
    node,
    params,
    shared,
    taps,
    get sweep() {
      return design;
    },
    setGenerator(kind) {
      sender.send(CONTROL.GENERATOR, code(GENERATOR_KINDS, kind, 'generator'));
    },
    trigger() {
      sender.send(CONTROL.TRIGGER, 1);
    },
    setSeed(seed) {
      sender.send(CONTROL.SEED, checkSeed(seed));
    },
    setChain(order, bypass = []) {
      const o = chainOrderCode(order);
      const b = bypassCode(bypass);
      sender.send(CONTROL.CHAIN_ORDER, o);
      sender.send(CONTROL.BYPASS, b);
    },
    setBypass(bypass) {
      sender.send(CONTROL.BYPASS, bypassCode(bypass));
    },
    setEqType(type) {
      sender.send(CONTROL.EQ_TYPE, code(EQ_TYPES, type, 'EQ type'));
    },
    setDetector(detector) {
      sender.send(CONTROL.COMP_DETECTOR, code(DETECTORS, detector, 'detector'));
    },
    setSweep(settings) {
      const next = f32(settings);
      const d = designSweep(next.f1, next.f2, next.duration, sr);
      sender.send(CONTROL.SWEEP_F1, next.f1);
      sender.send(CONTROL.SWEEP_F2, next.f2);
      sender.send(CONTROL.SWEEP_DURATION, next.duration);
      design = d;
      return d;
    },
    setProbe(name) {
      if (!probe) throw new DspError('DSP_BAD_OPTION', 'setProbe needs createLab(..., { probe: true })');
      sender.send(CONTROL.PROBE, name === null ? -1 : code(PARAM_NAMES, name, 'parameter'));
    },
    resetEffects() {
      sender.send(CONTROL.RESET, 1);
    },
    stats() {
      return new Promise((resolve) => {
        statsWaiters.push(resolve);
        node.port.postMessage({ type: 'stats' });
      });
    },
    dispose() {
      node.disconnect();
      node.port.onmessage = null;
      node.port.close();
    },
  };
}

export interface TapOptions {
  moduleUrl?: string;
  /** false forces the port fallback even where SharedArrayBuffer is usable. */
  shared?: boolean;
  scopeCapacity?: number;
  meterCapacity?: number;
}

/** A sink that meters and taps what it is fed (summed to mono), like a lab's own taps. */
export interface Tap {
  /** Connect the signal to this; it has no outputs and is rendered as long as it exists. */
  readonly node: AudioWorkletNode;
  readonly shared: boolean;
  readonly taps: TapReader;
  dispose(): void;
}

export async function createTap(context: BaseAudioContext, options: TapOptions = {}): Promise<Tap> {
  const { shared, scopeSab, meterSab, taps } = tapChannel(options);
  await loadWorkletModule(context, options.moduleUrl ?? workletUrl);
  const processorOptions: TapProcessorOptions = { scopeSab, meterSab };
  const node = new AudioWorkletNode(context, TAP_PROCESSOR_NAME, {
    numberOfInputs: 1,
    numberOfOutputs: 0,
    // Stereo in, mono tapped: the renderer down-mixes (L + R) / 2.
    channelCount: 1,
    channelCountMode: 'explicit',
    channelInterpretation: 'speakers',
    processorOptions,
  });
  node.port.onmessage = (e: MessageEvent) => {
    if ((e.data as { type?: string })?.type === 'taps') taps.receive(e.data as TapsMessage);
  };
  return {
    node,
    shared,
    taps,
    dispose() {
      node.disconnect();
      node.port.onmessage = null;
      node.port.postMessage({ type: 'dispose' });
      node.port.close();
    },
  };
}
