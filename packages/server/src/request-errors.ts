// HTTP errors in the server's log (docs/server.md §Logging). Fastify's own request lines are
// moved to `debug` (a request that succeeded is not news), and a request that failed is logged
// once, when its response is done: with the status the client got, whoever's error handler
// chose it (an app's own handler may turn an error into a 4xx). A 5xx is an internal error
// (InternalErrors.report: `error`, counted); a 4xx is the client's (`debug`, with its code).
import { LogController } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorCode, type InternalErrors } from './logging.ts';

/** Fastify's per-request lines at `debug`; errors go through registerRequestErrors instead. */
export class RequestLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (request.log.level !== 'debug' && request.log.level !== 'trace') return;
    request.log.debug(
      { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime, err: error ?? undefined },
      'request completed',
    );
  }

  /** Reported by the onResponse hook, which also sees errors an app's own handler answered. */
  override defaultErrorLog(): void {}

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug({ method: request.method, url: request.url }, 'route not found');
  }
}

/** Adds the hooks that report failed requests; call on the root instance before any route. */
export function registerRequestErrors(fastify: FastifyInstance, errors: InternalErrors): void {
  // The error a request failed with, until its response is done (no field added to requests).
  const failed = new WeakMap<FastifyRequest, unknown>();
  fastify.addHook('onError', (request, _reply, err, done) => {
    failed.set(request, err);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const err = failed.get(request);
    if (err !== undefined) {
      failed.delete(request);
      const context = {
        method: request.method,
        route: request.routeOptions.url ?? null,
        url: request.url.split('?')[0],
        status: reply.statusCode,
        reqId: request.id,
      };
      if (reply.statusCode >= 500) errors.report('http', err, context, 'route failed');
      else request.log.debug({ code: errorCode(err), ...context }, (err as Error)?.message ?? 'request failed');
    }
    done();
  });
}
