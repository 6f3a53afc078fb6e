// Built-in backgrounds (docs/studio.md §5.4): a few generated images and loops that ship as
// recipes, not files. The first render that needs one (at a given size) runs FFmpeg's lavfi
// generators into the intermediates cache (disk-cache.ts, under its quota) — a PNG (the still, also
// the UI's preview) and, for the moving ones, a short looping MP4 — so the app needs no download
// and works offline. The cache makes each file under a temp name and renames it when complete, so a
// crash leaves no half file, and concurrent first uses share one FFmpeg run.
import { StudioError } from '../errors.ts';
import { openDiskCache, type AcquireRun, type CacheLease, type DiskCache } from './disk-cache.ts';
import { runTool } from './process.ts';

export const FFMPEG = process.env.TIDEWIRE_FFMPEG ?? 'ffmpeg';
export const FFPROBE = process.env.TIDEWIRE_FFPROBE ?? 'ffprobe';

export interface BuiltinBackground {
  name: string;
  label: string;
  /** 'still' renders from the PNG; 'video' from the looping MP4. */
  kind: 'still' | 'video';
  /**
   * The lavfi source at `w`×`h` (already divided by `reduce`) and `r` fps. Moving sources are
   * generated small and scaled up once here, so the loop costs little to make.
   */
  source(w: number, h: number, r: number): string;
  /** Generate at 1/reduce of the size, then scale up (cheap for blocky or smooth patterns). */
  reduce: number;
  /** Scaler for the scale-up: neighbor keeps cells crisp, bicubic keeps gradients smooth. */
  scaler: 'neighbor' | 'bicubic';
}

/** Seconds in a builtin loop (it repeats for longer scenes). */
export const LOOP_SECONDS = 4;
const LOOP_FPS = 30;

export const BUILTIN_BACKGROUNDS: readonly BuiltinBackground[] = [
  {
    name: 'dusk',
    label: 'Dusk gradient',
    kind: 'still',
    source: (w, h) => `gradients=s=${w}x${h}:c0=0x1d2b64:c1=0xf8cdda:c2=0x6a3093:nb_colors=3:x0=0:y0=0:x1=${w}:y1=${h}:r=1`,
    reduce: 4,
    scaler: 'bicubic',
  },
  {
    name: 'fractal',
    label: 'Mandelbrot',
    kind: 'still',
    source: (w, h) => `mandelbrot=s=${w}x${h}:start_scale=2.5:end_scale=2.5:r=1`,
    reduce: 1,
    scaler: 'bicubic',
  },
  {
    name: 'aurora',
    label: 'Drifting gradient',
    kind: 'video',
    source: (w, h, r) => `gradients=s=${w}x${h}:c0=0x0f2027:c1=0x2c5364:c2=0x11998e:c3=0x38ef7d:nb_colors=4:speed=0.02:r=${r}:seed=7`,
    reduce: 4,
    scaler: 'bicubic',
  },
  {
    name: 'life',
    label: 'Game of Life',
    kind: 'video',
    source: (w, h, r) => `life=s=${w}x${h}:mold=10:ratio=0.12:seed=11:r=${r}:life_color=0x2bb3a3:death_color=0x0b1d2a:mold_color=0x16324a`,
    reduce: 8,
    scaler: 'neighbor',
  },
];

export function builtinBackground(name: string): BuiltinBackground {
  const b = BUILTIN_BACKGROUNDS.find((x) => x.name === name);
  if (!b)
    throw new StudioError(
      'STUDIO_NOT_FOUND',
      `no builtin background '${String(name).slice(0, 40)}' (have ${BUILTIN_BACKGROUNDS.map((x) => x.name).join(', ')})`,
    );
  return b;
}

export interface BuiltinFiles {
  kind: 'still' | 'video';
  /** The still (always present: the preview, and the background of 'still' builtins). */
  png: string;
  /** The looping MP4 of 'video' builtins. */
  mp4?: string;
}

/**
 * Makes (once) and returns the files of builtin `name` at `width`×`height` in the intermediates
 * cache (`cache`, or the cache of folder `cache`). The files are leased: call `release()` when the
 * render that uses them is done; until then the cache does not evict them.
 */
export async function ensureBuiltin(
  name: string,
  width: number,
  height: number,
  cache: DiskCache | string,
  run: AcquireRun = {},
): Promise<BuiltinFiles & { release(): void }> {
  const b = builtinBackground(name);
  const disk = typeof cache === 'string' ? openDiskCache(cache) : cache;
  const base = `builtin-${b.name}-${width}x${height}`;
  const sw = Math.max(2, Math.round(width / b.reduce / 2) * 2);
  const sh = Math.max(2, Math.round(height / b.reduce / 2) * 2);
  const up = `scale=${width}:${height}:flags=${b.scaler},setsar=1`;
  // reason: the temp name ends in .partial, so the muxer is named with -f rather than guessed.
  const png = await disk.acquire(
    `${base}.png`,
    (tmp) =>
      runTool(
        FFMPEG,
        [
          '-hide_banner',
          '-nostdin',
          '-loglevel',
          'error',
          '-y',
          '-f',
          'lavfi',
          '-i',
          b.source(sw, sh, LOOP_FPS),
          '-frames:v',
          '1',
          '-vf',
          up,
          '-f',
          'image2',
          '-c:v',
          'png',
          tmp,
        ],
        run,
      ).then(() => {}),
    run,
  );
  if (b.kind === 'still') return { kind: 'still', png: png.path, release: png.release };
  let mp4: CacheLease;
  try {
    mp4 = await disk.acquire(
      `${base}.mp4`,
      (tmp) =>
        runTool(
          FFMPEG,
          [
            '-hide_banner',
            '-nostdin',
            '-loglevel',
            'error',
            '-y',
            '-f',
            'lavfi',
            '-i',
            b.source(sw, sh, LOOP_FPS),
            '-t',
            String(LOOP_SECONDS),
            '-vf',
            `${up},format=yuv420p`,
            '-an',
            '-c:v',
            'libx264',
            '-preset',
            'veryfast',
            '-crf',
            '20',
            '-g',
            String(LOOP_FPS),
            '-f',
            'mp4',
            tmp,
          ],
          run,
        ).then(() => {}),
      run,
    );
  } catch (e) {
    png.release();
    throw e;
  }
  return {
    kind: 'video',
    png: png.path,
    mp4: mp4.path,
    release: () => {
      png.release();
      mp4.release();
    },
  };
}
