// The render pipeline (docs/studio.md §5): story → voice (espeak-ng per scene) → captions (ASS) →
// compose (one FFmpeg filter-graph pass) → thumbnail. What the queue worker and the CLI call.
// Every child runs in its own process group and is killed on cancel or timeout; the MP4 and the
// thumbnail are written under temp names beside their final paths and renamed only when complete —
// and only over a new path or a regular file (@tidewire/cli commitOutputFile, docs/cli.md §7).
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { checkOutputPath, CliError, commitOutputFile } from '@tidewire/cli';
import { StudioError } from '../errors.ts';
import { FORMATS, type Background, type Stage, type Story } from '../model.ts';
import { STORY_CAPS } from '../script.ts';
import { FFMPEG, ensureBuiltin } from './backgrounds.ts';
import { buildAss, captionChangeTimes, captionText, type CaptionEvent } from './captions.ts';
import { composeArgs, DEFAULT_ENCODER, progressParser, STILL_EXTENSIONS, type BackgroundSource, type EncoderSettings, type FrameMode } from './graph.ts';
import { clipCache } from './clip-cache.ts';
import { openDiskCache, type DiskCache } from './disk-cache.ts';
import { abortError, Ledger, runTool } from './process.ts';
import { mapDiskFull } from './quota.ts';
import type { RenderOptions, RenderOutput } from './types.ts';
import { speak, validateVoice, writeVoiceTrack, type VoiceClip } from './voice.ts';

/** Limits checked before any work starts (docs/studio.md §8; their errors §7). */
export const RENDER_LIMITS = {
  maxScenes: STORY_CAPS.scenes,
  maxCaptionChars: STORY_CAPS.captionChars,
  maxGapSeconds: 10,
  captionSize: [8, 400] as const,
  /** Default per-render timeout when the caller gives none. */
  timeoutMs: 10 * 60_000,
};

/**
 * 25 fps: captions and still or slow backgrounds need no more, and on a 60 s 1080×1920 story it
 * took the CPU cost from 0.25× to 0.21× real time (2 cores) against 30 fps (docs/studio.md §5.9).
 */
export const DEFAULT_FPS = 25;
/** espeak-ng runs at once (the machine's 2 cores; each run is short). */
export const VOICE_CONCURRENCY = 2;
/** The cap on every thumbnail, of renders and of uploads (docs/studio.md §2.3). */
export const THUMBNAIL_MAX_BYTES = 30 * 1024;

/** Options beyond the queue worker's contract, for previews, tests and the benchmark. */
export interface RenderTuning {
  /** Pixel size instead of the story format's (captions scale with it); keep the aspect for true previews. */
  size?: { width: number; height: number };
  fps?: number;
  encoder?: Partial<EncoderSettings>;
  /** How a still picture's frames are drawn and encoded (graph.ts `FrameMode`; default `variable`). */
  frameMode?: FrameMode;
  /** Leave workDir in place (voice-N.wav as spoken, scene-N.wav trimmed, voice.wav, captions.ass) for inspection; tests use it. */
  keepWorkDir?: boolean;
}

export type Run = { signal: AbortSignal; ledger: Ledger };

export function frameSize(story: Story, tuning?: RenderTuning): { width: number; height: number } {
  if (tuning?.size) {
    const { width, height } = tuning.size;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 16 || height < 16 || width > 3840 || height > 3840 || width % 2 || height % 2) {
      throw new StudioError('STUDIO_BAD_REQUEST', `size ${width}x${height}: even integers 16–3840 expected`);
    }
    return { width, height };
  }
  const [width, height] = story.format.split('x').map(Number) as [number, number];
  return { width, height };
}

