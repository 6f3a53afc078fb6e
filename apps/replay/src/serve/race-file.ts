// The replay file a server plays: a file the caller names, or a bundled race generated once and
// kept on disk (`.cache/replay/` under the repository root, gitignored), so a restart or the next
// test run loads it in milliseconds instead of generating it again.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOutputFile } from '@tidewire/cli';
import { checkFileSize } from '../files.ts';
import { ReplayError } from '../generate/errors.ts';
import { GENERATOR, REPLAY_FORMAT_VERSION } from '../generate/generate.ts';
import { readReplayInfo } from '../generate/info.ts';
import { BUNDLED_RACES, bundledRace, defaultDataRoot, generateRaceFiles } from '../generate/load.ts';

/** A replay larger than this is refused before it is read (the longest bundled race is ~9 MB). */
export const MAX_REPLAY_FILE_BYTES = 1 << 30;
export const DEFAULT_RACE = '2024-bahrain';
export const DEFAULT_SEED = 1;

/** `<repository root>/.cache/replay` (this file is apps/replay/src/serve/race-file.ts). */
export function defaultCacheDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../../.cache/replay');
}

export interface RaceFileOptions {
  race?: string;
  seed?: number;
  dataRoot?: string;
  cacheDir?: string;
  log?: (message: string) => void;
}

export interface RaceFile {
  bytes: Uint8Array;
  /** Where it is on disk. */
  path: string;
  /** False when the cached copy was used. */
  generated: boolean;
}

/**
 * The cache key names the generator version, so a changed generator never serves a stale file.
 * The file name keeps `<race>-<seed>` readable in front.
 */
export function cachedRacePath(race: string, seed: number, cacheDir = defaultCacheDir()): string {
  const tag = createHash('sha256').update(`${GENERATOR}/${REPLAY_FORMAT_VERSION}`).digest('hex').slice(0, 8);
  return join(cacheDir, `${race}-${seed}-${tag}.twtl`);
}

export function checkRaceName(race: unknown): string {
  if (typeof race !== 'string' || !Object.hasOwn(BUNDLED_RACES, race)) {
    throw new ReplayError('REPLAY_BAD_OPTION', `unknown race ${JSON.stringify(race)}: one of ${Object.keys(BUNDLED_RACES).join(', ')}`);
  }
  return race;
}

export function checkSeed(seed: unknown): number {
  if (seed === undefined) return DEFAULT_SEED;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ReplayError('REPLAY_BAD_OPTION', `seed must be an integer in 0..4294967295, got ${String(seed)}`);
  }
  return seed;
}

/** Reads a replay file from disk, size-capped; a missing file is REPLAY_DATA_MISSING. */
export async function readReplayFile(path: string): Promise<Uint8Array> {
  await checkFileSize(path, MAX_REPLAY_FILE_BYTES, 'REPLAY_BAD_FILE');
  return new Uint8Array(await readFile(path));
}

/** A cached file that is unreadable or not a replay counts as absent (it is regenerated). */
async function readCached(path: string): Promise<Uint8Array | null> {
  try {
    const bytes = await readReplayFile(path);
    readReplayInfo(bytes);
    return bytes;
  } catch {
    return null;
  }
}

/** The bundled race's replay: from the cache, else generated (and written to the cache). */
export async function bundledRaceFile(options: RaceFileOptions = {}): Promise<RaceFile> {
  const race = checkRaceName(options.race ?? DEFAULT_RACE);
  const seed = checkSeed(options.seed);
  const path = cachedRacePath(race, seed, options.cacheDir);
  const cached = await readCached(path);
  if (cached) return { bytes: cached, path, generated: false };
  const files = await bundledRace(race, options.dataRoot ?? defaultDataRoot());
  options.log?.(`generating ${race} (seed ${seed}) into ${path}…`);
  const result = await generateRaceFiles({ ...files, seed });
  await mkdir(dirname(path), { recursive: true });
  // Parallel processes (or calls) may generate the same race: each writes its own temporary file
  // and the rename is atomic, so a reader sees one whole file or none.
  try {
    await writeOutputFile(path, result.file);
  } catch (e) {
    // A read-only checkout still serves the race; it is only generated again next time.
    options.log?.(`could not cache ${path}: ${(e as Error).message}`);
  }
  return { bytes: result.file, path, generated: true };
}
