// Node adapter: reads a race folder, a circuit file and F1DB's venue location from disk, names
// the bundled races, and runs the generator with node:zlib's gzip.
import { constants as fsConstants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { checkFileSize } from '../files.ts';
import { parseCircuit, type Circuit } from './circuit.ts';
import { ReplayError } from './errors.ts';
import { parseRaceFiles, type RaceData } from './f1db.ts';
import { generateRace, type GenerateOptions, type GenerateResult } from './generate.ts';

const MAX_FILE_BYTES = 16 << 20;

/** The races shipped in apps/replay/data, by the name `--race` takes. */
export const BUNDLED_RACES: Readonly<Record<string, { raceDir: string; circuit: string }>> = {
  '2024-bahrain': { raceDir: 'f1db/src/data/seasons/2024/races/01-bahrain', circuit: 'circuits/circuits/bh-2002.geojson' },
  '2024-great-britain': { raceDir: 'f1db/src/data/seasons/2024/races/12-great-britain', circuit: 'circuits/circuits/gb-1948.geojson' },
  '2024-belgium': { raceDir: 'f1db/src/data/seasons/2024/races/14-belgium', circuit: 'circuits/circuits/be-1925.geojson' },
  '2024-italy': { raceDir: 'f1db/src/data/seasons/2024/races/16-italy', circuit: 'circuits/circuits/it-1922.geojson' },
};

/** apps/replay/data: F1DB and f1-circuits, bundled with their licences (this file is apps/replay/src/generate/load.ts). */
export function defaultDataRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../data');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.R_OK);
    return true;
  } catch {
    return false;
  }
}

async function readText(path: string, required: boolean): Promise<string | null> {
  if (!(await checkFileSize(path, MAX_FILE_BYTES, 'REPLAY_BAD_DATA', required))) return null;
  return readFile(path, 'utf8');
}

/**
 * Reads a race folder (race.yml, race-results.yml, starting-grid-positions.yml; pit-stops.yml and
 * fastest-laps.yml if present). entrants: a file, or by default seasons/<year>/entrants.yml two
 * folders up when it exists; null skips the check.
 */
export async function loadRaceDir(raceDir: string, entrantsFile?: string | null): Promise<RaceData> {
  if (!(await exists(raceDir))) throw new ReplayError('REPLAY_DATA_MISSING', `race folder ${raceDir} does not exist`);
  const read = (name: string, required: boolean) => readText(join(raceDir, name), required);
  let entrants: string | null = null;
  if (entrantsFile) entrants = await readText(entrantsFile, true);
  else if (entrantsFile === undefined) entrants = await readText(resolve(raceDir, '../../entrants.yml'), false);
  try {
    return parseRaceFiles({
      race: (await read('race.yml', true)) as string,
      results: (await read('race-results.yml', true)) as string,
      grid: (await read('starting-grid-positions.yml', true)) as string,
      pitStops: await read('pit-stops.yml', false),
      fastestLaps: await read('fastest-laps.yml', false),
      entrants,
    });
  } catch (e) {
    if (e instanceof ReplayError) e.message = `${raceDir}: ${e.message}`;
    throw e;
  }
}

export async function loadCircuitFile(path: string): Promise<Circuit> {
  const text = await readText(path, true);
  try {
    return parseCircuit(text as string);
  } catch (e) {
    if (e instanceof ReplayError) e.message = `${path}: ${e.message}`;
    throw e;
  }
}

/** F1DB's circuits/<id>.yml location (lat/lon), found from a race folder inside an F1DB tree; null when absent. */
export async function loadVenue(raceDir: string, circuitId: string): Promise<{ lon: number; lat: number } | null> {
  const text = await readText(resolve(raceDir, '../../../../circuits', `${circuitId}.yml`), false);
  if (text === null) return null;
  try {
    const doc = parseYaml(text, { schema: 'core', maxAliasCount: 16 }) as { latitude?: unknown; longitude?: unknown } | null;
    const lat = doc?.latitude,
      lon = doc?.longitude;
    return typeof lat === 'number' && typeof lon === 'number' && Math.abs(lat) <= 85 && Math.abs(lon) <= 180 ? { lon, lat } : null;
  } catch {
    return null; // the venue is only a hint for the start-line search
  }
}

export interface GenerateFilesOptions {
  raceDir: string;
  circuitFile: string;
  /** undefined: seasons/<year>/entrants.yml if present; null: no entrants check. */
  entrantsFile?: string | null;
  seed?: number;
  rateHz?: number;
  onProgress?: GenerateOptions['onProgress'];
}

export function gzip(raw: Uint8Array): Uint8Array {
  return gzipSync(raw, { level: 9 });
}

export async function generateRaceFiles(o: GenerateFilesOptions): Promise<GenerateResult> {
  const race = await loadRaceDir(o.raceDir, o.entrantsFile);
  const circuit = await loadCircuitFile(o.circuitFile);
  const venue = await loadVenue(o.raceDir, race.race.circuitId);
  return generateRace({ race, circuit, venue, seed: o.seed }, { compress: gzip, rateHz: o.rateHz, onProgress: o.onProgress });
}

/** Resolves a bundled race name against a data root, checking that its files exist. */
export async function bundledRace(name: string, dataRoot = defaultDataRoot()): Promise<{ raceDir: string; circuitFile: string }> {
  const b = BUNDLED_RACES[name];
  if (!b) throw new ReplayError('REPLAY_BAD_OPTION', `unknown race '${name}': one of ${Object.keys(BUNDLED_RACES).join(', ')}`);
  const raceDir = join(dataRoot, b.raceDir);
  const circuitFile = join(dataRoot, b.circuit);
  if (!(await exists(raceDir)) || !(await exists(circuitFile))) {
    throw new ReplayError(
      'REPLAY_DATA_MISSING',
      `the bundled race data is missing: expected ${raceDir} and ${circuitFile} (the data folder apps/replay/data; pass --data DIR or use --race-dir/--circuit)`,
    );
  }
  return { raceDir, circuitFile };
}
