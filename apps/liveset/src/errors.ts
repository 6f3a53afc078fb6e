// The Live Set mirror's error registry (the .als reader has its own, als/errors.ts). Codes are
// stable: tests, the CLI and the `error` / `live` events key on them.
import { defineErrors } from '@tidewire/base';

export const LIVESET_ERROR_CODES = {
  LIVESET_BAD_OPTION: { description: 'an option passed to mountLiveSet, LiveSetMirror or the CLI is invalid' },
  LIVESET_BIND_FAILED: { description: 'a UDP port could not be bound (in use, or not permitted)' },
  LIVESET_TIMEOUT: { description: 'a request to AbletonOSC got no answer after its retries' },
  LIVESET_SYNC_FAILED: { description: 'a sync from Live gave inconsistent answers (the set changed during the sync, or a reply was malformed)' },
  LIVESET_CLOSED: { description: 'the mirror or the AbletonOSC link was closed' },
} as const;

export type LiveSetErrorCode = keyof typeof LIVESET_ERROR_CODES;

export class LiveSetError extends defineErrors('LiveSetError', LIVESET_ERROR_CODES).Error {}