/** Throws the coded error for the first thing about the story the pipeline cannot render. */
export async function validateStory(story: Story, options: Pick<RenderOptions, 'assets'>): Promise<void> {
  if (!FORMATS.includes(story.format))
    throw new StudioError('STUDIO_BAD_REQUEST', `format '${String(story.format).slice(0, 20)}' is not one of ${FORMATS.join(', ')}`);
  if (!Array.isArray(story.scenes) || story.scenes.length === 0) throw new StudioError('STUDIO_BAD_REQUEST', 'a story needs at least one scene');
  if (story.scenes.length > RENDER_LIMITS.maxScenes)
    throw new StudioError('STUDIO_TOO_MANY_SCENES', `${story.scenes.length} scenes (cap ${RENDER_LIMITS.maxScenes})`);
  if (!(story.gapSeconds >= 0 && story.gapSeconds <= RENDER_LIMITS.maxGapSeconds))
    throw new StudioError('STUDIO_BAD_REQUEST', `gapSeconds ${story.gapSeconds} is outside 0–${RENDER_LIMITS.maxGapSeconds}`);
  const [minSize, maxSize] = RENDER_LIMITS.captionSize;
  if (!(story.captions.size >= minSize && story.captions.size <= maxSize))
    throw new StudioError('STUDIO_BAD_REQUEST', `caption size ${story.captions.size} is outside ${minSize}–${maxSize}`);
  if (!['top', 'middle', 'bottom'].includes(story.captions.position))
    throw new StudioError('STUDIO_BAD_REQUEST', `caption position '${String(story.captions.position).slice(0, 20)}'`);
  for (const scene of story.scenes) {
    if (scene.caption.length > RENDER_LIMITS.maxCaptionChars)
      throw new StudioError('STUDIO_TEXT_TOO_LONG', `scene ${scene.id}'s caption is ${scene.caption.length} characters (cap ${RENDER_LIMITS.maxCaptionChars})`);
    await validateVoice(scene.voice);
    checkBackground(scene.background, options);
  }
  if (story.music) {
    if (!(story.music.volume >= 0 && story.music.volume <= 2)) throw new StudioError('STUDIO_BAD_REQUEST', `music volume ${story.music.volume} is outside 0–2`);
    assetPath(story.music.assetId, options);
  }
}

function assetPath(assetId: string, options: Pick<RenderOptions, 'assets'>): string {
  const path = options.assets(assetId);
  if (path === undefined) throw new StudioError('STUDIO_NOT_FOUND', `no asset '${String(assetId).slice(0, 80)}'`);
  return path;
}

