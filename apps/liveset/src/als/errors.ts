// The .als reader's error registry. Codes are stable (tests and the CLI key on them);
// messages always name the file and say what is wrong with it.

export const ALS_ERROR_CODES = {
  ALS_EMPTY: 'the file is empty, or its gzip stream holds no XML',
  ALS_NOT_GZIP: 'the file does not start with the gzip magic bytes 1f 8b',
  ALS_BAD_GZIP: 'the gzip stream is corrupt (bad deflate data, header or checksum)',
  ALS_TRUNCATED: 'the gzip stream or the XML document ends early',
  ALS_BAD_XML: 'the XML is not well-formed (the error carries line and column)',
  ALS_NOT_LIVE_SET: 'the XML root is not <Ableton> holding a <LiveSet>',
  ALS_TOO_LARGE: 'a size cap was exceeded (decompressed bytes, element depth or node count)',
  ALS_IO: 'the file could not be read',
  ALS_BAD_OPTIONS: 'an option passed to the reader is invalid',
} as const;

export type AlsErrorCode = keyof typeof ALS_ERROR_CODES;

export interface AlsErrorDetails {
  fileName: string;
  line?: number;
  column?: number;
  cause?: unknown;
}

export class AlsError extends Error {
  override readonly name = 'AlsError';
  readonly code: AlsErrorCode;
  readonly fileName: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: AlsErrorCode, message: string, details: AlsErrorDetails) {
    super(`${details.fileName}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.fileName = details.fileName;
    this.line = details.line;
    this.column = details.column;
  }
}

export function isAlsError(err: unknown): err is AlsError {
  return err instanceof AlsError;
}
