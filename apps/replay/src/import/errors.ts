// The importers' error registry (docs/replay-import.md §5). Codes are stable: the CLI prints them
// and tests compare them, never the message. A test checks that each code is documented.
import { defineErrors } from '@tidewire/base';

export const IMPORT_ERROR_CODES = {
  IMPORT_BAD_OPTION: { description: 'an option of an importer, of the UDP ingest or of `tidewire replay import-csv` is invalid' },
  IMPORT_DATA_MISSING: { description: 'an input file does not exist or cannot be read' },
  IMPORT_MISSING_COLUMN: { description: 'a CSV lacks a required column (a time column, DriverNumber, X or Y)' },
  IMPORT_NO_DATA: { description: 'the input holds no usable sample (every row bad, or no position at all)' },
  IMPORT_LIMIT: { description: 'the input exceeds a cap (rows, drivers, time span, capture record size)' },
  IMPORT_BAD_CAPTURE: { description: 'a file is not a UDP capture (wrong magic or version, or a corrupt record)' },
  IMPORT_DISK_FULL: {
    description: 'a recording file (capture or live timeline) could not be written: no room left (ENOSPC, EDQUOT) or the file size limit (EFBIG)',
  },
  IMPORT_FILE_EXISTS: { description: 'the live timeline file (`recordTimeline`, `--record-timeline`) exists already: a recording is never overwritten' },
  IMPORT_WRITE_FAILED: { description: 'a recording file (capture or live timeline) could not be written for another reason (EIO, …)' },
} as const;

export type ImportErrorCode = keyof typeof IMPORT_ERROR_CODES;

export class ImportError extends defineErrors('ImportError', IMPORT_ERROR_CODES).Error {}

/** errno codes that mean "no more room": the disk or quota is full, or the file hit RLIMIT_FSIZE. */
const NO_ROOM = new Set(['ENOSPC', 'EFBIG', 'EDQUOT']);

/** A failed write of a recording file as an ImportError: IMPORT_DISK_FULL for no room, else IMPORT_WRITE_FAILED. */
export function writeError(path: string, e: unknown): ImportError {
  if (ImportError.is(e)) return e;
  const errno = (e as { code?: unknown } | null)?.code;
  const code = typeof errno === 'string' && NO_ROOM.has(errno) ? 'IMPORT_DISK_FULL' : 'IMPORT_WRITE_FAILED';
  return new ImportError(code, `${path}: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}
