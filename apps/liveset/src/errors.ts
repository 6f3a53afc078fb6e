// The Live Set mirror's error registry (the .als reader has its own, als/errors.ts). Codes are
// stable: tests, the CLI and the `error` / `live` events key on them.

export const LIVESET_ERROR_CODES = {
  LIVESET_BAD_OPTION: 'an option passed to mountLiveSet, LiveSetMirror or the CLI is invalid',
  LIVESET_BIND_FAILED: 'a UDP port could not be bound (in use, or not permitted)',
  LIVESET_TIMEOUT: 'a request to AbletonOSC got no answer after its retries',
  LIVESET_SYNC_FAILED: 'a sync from Live gave inconsistent answers (the set changed during the sync, or a reply was malformed)',
  LIVESET_CLOSED: 'the mirror or the AbletonOSC link was closed',
} as const;

export type LiveSetErrorCode = keyof typeof LIVESET_ERROR_CODES;

export class LiveSetError extends Error {
  override readonly name = 'LiveSetError';
  readonly code: LiveSetErrorCode;

  constructor(code: LiveSetErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isLiveSetError(err: unknown): err is LiveSetError {
  return err instanceof LiveSetError;
}
