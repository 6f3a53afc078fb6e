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
  /**
   * When the captions' picture changes (seconds; `captionChangeTimes`). On a video made only of
   * stills and colours, libass then draws only the frames around these times and the others
   * repeat them (§5.5.2): the same pictures for a fraction of the cost.
   */
  captionChanges?: number[];
  outPath: string;
  encoder: EncoderSettings;
}

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
  if (plan.captionsFile !== undefined) {
    const totalFrames = segments.reduce((a, s) => a + s.frames, 0);
    const keep = staticPicture && plan.captionChanges ? changeFrames(plan.captionChanges, fps, totalFrames) : undefined;
    // Only frames whose caption picture may differ from the previous frame's go through libass;
    // fps then repeats each one (by reference) until the next, back to a constant rate.
    const select = keep ? `select='${balancedSum(keep.map((n) => `eq(n,${n})`))}',` : '';
    const refill = keep ? `,fps=${fps}` : '';
    chains.push(`${video}${select}ass=${plan.captionsFile}${refill}[vout]`);
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
    chains.push(`[${voiceIndex}:a]${stereo}[aout]`);
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
    '-r',
    String(fps),
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
 * The frame numbers to render captions on: the first and last frame, and around each change
 * time the first frame at or after it with one frame of slack either side (libass truncates a
 * frame's time to whole milliseconds, so the exact frame can be off by one).
 */
export function changeFrames(changes: number[], fps: number, totalFrames: number): number[] {
  const keep = new Set<number>([0, Math.max(0, totalFrames - 1)]);
  for (const t of changes) {
    const n = Math.ceil(t * fps - 1e-6);
    for (const m of [n - 1, n, n + 1]) if (m >= 0 && m < totalFrames) keep.add(m);
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
