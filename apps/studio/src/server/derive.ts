// What FFmpeg makes from an upload or a render: a thumbnail (JPEG, ≤ 30 KB, at most 320 px on
// a side; audio gets a waveform picture) and a low-resolution preview proxy (images: a 640 px
// JPEG; video: 360 px H.264 without audio, at most 30 s; audio: 64 kb/s AAC, at most 60 s).
import { stat, rm } from 'node:fs/promises';
import { StudioError } from '../errors.ts';
import { THUMBNAIL_MAX_BYTES } from '../render/pipeline.ts';
import type { MediaInfo } from './probe.ts';
import { runTool } from './tools.ts';
import type { RunOptions } from './tools.ts';

const THUMB_SIDE = 320;
/** JPEG qualities tried in turn (mjpeg -q:v; higher is smaller) until the thumbnail fits. */
const THUMB_QUALITIES = [4, 8, 14, 24, 31];

export type ProxyExt = 'jpg' | 'mp4' | 'm4a';

export function proxyExt(kind: MediaInfo['kind']): ProxyExt {
  return kind === 'image' ? 'jpg' : kind === 'video' ? 'mp4' : 'm4a';
}

function fit(side: number): string {
  return `scale='min(${side},iw)':'min(${side},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2`;
}

/** Where a video's representative frame is taken: 1 s in, or the middle of a shorter clip. */
function seekFor(info: MediaInfo): string[] {
  if (info.kind !== 'video') return [];
  const at = Math.min(1, (info.durationSeconds ?? 0) / 2);
  return at > 0 ? ['-ss', at.toFixed(3)] : [];
}

export async function makeThumbnail(ffmpeg: string, input: string, output: string, info: MediaInfo, run: RunOptions = {}): Promise<number> {
  for (const q of THUMB_QUALITIES) {
    const filter = info.kind === 'audio' ? `showwavespic=s=${THUMB_SIDE}x${THUMB_SIDE / 2}:colors=0x7fd1ae` : fit(THUMB_SIDE);
    const args = [
      '-v',
      'error',
      '-nostdin',
      '-y',
      ...seekFor(info),
      '-i',
      input,
      ...(info.kind === 'audio' ? ['-filter_complex', filter] : ['-vf', filter]),
      '-frames:v',
      '1',
      '-q:v',
      String(q),
      '-f',
      'image2',
      '-c:v',
      'mjpeg',
      output,
    ];
    await unsupportedIfFails(runTool(ffmpeg, args, { timeoutMs: 60_000, ...run }));
    const { size } = await stat(output);
    if (size <= THUMBNAIL_MAX_BYTES) return size;
  }
  await rm(output, { force: true });
  throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', `no thumbnail under ${THUMBNAIL_MAX_BYTES} bytes could be made`);
}

export async function makeProxy(ffmpeg: string, input: string, output: string, info: MediaInfo, run: RunOptions = {}): Promise<void> {
  const head = ['-v', 'error', '-nostdin', '-y', '-i', input];
  const args =
    info.kind === 'image'
      ? [...head, '-vf', fit(640), '-frames:v', '1', '-q:v', '5', '-f', 'image2', '-c:v', 'mjpeg', output]
      : info.kind === 'video'
        ? [
            ...head,
            '-t',
            '30',
            '-an',
            '-vf',
            fit(360),
            '-c:v',
            'libx264',
            '-preset',
            'veryfast',
            '-crf',
            '30',
            '-pix_fmt',
            'yuv420p',
            '-movflags',
            '+faststart',
            '-f',
            'mp4',
            output,
          ]
        : [...head, '-t', '60', '-vn', '-c:a', 'aac', '-b:a', '64k', '-f', 'mp4', output];
  await unsupportedIfFails(runTool(ffmpeg, args, { timeoutMs: 180_000, ...run }));
}

/** ffprobe can accept a file FFmpeg then cannot decode (a truncated PNG): that is the file's fault. */
async function unsupportedIfFails(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StudioError && err.code === 'STUDIO_TOOL_FAILED')
      throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', `the file could not be decoded (${err.message.replace(/^.*?: /, '')})`);
    throw err;
  }
}
