// Signal Lab's error registry for the app layer (Faust build and loading, measurements, WAV
// export, serving). Codes are stable: tests compare them, never the message; docs/signal-lab.md
// lists them (a test checks that).

export const LAB_ERROR_CODES = {
  LAB_BAD_OPTION: 'an option or argument is invalid (wrong type, out of range, over a cap)',
  LAB_FAUST_COMPILE: 'the Faust compiler rejected a .dsp source (the message carries its diagnostics)',
  LAB_FAUST_BAD_META: 'a compiled Faust effect has metadata the loader cannot use (channels, parameters)',
  LAB_FAUST_LOAD: 'a precompiled Faust effect could not be fetched, compiled or instantiated in the browser',
  LAB_MEASURE_FAILED: 'a measurement could not find what it measures (no tone, no impulse, silent capture)',
} as const;

export type LabErrorCode = keyof typeof LAB_ERROR_CODES;

export class LabError extends Error {
  override readonly name = 'LabError';
  readonly code: LabErrorCode;

  constructor(code: LabErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isLabError(err: unknown): err is LabError {
  return err instanceof LabError;
}
