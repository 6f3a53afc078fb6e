// `tidewire replay import-csv FILE --out FILE` (docs/replay-import.md §2.6).
import type { Command } from '@tidewire/cli';
import type { Output } from '../cli.ts';
import { failWithCode, parseOptions } from '../cli-common.ts';
import { writeFileAtomic } from '../files.ts';
import { importFastF1CsvFile } from './csv-file.ts';

export const IMPORT_CSV_USAGE = [
  'usage: tidewire replay import-csv FILE --out FILE [--name NAME] [--time SessionTime|Date] [--rate HZ] [--max-gap SEC]',
  '',
  'Builds a race replay timeline from a FastF1-style telemetry CSV (one row per sample: SessionTime',
  'or Date, DriverNumber, X, Y in 1/10 m; optional Speed, nGear, Throttle, Brake, DRS), resampled',
  'to one time base. The file is streamed; bad rows are counted and listed with their line numbers.',
  '',
  'options:',
  '  --out FILE        the timeline file to write',
  '  --name NAME       the session name shown by viewers (default: the file name)',
  '  --time COLUMN     the time base: SessionTime (default when present) or Date',
  '  --rate HZ         frames per second, 1–100 (default 25)',
  '  --max-gap SEC     a car is absent inside a longer gap between its samples (default 5)',
].join('\n');

const VALUED = ['out', 'name', 'time', 'rate', 'max-gap'];
const SHOWN_BAD_ROWS = 10;

export function createReplayImportCsvCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  return {
    name: 'import-csv',
    summary: 'build a race replay from a FastF1-style telemetry CSV',
    usage: IMPORT_CSV_USAGE,
    async run(args: string[]): Promise<number> {
      if (args.includes('--help') || args.includes('-h')) { out.write(`${IMPORT_CSV_USAGE}\n`); return 0; }
      const usage = (msg: string) => { err.write(`tidewire replay import-csv: ${msg}\n${IMPORT_CSV_USAGE}\n`); return 2; };
      const o = parseOptions(args, VALUED);
      if (typeof o === 'string') return usage(o);
      if (o.positional.length !== 1) return usage(`expected one input FILE, got ${o.positional.length}`);
      const v = o.values;
      if (!v.has('out')) return usage('--out FILE is required');
      const time = v.get('time');
      if (time !== undefined && time !== 'SessionTime' && time !== 'Date') return usage(`--time must be SessionTime or Date, got '${time}'`);
      const rate = v.has('rate') ? Number(v.get('rate')) : undefined;
      if (rate !== undefined && !(Number.isInteger(rate) && rate >= 1 && rate <= 100)) return usage(`--rate must be an integer in 1..100, got '${v.get('rate')}'`);
      const maxGap = v.has('max-gap') ? Number(v.get('max-gap')) : undefined;
      if (maxGap !== undefined && !(maxGap >= 0.05 && maxGap <= 3600)) return usage(`--max-gap must be a number of seconds in 0.05..3600, got '${v.get('max-gap')}'`);
      const input = o.positional[0]!;
      const outFile = v.get('out')!;
      try {
        const started = performance.now();
        const r = await importFastF1CsvFile(input, {
          ...(v.has('name') ? { name: v.get('name') } : {}),
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
        await writeFileAtomic(outFile, r.file);
        out.write(`wrote ${outFile}: ${s.cars} cars, ${s.frames} frames (${s.durationSec.toFixed(1)} s at ${r.schema.rateHz} Hz) from ${s.samples} samples `
          + `(${s.rows} rows, ${s.badRows} bad, time base ${s.timeColumn}), ${s.fileBytes} bytes; imported in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
        return 0;
      } catch (e) {
        return failWithCode(err, 'import-csv', e);
      }
    },
  };
}

export const replayImportCsvCommand: Command = createReplayImportCsvCommand();
