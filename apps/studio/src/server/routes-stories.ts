// Stories and scripts (docs/studio.md §1.2): list, load, save (PUT, atomic), create,
// delete, and split a script into scenes.
import type { FastifyInstance } from 'fastify';
import { FORMATS } from '../model.ts';
import type { Story, Voice } from '../model.ts';
import { StudioError } from '../errors.ts';
import { checkId, newId } from './names.ts';
import { DEFAULT_VOICE, scenesFromScript } from './scenes.ts';
import { STORY_LIMITS, storySchema } from './story-schema.ts';
import type { StoryStore } from './stories.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } } as const;

export function newStory(title: string, script: string, now = Date.now()): Story {
  return {
    id: newId(),
    title,
    script,
    scenes: script ? scenesFromScript(script) : [],
    format: FORMATS[0],
    captions: { size: 64, position: 'bottom', wordHighlight: true },
    gapSeconds: 0.4,
    createdAt: now,
    updatedAt: now,
  };
}

export function storyRoutes(scope: FastifyInstance, stories: StoryStore): void {
  scope.get('/stories', async () => ({ stories: await stories.list() }));

  scope.get<{ Params: { id: string } }>('/stories/:id', { schema: { params: idParams } }, async (req) => stories.get(checkId('story', req.params.id)));

  scope.post<{ Body: { title?: string; script?: string } }>(
    '/stories',
    {
      bodyLimit: STORY_LIMITS.bodyBytes,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { title: { type: 'string', maxLength: 400 }, script: { type: 'string', maxLength: 500_000 } },
        },
      },
    },
    async (req, reply) => {
      const story = await stories.save(newStory(req.body?.title ?? '', req.body?.script ?? ''));
      return reply.code(201).send(story);
    },
  );

  scope.put<{ Params: { id: string }; Body: Story }>(
    '/stories/:id',
    { bodyLimit: STORY_LIMITS.bodyBytes, schema: { params: idParams, body: storySchema } },
    async (req) => {
      const id = checkId('story', req.params.id);
      if (req.body.id !== id) throw new StudioError('STUDIO_BAD_REQUEST', `the body's id ${JSON.stringify(req.body.id)} is not ${id}`);
      return stories.save(req.body);
    },
  );

  scope.delete<{ Params: { id: string } }>('/stories/:id', { schema: { params: idParams } }, async (req, reply) => {
    await stories.delete(checkId('story', req.params.id));
    return reply.code(204).send();
  });

  scope.post<{ Body: { script: string; voice?: Voice } }>(
    '/script/split',
    {
      bodyLimit: STORY_LIMITS.bodyBytes,
      schema: {
        body: {
          type: 'object',
          required: ['script'],
          additionalProperties: false,
          properties: { script: { type: 'string', maxLength: 500_000 }, voice: storySchema.properties.scenes.items.properties.voice },
        },
      },
    },
    async (req) => ({ scenes: scenesFromScript(req.body.script, req.body.voice ?? DEFAULT_VOICE) }),
  );
}
