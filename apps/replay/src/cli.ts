// `tidewire replay generate …` and `tidewire replay info FILE [--json]` (docs/replay-generator.md §7).
// Each subcommand is a Command of its own; replayCommand dispatches between them.
import type { Command } from '@tidewire/cli';
import { failWithCode, parseOptions } from './cli-common.ts';
import { writeFileAtomic } from './files.ts';
import { isReplayError } from './generate/errors.ts';
import { readReplayInfo, type ReplayInfo } from './generate/info.ts';
import { BUNDLED_RACES, bundledRace, defaultDataRoot, generateRaceFiles } from './generate/load.ts';
import { formatRaceTime } from './generate/time.ts';
import { createReplayImportCsvCommand } from './import/cli.ts';
import { createReplayServeCommand } from './serve/command.ts';
import { readReplayFile } from './serve/race-file.ts';

export interface Output {
  write(text: string): void;
  /** Progress redraws one line on a terminal and prints a few lines otherwise. */
  isTTY?: boolean;
}

const GENERATE_USAGE = [
  'usage: tidewire replay generate --race NAME --out FILE [--seed N] [--data DIR]',
  '       tidewire replay generate --race-dir DIR --circuit FILE.geojson [--entrants FILE] [--seed N] --out FILE',
  '',
  'Builds a race replay (a Tidewire timeline, 25 Hz, every car) from an F1DB race folder and an',
  'f1-circuits GeoJSON centreline, reproducing the real classification, gaps and pit stops.',
  '',
  'options:',
  `  --race NAME       a bundled race: ${Object.keys(BUNDLED_RACES).join(', ')}`,
  '  --data DIR        where the bundled data is (default: apps/replay/data)',
  '  --race-dir DIR    an F1DB race folder (race.yml, race-results.yml, starting-grid-positions.yml, …)',
  '  --circuit FILE    the circuit centreline (GeoJSON LineString of lon/lat)',
  '  --entrants FILE   the season\'s entrants.yml (default: ../../entrants.yml from the race folder, if present)',
  '  --seed N          seeds lap-time noise and where retirements stop (default 1); same seed, same bytes',
  '  --out FILE        the timeline file to write',
].join('\n');

const INFO_USAGE = [
  'usage: tidewire replay info FILE [--json]',
  '',
  'Prints a replay\'s rate, length, cars and final classification (read from the file\'s metadata).',
  '',
  'options:',
  '  --json   {"rateHz", "frames", "durationSec", "entities": [...], "classification": [...]}',
].join('\n');

const REPLAY_USAGE = [
  'usage: tidewire replay <command> [options]',
  '',
  'commands:',
  '  generate   build a race replay from F1DB results and a circuit centreline',
  '  info       summarise a race replay file',
  '  import-csv turn a FastF1-style telemetry CSV into a replay (resampled to 25 Hz)',
  '  serve      serve a race replay (file, bundled race or live UDP) with its page',
  '',
  'Run `tidewire replay <command> --help` for its options.',
].join('\n');

function progressPrinter(err: Output): (phase: 'plan' | 'render' | 'finish', fraction: number) => void {
  let lastStep = -1;
  return (phase, fraction) => {
    if (phase === 'plan' && fraction === 0) err.write('planning laps…\n');
    if (phase === 'render') {
      const step = Math.floor(fraction * (err.isTTY ? 50 : 4));
      if (step === lastStep) return;
      lastStep = step;
      const pct = `${Math.round(fraction * 100)}%`.padStart(4);
      err.write(err.isTTY ? `\rrendering frames ${pct}${fraction >= 1 ? '\n' : ''}` : `rendering frames ${pct}\n`);
    }
    if (phase === 'finish' && fraction === 0) err.write('writing…\n');
  };
}

