// BASELINE — NOT THE PIPELINE. The render as the original design described it, kept only so the
// benchmark can show what the one-pass filter graph (pipeline.ts) saves (docs/studio.md §5.8):
// one FFmpeg run per step with full-quality intermediates —
//   1. each scene → a lossless H.264 intermediate MP4 (its background read whole into a Buffer
//      and piped to ffmpeg's stdin; a zoom done with zoompan), with the scene's voice;
//   2. the scenes concatenated (concat demuxer) into one intermediate;
//   3. the captions burned in a separate pass (lossless again);
//   4. the audio (voice + ducked music) mixed and muxed in a final encode with +faststart.
// Same voices, captions, encoder settings for the final encode and output contract as
// renderStory, so the outputs are comparable. Cancel, timeout and cleanup work the same way.
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StudioError } from '../errors.ts';
import type { Stage, Story } from '../model.ts';
import { FFMPEG } from './backgrounds.ts';
import { buildAss, captionText, type CaptionEvent } from './captions.ts';
import { DEFAULT_ENCODER, ZOOM_AMOUNT } from './graph.ts';
import {
  DEFAULT_FPS,
  eachLimited,
  frameSize,
  makeThumbnail,
  RENDER_LIMITS,
  resolveBackground,
  tempBeside,
  validateStory,
  VOICE_CONCURRENCY,
  type RenderTuning,
  type Run,
} from './pipeline.ts';
import { openDiskCache } from './disk-cache.ts';
import { abortError, Ledger, runTool } from './process.ts';
import type { RenderOptions, RenderOutput } from './types.ts';
import { synthesize, writeVoiceTrack, type VoiceClip } from './voice.ts';

const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];

