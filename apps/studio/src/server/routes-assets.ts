// Assets (docs/studio.md §2): `PUT /assets?name=…` streams the raw body to disk (any
// Content-Type; the content decides the type), then lists, thumbnails, proxies and deletes.
import type { FastifyInstance } from 'fastify';
import { StudioError } from '../errors.ts';
import type { AssetStore } from './assets.ts';
import { checkId } from './names.ts';
import { sendFile } from './range.ts';
import type { StudioMetrics } from './metrics.ts';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 200 } } } as const;
const PROXY_TYPE = { jpg: 'image/jpeg', mp4: 'video/mp4', m4a: 'audio/mp4' } as const;

export function assetRoutes(scope: FastifyInstance, assets: AssetStore, metrics: StudioMetrics): void {
  // Its own scope: the catch-all parser leaves the body unread for the handler to stream.
  void scope.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    upload.put<{ Querystring: { name?: string } }>(
      '/assets',
      { schema: { querystring: { type: 'object', properties: { name: { type: 'string', maxLength: 1000 } } } } },
      async (req, reply) => {
        try {
          const asset = await assets.upload(req.raw, req.query.name ?? '');
          metrics.upload('ok');
          return await reply.code(201).send(asset);
        } catch (err) {
          metrics.upload(err instanceof StudioError ? err.code : 'error');
          // A refused body may still be arriving: close the connection after the answer rather
          // than read (and throw away) the rest of it.
          if (!req.raw.readableEnded) reply.header('connection', 'close');
          throw err;
        }
      },
    );
  });

  scope.get('/assets', async () => ({ assets: assets.list() }));

  scope.get<{ Params: { id: string } }>('/assets/:id', { schema: { params: idParams } }, async (req) => assets.get(checkId('asset', req.params.id)));

  scope.get<{ Params: { id: string } }>('/assets/:id/thumbnail', { schema: { params: idParams } }, async (req, reply) =>
    sendFile(req, reply, assets.filePath(checkId('asset', req.params.id), 'thumb'), {
      type: 'image/jpeg',
      cacheControl: 'public, max-age=31536000, immutable',
    }),
  );

  scope.get<{ Params: { id: string } }>('/assets/:id/proxy', { schema: { params: idParams } }, async (req, reply) => {
    const id = checkId('asset', req.params.id);
    return sendFile(req, reply, assets.filePath(id, 'proxy'), { type: PROXY_TYPE[assets.get(id).proxy], cacheControl: 'public, max-age=31536000, immutable' });
  });

  scope.delete<{ Params: { id: string } }>('/assets/:id', { schema: { params: idParams } }, async (req, reply) => {
    await assets.delete(checkId('asset', req.params.id));
    return reply.code(204).send();
  });
}