function checkBackground(bg: Background, options: Pick<RenderOptions, 'assets'>): void {
  if (bg.kind === 'color' && !/^#[0-9a-fA-F]{6}$/.test(bg.color))
    throw new StudioError('STUDIO_BAD_REQUEST', `colour '${String(bg.color).slice(0, 20)}' is not #rrggbb`);
  if (bg.kind === 'asset') assetPath(bg.assetId, options);
  if (!['color', 'asset', 'builtin'].includes(bg.kind)) throw new StudioError('STUDIO_BAD_REQUEST', 'unknown background kind');
}

/** A scene's picture as a file or colour; a builtin's files are leased from the cache until `release`. */
export async function resolveBackground(
  bg: Background,
  width: number,
  height: number,
  options: RenderOptions,
  cache: DiskCache,
  run: Run,
): Promise<BackgroundSource & { release?: () => void }> {
  if (bg.kind === 'color') return { type: 'color', hex: bg.color.slice(1).toLowerCase() };
  if (bg.kind === 'asset') {
    const path = assetPath(bg.assetId, options);
    return { type: STILL_EXTENSIONS.includes(extname(path).toLowerCase()) ? 'still' : 'video', path };
  }
  const files = await ensureBuiltin(bg.name, width, height, cache, run);
  return files.kind === 'video' ? { type: 'video', path: files.mp4!, release: files.release } : { type: 'still', path: files.png, release: files.release };
}

/** Runs `work` over `items` with at most `limit` at once; the first failure rejects (after the running ones settle). */
export async function eachLimited<T>(items: T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const lane = async () => {
    while (failed === undefined && next < items.length) {
      const i = next++;
      try {
        await work(items[i]!, i);
      } catch (e) {
        failed ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows a caught value unchanged
  if (failed !== undefined) throw failed;
}

/** A temp path beside `finalPath` (same folder, so the rename is atomic), hidden, with the same extension. */
export function tempBeside(finalPath: string): string {
  return join(dirname(finalPath), `.${basename(finalPath)}.${randomBytes(4).toString('hex')}.partial${extname(finalPath)}`);
}

/**
 * Renders `story` to `options.outPath` (H.264/AAC MP4, +faststart) and `options.thumbnailPath`.
 * Rejects with a StudioError: STUDIO_CANCELLED (signal), STUDIO_TIMEOUT, STUDIO_TOOL_FAILED,
 * STUDIO_TOOL_MISSING, STUDIO_BAD_VOICE, STUDIO_NOT_FOUND, … — and then no child of this render
 * is running, and neither the output nor any temp file exists. An output path that is (or became,
 * while the render ran) a symbolic link, FIFO, device or directory is left alone: CliError
 * CLI_OUT_NOT_REGULAR.
 */
export async function renderStory(story: Story, options: RenderOptions, tuning: RenderTuning = {}): Promise<RenderOutput> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(abortError(options.signal!));
  if (options.signal?.aborted) throw abortError(options.signal);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const timeoutMs = options.timeoutMs ?? RENDER_LIMITS.timeoutMs;
  const timer = setTimeout(() => controller.abort(new StudioError('STUDIO_TIMEOUT', `the render ran past its ${timeoutMs} ms timeout`)), timeoutMs);
  const stateDir = options.stateDir ?? dirname(options.workDir);
  let ledger: Ledger;
  try {
    ledger = new Ledger(stateDir);
  } catch (e) {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    throw new StudioError('STUDIO_TOOL_FAILED', `cannot write the state folder ${stateDir}: ${(e as Error).message}`, { cause: e });
  }
  const run: Run = { signal: controller.signal, ledger };
  const tmpOut = tempBeside(options.outPath);
  const tmpThumb = tempBeside(options.thumbnailPath);
  let stage: Stage = 'voice';
  const progress = (s: Stage, fraction: number) => {
    stage = s;
    options.onProgress?.(s, Math.min(1, Math.max(0, fraction)));
  };
  const checkpoint = () => {
    if (controller.signal.aborted) throw abortError(controller.signal);
  };
  let sourcesP: Promise<BackgroundSource[]> | undefined;
  const leases: (() => void)[] = [];
  try {
    await validateStory(story, options);
    const { width, height } = frameSize(story, tuning);
    const fps = tuning.fps ?? DEFAULT_FPS;
    const encoder = { ...DEFAULT_ENCODER, ...tuning.encoder };
    ledger.addTemp(options.workDir);
    await mkdir(options.workDir, { recursive: true });
    checkpoint();

    // Voice: one espeak-ng per scene; the builtin backgrounds are made meanwhile (first use only).
    progress('voice', 0);
    const clips = new Array<VoiceClip>(story.scenes.length);
    let done = 0;
    const disk = openDiskCache(options.cacheDir ?? join(stateDir, 'cache'), options.cacheQuotaBytes);
    await disk.ready;
    const memory = options.clipCache === null ? undefined : (options.clipCache ?? clipCache);
    sourcesP = Promise.all(
      story.scenes.map(async (s) => {
        const source = await resolveBackground(s.background, width, height, options, disk, run);
        if (source.release) leases.push(source.release);
        return source;
      }),
    );
    sourcesP.catch(() => {});
    await eachLimited(story.scenes, VOICE_CONCURRENCY, async (scene, i) => {
      clips[i] = await speak(scene.text, scene.voice, join(options.workDir, `voice-${i}.wav`), run, { memory, disk });
      if (tuning.keepWorkDir) await writeVoiceTrack([clips[i]!], 0, join(options.workDir, `scene-${i}.wav`));
      progress('voice', ++done / story.scenes.length);
    });
    const voicePath = join(options.workDir, 'voice.wav');
    const track = await writeVoiceTrack(clips, story.gapSeconds, voicePath);
    const sources = await sourcesP;
    checkpoint();

    // Captions: one event per scene, from its voice's start to its end.
    progress('captions', 0);
    const events: CaptionEvent[] = [];
    const captionChanges: number[] = [];
    story.scenes.forEach((scene, i) => {
      const text = captionText(scene.caption, clips[i]!.durationSeconds, story.captions.wordHighlight);
      if (text === '') return;
      events.push({ start: track.starts[i]!, end: track.starts[i]! + clips[i]!.durationSeconds, text });
      captionChanges.push(...captionChangeTimes(scene.caption, track.starts[i]!, clips[i]!.durationSeconds, story.captions.wordHighlight));
    });
    const captionsFile = events.length > 0 ? 'captions.ass' : undefined;
    if (captionsFile) await writeFile(join(options.workDir, captionsFile), buildAss(story.format, story.captions, events));
    progress('captions', 1);
    checkpoint();

    // Compose: one FFmpeg pass. Segment i covers [start_i, start_{i+1}) in whole frames.
    progress('compose', 0);
    const boundaries = [...track.starts.slice(1), track.durationSeconds].map((t) => Math.round(t * fps));
    const segments = story.scenes.map((scene, i) => ({
      source: sources[i]!,
      frames: boundaries[i]! - (i === 0 ? 0 : boundaries[i - 1]!),
      zoom: scene.zoom && sources[i]!.type === 'still',
    }));
    const music = story.music ? { path: assetPath(story.music.assetId, options), volume: story.music.volume } : undefined;
    ledger.addTemp(tmpOut);
    const args = composeArgs({
      width,
      height,
      fps,
      segments,
      voicePath,
      totalSeconds: track.durationSeconds,
      music,
      captionsFile,
      captionChanges,
      frameMode: tuning.frameMode ?? 'variable',
      outPath: tmpOut,
      encoder,
    });
    await runTool(FFMPEG, args, {
      ...run,
      cwd: options.workDir,
      // reason: out_time reaches the end before the file is finalised (faststart rewrites it); 1 means done.
      onStdoutLine: progressParser((t) => progress('compose', Math.min(0.99, t / track.durationSeconds))),
    });
    progress('compose', 1);
    checkpoint();

    // Thumbnail: a frame from the middle of the first scene (its caption showing).
    progress('thumbnail', 0);
    ledger.addTemp(tmpThumb);
    await makeThumbnail(tmpOut, tmpThumb, track.starts[0]! + clips[0]!.durationSeconds / 2, width, height, fps, run);
    progress('thumbnail', 1);
    checkpoint();

    // Both checked before either is renamed, so a refusal leaves neither half-delivered.
    await checkOutputPath(options.outPath);
    await commitOutputFile(tmpThumb, options.thumbnailPath);
    await commitOutputFile(tmpOut, options.outPath);
    const bytes = (await stat(options.outPath)).size;
    return { outPath: options.outPath, thumbnailPath: options.thumbnailPath, durationSeconds: track.durationSeconds, bytes, sceneStarts: track.starts };
  } catch (e) {
    if (controller.signal.aborted) throw abortError(controller.signal);
    if (e instanceof CliError) throw e;
    const full = mapDiskFull(e, stage);
    if (full instanceof StudioError) throw full;
    throw new StudioError('STUDIO_TOOL_FAILED', `${stage}: ${(e as Error).message}`, { cause: e });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    // reason: a failed voice stage must not leave a background generation running behind it.
    if (!controller.signal.aborted) controller.abort(new StudioError('STUDIO_CANCELLED', 'render finished'));
    await sourcesP?.catch(() => {});
    for (const release of leases) release();
    await Promise.all([
      rm(tmpOut, { force: true }),
      rm(tmpThumb, { force: true }),
      tuning.keepWorkDir ? undefined : rm(options.workDir, { recursive: true, force: true }),
    ]);
    ledger.close();
  }
}

/**
 * A JPEG of at most 480 px on its long side and ≤ 30 KB (quality lowered until it fits), of the
 * picture showing at `atSeconds`. The video may have a variable frame rate (§5.5.3), whose frame
 * on screen at a time usually began before it: `fps` first turns the frames into the picture at
 * every 1/fps s, and `-ss` after the input trims after the filters (before the input it would
 * drop the frame on screen and take the next one). Decoding up to a few seconds in costs little.
 */
export async function makeThumbnail(video: string, out: string, atSeconds: number, width: number, height: number, fps: number, run: Run): Promise<void> {
  const scale = `fps=${fps},${width >= height ? `scale=${Math.min(480, width)}:-2` : `scale=-2:${Math.min(480, height)}`}`;
  for (const q of [5, 10, 18, 31]) {
    await runTool(
      FFMPEG,
      [
        '-hide_banner',
        '-nostdin',
        '-loglevel',
        'error',
        '-y',
        '-i',
        `file:${video}`,
        '-ss',
        atSeconds.toFixed(3),
        '-frames:v',
        '1',
        '-vf',
        scale,
        '-q:v',
        String(q),
        '-f',
        'image2',
        '-c:v',
        'mjpeg',
        out,
      ],
      run,
    );
    if ((await stat(out)).size <= THUMBNAIL_MAX_BYTES) return;
  }
}
