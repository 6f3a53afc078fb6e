// The .als reader's error registry. Codes are stable (tests and the CLI key on them);
// messages always name the file and say what is wrong with it.
import { defineErrors } from '@tidewire/base';

export const ALS_ERROR_CODES = {
  ALS_EMPTY: { description: 'the file is empty, or its gzip stream holds no XML' },
  ALS_NOT_GZIP: { description: 'the file does not start with the gzip magic bytes 1f 8b' },
  ALS_BAD_GZIP: { description: 'the gzip stream is corrupt (bad deflate data, header or checksum)' },
  ALS_TRUNCATED: { description: 'the gzip stream or the XML document ends early' },
  ALS_BAD_XML: { description: 'the XML is not well-formed (the error carries line and column)' },
  ALS_NOT_LIVE_SET: { description: 'the XML root is not <Ableton> holding a <LiveSet>' },
  ALS_TOO_LARGE: { description: 'a size cap was exceeded (decompressed bytes, element depth or node count)' },
  ALS_TOKEN_TOO_LONG: {
    description:
      'one XML token held whole while parsing (a tag with its attributes, a comment, CDATA, a processing instruction, a doctype, a name) runs past maxTokenChars',
  },
  ALS_IO: { description: 'the file could not be read' },
  ALS_BAD_OPTIONS: { description: 'an option passed to the reader is invalid' },
} as const;

export type AlsErrorCode = keyof typeof ALS_ERROR_CODES;

export interface AlsErrorDetails {
  fileName: string;
  line?: number;
  column?: number;
  cause?: unknown;
}

export class AlsError extends defineErrors('AlsError', ALS_ERROR_CODES).Error {
  readonly fileName: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: AlsErrorCode, message: string, details: AlsErrorDetails) {
    super(code, `${details.fileName}: ${message}`, details);
    this.fileName = details.fileName;
    this.line = details.line;
    this.column = details.column;
  }
}
