// The effect chain: four effects in a reorderable order, each bypassable, processing one block
// in place. Dispatch is a switch on the effect id (no per-effect objects behind an interface,
// no closures), and every effect reads its AudioParam arrays straight from the block's list.
import { EFFECT_COUNT, MAX_DELAY_SECONDS, PARAM_NAMES, unpackOrder } from './constants.ts';
import type { ParamName } from './constants.ts';
import { Biquad } from './biquad.ts';
import { Compressor } from './compressor.ts';
import { Delay } from './delay.ts';
import { applyGainDb } from './gain.ts';

export const FX_GAIN = 0;
export const FX_EQ = 1;
export const FX_DELAY = 2;
export const FX_COMP = 3;

function paramIndex(name: ParamName): number {
  return PARAM_NAMES.indexOf(name);
}

/** Positions in PARAMS (and in the block's parameter list) of every parameter. */
export const P = {
  frequency: paramIndex('frequency'),
  level: paramIndex('level'),
  on: paramIndex('on'),
  gainDb: paramIndex('gain.db'),
  eqFreq: paramIndex('eq.freq'),
  eqQ: paramIndex('eq.q'),
  eqGain: paramIndex('eq.gain'),
  delayTime: paramIndex('delay.time'),
  delayFeedback: paramIndex('delay.feedback'),
  delayMix: paramIndex('delay.mix'),
  compThreshold: paramIndex('comp.threshold'),
  compRatio: paramIndex('comp.ratio'),
  compKnee: paramIndex('comp.knee'),
  compAttack: paramIndex('comp.attack'),
  compRelease: paramIndex('comp.release'),
  compMakeup: paramIndex('comp.makeup'),
} as const;

/** Every effect bypassed: the generator goes out untouched. */
export const BYPASS_ALL = (1 << EFFECT_COUNT) - 1;

export class EffectChain {
  readonly eq: Biquad;
  readonly delay: Delay;
  readonly comp: Compressor;
  /** Effect id per slot, processed from slot 0. */
  readonly order = new Int32Array([FX_GAIN, FX_EQ, FX_DELAY, FX_COMP]);
  /** Bit id set: effect id is bypassed. */
  bypass = BYPASS_ALL;

  constructor(sampleRate: number) {
    this.eq = new Biquad(sampleRate);
    this.delay = new Delay(sampleRate, MAX_DELAY_SECONDS);
    this.comp = new Compressor(sampleRate);
  }

  /** Applies a packed CHAIN_ORDER value; false (no change) unless it is a permutation. */
  setOrder(packed: number): boolean {
    return unpackOrder(packed, this.order);
  }

  setBypass(mask: number): boolean {
    if (!Number.isInteger(mask) || mask < 0 || mask > BYPASS_ALL) return false;
    this.bypass = mask;
    return true;
  }

  reset(): void {
    this.eq.reset();
    this.delay.reset();
    this.comp.reset();
  }

  process(buf: Float64Array, n: number, p: readonly Float32Array[]): void {
    const order = this.order;
    for (let slot = 0; slot < EFFECT_COUNT; slot++) {
      const id = order[slot];
      if ((this.bypass & (1 << id)) !== 0) continue;
      switch (id) {
        case FX_GAIN:
          applyGainDb(buf, n, p[P.gainDb]);
          break;
        case FX_EQ:
          this.eq.process(buf, n, p[P.eqFreq], p[P.eqQ], p[P.eqGain]);
          break;
        case FX_DELAY:
          this.delay.process(buf, n, p[P.delayTime], p[P.delayFeedback], p[P.delayMix]);
          break;
        default:
          this.comp.process(buf, n, p[P.compThreshold], p[P.compRatio], p[P.compKnee], p[P.compAttack], p[P.compRelease], p[P.compMakeup]);
          break;
      }
    }
  }
}
