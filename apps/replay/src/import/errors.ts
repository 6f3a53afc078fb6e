// The importers' error registry (docs/replay-import.md §5). Codes are stable: the CLI prints them
// and tests compare them, never the message. A test checks that each code is documented.

export const IMPORT_ERROR_CODES = {
  IMPORT_BAD_OPTION: 'an option of an importer, of the UDP ingest or of `tidewire replay import-csv` is invalid',
  IMPORT_DATA_MISSING: 'an input file does not exist or cannot be read',
  IMPORT_MISSING_COLUMN: 'a CSV lacks a required column (a time column, DriverNumber, X or Y)',
  IMPORT_NO_DATA: 'the input holds no usable sample (every row bad, or no position at all)',
  IMPORT_LIMIT: 'the input exceeds a cap (rows, drivers, time span, capture record size)',
  IMPORT_BAD_CAPTURE: 'a file is not a UDP capture (wrong magic or version, or a corrupt record)',
} as const;

export type ImportErrorCode = keyof typeof IMPORT_ERROR_CODES;

export class ImportError extends Error {
  override readonly name = 'ImportError';
  readonly code: ImportErrorCode;

  constructor(code: ImportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isImportError(err: unknown): err is ImportError {
  return err instanceof ImportError;
}
