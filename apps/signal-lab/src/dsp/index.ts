// @tidewire/signal-lab/dsp: the audio DSP core. createLab runs it in an AudioWorklet; the pure
// modules run anywhere (Node tests, offline analysis, the UI's spectrum).
export { createLab, createTap, loadWorkletModule, chainOrderCode, bypassCode, sharedMemoryAvailable, workletUrl } from './lab.ts';
export type { Lab, LabOptions, SweepSettings, Tap, TapOptions } from './lab.ts';
export {
  BLOCK,
  PROCESSOR_NAME,
  TAP_PROCESSOR_NAME,
  GENERATOR_KINDS,
  EFFECT_KINDS,
  EQ_TYPES,
  DETECTORS,
  CONTROL,
  PARAMS,
  PARAM_NAMES,
  MAX_DELAY_SECONDS,
  packOrder,
  unpackOrder,
  dbToGain,
} from './constants.ts';
export type { GeneratorKind, EffectKind, EqType, Detector, ParamName, ParamSpec, ControlKey } from './constants.ts';
export { DspError, DSP_ERROR_CODES } from './errors.ts';
export type { DspErrorCode } from './errors.ts';
export { TapReader, METER_STRIDE } from './taps.ts';
export { Fft } from './fft.ts';
export { rbjCoefficients, biquadMagnitude, Biquad } from './biquad.ts';
export { compressorCurve, Compressor } from './compressor.ts';
export { Delay } from './delay.ts';
export { Oscillator } from './oscillators.ts';
export { WhiteNoise, PinkNoise } from './noise.ts';
export { ImpulseSource } from './impulse.ts';
export {
  designSweep,
  sweepSample,
  sweepFrequencyAt,
  harmonicDelay,
  renderSweep,
  sweepInverseSpectrum,
  deconvolveSweep,
  sweepInverseFilter,
  harmonicResponse,
} from './sweep.ts';
export type { SweepDesign, Spectrum } from './sweep.ts';
export { LabEngine } from './engine.ts';
export type { EngineInit } from './engine.ts';
