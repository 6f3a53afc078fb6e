// The regression corpus (docs/fuzzing.md §5): every input that once failed, one file per input
// in fuzz/corpus/<target>/<sha256 prefix>.bin, with a note (<same>.txt) of what it did. Committed;
// `npm test` replays every file, so a fixed crash stays fixed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = fileURLToPath(new URL('../corpus/', import.meta.url));

export interface CorpusEntry {
  target: string;
  file: string;
  input: Uint8Array;
}

/** Saves `input` (and its note) under the target's folder; returns the .bin path. */
export function saveFailure(target: string, input: Uint8Array, note: string, dir = CORPUS_DIR): string {
  const folder = join(dir, target);
  mkdirSync(folder, { recursive: true });
  const name = createHash('sha256').update(input).digest('hex').slice(0, 16);
  const path = join(folder, `${name}.bin`);
  writeFileSync(path, input);
  writeFileSync(join(folder, `${name}.txt`), `${note.trimEnd()}\n`);
  return path;
}

/** Every saved input of `target` (none when its folder does not exist). */
export function loadCorpus(target: string, dir = CORPUS_DIR): CorpusEntry[] {
  const folder = join(dir, target);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((f) => ({ target, file: join(folder, f), input: new Uint8Array(readFileSync(join(folder, f))) }));
}
