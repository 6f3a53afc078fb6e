// The Story as a JSON schema (structure and types, checked by Fastify before a handler runs)
// and the caps checked after it with their own codes (docs/studio.md §1.2).
import { FORMATS } from '../model.ts';
import type { Story } from '../model.ts';
import { StudioError } from '../errors.ts';
import { STORY_CAPS } from '../script.ts';
import { checkId, checkText, MAX_ID_LENGTH, MAX_NAME_LENGTH } from './names.ts';

export const STORY_LIMITS = {
  /** A script's characters. */
  scriptChars: 20_000,
  /** Scenes per story. */
  scenes: STORY_CAPS.scenes,
  /** A scene's spoken text. */
  sceneChars: STORY_CAPS.sceneChars,
  /** A scene's caption. */
  captionChars: STORY_CAPS.captionChars,
  /** A story file on disk and a request body carrying one. */
  bodyBytes: 1024 * 1024,
  /** Stories kept on disk. */
  stories: 10_000,
} as const;

const id = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH } as const;
const voice = {
  type: 'object',
  required: ['voice', 'rate', 'pitch'],
  additionalProperties: false,
  properties: {
    voice: { type: 'string', minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)?$' },
    rate: { type: 'integer', minimum: 80, maximum: 450 },
    pitch: { type: 'integer', minimum: 0, maximum: 99 },
  },
} as const;
const background = {
  oneOf: [
    {
      type: 'object',
      required: ['kind', 'name'],
      additionalProperties: false,
      properties: { kind: { const: 'builtin' }, name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' } },
    },
    { type: 'object', required: ['kind', 'assetId'], additionalProperties: false, properties: { kind: { const: 'asset' }, assetId: id } },
    {
      type: 'object',
      required: ['kind', 'color'],
      additionalProperties: false,
      properties: { kind: { const: 'color' }, color: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' } },
    },
  ],
} as const;
// Lengths are capped loosely here (a schema error says only "bad request"); the real caps are
// checked by checkStory with their own codes.
export const sceneSchema = {
  type: 'object',
  required: ['id', 'text', 'caption', 'voice', 'background', 'zoom'],
  additionalProperties: false,
  properties: {
    id,
    text: { type: 'string', maxLength: 100_000 },
    caption: { type: 'string', maxLength: 100_000 },
    voice,
    background,
    zoom: { type: 'boolean' },
  },
} as const;

export const storySchema = {
  type: 'object',
  required: ['id', 'title', 'script', 'scenes', 'format', 'captions', 'gapSeconds'],
  additionalProperties: false,
  properties: {
    id,
    title: { type: 'string', maxLength: MAX_NAME_LENGTH * 2 },
    script: { type: 'string', maxLength: 500_000 },
    scenes: { type: 'array', maxItems: 10_000, items: sceneSchema },
    format: { enum: [...FORMATS] },
    captions: {
      type: 'object',
      required: ['size', 'position', 'wordHighlight'],
      additionalProperties: false,
      properties: { size: { type: 'integer', minimum: 12, maximum: 200 }, position: { enum: ['top', 'middle', 'bottom'] }, wordHighlight: { type: 'boolean' } },
    },
    music: {
      type: 'object',
      required: ['assetId', 'volume'],
      additionalProperties: false,
      properties: { assetId: id, volume: { type: 'number', minimum: 0, maximum: 1 } },
    },
    gapSeconds: { type: 'number', minimum: 0, maximum: 10 },
    createdAt: { type: 'number' },
    updatedAt: { type: 'number' },
  },
} as const;

/** The caps a schema cannot give their own codes: throws STUDIO_BAD_NAME / TOO_MANY_SCENES / TEXT_TOO_LONG. */
export function checkStory(story: Story): void {
  checkId('story', story.id);
  checkText('title', story.title);
  if (story.script.length > STORY_LIMITS.scriptChars)
    throw new StudioError('STUDIO_TEXT_TOO_LONG', `the script has ${story.script.length} characters; at most ${STORY_LIMITS.scriptChars}`);
  if (story.scenes.length > STORY_LIMITS.scenes)
    throw new StudioError('STUDIO_TOO_MANY_SCENES', `${story.scenes.length} scenes; at most ${STORY_LIMITS.scenes}`);
  const seen = new Set<string>();
  for (const [i, s] of story.scenes.entries()) {
    checkId(`scene ${i + 1}`, s.id);
    if (seen.has(s.id)) throw new StudioError('STUDIO_BAD_REQUEST', `scene id ${s.id} is used twice`);
    seen.add(s.id);
    if (s.text.length > STORY_LIMITS.sceneChars)
      throw new StudioError('STUDIO_TEXT_TOO_LONG', `scene ${i + 1} has ${s.text.length} characters; at most ${STORY_LIMITS.sceneChars}`);
    if (s.caption.length > STORY_LIMITS.captionChars)
      throw new StudioError('STUDIO_TEXT_TOO_LONG', `scene ${i + 1}'s caption has ${s.caption.length} characters; at most ${STORY_LIMITS.captionChars}`);
  }
}
