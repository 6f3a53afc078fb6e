// Every error a Studio route answers is `{ code, message }` with the code's status
// (docs/studio.md §7). Fastify's own errors (schema validation, a body over its limit, a bad
// content type) are mapped onto Studio codes so clients see one vocabulary.
import type { FastifyError, FastifyInstance } from 'fastify';
import { StudioError } from '../errors.ts';

export function studioErrorOf(err: unknown): StudioError | undefined {
  if (err instanceof StudioError) return err;
  const e = err as FastifyError;
  if (e?.validation) return new StudioError('STUDIO_BAD_REQUEST', e.message);
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new StudioError('STUDIO_TEXT_TOO_LONG', 'the request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new StudioError('STUDIO_BAD_REQUEST', e.message);
  }
  return undefined;
}

export function registerErrorHandler(scope: FastifyInstance): void {
  scope.setErrorHandler((err, _req, reply) => {
    const studio = studioErrorOf(err);
    if (studio) return reply.code(studio.status).send({ code: studio.code, message: studio.message });
    // The server logs a 5xx with its error once (docs/server.md §6), and counts it.
    return reply.code(500).send({ code: 'STUDIO_INTERNAL', message: 'internal error' });
  });
  scope.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'STUDIO_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
}
