// Everything process() does, without the AudioWorklet around it: the generators, the level and
// gate, the effect chain, meters and the probe. Pure and allocation-free after construction, so
// Node tests drive it (and the real processor) block by block.
import { BLOCK, CONTROL, DETECTORS, EQ_TYPES, GEN, GENERATOR_KINDS, PARAMS } from './constants.ts';
import { EffectChain, P } from './chain.ts';
import { ImpulseSource } from './impulse.ts';
import { PinkNoise, WhiteNoise } from './noise.ts';
import { OSC_SAW, OSC_SINE, OSC_SQUARE, OSC_TRIANGLE, Oscillator } from './oscillators.ts';
import { SweepSource } from './sweep.ts';

/** The state the processor starts in (processorOptions), all codes as in constants.ts. */
export interface EngineInit {
  generator: number;
  seed: number;
  chainOrder: number;
  bypass: number;
  eqType: number;
  detector: number;
  sweepF1: number;
  sweepF2: number;
  sweepDuration: number;
  probe: number;
}

export const DEFAULT_INIT: EngineInit = {
  generator: GEN.sine,
  seed: 1,
  chainOrder: 0b11100100, // gain, eq, delay, comp
  bypass: 0b1111,
  eqType: 0,
  detector: 0,
  sweepF1: 20,
  sweepF2: 20000,
  sweepDuration: 2,
  probe: -1,
};

export const MAX_SEED = 1 << 24;

export class LabEngine {
  readonly sampleRate: number;
  kind: number = GEN.sine;
  readonly osc: Oscillator;
  readonly white: WhiteNoise;
  readonly pink: PinkNoise;
  readonly impulse: ImpulseSource;
  readonly sweep: SweepSource;
  readonly chain: EffectChain;
  /** PARAMS index mirrored on the probe output, or -1. */
  probe = -1;
  /** Controls refused as invalid since construction (the audio thread cannot throw them). */
  rejected = 0;
  /** Blocks whose output was not finite; the chain was reset and the block silenced. */
  faults = 0;
  /**
   * Meters of the last block: [peak |x|, RMS, compressor gain reduction (dB)]. An array, not
   * three number fields, so handing them on passes no doubles through a call (which would box).
   */
  readonly meters = new Float32Array(3);
  private sweepF1 = 0;
  private sweepF2 = 0;
  private sweepDuration = 0;
  // The block scratch pool: the signal, and the gain curve of level × on.
  private readonly sig = new Float64Array(BLOCK);
  private readonly amp = new Float64Array(BLOCK);

  constructor(sampleRate: number, init: EngineInit = DEFAULT_INIT) {
    this.sampleRate = sampleRate;
    this.osc = new Oscillator(sampleRate);
    this.white = new WhiteNoise(init.seed);
    this.pink = new PinkNoise(init.seed);
    this.impulse = new ImpulseSource(sampleRate);
    this.sweep = new SweepSource(sampleRate);
    this.chain = new EffectChain(sampleRate);
    // Invalid initial values count as rejected controls, like later ones.
    this.applyControl(CONTROL.SWEEP_F1, init.sweepF1);
    this.applyControl(CONTROL.SWEEP_F2, init.sweepF2);
    this.applyControl(CONTROL.SWEEP_DURATION, init.sweepDuration);
    this.applyControl(CONTROL.CHAIN_ORDER, init.chainOrder);
    this.applyControl(CONTROL.BYPASS, init.bypass);
    this.applyControl(CONTROL.EQ_TYPE, init.eqType);
    this.applyControl(CONTROL.COMP_DETECTOR, init.detector);
    this.applyControl(CONTROL.PROBE, init.probe);
    this.applyControl(CONTROL.GENERATOR, init.generator);
  }

  /** Applies one control (CONTROL key, float value). Invalid ones are counted and ignored. */
  applyControl(key: number, value: number): boolean {
    const ok = this.control(key, value);
    if (!ok) this.rejected++;
    return ok;
  }

