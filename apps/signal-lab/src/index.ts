// @tidewire/signal-lab (Node side): mounting the lab on a Tidewire server and the isomorphic
// measurement/export code. The DSP core is `@tidewire/signal-lab/dsp`; the build-time Faust
// compiler (src/faust/compile.ts) is left out so that `tidewire serve` never loads faustwasm.
export { mountSignalLab, serveSignalLab, signalLabDist, signalLabDistExists, SIGNAL_LAB_PATH, SIGNAL_LAB_HEADERS } from './serve/mount.ts';
export type { MountedSignalLab } from './serve/mount.ts';
export { checkEffectMeta } from './faust/meta.ts';
export type { FaustEffectMeta, FaustParam } from './faust/meta.ts';
export { encodeWav, decodeWav } from './app/wav.ts';
export type { WavFormat } from './app/wav.ts';
export { analyzeTone } from './app/thd.ts';
export type { ToneAnalysis } from './app/thd.ts';
export { findDelay } from './app/correlate.ts';
export { LabError, LAB_ERROR_CODES } from './app/errors.ts';
export type { LabErrorCode } from './app/errors.ts';
