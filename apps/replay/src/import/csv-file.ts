// Node side of the CSV importer: streams a file from disk (64 KiB at a time, never the whole
// text) and compresses segments with node:zlib, as generateRaceFiles does for the generator.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { gzip } from '../generate/load.ts';
import { importFastF1Csv, type CsvImportOptions, type CsvImportResult } from './csv-import.ts';
import { ImportError } from './errors.ts';

export type CsvFileImportOptions = Omit<CsvImportOptions, 'compress' | 'sourceName'>;

export async function importFastF1CsvFile(path: string, options: CsvFileImportOptions = {}): Promise<CsvImportResult> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a file');
  } catch (e) {
    throw new ImportError('IMPORT_DATA_MISSING', `${path} does not exist or is not a readable file`, { cause: e });
  }
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  try {
    return await importFastF1Csv(stream as AsyncIterable<Uint8Array>, { ...options, compress: gzip, sourceName: basename(path) });
  } finally {
    stream.destroy();
  }
}
