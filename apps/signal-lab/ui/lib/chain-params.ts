// The sliders each worklet effect shows: ranges chosen for hands (narrower than the
// AudioParams' limits) and the travel that suits each.
import type { EffectKind, ParamName } from '../../src/dsp/index.ts';
import type { Scale } from './format.ts';

export interface SliderSpec {
  name: ParamName;
  label: string;
  min: number;
  max: number;
  unit: string;
  scale: Scale;
  step?: number;
}

export const CORE_SLIDERS: Record<EffectKind, SliderSpec[]> = {
  gain: [{ name: 'gain.db', label: 'Gain', min: -60, max: 24, unit: 'dB', scale: 'lin', step: 0.1 }],
  eq: [
    { name: 'eq.freq', label: 'Frequency', min: 20, max: 20000, unit: 'Hz', scale: 'log' },
    { name: 'eq.q', label: 'Q', min: 0.1, max: 20, unit: '', scale: 'log' },
    { name: 'eq.gain', label: 'Gain', min: -24, max: 24, unit: 'dB', scale: 'lin', step: 0.1 },
  ],
  delay: [
    { name: 'delay.time', label: 'Time', min: 0.001, max: 2, unit: 's', scale: 'log' },
    { name: 'delay.feedback', label: 'Feedback', min: 0, max: 0.95, unit: '', scale: 'lin' },
    { name: 'delay.mix', label: 'Mix', min: 0, max: 1, unit: '', scale: 'lin' },
  ],
  comp: [
    { name: 'comp.threshold', label: 'Threshold', min: -60, max: 0, unit: 'dB', scale: 'lin', step: 0.5 },
    { name: 'comp.ratio', label: 'Ratio', min: 1, max: 20, unit: '', scale: 'log' },
    { name: 'comp.knee', label: 'Knee', min: 0, max: 24, unit: 'dB', scale: 'lin', step: 0.5 },
    { name: 'comp.attack', label: 'Attack', min: 0.0001, max: 0.5, unit: 's', scale: 'log' },
    { name: 'comp.release', label: 'Release', min: 0.005, max: 3, unit: 's', scale: 'log' },
    { name: 'comp.makeup', label: 'Makeup', min: 0, max: 24, unit: 'dB', scale: 'lin', step: 0.5 },
  ],
};