export function createReplayGenerateCommand(out: Output = process.stdout, err: Output = process.stderr, dataRoot?: string): Command {
  return {
    name: 'generate',
    summary: 'build a race replay from F1DB results and a circuit centreline',
    usage: GENERATE_USAGE,
    async run(args: string[]): Promise<number> {
      if (args.includes('--help') || args.includes('-h')) { out.write(`${GENERATE_USAGE}\n`); return 0; }
      const usage = (msg: string) => { err.write(`tidewire replay generate: ${msg}\n${GENERATE_USAGE}\n`); return 2; };
      const o = parseOptions(args, ['race', 'data', 'race-dir', 'circuit', 'entrants', 'seed', 'out']);
      if (typeof o === 'string') return usage(o);
      const v = o.values;
      if (o.positional.length > 0) return usage(`unexpected argument '${o.positional[0]}'`);
      if (!v.has('out')) return usage('--out FILE is required');
      if (v.has('race') === (v.has('race-dir') || v.has('circuit'))) return usage('give either --race NAME or --race-dir DIR with --circuit FILE');
      if (v.has('race-dir') !== v.has('circuit')) return usage('--race-dir and --circuit go together');
      if (v.has('race') && v.has('entrants')) return usage('--entrants goes with --race-dir');
      if (v.has('data') && !v.has('race')) return usage('--data goes with --race');
      let seed: number | undefined;
      if (v.has('seed')) {
        const s = v.get('seed') as string;
        seed = /^\d{1,10}$/.test(s) ? Number(s) : NaN;
        if (!(seed <= 0xffffffff)) return usage(`--seed must be an integer in 0..4294967295, got '${s}'`);
      }
      const outFile = v.get('out') as string;
      try {
        const files = v.has('race')
          ? await bundledRace(v.get('race') as string, v.get('data') ?? dataRoot ?? defaultDataRoot())
          : { raceDir: v.get('race-dir') as string, circuitFile: v.get('circuit') as string };
        const started = performance.now();
        const result = await generateRaceFiles({ ...files, entrantsFile: v.get('entrants'), seed, onProgress: progressPrinter(err) });
        for (const w of result.warnings) err.write(`warning: ${w}\n`);
        await writeFileAtomic(outFile, result.file);
        const s = result.stats;
        const winner = result.classification.find((c) => c.position === 1);
        out.write(`wrote ${outFile}: ${result.schema.entities.length} cars, ${s.frames} frames (${s.durationSec.toFixed(1)} s at ${result.schema.rateHz} Hz), `
          + `${s.fileBytes} bytes (${Math.round(s.bytesPerSec)} B/s); winner #${winner?.number} in ${winner?.timeSec === null || winner === undefined ? '?' : formatRaceTime(winner.timeSec)}; `
          + `generated in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
        return 0;
      } catch (e) {
        return failWithCode(err, 'generate', e);
      }
    },
  };
}

export function createReplayInfoCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  return {
    name: 'info',
    summary: 'summarise a race replay file',
    usage: INFO_USAGE,
    async run(args: string[]): Promise<number> {
      if (args.includes('--help') || args.includes('-h')) { out.write(`${INFO_USAGE}\n`); return 0; }
      const usage = (msg: string) => { err.write(`tidewire replay info: ${msg}\n${INFO_USAGE}\n`); return 2; };
      const o = parseOptions(args, [], ['json']);
      if (typeof o === 'string') return usage(o);
      if (o.positional.length !== 1) return usage(`expected one FILE, got ${o.positional.length}`);
      const file = o.positional[0]!;
      try {
        const bytes = await readReplayFile(file);
        let info: ReplayInfo;
        try { info = readReplayInfo(bytes); } catch (e) { if (isReplayError(e)) e.message = `${file}: ${e.message}`; throw e; }
        out.write(o.flags.has('json') ? `${JSON.stringify(info)}\n` : formatInfo(file, info));
        return 0;
      } catch (e) {
        return failWithCode(err, 'info', e);
      }
    },
  };
}

/** The human-readable summary (not a stable format: scripts use --json). */
export function formatInfo(file: string, info: ReplayInfo): string {
  const lines = [`${file}`, `  ${info.frames} frames at ${info.rateHz} Hz, ${formatRaceTime(info.durationSec)} (${info.durationSec} s), ${info.entities.length} cars`, ''];
  const byNumber = new Map(info.entities.map((e) => [e.number, e]));
  lines.push(`  ${'pos'.padStart(3)}  ${'no'.padStart(3)}  code  ${'team'.padEnd(16)}  laps  ${'status'.padEnd(14)}  time`);
  for (const c of info.classification) {
    const e = byNumber.get(c.number);
    lines.push(`  ${String(c.position ?? '-').padStart(3)}  ${String(c.number).padStart(3)}  ${(e?.code ?? '').padEnd(4)}  ${(e?.team ?? '').padEnd(16)}  ${String(c.laps).padStart(4)}  ${c.status.padEnd(14)}  ${c.timeSec === null ? '' : formatRaceTime(c.timeSec)}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}

export function createReplayCommand(out: Output = process.stdout, err: Output = process.stderr, dataRoot?: string): Command {
  const subcommands = [createReplayGenerateCommand(out, err, dataRoot), createReplayInfoCommand(out, err), createReplayServeCommand(out, err, { dataRoot }), createReplayImportCsvCommand(out, err)];
  return {
    name: 'replay',
    summary: 'generate and inspect race replays',
    usage: REPLAY_USAGE,
    subcommands: true,
    async run(args: string[]): Promise<number> {
      const [name, ...rest] = args;
      if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
        (name ? out : err).write(`${REPLAY_USAGE}\n`);
        return name ? 0 : 2;
      }
      const sub = subcommands.find((c) => c.name === name);
      if (!sub) { err.write(`tidewire replay: unknown command '${name}'\n${REPLAY_USAGE}\n`); return 2; }
      return sub.run(rest);
    },
  };
}

export const replayGenerateCommand: Command = createReplayGenerateCommand();
export const replayInfoCommand: Command = createReplayInfoCommand();
/** `tidewire replay <generate|info>`: register this one in apps/tidewire/src/main.ts. */
export const replayCommand: Command = createReplayCommand();
