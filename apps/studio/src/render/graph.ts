// The compose pass (docs/studio.md §5.5): one FFmpeg run whose filter graph builds the whole
// video — background segments, voice, ducked music bed, burned captions — and encodes it once.
// This module only builds the argument list; the pipeline runs it. Nothing user-typed enters the
// graph text: files are `-i` arguments (with the `file:` protocol), colours are checked hex, the
// captions file has a fixed name in the working directory.

/** Where a scene's picture comes from, after assets and builtins are resolved to files. */
export type BackgroundSource = { type: 'still'; path: string } | { type: 'video'; path: string } | { type: 'color'; hex: string };

export interface Segment {
  source: BackgroundSource;
  /** Frames this segment lasts (frame boundaries come from absolute times, so they never drift). */
  frames: number;
  /** Slow push-in (stills only). */
  zoom: boolean;
}

export interface ComposePlan {
  width: number;
  height: number;
  fps: number;
  segments: Segment[];
  /** The voice track (all scenes and gaps, one WAV). */
  voicePath: string;
  totalSeconds: number;
  music?: { path: string; volume: number };
  /** The ASS file's name relative to the run's working directory; undefined for no captions. */
  captionsFile?: string;
  /** When the captions' picture changes (seconds, as written to the ASS file; `captionChangeTimes`). */
  captionChanges: number[];
  /** How a still picture's frames reach the encoder (§5.5.3); moving pictures always draw every frame. */
  frameMode: FrameMode;
  outPath: string;
  encoder: EncoderSettings;
}

/**
 * On a video made only of stills and colours (no zoom) the picture changes only where a scene
 * or a caption does (§5.5.3):
 * - `variable` (the default): only the frames whose picture differs from the one before are
 *   drawn and encoded, each shown until the next: a variable-frame-rate MP4;
 * - `constant`: the same frames drawn, each repeated by reference up to FPS: a constant-rate
 *   MP4 (what some editors want), the same pictures for the encoder's cost of every frame;
 * - `every-frame`: libass draws every frame (the slow reference the tests compare with).
 */
export type FrameMode = 'variable' | 'constant' | 'every-frame';

export interface EncoderSettings {
  preset: 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium';
  crf: number;
  audioBitrate: string;
}

/**
 * Speed first (§5.5.4): the budget is 0.25× real time on 2 cores for still backgrounds. Measured
 * on a 60 s 1080×1920 story: veryfast cost 1.35× the CPU of ultrafast for a file half the size.
 */
export const DEFAULT_ENCODER: EncoderSettings = { preset: 'ultrafast', crf: 23, audioBitrate: '128k' };

/** Push-in over a segment: 1 → 1 + ZOOM_AMOUNT. */
export const ZOOM_AMOUNT = 0.12;

/** File extensions decoded as a still image (anything else is a video). */
export const STILL_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.bmp'];

export function sameSource(a: BackgroundSource, b: BackgroundSource): boolean {
  if (a.type !== b.type) return false;
  return a.type === 'color' ? a.hex === (b as { hex: string }).hex : a.path === (b as { path: string }).path;
}

/**
 * The argument list. Inputs: one per segment (after merging consecutive segments with the same
 * source and no zoom), then the voice WAV, then the music. Output: the MP4 with +faststart,
 * progress as key=value lines on stdout.
 */
