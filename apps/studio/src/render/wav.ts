// A bounds-checked reader for the WAV files espeak-ng writes (docs/studio.md §5.2): RIFF, a `fmt `
// chunk with 16-bit PCM, a `data` chunk. Only what the pipeline needs: the format, where the
// samples are and how long they last. Every length is checked against the buffer it came from.
import { StudioError } from '../errors.ts';

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Offset of the first sample byte in the buffer. */
  dataOffset: number;
  /** Sample bytes (clamped to what the buffer holds: espeak-ng writing to a pipe leaves the size 0 or 0x7fffffff). */
  dataBytes: number;
  /** Frames (one sample per channel). */
  frames: number;
  durationSeconds: number;
}

function bad(message: string): StudioError {
  return new StudioError('STUDIO_TOOL_FAILED', `not a PCM WAV file: ${message}`);
}

/**
 * Parses a RIFF/WAVE header.
 *
 *     RIFF chunk := "RIFF" • u32le(size) • "WAVE" • chunk*
 *     chunk      := id(4) • u32le(size) • body(size) • pad(size & 1)
 *     fmt body   := u16le(format = 1 PCM) • u16le(channels) • u32le(rate) • u32le(byteRate) • u16le(blockAlign) • u16le(bits)
 */
export function parseWav(buf: Uint8Array): WavInfo {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (at: number) => String.fromCharCode(buf[at]!, buf[at + 1]!, buf[at + 2]!, buf[at + 3]!);
  if (buf.byteLength < /* RIFF */ 4 + /* size */ 4 + /* WAVE */ 4) throw bad('shorter than a RIFF header');
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw bad('no RIFF/WAVE signature');
  let at = 12;
  let fmt: { channels: number; sampleRate: number; bitsPerSample: number; blockAlign: number } | undefined;
  while (at + /* id */ 4 + /* size */ 4 <= buf.byteLength) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.byteLength) throw bad('fmt chunk too short');
      const format = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (format !== 1) throw bad(`format ${format} is not PCM`);
      if (bitsPerSample !== 16) throw bad(`${bitsPerSample}-bit samples (16 expected)`);
      if (channels < 1 || channels > 8) throw bad(`${channels} channels`);
      if (sampleRate < 1000 || sampleRate > 384_000) throw bad(`sample rate ${sampleRate}`);
      if (blockAlign !== channels * 2) throw bad(`block align ${blockAlign}`);
      fmt = { channels, sampleRate, bitsPerSample, blockAlign };
    } else if (id === 'data') {
      if (!fmt) throw bad('data chunk before fmt chunk');
      // reason: a streamed WAV has a placeholder size; what the file holds is the truth.
      const available = buf.byteLength - body;
      const bytes = Math.min(size, available);
      const frames = Math.floor(bytes / fmt.blockAlign);
      return {
        sampleRate: fmt.sampleRate,
        channels: fmt.channels,
        bitsPerSample: fmt.bitsPerSample,
        dataOffset: body,
        dataBytes: frames * fmt.blockAlign,
        frames,
        durationSeconds: frames / fmt.sampleRate,
      };
    }
    at = body + size + (size & 1);
  }
  throw bad('no data chunk');
}

/** A 44-byte PCM WAV header for `dataBytes` of 16-bit samples. */
export function wavHeader(sampleRate: number, channels: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4); /* RIFF size: rest of the header + data */
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); /* fmt size */
  h.writeUInt16LE(1, 20); /* PCM */
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * channels * 2, 28); /* byte rate */
  h.writeUInt16LE(channels * 2, 32); /* block align */
  h.writeUInt16LE(16, 34); /* bits per sample */
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/**
 * The voiced span of the samples: the first and last frame whose level reaches `threshold`
 * (of full scale, any channel). espeak-ng pads its output with silence; the pipeline trims it so
 * a scene's voice starts exactly when its caption does. [0, 0) for all-silent audio.
 */
export function voicedSpan(buf: Uint8Array, info: WavInfo, threshold = 0.01): { first: number; end: number } {
  const view = new DataView(buf.buffer, buf.byteOffset + info.dataOffset, info.dataBytes);
  const limit = Math.round(threshold * 32768);
  const loud = (frame: number) => {
    for (let c = 0; c < info.channels; c++) {
      if (Math.abs(view.getInt16((frame * info.channels + c) * 2, true)) >= limit) return true;
    }
    return false;
  };
  let first = 0;
  while (first < info.frames && !loud(first)) first++;
  if (first === info.frames) return { first: 0, end: 0 };
  let last = info.frames - 1;
  while (last > first && !loud(last)) last--;
  return { first, end: last + 1 };
}
