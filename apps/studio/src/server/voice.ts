// Voice preview (docs/studio.md §1.6): one scene's text spoken to a WAV, so the voice
// settings can be heard before a render. MERGE: swap `espeakPreview` for B1's TTS module (the
// one the render's voice stage uses) so the preview is exactly what the render will say.
import { StudioError } from '../errors.ts';
import type { Voice } from '../model.ts';
import { runTool } from './tools.ts';
import type { RunOptions } from './tools.ts';

/** Longest WAV a preview may return (about 90 s of 22 kHz mono). */
export const MAX_PREVIEW_BYTES = 4 * 1024 * 1024;
/** Longest text a preview speaks. */
export const MAX_PREVIEW_CHARS = 600;

export type Speaker = (text: string, voice: Voice, signal?: AbortSignal) => Promise<Buffer>;

export function espeakPreview(espeak: string, run: RunOptions = {}): Speaker {
  return async (text, voice, signal) => {
    const words = text.replace(/\s+/g, ' ').trim().slice(0, MAX_PREVIEW_CHARS);
    if (words.length === 0) throw new StudioError('STUDIO_BAD_REQUEST', 'nothing to say');
    try {
      // A leading space keeps text that starts with '-' from being read as an option.
      return await runTool(espeak, ['-v', voice.voice, '-s', String(voice.rate), '-p', String(voice.pitch), '--stdout', ` ${words}`], { timeoutMs: 20_000, maxStdout: MAX_PREVIEW_BYTES, ...run, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (err instanceof StudioError && err.code === 'STUDIO_TOOL_FAILED' && /voice/i.test(err.message)) throw new StudioError('STUDIO_BAD_VOICE', `espeak-ng has no voice ${JSON.stringify(voice.voice)}`);
      throw err;
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
