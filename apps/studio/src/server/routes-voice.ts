// Voices, the voice preview and the builtin backgrounds (docs/studio.md §1.6).
import type { FastifyInstance } from 'fastify';
import type { Voice } from '../model.ts';
import type { BuiltinBackground as RenderBuiltin } from '../render/index.ts';
import { storySchema } from './story-schema.ts';
import { listVoices, MAX_PREVIEW_CHARS } from './voice.ts';
import type { Speaker } from './voice.ts';

export interface BuiltinBackground {
  name: string;
  label: string;
  /** CSS colours of the swatch shown in the picker. */
  colors: string[];
}

/**
 * The picker's list from the render pipeline's builtins (src/render/backgrounds.ts): the swatch
 * colours are the ones in each recipe's lavfi source (a neutral pair when it names none).
 */
export function builtinList(builtins: readonly RenderBuiltin[]): BuiltinBackground[] {
  return builtins.map((b) => {
    const colors = [...b.source(16, 16, 1).matchAll(/0x([0-9a-fA-F]{6})\b/g)].map((m) => `#${m[1]!.toLowerCase()}`);
    return { name: b.name, label: b.label, colors: colors.length >= 2 ? colors : ['#10151c', '#3a4556'] };
  });
}

export function voiceRoutes(scope: FastifyInstance, espeak: string, speak: Speaker, builtins: BuiltinBackground[]): void {
  let voices: Promise<{ voice: string; name: string }[]> | undefined;
  scope.get('/voices', async (_req, reply) => {
    voices ??= listVoices(espeak).catch((err) => {
      voices = undefined;
      throw err;
    });
    return reply.header('cache-control', 'public, max-age=3600').send({ voices: await voices });
  });

  scope.get('/backgrounds', async () => ({ builtins }));

  scope.post<{ Body: { text: string; voice: Voice } }>(
    '/voice/preview',
    {
      bodyLimit: 64 * 1024,
      schema: {
        body: {
          type: 'object',
          required: ['text', 'voice'],
          additionalProperties: false,
          properties: { text: { type: 'string', minLength: 1, maxLength: MAX_PREVIEW_CHARS * 4 }, voice: storySchema.properties.scenes.items.properties.voice },
        },
      },
    },
    async (req, reply) => {
      const ac = new AbortController();
      // A preview nobody waits for any more (the slider moved on) stops at once.
      reply.raw.once('close', () => {
        if (!reply.raw.writableEnded) ac.abort();
      });
      const wav = await speak(req.body.text, req.body.voice, ac.signal);
      return reply.type('audio/wav').header('cache-control', 'no-store').send(wav);
    },
  );
}
