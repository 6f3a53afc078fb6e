// Jobs and the library (docs/studio.md §1.3): submit a saved story for rendering,
// cancel, list; the finished renders with lazy thumbnails, the MP4 with range requests, and a
// download with a safe file name.
import { rename, rm } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Story } from '../model.ts';
import { StudioError } from '../errors.ts';
import type { JobQueue } from '../queue/types.ts';
import type { AssetStore } from './assets.ts';
import { makeThumbnail } from './derive.ts';
import type { Library } from './library.ts';
import { MAX_LIBRARY_PAGE } from './library.ts';
import { checkId, contentDisposition } from './names.ts';
import { sendFile } from './range.ts';
import type { StoryStore } from './stories.ts';
import type { RunOptions } from './tools.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } } as const;
/** Jobs waiting at once; more is STUDIO_QUOTA. */
export const MAX_WAITING_JOBS = 100;
/** Jobs one list request returns at most. */
const MAX_JOB_LIST = 500;

export interface JobRouteDeps {
  queue: JobQueue;
  stories: StoryStore;
  assets: AssetStore;
  library: Library;
  ffmpeg: string;
  run: RunOptions;
  /** Bytes the finished renders may take; past it a new job is STUDIO_QUOTA. */
  renderQuotaBytes: number;
}

/** Every asset a story uses must exist before it is queued (the worker would fail later). */
function checkAssets(story: Story, assets: AssetStore): void {
  const ids = story.scenes.flatMap((s) => (s.background.kind === 'asset' ? [s.background.assetId] : []));
  if (story.music) ids.push(story.music.assetId);
  for (const id of ids) if (assets.resolve(id) === undefined) throw new StudioError('STUDIO_NOT_FOUND', `story ${story.id} uses asset ${id}, which is gone`);
}

export function jobRoutes(scope: FastifyInstance, d: JobRouteDeps): void {
  // Lazy thumbnails being made, so concurrent requests for one render share one FFmpeg run.
  const making = new Map<string, Promise<void>>();
  const makeRenderThumbnail = (id: string, thumb: string): Promise<void> => {
    let p = making.get(id);
    if (!p) {
      const tmp = `${thumb}.${process.pid}.tmp`;
      p = makeThumbnail(d.ffmpeg, d.library.videoPath(id), tmp, { kind: 'video', format: 'mp4', durationSeconds: d.library.get(id).durationSeconds }, d.run)
        .then(() => rename(tmp, thumb))
        .finally(() => {
          making.delete(id);
          void rm(tmp, { force: true });
        });
      making.set(id, p);
    }
    return p;
  };

  scope.post<{ Body: { storyId: string } }>(
    '/jobs',
    { schema: { body: { type: 'object', required: ['storyId'], additionalProperties: false, properties: { storyId: { type: 'string', maxLength: 200 } } } } },
    async (req, reply) => {
      const story = await d.stories.get(checkId('story', req.body.storyId));
      if (story.scenes.length === 0) throw new StudioError('STUDIO_BAD_REQUEST', 'the story has no scenes');
      checkAssets(story, d.assets);
      if (d.library.totalBytes() >= d.renderQuotaBytes)
        throw new StudioError('STUDIO_QUOTA', `the renders already use ${d.library.totalBytes()} bytes; delete some from the library`);
      const counts = await d.queue.counts();
      if ((counts.queued ?? 0) + (counts.retrying ?? 0) >= MAX_WAITING_JOBS)
        throw new StudioError('STUDIO_QUOTA', `${MAX_WAITING_JOBS} jobs are already waiting`);
      return reply.code(202).send(await d.queue.add({ story }));
    },
  );

  scope.get('/jobs', async () => ({ jobs: (await d.queue.list()).slice(0, MAX_JOB_LIST) }));

  scope.post<{ Params: { id: string } }>('/jobs/:id/cancel', { schema: { params: idParams } }, async (req) => {
    const id = checkId('job', req.params.id);
    if ((await d.queue.get(id)) === undefined) throw new StudioError('STUDIO_NOT_FOUND', `no job ${id}`);
    return { cancelled: await d.queue.cancel(id) };
  });

  scope.get<{ Querystring: { offset?: number; limit?: number } }>(
    '/library',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { offset: { type: 'integer', minimum: 0, default: 0 }, limit: { type: 'integer', minimum: 1, maximum: MAX_LIBRARY_PAGE, default: 1000 } },
        },
      },
    },
    async (req) => ({ total: d.library.size, offset: req.query.offset ?? 0, entries: d.library.page(req.query.offset ?? 0, req.query.limit ?? 1000) }),
  );

  scope.get<{ Params: { id: string } }>('/library/:id/thumbnail', { schema: { params: idParams } }, async (req, reply) => {
    const id = checkId('render', req.params.id);
    d.library.get(id);
    const thumb = d.library.thumbnailPath(id);
    // Lazy: a render whose pipeline left no thumbnail gets one from its MP4 on first request.
    if (!(await d.library.exists(thumb))) {
      if (!(await d.library.exists(d.library.videoPath(id)))) throw new StudioError('STUDIO_NOT_FOUND', `render ${id} has no video`);
      await makeRenderThumbnail(id, thumb);
    }
    return sendFile(req, reply, thumb, { type: 'image/jpeg', cacheControl: 'public, max-age=86400' });
  });

  scope.get<{ Params: { id: string } }>('/library/:id/video', { schema: { params: idParams } }, async (req, reply) => {
    const id = checkId('render', req.params.id);
    d.library.get(id);
    return sendFile(req, reply, d.library.videoPath(id), { type: 'video/mp4', cacheControl: 'public, max-age=86400' });
  });

  scope.get<{ Params: { id: string } }>('/library/:id/download', { schema: { params: idParams } }, async (req, reply) => {
    const id = checkId('render', req.params.id);
    const entry = d.library.get(id);
    return sendFile(req, reply, d.library.videoPath(id), {
      type: 'video/mp4',
      cacheControl: 'private, no-cache',
      disposition: contentDisposition(entry.title, 'mp4'),
    });
  });

  scope.delete<{ Params: { id: string } }>('/library/:id', { schema: { params: idParams } }, async (req, reply) => {
    await d.library.delete(checkId('render', req.params.id));
    return reply.code(204).send();
  });
}
