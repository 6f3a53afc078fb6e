// From a plain-text script to a Story (docs/studio.md §6.2): paragraphs (blank-line separated)
// become scenes, and a paragraph longer than a scene may be is split at sentence ends (then at
// word boundaries) into several. Caps keep one upload from becoming thousands of espeak-ng runs.
import { randomUUID } from 'node:crypto';
import { StudioError } from './errors.ts';
import type { Background, CaptionStyle, Format, Scene, Story, Voice } from './model.ts';

export interface ScriptLimits {
  /** Scenes a script may split into. */
  maxScenes: number;
  /** Characters per scene; a longer paragraph is split at sentence ends. */
  maxSceneChars: number;
  /** The script's size in UTF-8 bytes. */
  maxScriptBytes: number;
}

/**
 * A story's caps, one set for every door (docs/studio.md §8): the server's story schema, the
 * render's validateStory, espeak-ng's text cap and the script splitter all read these, so a story
 * the server accepts is one the render takes.
 */
export const STORY_CAPS = {
  /** Scenes per story. */
  scenes: 100,
  /** A scene's spoken text, in characters. */
  sceneChars: 2_000,
  /** A scene's caption, in characters. */
  captionChars: 1_000,
} as const;

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { maxScenes: STORY_CAPS.scenes, maxSceneChars: 280, maxScriptBytes: 64 * 1024 };

/** Sentence ends: `.`, `!`, `?`, `…` (and runs of them), with closing quotes or brackets, then space. */
const SENTENCE_END = /(?<=[.!?…]+["'”’)\]]*)\s+/u;

/**
 * Splits a script into scene texts. Whitespace inside a paragraph collapses to single spaces.
 * Throws STUDIO_TEXT_TOO_LONG past `maxScriptBytes` and STUDIO_TOO_MANY_SCENES past `maxScenes`.
 */
export function splitScript(text: string, limits: Partial<ScriptLimits> = {}): string[] {
  const lim = { ...DEFAULT_SCRIPT_LIMITS, ...limits };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > lim.maxScriptBytes) throw new StudioError('STUDIO_TEXT_TOO_LONG', `the script is ${bytes} bytes (cap ${lim.maxScriptBytes})`);
  const scenes: string[] = [];
  const push = (s: string) => {
    if (scenes.length >= lim.maxScenes) throw new StudioError('STUDIO_TOO_MANY_SCENES', `the script splits into more than ${lim.maxScenes} scenes`);
    scenes.push(s);
  };
  for (const raw of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const paragraph = raw.replace(/\s+/g, ' ').trim();
    if (paragraph === '') continue;
    if (paragraph.length <= lim.maxSceneChars) {
      push(paragraph);
      continue;
    }
    // Long paragraph: pack whole sentences into scenes up to the cap.
    let current = '';
    for (const sentence of paragraph.split(SENTENCE_END)) {
      for (const piece of chunkWords(sentence, lim.maxSceneChars)) {
        if (current === '') current = piece;
        else if (current.length + 1 + piece.length <= lim.maxSceneChars) current += ` ${piece}`;
        else {
          push(current);
          current = piece;
        }
      }
    }
    if (current !== '') push(current);
  }
  return scenes;
}

/** A sentence longer than the cap, cut at spaces (a single word longer than the cap is cut hard). */
function chunkWords(sentence: string, max: number): string[] {
  if (sentence.length <= max) return [sentence];
  const out: string[] = [];
  let current = '';
  for (let word of sentence.split(' ')) {
    while (word.length > max) {
      if (current) {
        out.push(current);
        current = '';
      }
      out.push(word.slice(0, max));
      word = word.slice(max);
    }
    if (current === '') current = word;
    else if (current.length + 1 + word.length <= max) current += ` ${word}`;
    else {
      out.push(current);
      current = word;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

export interface StoryOptions {
  title?: string;
  format?: Format;
  voice?: Partial<Voice>;
  background?: Background;
  captions?: Partial<CaptionStyle>;
  gapSeconds?: number;
  zoom?: boolean;
  limits?: Partial<ScriptLimits>;
  id?: string;
  now?: number;
}

export const DEFAULT_VOICE: Voice = { voice: 'en', rate: 170, pitch: 50 };
export const DEFAULT_CAPTIONS: CaptionStyle = { size: 64, position: 'bottom', wordHighlight: true };
export const DEFAULT_BACKGROUND: Background = { kind: 'builtin', name: 'dusk' };
export const DEFAULT_GAP_SECONDS = 0.4;

/** A Story from a script with the defaults filled in (every scene gets the same voice and background). */
export function storyFromScript(script: string, options: StoryOptions = {}): Story {
  const texts = splitScript(script, options.limits);
  if (texts.length === 0) throw new StudioError('STUDIO_BAD_REQUEST', 'the script has no text');
  const voice: Voice = { ...DEFAULT_VOICE, ...options.voice };
  const background = options.background ?? DEFAULT_BACKGROUND;
  const now = options.now ?? Date.now();
  const scenes: Scene[] = texts.map((text, i) => ({ id: `s${i + 1}`, text, caption: text, voice, background, zoom: options.zoom ?? false }));
  return {
    id: options.id ?? randomUUID(),
    title: options.title ?? texts[0]!.slice(0, 60),
    script,
    scenes,
    format: options.format ?? '1080x1920',
    captions: { ...DEFAULT_CAPTIONS, ...options.captions },
    gapSeconds: options.gapSeconds ?? DEFAULT_GAP_SECONDS,
    createdAt: now,
    updatedAt: now,
  };
}
