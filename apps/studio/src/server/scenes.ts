// A script's scenes for the editor: the texts come from splitScript (src/script.ts, the render
// pipeline's own splitter, so the editor shows the scenes a render will have), each with the
// story's default voice and background. The one adapter point between the splitter and the
// data model.
import type { Background, Scene, Voice } from '../model.ts';
import { StudioError } from '../errors.ts';
import { splitScript } from '../script.ts';
import { STORY_LIMITS } from './story-schema.ts';

export const DEFAULT_VOICE: Voice = { voice: 'en', rate: 170, pitch: 50 };
export const DEFAULT_BACKGROUND: Background = { kind: 'builtin', name: 'aurora' };

export function scenesFromScript(script: string, voice: Voice = DEFAULT_VOICE, background: Background = DEFAULT_BACKGROUND): Scene[] {
  if (script.length > STORY_LIMITS.scriptChars)
    throw new StudioError('STUDIO_TEXT_TOO_LONG', `the script has ${script.length} characters; at most ${STORY_LIMITS.scriptChars}`);
  const texts = splitScript(script);
  if (texts.length > STORY_LIMITS.scenes)
    throw new StudioError('STUDIO_TOO_MANY_SCENES', `the script splits into ${texts.length} scenes; at most ${STORY_LIMITS.scenes}`);
  return texts.map((text, i) => ({ id: `s${i + 1}`, text, caption: text, voice: { ...voice }, background: { ...background } as Background, zoom: true }));
}
