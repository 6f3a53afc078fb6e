// Everything that defines the sound, as plain data: the live graph, every offline render
// (THD, frequency response, WAV export) and the bench build from the same LabSettings, so a
// measurement measures exactly what is playing.
import { EFFECT_KINDS, PARAMS } from '../../src/dsp/index.ts';
import type { Detector, EffectKind, EqType, GeneratorKind, ParamName, SweepSettings } from '../../src/dsp/index.ts';
import type { FaustEffectAsset } from '../../src/faust/runtime.ts';
import type { FaustEffectMeta } from '../../src/faust/meta.ts';

export interface FaustSlot {
  /** Unique within the chain (an effect can be inserted twice). */
  key: string;
  /** The effect in the catalog (its compiled asset and metadata). */
  id: string;
  params: Record<string, number>;
  bypass: boolean;
}

export interface CatalogEntry {
  asset: FaustEffectAsset;
  meta: FaustEffectMeta;
  /** From the live editor rather than the build. */
  live: boolean;
}

/** Faust effects by id: kept out of reactive state (a compiled module must not be proxied). */
export type FaustCatalog = ReadonlyMap<string, CatalogEntry>;

export interface LabSettings {
  generator: GeneratorKind;
  seed: number;
  params: Record<ParamName, number>;
  /** The worklet chain's order (every core effect once) and the ones bypassed. */
  order: EffectKind[];
  bypass: EffectKind[];
  eqType: EqType;
  detector: Detector;
  sweep: SweepSettings;
  /** Faust effects, after the worklet chain, in order. */
  faust: FaustSlot[];
}

/** The generators the panel offers, with their labels ('input' plays the node's input). */
export const GENERATORS: ReadonlyArray<{ kind: GeneratorKind; label: string }> = [
  { kind: 'sine', label: 'Sine' },
  { kind: 'square', label: 'Square' },
  { kind: 'saw', label: 'Saw' },
  { kind: 'triangle', label: 'Triangle' },
  { kind: 'white', label: 'White' },
  { kind: 'pink', label: 'Pink' },
  { kind: 'impulse', label: 'Impulse' },
  { kind: 'impulse-train', label: 'Pulse train' },
  { kind: 'sweep', label: 'Sweep' },
  { kind: 'dc', label: 'DC' },
  { kind: 'silence', label: 'Silence' },
];

export const EFFECT_LABELS: Record<EffectKind, string> = { gain: 'Gain', eq: 'EQ (RBJ biquad)', delay: 'Delay', comp: 'Compressor' };

export function defaultParams(): Record<ParamName, number> {
  const out = {} as Record<ParamName, number>;
  for (const p of PARAMS) out[p.name] = p.defaultValue;
  return out;
}

export function defaultSettings(): LabSettings {
  const params = defaultParams();
  // A chain that does something audible when un-bypassed, not the processor's neutral defaults.
  params['eq.gain'] = 6;
  params['comp.threshold'] = -30;
  return {
    generator: 'sine',
    seed: 1,
    params,
    order: [...EFFECT_KINDS],
    bypass: [...EFFECT_KINDS],
    eqType: 'peaking',
    detector: 'rms',
    sweep: { f1: 20, f2: 20000, duration: 2 },
    faust: [],
  };
}

/** A deep copy that an offline render can keep while the live settings move on. */
export function snapshot(s: LabSettings): LabSettings {
  return {
    ...s,
    params: { ...s.params },
    order: [...s.order],
    bypass: [...s.bypass],
    sweep: { ...s.sweep },
    faust: s.faust.map((f) => ({ ...f, params: { ...f.params } })),
  };
}