export function composeArgs(plan: ComposePlan): string[] {
  const { width: W, height: H, fps } = plan;
  const segments = mergeSegments(plan.segments);
  const inputs: string[] = [];
  const chains: string[] = [];
  // reason: `setpts=N/FPS/TB` truncates N/25/0.04 = 28.999… to 28 (a repeated timestamp, then a
  // frame dropped or shifted at the output); a 1/FPS time base and `setpts=N` are exact.
  const fit = `scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},setsar=1,format=yuv420p`;

  segments.forEach((seg, i) => {
    const s = seg.source;
    const label = `[bg${i}]`;
    if (s.type === 'color') {
      inputs.push('-f', 'lavfi', '-i', `color=c=0x${s.hex}:s=${W}x${H}:r=${fps}`);
      chains.push(`[${i}:v]format=yuv420p,trim=end_frame=${seg.frames},settb=1/${fps},setpts=N${label}`);
    } else if (s.type === 'still') {
      // Decoded once: one frame, scaled once, then repeated by reference (loop) or zoomed.
      inputs.push('-framerate', String(fps), '-i', `file:${s.path}`);
      if (seg.zoom) {
        const z = `1+${ZOOM_AMOUNT}*on/${Math.max(1, seg.frames)}`;
        chains.push(
          `[${i}:v]${fit},zoompan=z='${z}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=${seg.frames}:s=${W}x${H}:fps=${fps},trim=end_frame=${seg.frames},settb=1/${fps},setpts=N${label}`,
        );
      } else {
        chains.push(`[${i}:v]${fit},loop=loop=-1:size=1:start=0,trim=end_frame=${seg.frames},settb=1/${fps},setpts=N${label}`);
      }
    } else {
      inputs.push('-stream_loop', '-1', '-i', `file:${s.path}`);
      chains.push(`[${i}:v]fps=${fps},${fit},trim=end_frame=${seg.frames},settb=1/${fps},setpts=N${label}`);
    }
  });

  const voiceIndex = segments.length;
  inputs.push('-i', `file:${plan.voicePath}`);
  let video = '[bg0]';
  if (segments.length > 1) {
    chains.push(`${segments.map((_, i) => `[bg${i}]`).join('')}concat=n=${segments.length}:v=1:a=0[bg]`);
    video = '[bg]';
  }
  const staticPicture = segments.every((s) => s.source.type !== 'video' && !s.zoom);
  const onlyChanges = staticPicture && plan.frameMode !== 'every-frame';
  const variableRate = onlyChanges && plan.frameMode === 'variable';
  const picture: string[] = [];
  if (onlyChanges) {
    let totalFrames = 0;
    const starts = segments.map((s) => (totalFrames += s.frames) - s.frames);
    const keep = pictureChangeFrames(plan.captionsFile === undefined ? [] : plan.captionChanges, starts, fps, totalFrames);
    picture.push(`select='${balancedSum(keep.map((n) => `eq(n,${n})`))}'`);
  }
  if (plan.captionsFile !== undefined) picture.push(`ass=${plan.captionsFile}`);
  // reason: `fps` repeats each kept frame by reference until the next, back to a constant rate.
  if (onlyChanges && !variableRate) picture.push(`fps=${fps}`);
  if (picture.length > 0) {
    chains.push(`${video}${picture.join(',')}[vout]`);
    video = '[vout]';
  }

  const stereo = 'aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo';
  if (plan.music) {
    const musicIndex = voiceIndex + 1;
    inputs.push('-stream_loop', '-1', '-i', `file:${plan.music.path}`);
    chains.push(`[${voiceIndex}:a]${stereo},asplit=2[voice][key]`);
    chains.push(`[${musicIndex}:a]${stereo},atrim=end=${plan.totalSeconds.toFixed(6)},volume=${plan.music.volume.toFixed(3)}[bed]`);
    // Ducking: the voice keys a compressor on the bed, so music drops while someone speaks.
    chains.push('[bed][key]sidechaincompress=threshold=0.02:ratio=12:attack=15:release=350:makeup=1[ducked]');
    chains.push('[voice][ducked]amix=inputs=2:duration=first:normalize=0[aout]');
  } else {
    // reason: the voice is mono; a stereo track would carry it twice, and the AAC encoder, which
    // runs in FFmpeg's one encoding thread, took 4.7 s of a 7.5 s render for 65 s in stereo (2.2 s mono).
    chains.push(`[${voiceIndex}:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=mono[aout]`);
  }

  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
    '-y',
    ...inputs,
    '-filter_complex',
    chains.join(';'),
    '-map',
    video,
    '-map',
    '[aout]',
    '-c:v',
    'libx264',
    '-preset',
    plan.encoder.preset,
    ...(staticPicture ? ['-tune', 'stillimage'] : []),
    '-crf',
    String(plan.encoder.crf),
    '-pix_fmt',
    'yuv420p',
    // A variable rate keeps each frame's own timestamp (frame n at n/FPS), so a kept frame lasts
    // until the next; `-r` would duplicate them again before the encoder.
    ...(variableRate ? ['-fps_mode', 'vfr'] : ['-r', String(fps)]),
    '-g',
    String(fps * 4),
    '-c:a',
    'aac',
    '-b:a',
    plan.encoder.audioBitrate,
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    plan.outPath,
  ];
}

/**
 * The millisecond libass is asked to draw for frame `n`: FFmpeg's `ass` filter passes
 * `pts × time_base × 1000` truncated to an integer, in double arithmetic, which this repeats
 * operation for operation (so 29 × 0.04 × 1000 = 1159.999… draws 1159, not 1160).
 */
export function assMillisOfFrame(n: number, fps: number): number {
  return Math.trunc(n * (1 / fps) * 1000);
}

/** The first frame libass draws at or after `ms` (an event or karaoke time, whole milliseconds). */
export function firstFrameDrawnAt(ms: number, fps: number): number {
  let n = Math.max(0, Math.floor((ms * fps) / 1000) - 1);
  while (assMillisOfFrame(n, fps) < ms) n++;
  return n;
}

/**
 * The frames whose picture may differ from the frame before (§5.5.3): the first and the last,
 * the first frame of each background segment, and the first frame libass draws at or after
 * each caption change (libass shows an event and highlights a karaoke word from its time on,
 * `start ≤ now`). Every other frame repeats the one before it.
 */
export function pictureChangeFrames(captionChanges: number[], segmentStarts: number[], fps: number, totalFrames: number): number[] {
  const keep = new Set<number>([0, Math.max(0, totalFrames - 1), ...segmentStarts]);
  for (const t of captionChanges) {
    const n = firstFrameDrawnAt(Math.round(t * 1000), fps);
    if (n < totalFrames) keep.add(n);
  }
  return [...keep].sort((a, b) => a - b);
}

/**
 * `a+b+c+…` as a balanced tree of parentheses: FFmpeg's expression evaluator recurses once per
 * `+` of a flat chain and fails past ~150 terms; a tree is log₂(n) deep.
 */
export function balancedSum(terms: string[]): string {
  if (terms.length === 1) return terms[0]!;
  const mid = terms.length >> 1;
  return `(${balancedSum(terms.slice(0, mid))}+${balancedSum(terms.slice(mid))})`;
}

/** Consecutive segments with the same source and no zoom become one (one input, no concat seam). */
export function mergeSegments(segments: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && !last.zoom && !s.zoom && sameSource(last.source, s.source)) last.frames += s.frames;
    else out.push({ ...s });
  }
  return out;
}

/** Reads `-progress` key=value lines; calls `onTime(seconds)` at each `out_time_us`. */
export function progressParser(onTime: (seconds: number) => void): (line: string) => void {
  return (line) => {
    const eq = line.indexOf('=');
    if (eq === -1) return;
    const key = line.slice(0, eq);
    if (key !== 'out_time_us' && key !== 'out_time_ms') return; // reason: ffmpeg's out_time_ms is in microseconds too
    const us = Number(line.slice(eq + 1));
    if (Number.isFinite(us) && us >= 0) onTime(us / 1e6);
  };
}
