// `tidewire replay import-csv FILE --out FILE` (docs/replay-import.md §2.6).
import { defineCommand, integer, number, oneOf, UsageError, writeOutputFile } from '@tidewire/cli';
import type { Command, OptionsTable } from '@tidewire/cli';
import type { Output } from '../cli.ts';
import { failWithCode } from '../cli-common.ts';
import { importFastF1CsvFile } from './csv-file.ts';

const IMPORT_CSV_OPTIONS = {
  out: { type: 'string', value: 'FILE', help: 'the timeline file to write' },
  name: { type: 'string', value: 'NAME', help: 'the session name shown by viewers (default: the file name)' },
  time: { type: 'string', value: 'COLUMN', parse: oneOf(['SessionTime', 'Date']), help: 'the time base: SessionTime (default when present) or Date' },
  rate: { type: 'string', value: 'HZ', parse: integer(1, 100), help: 'frames per second, 1–100 (default 25)' },
  'max-gap': {
    type: 'string',
    value: 'SEC',
    parse: number(0.05, 3600, 'a number of seconds'),
    help: 'a car is absent inside a longer gap between its samples (default 5)',
  },
} as const satisfies OptionsTable;

const SHOWN_BAD_ROWS = 10;

export function createReplayImportCsvCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  return defineCommand({
    name: 'replay import-csv',
    summary: 'build a race replay from a FastF1-style telemetry CSV',
    synopsis: ['FILE --out FILE [--name NAME] [--time SessionTime|Date] [--rate HZ] [--max-gap SEC]'],
    description: [
      'Builds a race replay timeline from a FastF1-style telemetry CSV (one row per sample: SessionTime',
      'or Date, DriverNumber, X, Y in 1/10 m; optional Speed, nGear, Throttle, Brake, DRS), resampled',
      'to one time base. The file is streamed; bad rows are counted and listed with their line numbers.',
    ].join('\n'),
    options: IMPORT_CSV_OPTIONS,
    positionals: { name: 'input FILE', min: 1, max: 1 },
    io: { out, err },
    check({ values: v, positionals: [input] }) {
      if (v.out === undefined) throw new UsageError('--out FILE is required');
      return { input: input!, outFile: v.out, name: v.name, time: v.time, rate: v.rate, maxGap: v['max-gap'] };
    },
    async run({ input, outFile, name, time, rate, maxGap }) {
      try {
        const started = performance.now();
        const r = await importFastF1CsvFile(input, {
          ...(name !== undefined ? { name } : {}),
          ...(time !== undefined ? { timeColumn: time } : {}),
          ...(rate !== undefined ? { rateHz: rate } : {}),
          ...(maxGap !== undefined ? { maxGapSec: maxGap } : {}),
        });
        const s = r.stats;
        for (const w of r.warnings) err.write(`warning: ${w}\n`);
        if (s.badRows > 0) {
          err.write(`${s.badRows} bad row${s.badRows > 1 ? 's' : ''} skipped:\n`);
          for (const b of s.badRowList.slice(0, SHOWN_BAD_ROWS)) err.write(`  line ${b.line}: ${b.reason}\n`);
          if (s.badRows > SHOWN_BAD_ROWS) err.write(`  … and ${s.badRows - SHOWN_BAD_ROWS} more\n`);
        }
        await writeOutputFile(outFile, r.file);
        out.write(
          `wrote ${outFile}: ${s.cars} cars, ${s.frames} frames (${s.durationSec.toFixed(1)} s at ${r.schema.rateHz} Hz) from ${s.samples} samples ` +
            `(${s.rows} rows, ${s.badRows} bad, time base ${s.timeColumn}), ${s.fileBytes} bytes; imported in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
        );
        return 0;
      } catch (e) {
        return failWithCode(err, 'import-csv', e);
      }
    },
  });
}

/** The usage `tidewire replay import-csv --help` prints. */
export const IMPORT_CSV_USAGE = createReplayImportCsvCommand().usage;

export const replayImportCsvCommand: Command = createReplayImportCsvCommand();
