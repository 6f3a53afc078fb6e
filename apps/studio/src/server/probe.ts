// What an upload is, decided by ffprobe reading its content (never by its name): an image, a
// video or an audio file, with its size and duration. Anything ffprobe cannot read, or whose
// streams are none of these, is STUDIO_UNSUPPORTED_MEDIA.
import { StudioError } from '../errors.ts';
import { runTool } from './tools.ts';
import type { RunOptions } from './tools.ts';

export type MediaKind = 'image' | 'video' | 'audio';

export interface MediaInfo {
  kind: MediaKind;
  /** ffprobe's format name, e.g. 'png_pipe', 'mov,mp4,m4a,3gp,3g2,mj2', 'wav'. */
  format: string;
  width?: number;
  height?: number;
  durationSeconds?: number;
}

// Single-frame image formats as ffprobe names their demuxers / codecs.
const IMAGE_CODECS = new Set(['png', 'mjpeg', 'jpeg2000', 'webp', 'gif', 'bmp', 'tiff', 'jpegls']);
/** Largest picture accepted (pixels on a side). */
export const MAX_DIMENSION = 8192;

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  nb_frames?: string;
  disposition?: { attached_pic?: number };
}

export async function probeMedia(ffprobe: string, file: string, run: RunOptions = {}): Promise<MediaInfo> {
  let raw: Buffer;
  try {
    raw = await runTool(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', file], { timeoutMs: 20_000, ...run });
  } catch (err) {
    if (err instanceof StudioError && err.code === 'STUDIO_TOOL_FAILED')
      throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', `not a readable image, video or audio file (${err.message.replace(/^.*?: /, '')})`);
    throw err;
  }
  let parsed: { streams?: ProbeStream[]; format?: { format_name?: string; duration?: string } };
  try {
    parsed = JSON.parse(raw.toString('utf8')) as typeof parsed;
  } catch {
    throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', 'ffprobe gave no description of the file');
  }
  return classify(parsed.streams ?? [], parsed.format ?? {});
}

/** The kind from the streams ffprobe found (exported for tests). */
export function classify(streams: ProbeStream[], format: { format_name?: string; duration?: string }): MediaInfo {
  const name = format.format_name ?? '';
  const duration = Number(format.duration);
  const durationSeconds = Number.isFinite(duration) && duration > 0 ? duration : undefined;
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (video) {
    const { width, height } = video;
    if (!width || !height) throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', 'the picture cannot be read (no size: the file is corrupt or truncated)');
    if (width > MAX_DIMENSION || height > MAX_DIMENSION)
      throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', `the picture is ${width}×${height}; at most ${MAX_DIMENSION} on a side`);
    const still =
      name.endsWith('_pipe') || name === 'image2' || (IMAGE_CODECS.has(video.codec_name ?? '') && (durationSeconds === undefined || video.nb_frames === '1'));
    return { kind: still ? 'image' : 'video', format: name, width, height, ...(still ? {} : durationSeconds ? { durationSeconds } : {}) };
  }
  if (audio) {
    if (!durationSeconds) throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', 'the audio has no duration');
    return { kind: 'audio', format: name, durationSeconds };
  }
  throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', `no image, video or audio stream in the file (${name || 'unknown format'})`);
}