/** The baseline render (see the file comment). Same contract as renderStory. */
export async function renderStoryNaive(story: Story, options: RenderOptions, tuning: RenderTuning = {}): Promise<RenderOutput> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(abortError(options.signal!));
  if (options.signal?.aborted) throw abortError(options.signal);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const timeoutMs = options.timeoutMs ?? RENDER_LIMITS.timeoutMs;
  const timer = setTimeout(() => controller.abort(new StudioError('STUDIO_TIMEOUT', `the render ran past its ${timeoutMs} ms timeout`)), timeoutMs);
  const stateDir = options.stateDir ?? dirname(options.workDir);
  const ledger = new Ledger(stateDir);
  const run: Run = { signal: controller.signal, ledger };
  const tmpOut = tempBeside(options.outPath);
  const tmpThumb = tempBeside(options.thumbnailPath);
  const work = options.workDir;
  const progress = (s: Stage, f: number) => options.onProgress?.(s, f);
  const leases: (() => void)[] = [];
  try {
    await validateStory(story, options);
    const { width: W, height: H } = frameSize(story, tuning);
    const fps = tuning.fps ?? DEFAULT_FPS;
    const encoder = { ...DEFAULT_ENCODER, ...tuning.encoder };
    ledger.addTemp(work);
    await mkdir(work, { recursive: true });
    const cache = openDiskCache(options.cacheDir ?? join(stateDir, 'cache'), options.cacheQuotaBytes);

    progress('voice', 0);
    const clips = new Array<VoiceClip>(story.scenes.length);
    await eachLimited(story.scenes, VOICE_CONCURRENCY, async (scene, i) => {
      clips[i] = await synthesize(scene.text, scene.voice, join(work, `raw-${i}.wav`), run);
    });
    const track = await writeVoiceTrack(clips, story.gapSeconds, join(work, 'voice.wav'));
    progress('voice', 1);

    progress('captions', 0);
    const events: CaptionEvent[] = [];
    story.scenes.forEach((scene, i) => {
      const text = captionText(scene.caption, clips[i]!.durationSeconds, story.captions.wordHighlight);
      if (text !== '') events.push({ start: track.starts[i]!, end: track.starts[i]! + clips[i]!.durationSeconds, text });
    });
    await writeFile(join(work, 'captions.ass'), buildAss(story.format, story.captions, events));
    progress('captions', 1);

    // 1. One lossless intermediate per scene.
    const steps = story.scenes.length + 3;
    let done = 0;
    const step = () => progress('compose', ++done / steps);
    progress('compose', 0);
    const boundaries = [...track.starts.slice(1), track.durationSeconds].map((t) => Math.round(t * fps));
    const sceneFiles: string[] = [];
    for (const [i, scene] of story.scenes.entries()) {
      const frames = boundaries[i]! - (i === 0 ? 0 : boundaries[i - 1]!);
      const seconds = frames / fps;
      await writeVoiceTrack([clips[i]!], 0, join(work, `voice-${i}.wav`));
      const src = await resolveBackground(scene.background, W, H, options, cache, run);
      if (src.release) leases.push(src.release);
      const fit = `scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},setsar=1,format=yuv420p`;
      let input: string[];
      let vf: string;
      let stdin: Buffer | undefined;
      if (src.type === 'color') {
        input = ['-f', 'lavfi', '-i', `color=c=0x${src.hex}:s=${W}x${H}:r=${fps}`];
        vf = `format=yuv420p,trim=end_frame=${frames}`;
      } else if (src.type === 'still') {
        stdin = await readFile(src.path); // the whole asset in memory, as the original design did
        input = ['-f', 'image2pipe', '-framerate', String(fps), '-i', 'pipe:0'];
        vf = scene.zoom
          ? `${fit},zoompan=z='1+${ZOOM_AMOUNT}*on/${frames}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=${frames}:s=${W}x${H}:fps=${fps},trim=end_frame=${frames}`
          : `${fit},loop=loop=-1:size=1:start=0,trim=end_frame=${frames},settb=1/${fps},setpts=N`;
      } else {
        // reason: an MP4 whose moov is at the end cannot be read from a pipe, and a pipe cannot be
        // looped; the baseline still reads the file whole (its memory cost) but FFmpeg opens it by name.
        await readFile(src.path);
        input = ['-stream_loop', '-1', '-i', `file:${src.path}`];
        vf = `fps=${fps},${fit},trim=end_frame=${frames}`;
      }
      const out = join(work, `scene-${i}.mp4`);
      await runTool(
        FFMPEG,
        [
          ...QUIET,
          ...input,
          '-i',
          `file:${join(work, `voice-${i}.wav`)}`,
          '-filter_complex',
          `[0:v]${vf}[v];[1:a]apad=whole_dur=${seconds.toFixed(6)}[a]`,
          '-map',
          '[v]',
          '-map',
          '[a]',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-qp',
          '0',
          '-r',
          String(fps),
          '-c:a',
          'aac',
          '-b:a',
          '256k',
          '-ar',
          '44100',
          '-t',
          seconds.toFixed(6),
          '-f',
          'mp4',
          out,
        ],
        { ...run, stdin },
      );
      sceneFiles.push(out);
      step();
    }

    // 2. Concatenate.
    await writeFile(join(work, 'scenes.txt'), sceneFiles.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join('\n'));
    await runTool(FFMPEG, [...QUIET, '-f', 'concat', '-safe', '0', '-i', join(work, 'scenes.txt'), '-c', 'copy', '-f', 'mp4', join(work, 'joined.mp4')], run);
    step();

    // 3. Burn the captions (lossless again).
    await runTool(
      FFMPEG,
      [
        ...QUIET,
        '-i',
        'file:joined.mp4',
        '-vf',
        'ass=captions.ass',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-qp',
        '0',
        '-c:a',
        'copy',
        '-f',
        'mp4',
        'captioned.mp4',
      ],
      { ...run, cwd: work },
    );
    step();

    // 4. Audio mix (the clean voice track, ducked music) and the final encode.
    ledger.addTemp(tmpOut);
    const music = story.music ? options.assets(story.music.assetId) : undefined;
    const stereo = 'aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo';
    const audioGraph = music
      ? `[1:a]${stereo},asplit=2[voice][key];[2:a]${stereo},atrim=end=${track.durationSeconds.toFixed(6)},volume=${story.music!.volume.toFixed(3)}[bed];[bed][key]sidechaincompress=threshold=0.02:ratio=12:attack=15:release=350:makeup=1[ducked];[voice][ducked]amix=inputs=2:duration=first:normalize=0[aout]`
      : `[1:a]${stereo}[aout]`;
    await runTool(
      FFMPEG,
      [
        ...QUIET,
        '-i',
        `file:${join(work, 'captioned.mp4')}`,
        '-i',
        `file:${join(work, 'voice.wav')}`,
        ...(music ? ['-stream_loop', '-1', '-i', `file:${music}`] : []),
        '-filter_complex',
        audioGraph,
        '-map',
        '0:v',
        '-map',
        '[aout]',
        '-c:v',
        'libx264',
        '-preset',
        encoder.preset,
        '-crf',
        String(encoder.crf),
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-b:a',
        encoder.audioBitrate,
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        tmpOut,
      ],
      run,
    );
    step();

    progress('thumbnail', 0);
    ledger.addTemp(tmpThumb);
    await makeThumbnail(tmpOut, tmpThumb, track.starts[0]! + clips[0]!.durationSeconds / 2, W, H, fps, run);
    progress('thumbnail', 1);
    if (controller.signal.aborted) throw abortError(controller.signal);
    await rename(tmpThumb, options.thumbnailPath);
    await rename(tmpOut, options.outPath);
    const bytes = (await stat(options.outPath)).size;
    return { outPath: options.outPath, thumbnailPath: options.thumbnailPath, durationSeconds: track.durationSeconds, bytes, sceneStarts: track.starts };
  } catch (e) {
    if (controller.signal.aborted) throw abortError(controller.signal);
    if (e instanceof StudioError) throw e;
    throw new StudioError('STUDIO_TOOL_FAILED', (e as Error).message, { cause: e });
  } finally {
    for (const release of leases) release();
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    if (!controller.signal.aborted) controller.abort(new StudioError('STUDIO_CANCELLED', 'render finished'));
    await Promise.all([rm(tmpOut, { force: true }), rm(tmpThumb, { force: true }), rm(work, { recursive: true, force: true })]);
    ledger.close();
  }
}
