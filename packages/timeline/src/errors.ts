// The error registry of @tidewire/timeline. Every code has a row in docs/timeline-format.md §6
// (a test checks it); callers and tests compare `err.code`, never the message.

export const TimelineErrorCodes = {
  /** The file does not start with the magic bytes (§5.1). */
  TL_BAD_MAGIC: 'TL_BAD_MAGIC',
  /** The HEADER record names a format version this reader does not implement (§5.3). */
  TL_UNSUPPORTED_VERSION: 'TL_UNSUPPORTED_VERSION',
  /** The file ends early: a record runs past the end, or the trailing magic is missing (§5.9). */
  TL_TRUNCATED: 'TL_TRUNCATED',
  /** A length or offset that is above 2^53 − 1, above a cap, or points outside its container. */
  TL_BAD_LENGTH: 'TL_BAD_LENGTH',
  /** A record whose CRC32 does not match its bytes (§5.2). */
  TL_BAD_CHECKSUM: 'TL_BAD_CHECKSUM',
  /** A record in the wrong place, with the wrong opcode, or with inconsistent fields (§5). */
  TL_BAD_RECORD: 'TL_BAD_RECORD',
  /** A segment payload that does not parse or disagrees with its record (§5.5). */
  TL_BAD_SEGMENT: 'TL_BAD_SEGMENT',
  /** A schema that breaks a rule or a limit of §3. */
  TL_BAD_SCHEMA: 'TL_BAD_SCHEMA',
  /** An encoded frame that does not parse, or decodes to a value outside its field's range (§4). */
  TL_BAD_FRAME: 'TL_BAD_FRAME',
  /** A delta frame with no keyframe before it in this codec's history (§4.1). */
  TL_NO_KEYFRAME: 'TL_NO_KEYFRAME',
  /** A value an encoder or writer cannot store: out of its field's range, infinite, or a time out of order. */
  TL_BAD_VALUE: 'TL_BAD_VALUE',
  /** A bad argument: wrong array length, segment number out of range, invalid option. */
  TL_BAD_ARGUMENT: 'TL_BAD_ARGUMENT',
  /** A call on a writer that has finished or failed. */
  TL_CLOSED: 'TL_CLOSED',
} as const;

export type TimelineErrorCode = (typeof TimelineErrorCodes)[keyof typeof TimelineErrorCodes];

export class TimelineError extends Error {
  readonly code: TimelineErrorCode;
  /**
   * Byte offset the error is about: in the file for file errors, in the frame for
   * TL_BAD_FRAME, in the decompressed payload for TL_BAD_SEGMENT. Absent when no byte is at fault.
   */
  readonly offset?: number;

  constructor(code: TimelineErrorCode, message: string, options?: { offset?: number; cause?: unknown }) {
    const at = options?.offset === undefined ? '' : ` (at byte ${options.offset})`;
    super(`${message}${at}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TimelineError';
    this.code = code;
    if (options?.offset !== undefined) this.offset = options.offset;
  }
}

export function isTimelineError(e: unknown, code?: TimelineErrorCode): e is TimelineError {
  return e instanceof TimelineError && (code === undefined || e.code === code);
}
