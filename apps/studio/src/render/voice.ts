// The voice stage (docs/studio.md §5.2): one espeak-ng run per scene, text passed as one argument
// after `--` (never through a shell, never parsed as an option), then the WAV's own header says how
// long it lasts. Voices are checked against `espeak-ng --voices`, read once per process.
import { readFile, writeFile } from 'node:fs/promises';
import { StudioError } from '../errors.ts';
import type { Voice } from '../model.ts';
import { STORY_CAPS } from '../script.ts';
import { clipKey, type ClipCache } from './clip-cache.ts';
import type { DiskCache } from './disk-cache.ts';
import { runTool, type Ledger } from './process.ts';
import { parseWav, voicedSpan, wavHeader } from './wav.ts';

export const ESPEAK = process.env.TIDEWIRE_ESPEAK ?? 'espeak-ng';
export const RATE_RANGE = [80, 450] as const;
export const PITCH_RANGE = [0, 99] as const;
/** Text handed to espeak-ng for one scene, in characters (the script splitter caps scenes lower). */
/** A scene's spoken text (the story's cap, so the server and the render agree). */
export const MAX_VOICE_TEXT = STORY_CAPS.sceneChars;

let voicesCache: Promise<Set<string>> | undefined;

/** The voice names espeak-ng accepts with `-v`: its language codes and voice names (cached). */
export function listVoices(): Promise<Set<string>> {
  voicesCache ??= runTool(ESPEAK, ['--voices']).then(({ stdout }) => {
    const names = new Set<string>();
    for (const line of stdout.split('\n').slice(1)) {
      // Pty Language Age/Gender VoiceName File Other-languages
      const cols = line.trim().split(/\s+/);
      if (cols.length >= 5) {
        names.add(cols[1]!);
        names.add(cols[3]!);
      }
      // "Other Languages" such as `(en 2)`: codes espeak-ng also resolves (plain `en` is one).
      for (const m of line.matchAll(/\(([A-Za-z0-9-]+) \d+\)/g)) names.add(m[1]!);
    }
    return names;
  });
  voicesCache.catch(() => {
    voicesCache = undefined;
  });
  return voicesCache;
}

/** Throws STUDIO_BAD_VOICE unless espeak-ng has the voice and rate and pitch are in range. */
export async function validateVoice(voice: Voice): Promise<void> {
  if (!Number.isInteger(voice.rate) || voice.rate < RATE_RANGE[0] || voice.rate > RATE_RANGE[1]) {
    throw new StudioError('STUDIO_BAD_VOICE', `rate ${voice.rate} is outside ${RATE_RANGE[0]}–${RATE_RANGE[1]} words per minute`);
  }
  if (!Number.isInteger(voice.pitch) || voice.pitch < PITCH_RANGE[0] || voice.pitch > PITCH_RANGE[1]) {
    throw new StudioError('STUDIO_BAD_VOICE', `pitch ${voice.pitch} is outside ${PITCH_RANGE[0]}–${PITCH_RANGE[1]}`);
  }
  // reason: the name becomes an argument; keep it to what voice names look like before asking espeak-ng.
  if (typeof voice.voice !== 'string' || !/^[A-Za-z0-9_()-]{1,40}$/.test(voice.voice) || !(await listVoices()).has(voice.voice)) {
    throw new StudioError('STUDIO_BAD_VOICE', `espeak-ng has no voice '${String(voice.voice).slice(0, 40)}'`);
  }
}

/** A scene's speech: a mono 16-bit PCM clip with the leading and trailing silence trimmed. */
export interface VoiceClip {
  sampleRate: number;
  /** 16-bit little-endian samples, mono. */
  pcm: Buffer;
  durationSeconds: number;
}

/**
 * Speaks `text` into `wavPath` with espeak-ng and returns the voiced part. Text that is empty
 * (or only silence) gives a short silent clip so the scene still has a length.
 */
export async function synthesize(text: string, voice: Voice, wavPath: string, run: { signal?: AbortSignal; ledger?: Ledger }): Promise<VoiceClip> {
  if (text.length > MAX_VOICE_TEXT) throw new StudioError('STUDIO_TEXT_TOO_LONG', `a scene's text is ${text.length} characters (cap ${MAX_VOICE_TEXT})`);
  await synthesizeFile(text, voice, wavPath, run);
  return readVoiceClip(await readFile(wavPath));
}

