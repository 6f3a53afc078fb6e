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
} as const;

export type ImportErrorCode = keyof typeof IMPORT_ERROR_CODES;

export class ImportError extends defineErrors('ImportError', IMPORT_ERROR_CODES).Error {}
