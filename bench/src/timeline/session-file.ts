// The benchmark's recorded session: a 20-car race at 25 Hz from the timeline package's
// synthetic generator, written once with TimelineWriter (gzip segments, a keyframe every 2 s)
// and cached under .cache/bench/ so reruns skip the generation. The cache key is the frame
// count; a cached file that does not open cleanly is regenerated.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { TimelineReader, TimelineWriter } from '@tidewire/timeline';
// The format package's synthetic race (a bench fixture, not part of its API).
import { raceFrames, raceSchema } from '@tidewire/timeline/testing';

export const CARS = 20;
export const RATE_HZ = 25;
export const PERIOD_MS = 1000 / RATE_HZ;
export const CHANNEL = 'race';

const CACHE_DIR = fileURLToPath(new URL('../../../.cache/bench/', import.meta.url));

export interface SessionFile {
  path: string;
  bytes: Uint8Array;
  frameCount: number;
  segmentCount: number;
  /** Generated in this run (false: read from the cache). */
  generated: boolean;
}

export function sessionPath(frames: number): string {
  return join(CACHE_DIR, `timeline-race-${CARS}x${frames}.twtl`);
}

function generate(frames: number): Promise<Uint8Array> {
  const w = new TimelineWriter(raceSchema(CARS, RATE_HZ), { compress: (raw) => gzipSync(raw) });
  let i = 0;
  for (const values of raceFrames(frames, CARS, RATE_HZ)) w.append(i++ * PERIOD_MS, values);
  return w.finish();
}

function opens(bytes: Uint8Array, frames: number): TimelineReader | undefined {
  try {
    const r = TimelineReader.open(bytes);
    return r.frameCount === frames && r.schema.entities.length === CARS ? r : undefined;
  } catch {
    return undefined;
  }
}

/** The session of `frames` frames: from the cache, or generated and cached. */
export async function loadSessionFile(frames: number, log: (m: string) => void = () => {}): Promise<SessionFile> {
  const path = sessionPath(frames);
  if (existsSync(path)) {
    const bytes = new Uint8Array(readFileSync(path));
    const r = opens(bytes, frames);
    if (r) return { path, bytes, frameCount: r.frameCount, segmentCount: r.segmentCount, generated: false };
    log(`cached ${path} is unreadable: regenerating`);
  }
  log(`generating a ${frames}-frame, ${CARS}-car session (cached at ${path})`);
  const bytes = await generate(frames);
  const r = opens(bytes, frames);
  if (!r) throw new Error('the generated session does not read back');
  mkdirSync(dirname(path), { recursive: true });
  // Written aside and renamed: a run killed mid-write never leaves a truncated cache file.
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  return { path, bytes, frameCount: r.frameCount, segmentCount: r.segmentCount, generated: true };
}