  private control(key: number, value: number): boolean {
    switch (key) {
      case CONTROL.GENERATOR:
        if (!isCode(value, GENERATOR_KINDS.length)) return false;
        this.kind = value;
        this.osc.shape = value === GEN.square ? OSC_SQUARE : value === GEN.saw ? OSC_SAW : value === GEN.triangle ? OSC_TRIANGLE : OSC_SINE;
        this.impulse.periodic = value === GEN.impulseTrain;
        this.trigger();
        return true;
      case CONTROL.TRIGGER:
        this.trigger();
        return true;
      case CONTROL.SEED:
        if (!isCode(value, MAX_SEED)) return false;
        this.white.reseed(value);
        this.pink.reseed(value);
        return true;
      case CONTROL.CHAIN_ORDER:
        return this.chain.setOrder(value);
      case CONTROL.BYPASS:
        return this.chain.setBypass(value);
      case CONTROL.EQ_TYPE:
        if (!isCode(value, EQ_TYPES.length)) return false;
        this.chain.eq.setType(value);
        return true;
      case CONTROL.COMP_DETECTOR:
        if (!isCode(value, DETECTORS.length)) return false;
        this.chain.comp.detector = value;
        return true;
      case CONTROL.SWEEP_F1:
        return this.setSweep(value, this.sweepF2, this.sweepDuration, key);
      case CONTROL.SWEEP_F2:
        return this.setSweep(this.sweepF1, value, this.sweepDuration, key);
      case CONTROL.SWEEP_DURATION:
        return this.setSweep(this.sweepF1, this.sweepF2, value, key);
      case CONTROL.PROBE:
        if (value !== -1 && !isCode(value, PARAMS.length)) return false;
        this.probe = value;
        return true;
      case CONTROL.RESET:
        this.chain.reset();
        return true;
      default:
        return false;
    }
  }

  // f1, f2 and the duration arrive one control at a time, so each is stored on its own and the
  // sweep reconfigured whenever the three make a valid design; a half-updated, invalid
  // combination is held until the rest arrives (only a non-positive or NaN value is refused).
  private setSweep(f1: number, f2: number, duration: number, key: number): boolean {
    const value = key === CONTROL.SWEEP_F1 ? f1 : key === CONTROL.SWEEP_F2 ? f2 : duration;
    if (!(value > 0) || value === Infinity) return false;
    this.sweepF1 = f1;
    this.sweepF2 = f2;
    this.sweepDuration = duration;
    this.sweep.configure(f1, f2, duration);
    return true;
  }

  /** Restarts the current generator: phase 0, impulse armed, sweep from its start. */
  trigger(): void {
    this.osc.reset();
    this.impulse.arm();
    this.sweep.start();
  }

  /**
   * One block: p holds one Float32Array per PARAMS entry (length 1 or n); input is the node's
   * first input channel (or null); out receives the signal; probeOut, if given, the probed
   * parameter's per-sample values (zeros when nothing is probed).
   */
  process(p: readonly Float32Array[], input: Float32Array | null, out: Float32Array, probeOut: Float32Array | null, n = BLOCK): void {
    const sig = this.sig;
    const freq = p[P.frequency];
    const on = p[P.on];
    switch (this.kind) {
      case GEN.sine:
      case GEN.square:
      case GEN.saw:
      case GEN.triangle:
        this.osc.render(sig, n, freq);
        break;
      case GEN.white:
        this.white.render(sig, n);
        break;
      case GEN.pink:
        this.pink.render(sig, n);
        break;
      case GEN.impulse:
      case GEN.impulseTrain:
        this.impulse.render(sig, n, freq, on);
        break;
      case GEN.sweep:
        this.sweep.render(sig, n);
        break;
      case GEN.dc:
        for (let i = 0; i < n; i++) sig[i] = 1;
        break;
      case GEN.input:
        if (input !== null && input.length >= n) for (let i = 0; i < n; i++) sig[i] = input[i];
        else sig.fill(0, 0, n);
        break;
      default:
        sig.fill(0, 0, n);
        break;
    }
    this.applyLevel(sig, n, p[P.level], on);
    this.chain.process(sig, n, p);

    let peak = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = sig[i];
      out[i] = v;
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
      sum += v * v;
    }
    if (!Number.isFinite(sum)) {
      // An unstable moment (NaN or ∞ from extreme automation) must not poison the chain forever.
      this.faults++;
      this.chain.reset();
      out.fill(0, 0, n);
      peak = 0;
      sum = 0;
    }
    const meters = this.meters;
    meters[0] = peak;
    meters[1] = Math.sqrt(sum / n);
    meters[2] = this.chain.comp.gr;

    if (probeOut !== null) {
      const probe = this.probe;
      if (probe < 0) {
        probeOut.fill(0, 0, n);
      } else {
        const a = p[probe];
        const s = a.length > 1 ? 1 : 0;
        for (let i = 0; i < n; i++) probeOut[i] = a[i * s];
      }
    }
  }

  // Loops rather than fill(): a double handed to a builtin is boxed, i.e. allocated.
  private applyLevel(sig: Float64Array, n: number, level: Float32Array, on: Float32Array): void {
    const amp = this.amp;
    if (level.length > 1) {
      for (let i = 0; i < n; i++) amp[i] = Math.pow(10, level[i] * 0.05);
    } else {
      const g = Math.pow(10, level[0] * 0.05);
      for (let i = 0; i < n; i++) amp[i] = g;
    }
    const os = on.length > 1 ? 1 : 0;
    for (let i = 0; i < n; i++) sig[i] *= on[i * os] > 0.5 ? amp[i] : 0 * amp[i];
  }
}

function isCode(v: number, count: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < count;
}
