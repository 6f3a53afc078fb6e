// WAV (RIFF/WAVE) encoder for exported signals: 16- or 24-bit integer PCM or 32-bit IEEE float,
// interleaved, little-endian. Isomorphic (no DOM, no Node): the page encodes what an
// OfflineAudioContext rendered, the tests decode it back with decodeWav.
//
//   file        := "RIFF" • u32(4 + fmtChunk + [factChunk] + dataChunk) • "WAVE" • fmtChunk • [factChunk] • dataChunk
//   fmtChunk    := "fmt " • u32(16 | 18) • u16(format) • u16(channels) • u32(sampleRate)
//                  • u32(byteRate) • u16(blockAlign) • u16(bitsPerSample) • [u16(0) cbSize, float only]
//   factChunk   := "fact" • u32(4) • u32(frames)                       (float only: non-PCM needs it)
//   dataChunk   := "data" • u32(frames × blockAlign) • samples • [pad byte when odd]
import { LabError } from './errors.ts';

export type WavFormat = 'pcm16' | 'pcm24' | 'float32';

export const WAV_FORMATS: readonly WavFormat[] = ['pcm16', 'pcm24', 'float32'];
const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
export const MAX_WAV_CHANNELS = 8;
/** RIFF sizes are u32; stay well clear of 4 GiB (a browser tab could not hold it anyway). */
export const MAX_WAV_DATA_BYTES = 2 ** 31;

function bytesPerSample(format: WavFormat): number {
  return format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
}

export interface WavInfo {
  format: WavFormat;
  channels: number;
  sampleRate: number;
  frames: number;
}

/** Encodes planar channels (all the same length) as one WAV file. */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number, format: WavFormat = 'pcm16'): Uint8Array {
  if (!Array.isArray(channels as unknown) || channels.length < 1 || channels.length > MAX_WAV_CHANNELS) {
    throw new LabError('LAB_BAD_OPTION', `a WAV file needs 1–${MAX_WAV_CHANNELS} channels`);
  }
  if (!WAV_FORMATS.includes(format)) throw new LabError('LAB_BAD_OPTION', `unknown WAV format ${JSON.stringify(format)}`);
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 768_000) {
    throw new LabError('LAB_BAD_OPTION', `sample rate must be an integer 1–768000 Hz, got ${sampleRate}`);
  }
  const frames = channels[0]!.length;
  for (const c of channels) {
    if (!(c instanceof Float32Array) || c.length !== frames) throw new LabError('LAB_BAD_OPTION', 'channels must be Float32Arrays of one length');
  }
  const nch = channels.length;
  const bps = bytesPerSample(format);
  const blockAlign = nch * bps;
  const dataBytes = frames * blockAlign;
  if (dataBytes > MAX_WAV_DATA_BYTES) throw new LabError('LAB_BAD_OPTION', `WAV data of ${dataBytes} bytes is over ${MAX_WAV_DATA_BYTES}`);
  const isFloat = format === 'float32';
  const fmtBytes = isFloat ? 18 : 16;
  const pad = dataBytes & 1;
  const total = /* RIFF header */ 12 + /* fmt */ 8 + fmtBytes + (isFloat ? /* fact */ 12 : 0) + /* data header */ 8 + dataBytes + pad;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  let o = 0;
  const tag = (s: string) => {
    for (let i = 0; i < 4; i++) out[o++] = s.charCodeAt(i);
  };
  tag('RIFF');
  v.setUint32(o, total - 8, true);
  o += 4;
  tag('WAVE');
  tag('fmt ');
  v.setUint32(o, fmtBytes, true);
  o += 4;
  v.setUint16(o, isFloat ? FORMAT_FLOAT : FORMAT_PCM, true);
  o += 2;
  v.setUint16(o, nch, true);
  o += 2;
  v.setUint32(o, sampleRate, true);
  o += 4;
  v.setUint32(o, sampleRate * blockAlign, true);
  o += 4;
  v.setUint16(o, blockAlign, true);
  o += 2;
  v.setUint16(o, bps * 8, true);
  o += 2;
  if (isFloat) {
    v.setUint16(o, 0, true);
    o += 2; // cbSize: no extension
    tag('fact');
    v.setUint32(o, 4, true);
    o += 4;
    v.setUint32(o, frames, true);
    o += 4;
  }
  tag('data');
  v.setUint32(o, dataBytes, true);
  o += 4;
  writeSamples(v, o, channels, frames, format);
  return out;
}

