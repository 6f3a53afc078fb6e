// `tidewire replay generate …` and `tidewire replay info FILE [--json]` (docs/replay-generator.md §7).
// Each subcommand is a Command of its own; replayCommand dispatches between them.
import { defineCommand, defineGroup, integer, UsageError, writeOutputFile } from '@tidewire/cli';
import type { Command, OptionsTable, ParsedArgs } from '@tidewire/cli';
import { failWithCode } from './cli-common.ts';
import { ReplayError } from './generate/errors.ts';
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

const GENERATE_OPTIONS = {
  race: { type: 'string', value: 'NAME', help: `a bundled race: ${Object.keys(BUNDLED_RACES).join(', ')}` },
  data: { type: 'string', value: 'DIR', help: 'where the bundled data is (default: apps/replay/data)' },
  'race-dir': { type: 'string', value: 'DIR', help: 'an F1DB race folder (race.yml, race-results.yml, starting-grid-positions.yml, …)' },
  circuit: { type: 'string', value: 'FILE', help: 'the circuit centreline (GeoJSON LineString of lon/lat)' },
  entrants: { type: 'string', value: 'FILE', help: "the season's entrants.yml (default: ../../entrants.yml from the race folder, if present)" },
  seed: {
    type: 'string',
    value: 'N',
    parse: integer(0, 0xffffffff),
    help: 'seeds lap-time noise and where retirements stop (default 1); same seed, same bytes',
  },
  out: { type: 'string', value: 'FILE', help: 'the timeline file to write' },
} as const satisfies OptionsTable;

type GenerateInput = { outFile: string; seed: number | undefined; entrants: string | undefined } & (
  { race: string; data: string | undefined } | { raceDir: string; circuit: string }
);

/** Either a bundled race or a race folder with its circuit, and always --out. */
function checkGenerate({ values: v }: ParsedArgs<typeof GENERATE_OPTIONS>): GenerateInput {
  if (v.out === undefined) throw new UsageError('--out FILE is required');
  const folder = v['race-dir'] !== undefined || v.circuit !== undefined;
  if ((v.race !== undefined) === folder) throw new UsageError('give either --race NAME or --race-dir DIR with --circuit FILE');
  if (v.race !== undefined && v.entrants !== undefined) throw new UsageError('--entrants goes with --race-dir');
  if (v.data !== undefined && v.race === undefined) throw new UsageError('--data goes with --race');
  const common = { outFile: v.out, seed: v.seed, entrants: v.entrants };
  if (v.race !== undefined) return { ...common, race: v.race, data: v.data };
  if (v['race-dir'] === undefined || v.circuit === undefined) throw new UsageError('--race-dir and --circuit go together');
  return { ...common, raceDir: v['race-dir'], circuit: v.circuit };
}

export function createReplayGenerateCommand(out: Output = process.stdout, err: Output = process.stderr, dataRoot?: string): Command {
  return defineCommand({
    name: 'replay generate',
    summary: 'build a race replay from F1DB results and a circuit centreline',
    synopsis: ['--race NAME --out FILE [--seed N] [--data DIR]', '--race-dir DIR --circuit FILE.geojson [--entrants FILE] [--seed N] --out FILE'],
    description: [
      'Builds a race replay (a Tidewire timeline, 25 Hz, every car) from an F1DB race folder and an',
      'f1-circuits GeoJSON centreline, reproducing the real classification, gaps and pit stops.',
    ].join('\n'),
    options: GENERATE_OPTIONS,
    io: { out, err },
    check: checkGenerate,
    async run(input) {
      try {
        const files =
          'race' in input ? await bundledRace(input.race, input.data ?? dataRoot ?? defaultDataRoot()) : { raceDir: input.raceDir, circuitFile: input.circuit };
        const started = performance.now();
        const result = await generateRaceFiles({ ...files, entrantsFile: input.entrants, seed: input.seed, onProgress: progressPrinter(err) });
        for (const w of result.warnings) err.write(`warning: ${w}\n`);
        await writeOutputFile(input.outFile, result.file);
        const s = result.stats;
        const winner = result.classification.find((c) => c.position === 1);
        out.write(
          `wrote ${input.outFile}: ${result.schema.entities.length} cars, ${s.frames} frames (${s.durationSec.toFixed(1)} s at ${result.schema.rateHz} Hz), ` +
            `${s.fileBytes} bytes (${Math.round(s.bytesPerSec)} B/s); winner #${winner?.number} in ${winner?.timeSec === null || winner === undefined ? '?' : formatRaceTime(winner.timeSec)}; ` +
            `generated in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
        );
        return 0;
      } catch (e) {
        return failWithCode(err, 'generate', e);
      }
    },
  });
}

export function createReplayInfoCommand(out: Output = process.stdout, err: Output = process.stderr): Command {
  return defineCommand({
    name: 'replay info',
    summary: 'summarise a race replay file',
    synopsis: ['FILE [--json]'],
    description: "Prints a replay's rate, length, cars and final classification (read from the file's metadata).",
    options: {
      json: { type: 'boolean', help: '{"rateHz", "frames", "durationSec", "entities": [...], "classification": [...]}' },
    },
    positionals: { name: 'FILE', min: 1, max: 1 },
    io: { out, err },
    async run({ values, positionals: [file] }) {
      try {
        const bytes = await readReplayFile(file!);
        let info: ReplayInfo;
        try {
          info = readReplayInfo(bytes);
        } catch (e) {
          if (ReplayError.is(e)) e.message = `${file}: ${e.message}`;
          throw e;
        }
        out.write(values.json ? `${JSON.stringify(info)}\n` : formatInfo(file!, info));
        return 0;
      } catch (e) {
        return failWithCode(err, 'info', e);
      }
    },
  });
}

/** The human-readable summary (not a stable format: scripts use --json). */
export function formatInfo(file: string, info: ReplayInfo): string {
  const lines = [
    `${file}`,
    `  ${info.frames} frames at ${info.rateHz} Hz, ${formatRaceTime(info.durationSec)} (${info.durationSec} s), ${info.entities.length} cars`,
    '',
  ];
  const byNumber = new Map(info.entities.map((e) => [e.number, e]));
  lines.push(`  ${'pos'.padStart(3)}  ${'no'.padStart(3)}  code  ${'team'.padEnd(16)}  laps  ${'status'.padEnd(14)}  time`);
  for (const c of info.classification) {
    const e = byNumber.get(c.number);
    lines.push(
      `  ${String(c.position ?? '-').padStart(3)}  ${String(c.number).padStart(3)}  ${(e?.code ?? '').padEnd(4)}  ${(e?.team ?? '').padEnd(16)}  ${String(c.laps).padStart(4)}  ${c.status.padEnd(14)}  ${c.timeSec === null ? '' : formatRaceTime(c.timeSec)}`.trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function createReplayCommand(out: Output = process.stdout, err: Output = process.stderr, dataRoot?: string): Command {
  return defineGroup({
    name: 'replay',
    summary: 'generate and inspect race replays',
    commands: [
      createReplayGenerateCommand(out, err, dataRoot),
      createReplayInfoCommand(out, err),
      createReplayImportCsvCommand(out, err),
      createReplayServeCommand(out, err, { dataRoot }),
    ],
    io: { out, err },
  });
}

export const replayGenerateCommand: Command = createReplayGenerateCommand();
export const replayInfoCommand: Command = createReplayInfoCommand();
/** `tidewire replay <generate|info>`: register this one in apps/tidewire/src/main.ts. */
export const replayCommand: Command = createReplayCommand();
