// The vocabulary shared by the audio thread and the main thread: generator kinds, effects,
// filter types, the AudioParams the processor declares and the control-queue keys. Numeric codes
// are positions in these lists; they travel as float32 in the control queue, so every code and
// packed value stays below 2^24 (exact in float32).

export const BLOCK = 128;
export const PROCESSOR_NAME = 'tidewire-lab';
export const TAP_PROCESSOR_NAME = 'tidewire-tap';

export const GENERATOR_KINDS = ['silence', 'sine', 'square', 'saw', 'triangle', 'white', 'pink', 'impulse', 'impulse-train', 'sweep', 'dc', 'input'] as const;
export type GeneratorKind = (typeof GENERATOR_KINDS)[number];
export const GEN = {
  silence: 0,
  sine: 1,
  square: 2,
  saw: 3,
  triangle: 4,
  white: 5,
  pink: 6,
  impulse: 7,
  impulseTrain: 8,
  sweep: 9,
  dc: 10,
  input: 11,
} as const;

/** Effects in their default chain order; the id is the position here. */
export const EFFECT_KINDS = ['gain', 'eq', 'delay', 'comp'] as const;
export type EffectKind = (typeof EFFECT_KINDS)[number];
export const EFFECT_COUNT = EFFECT_KINDS.length;

export const EQ_TYPES = ['peaking', 'lowshelf', 'highshelf', 'lowpass', 'highpass'] as const;
export type EqType = (typeof EQ_TYPES)[number];

export const DETECTORS = ['rms', 'peak'] as const;
export type Detector = (typeof DETECTORS)[number];

/**
 * Controls that are not AudioParams: key → meaning. Keys are the index byte of ringbuf.js's
 * ParameterWriter (0-255); values are float32.
 */
export const CONTROL = {
  /** GENERATOR_KINDS code; selecting a kind (re)arms it like TRIGGER. */
  GENERATOR: 0,
  /** Any value: restart the generator (phase 0, impulse re-armed, sweep from its start). */
  TRIGGER: 1,
  /** Noise seed, an integer in [0, 2^24). Applied at once (the noise restarts from it). */
  SEED: 2,
  /** Chain order packed as Σ id_i · 4^i over the EFFECT_COUNT slots (see packOrder). */
  CHAIN_ORDER: 3,
  /** Bit i set: effect id i is bypassed. */
  BYPASS: 4,
  /** EQ_TYPES code of the biquad. */
  EQ_TYPE: 5,
  /** DETECTORS code of the compressor. */
  COMP_DETECTOR: 6,
  /** Sweep start frequency (Hz); sweep settings take effect at the next TRIGGER or selection. */
  SWEEP_F1: 7,
  SWEEP_F2: 8,
  /** Requested sweep duration (s); the synchronised design rounds it (see designSweep). */
  SWEEP_DURATION: 9,
  /** Index into PARAMS of the parameter mirrored on the probe output, or -1 for none. */
  PROBE: 10,
  /** Any value: clear the effects' state (delay line, filter memory, compressor envelope). */
  RESET: 11,
} as const;
export type ControlKey = (typeof CONTROL)[keyof typeof CONTROL];
export const CONTROL_COUNT = 12;

export interface ParamSpec {
  readonly name: string;
  readonly defaultValue: number;
  readonly minValue: number;
  readonly maxValue: number;
  readonly unit: string;
}

/**
 * Every AudioParam of the processor (all a-rate). Generator: frequency, level, on. Effects:
 * `<effect>.<param>`. The order is the probe index (CONTROL.PROBE).
 */
export const PARAMS = [
  { name: 'frequency', defaultValue: 1000, minValue: 0, maxValue: 96000, unit: 'Hz' },
  { name: 'level', defaultValue: -12, minValue: -240, maxValue: 24, unit: 'dBFS' },
  { name: 'on', defaultValue: 1, minValue: 0, maxValue: 1, unit: 'bool' },
  { name: 'gain.db', defaultValue: 0, minValue: -120, maxValue: 48, unit: 'dB' },
  { name: 'eq.freq', defaultValue: 1000, minValue: 10, maxValue: 96000, unit: 'Hz' },
  { name: 'eq.q', defaultValue: Math.SQRT1_2, minValue: 0.05, maxValue: 50, unit: '' },
  { name: 'eq.gain', defaultValue: 0, minValue: -48, maxValue: 48, unit: 'dB' },
  { name: 'delay.time', defaultValue: 0.25, minValue: 0, maxValue: 2, unit: 's' },
  { name: 'delay.feedback', defaultValue: 0.3, minValue: 0, maxValue: 0.99, unit: '' },
  { name: 'delay.mix', defaultValue: 0.3, minValue: 0, maxValue: 1, unit: '' },
  { name: 'comp.threshold', defaultValue: -24, minValue: -100, maxValue: 0, unit: 'dB' },
  { name: 'comp.ratio', defaultValue: 4, minValue: 1, maxValue: 100, unit: '' },
  { name: 'comp.knee', defaultValue: 6, minValue: 0, maxValue: 40, unit: 'dB' },
  { name: 'comp.attack', defaultValue: 0.003, minValue: 0, maxValue: 1, unit: 's' },
  { name: 'comp.release', defaultValue: 0.1, minValue: 0, maxValue: 5, unit: 's' },
  { name: 'comp.makeup', defaultValue: 0, minValue: -24, maxValue: 48, unit: 'dB' },
] as const satisfies readonly ParamSpec[];
export type ParamName = (typeof PARAMS)[number]['name'];
export const PARAM_NAMES: readonly ParamName[] = PARAMS.map((p) => p.name);

/** Longest delay the pre-allocated delay line holds (s); matches delay.time's maxValue. */
export const MAX_DELAY_SECONDS = 2;

/** Packs a chain order (effect ids, one per slot) into the CHAIN_ORDER control value. */
export function packOrder(order: readonly number[]): number {
  let v = 0;
  for (let i = order.length - 1; i >= 0; i--) v = v * EFFECT_COUNT + order[i];
  return v;
}

/**
 * Unpacks CHAIN_ORDER into `out` (length EFFECT_COUNT). Returns false, leaving `out` unchanged,
 * unless the value is an exact permutation. Allocation-free: runs on the audio thread.
 */
export function unpackOrder(value: number, out: Int32Array): boolean {
  if (!Number.isInteger(value) || value < 0) return false;
  let seen = 0;
  let v = value;
  for (let i = 0; i < EFFECT_COUNT; i++) {
    const id = v % EFFECT_COUNT;
    if ((seen & (1 << id)) !== 0) return false;
    seen |= 1 << id;
    v = (v - id) / EFFECT_COUNT;
  }
  if (v !== 0) return false;
  v = value;
  for (let i = 0; i < EFFECT_COUNT; i++) {
    const id = v % EFFECT_COUNT;
    out[i] = id;
    v = (v - id) / EFFECT_COUNT;
  }
  return true;
}

/** dB → linear amplitude. */
export function dbToGain(db: number): number {
  return Math.pow(10, db * 0.05);
}
