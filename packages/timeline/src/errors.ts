// The error registry of @tidewire/timeline. Every code has a row in docs/timeline-format.md §6
// (a test checks it); callers and tests compare `err.code`, never the message.
import { defineErrors } from '@tidewire/base';

export const TimelineErrorCodes = {
  TL_BAD_MAGIC: { description: 'The file does not start with the magic bytes (§5.1).' },
  TL_UNSUPPORTED_VERSION: { description: 'The HEADER record names a format version this reader does not implement (§5.3).' },
  TL_TRUNCATED: { description: 'The file ends early: a record runs past the end, or the trailing magic is missing (§5.9).' },
  TL_BAD_LENGTH: { description: 'A length or offset that is above 2^53 − 1, above a cap, or points outside its container.' },
  TL_BAD_CHECKSUM: { description: 'A record whose CRC32 does not match its bytes (§5.2).' },
  TL_BAD_RECORD: { description: 'A record in the wrong place, with the wrong opcode, or with inconsistent fields (§5).' },
  TL_BAD_SEGMENT: { description: 'A segment payload that does not parse or disagrees with its record (§5.5).' },
  TL_BAD_SCHEMA: { description: 'A schema that breaks a rule or a limit of §3.' },
  TL_BAD_FRAME: { description: "An encoded frame that does not parse, or decodes to a value outside its field's range (§4)." },
  TL_NO_KEYFRAME: { description: "A delta frame with no keyframe before it in this codec's history (§4.1)." },
  TL_BAD_VALUE: { description: "A value an encoder or writer cannot store: out of its field's range, infinite, or a time out of order." },
  TL_BAD_ARGUMENT: { description: 'A bad argument: wrong array length, segment number out of range, invalid option.' },
  TL_CLOSED: { description: 'A call on a writer that has finished or failed.' },
} as const;

export type TimelineErrorCode = keyof typeof TimelineErrorCodes;

// Stryker disable next-line StringLiteral: the registry's name only shows on a direct instance of registry.Error, which nothing creates; TimelineError takes its own class name (new.target)
export class TimelineError extends defineErrors('TimelineError', TimelineErrorCodes).Error {
  /**
   * Byte offset the error is about: in the file for file errors, in the frame for
   * TL_BAD_FRAME, in the decompressed payload for TL_BAD_SEGMENT. Absent when no byte is at fault.
   */
  readonly offset?: number;

  constructor(code: TimelineErrorCode, message: string, options?: { offset?: number; cause?: unknown }) {
    const at = options?.offset === undefined ? '' : ` (at byte ${options.offset})`;
    super(code, `${message}${at}`, options);
    if (options?.offset !== undefined) this.offset = options.offset;
  }
}
