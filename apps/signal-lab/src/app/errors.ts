// Signal Lab's error registry for the app layer (Faust build and loading, measurements, WAV
// export, serving). Codes are stable: tests compare them, never the message; docs/signal-lab.md
// lists them (a test checks that).
import { defineErrors } from '@tidewire/base';

export const LAB_ERROR_CODES = {
  LAB_BAD_OPTION: { description: 'an option or argument is invalid (wrong type, out of range, over a cap)' },
  LAB_FAUST_COMPILE: { description: 'the Faust compiler rejected a .dsp source (the message carries its diagnostics)' },
  LAB_FAUST_BAD_META: { description: 'a compiled Faust effect has metadata the loader cannot use (channels, parameters)' },
  LAB_FAUST_LOAD: { description: 'a precompiled Faust effect could not be fetched, compiled or instantiated in the browser' },
  LAB_MEASURE_FAILED: { description: 'a measurement could not find what it measures (no tone, no impulse, silent capture)' },
} as const;

export type LabErrorCode = keyof typeof LAB_ERROR_CODES;

export class LabError extends defineErrors('LabError', LAB_ERROR_CODES).Error {}
