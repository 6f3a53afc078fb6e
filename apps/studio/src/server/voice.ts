// Voice preview (docs/studio.md §1.6): one scene's text spoken to a WAV with the render
// pipeline's own TTS (src/render/voice.ts: the same voice check, espeak-ng run and silence
// trim) through `speak`, the pipeline's clip caches (memory, then the WAVs on disk), so the preview
// is exactly what the render will say and a previewed scene is not spoken again by its render.
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StudioError } from '../errors.ts';
import type { Voice } from '../model.ts';
import { clipCache } from '../render/clip-cache.ts';
import { openDiskCache } from '../render/disk-cache.ts';
import { speak, validateVoice } from '../render/voice.ts';
import { wavHeader } from '../render/wav.ts';
import { runTool } from './tools.ts';

/** Longest WAV a preview may return (about 90 s of 22 kHz mono). */
export const MAX_PREVIEW_BYTES = 4 * 1024 * 1024;
/** Longest text a preview speaks. */
export const MAX_PREVIEW_CHARS = 600;

export type Speaker = (text: string, voice: Voice, signal?: AbortSignal) => Promise<Buffer>;

/**
 * The pipeline's TTS as a preview: the scene's WAV (voiced part only). With `cacheDir` (the
 * render's intermediates cache) the clip is looked up in and kept in the clip caches; without,
 * it is spoken into `tmpDir` and removed.
 */
export function pipelinePreview(tmpDir: string, cacheDir?: string): Speaker {
  return async (text, voice, signal) => {
    const words = text.replace(/\s+/g, ' ').trim().slice(0, MAX_PREVIEW_CHARS);
    if (words.length === 0) throw new StudioError('STUDIO_BAD_REQUEST', 'nothing to say');
    await validateVoice(voice);
    await mkdir(tmpDir, { recursive: true });
    const wavPath = join(tmpDir, `preview-${randomBytes(6).toString('hex')}.wav`);
    try {
      const disk = cacheDir === undefined ? undefined : openDiskCache(cacheDir);
      const clip = await speak(words, voice, wavPath, signal ? { signal } : {}, { memory: clipCache, ...(disk ? { disk } : {}) });
      if (clip.pcm.length > MAX_PREVIEW_BYTES)
        throw new StudioError('STUDIO_TEXT_TOO_LONG', `the preview is ${clip.pcm.length} bytes (cap ${MAX_PREVIEW_BYTES})`);
      return Buffer.concat([wavHeader(clip.sampleRate, 1, clip.pcm.length), clip.pcm]);
    } finally {
      await rm(wavPath, { force: true });
    }
  };
}

/** The voices espeak-ng has: `voice` is what `-v` takes (a language code), `name` for people. */
export async function listVoices(espeak: string): Promise<{ voice: string; name: string }[]> {
  const out = (await runTool(espeak, ['--voices'], { timeoutMs: 10_000 })).toString('utf8');
  const voices: { voice: string; name: string }[] = [];
  for (const line of out.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // A language can be listed twice (two voice files); `-v` picks one, so list it once.
    if (cols.length >= 4 && !voices.some((v) => v.voice === cols[1])) voices.push({ voice: cols[1]!, name: cols[3]!.replaceAll('_', ' ') });
  }
  return voices;
}