function writeSamples(v: DataView, start: number, channels: readonly Float32Array[], frames: number, format: WavFormat): void {
  const nch = channels.length;
  let o = start;
  if (format === 'float32') {
    for (let i = 0; i < frames; i++) {
      for (let c = 0; c < nch; c++, o += 4) {
        const x = channels[c]![i]!;
        v.setFloat32(o, Number.isFinite(x) ? x : 0, true);
      }
    }
    return;
  }
  // Integer PCM: clip to [-1, 1], scale by 2^(n-1) - 1 so +1.0 and -1.0 are symmetric, round.
  const full = format === 'pcm16' ? 32767 : 8388607;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nch; c++) {
      let x = channels[c]![i]!;
      x = x > 1 ? 1 : x < -1 ? -1 : x === x ? x : 0; // NaN → 0
      const s = Math.round(x * full);
      if (format === 'pcm16') {
        v.setInt16(o, s, true);
        o += 2;
      } else {
        v.setUint8(o, s & 0xff);
        v.setUint8(o + 1, (s >> 8) & 0xff);
        v.setUint8(o + 2, (s >> 16) & 0xff);
        o += 3;
      }
    }
  }
}

/**
 * Reads back what encodeWav writes (PCM 16/24, float 32; other chunks skipped). For tests and
 * for checking an export; throws LAB_BAD_OPTION on anything else.
 */
export function decodeWav(bytes: Uint8Array): WavInfo & { channels: number; data: Float32Array[] } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const str = (o: number) => String.fromCharCode(bytes[o]!, bytes[o + 1]!, bytes[o + 2]!, bytes[o + 3]!);
  if (bytes.length < 12 || str(0) !== 'RIFF' || str(8) !== 'WAVE') throw new LabError('LAB_BAD_OPTION', 'not a RIFF/WAVE file');
  const riffEnd = Math.min(bytes.length, 8 + v.getUint32(4, true));
  let o = 12;
  let fmt: { code: number; nch: number; rate: number; bits: number; align: number } | null = null;
  while (o + 8 <= riffEnd) {
    const id = str(o);
    const size = v.getUint32(o + 4, true);
    const body = o + 8;
    if (body + size > bytes.length) throw new LabError('LAB_BAD_OPTION', `chunk ${id} runs past the end of the file`);
    if (id === 'fmt ') {
      if (size < 16) throw new LabError('LAB_BAD_OPTION', 'fmt chunk too short');
      fmt = {
        code: v.getUint16(body, true),
        nch: v.getUint16(body + 2, true),
        rate: v.getUint32(body + 4, true),
        align: v.getUint16(body + 12, true),
        bits: v.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!fmt) throw new LabError('LAB_BAD_OPTION', 'data chunk before fmt');
      const format: WavFormat | null =
        fmt.code === FORMAT_PCM && fmt.bits === 16
          ? 'pcm16'
          : fmt.code === FORMAT_PCM && fmt.bits === 24
            ? 'pcm24'
            : fmt.code === FORMAT_FLOAT && fmt.bits === 32
              ? 'float32'
              : null;
      if (!format || fmt.nch < 1 || fmt.nch > MAX_WAV_CHANNELS || fmt.align !== fmt.nch * bytesPerSample(format)) {
        throw new LabError('LAB_BAD_OPTION', `unsupported WAV format ${fmt.code}/${fmt.bits} bit/${fmt.nch} ch`);
      }
      const frames = Math.floor(size / fmt.align);
      const data = Array.from({ length: fmt.nch }, () => new Float32Array(frames));
      let p = body;
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < fmt.nch; c++) {
          if (format === 'pcm16') {
            data[c]![i] = v.getInt16(p, true) / 32767;
            p += 2;
          } else if (format === 'pcm24') {
            const s = ((bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16)) << 8) >> 8;
            data[c]![i] = s / 8388607;
            p += 3;
          } else {
            data[c]![i] = v.getFloat32(p, true);
            p += 4;
          }
        }
      }
      return { format, channels: fmt.nch, sampleRate: fmt.rate, frames, data };
    }
    o = body + size + (size & 1);
  }
  throw new LabError('LAB_BAD_OPTION', 'no data chunk');
}