/** Where `speak` looks before it runs espeak-ng: memory first, then the WAVs on disk. */
export interface VoiceCaches {
  memory?: ClipCache;
  disk?: DiskCache;
}

/**
 * A scene's clip, spoken only when neither cache has it (same espeak-ng, voice, rate, pitch and
 * text). Without a disk cache the WAV is written to `scratchWav`. `hit` says where it came from.
 */
export async function speak(
  text: string,
  voice: Voice,
  scratchWav: string,
  run: { signal?: AbortSignal; ledger?: Ledger },
  caches: VoiceCaches = {},
): Promise<VoiceClip & { hit: 'memory' | 'disk' | false }> {
  if (text.length > MAX_VOICE_TEXT) throw new StudioError('STUDIO_TEXT_TOO_LONG', `a scene's text is ${text.length} characters (cap ${MAX_VOICE_TEXT})`);
  const key = clipKey(ESPEAK, text, voice);
  const remembered = caches.memory?.get(key);
  if (remembered) return { ...remembered, hit: 'memory' };
  let clip: VoiceClip;
  let hit: 'disk' | false = false;
  if (caches.disk) {
    const lease = await caches.disk.acquire(`tts-${key}.wav`, (tmp) => synthesizeFile(text, voice, tmp, run), run);
    try {
      clip = readVoiceClip(await readFile(lease.path));
      if (lease.hit) hit = 'disk';
    } finally {
      lease.release();
    }
  } else {
    clip = await synthesize(text, voice, scratchWav, run);
  }
  caches.memory?.set(key, clip);
  return { ...clip, hit };
}

async function synthesizeFile(text: string, voice: Voice, wavPath: string, run: { signal?: AbortSignal; ledger?: Ledger }): Promise<void> {
  await runTool(ESPEAK, ['-v', voice.voice, '-s', String(voice.rate), '-p', String(voice.pitch), '-w', wavPath, '--', text], run);
}

/** Minimum length of a scene whose text makes no sound. */
const SILENT_SCENE_SECONDS = 0.5;

export function readVoiceClip(bytes: Buffer): VoiceClip {
  const info = parseWav(bytes);
  if (info.channels !== 1) throw new StudioError('STUDIO_TOOL_FAILED', `espeak-ng wrote ${info.channels} channels (mono expected)`);
  const span = voicedSpan(bytes, info);
  if (span.end === span.first) {
    const frames = Math.round(SILENT_SCENE_SECONDS * info.sampleRate);
    return { sampleRate: info.sampleRate, pcm: Buffer.alloc(frames * 2), durationSeconds: frames / info.sampleRate };
  }
  const pcm = Buffer.from(bytes.subarray(info.dataOffset + span.first * 2, info.dataOffset + span.end * 2));
  return { sampleRate: info.sampleRate, pcm, durationSeconds: (span.end - span.first) / info.sampleRate };
}

/**
 * Lays the clips end to end with `gapSeconds` of silence between them into one WAV (the voice
 * track the compose pass reads). Scene starts are whole samples, so they are exact. Returns when
 * each clip starts and the total length.
 */
export async function writeVoiceTrack(clips: VoiceClip[], gapSeconds: number, path: string): Promise<{ starts: number[]; durationSeconds: number }> {
  const rate = clips[0]?.sampleRate ?? 22050;
  for (const c of clips) if (c.sampleRate !== rate) throw new StudioError('STUDIO_TOOL_FAILED', 'espeak-ng clips with different sample rates');
  const gap = Buffer.alloc(Math.round(gapSeconds * rate) * 2);
  const parts: Buffer[] = [];
  const starts: number[] = [];
  let frames = 0;
  clips.forEach((c, i) => {
    if (i > 0) {
      parts.push(gap);
      frames += gap.length / 2;
    }
    starts.push(frames / rate);
    parts.push(c.pcm);
    frames += c.pcm.length / 2;
  });
  await writeFile(path, Buffer.concat([wavHeader(rate, 1, frames * 2), ...parts]));
  return { starts, durationSeconds: frames / rate };
}
