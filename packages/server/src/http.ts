// REST routes: GET /api/trees/:name (a tree's snapshot as msgpack or JSON, with an ETag of
// its root hash), GET /healthz and GET /metrics.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { asBuffer } from './bytes.ts';
import type { AnyChannel } from './connection.ts';
import type { SnapshotEntry } from './snapshot.ts';

export interface HttpHost {
  readonly instanceId: string;
  readonly metrics: Registry;
  channel(name: string): AnyChannel | undefined;
  connectionCount(): number;
  /** onRequest hook: 401 unless the request carries the token (no-op without a token). */
  requireToken(req: FastifyRequest, reply: FastifyReply): Promise<void>;
}

/** q-value the Accept header gives `type` (exact, type/*, or *\/*; the most specific wins). */
export function acceptQuality(accept: string | undefined, type: string): number {
  if (accept === undefined || accept.trim() === '') return 1;
  const [major] = type.split('/');
  let best = -1;
  let quality = 0;
  for (const part of accept.split(',')) {
    const [rangeRaw, ...params] = part.split(';');
    const range = rangeRaw!.trim().toLowerCase();
    const specificity = range === type ? 3 : range === `${major}/*` ? 2 : range === '*/*' ? 1 : 0;
    if (specificity === 0 || specificity < best) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Math.min(1, Math.max(0, Number(m[1])));
    }
    if (specificity > best || q > quality) quality = q;
    best = specificity;
  }
  return quality;
}

/** JSON only when the client ranks it strictly above msgpack. */
export function prefersJson(accept: string | undefined): boolean {
  return acceptQuality(accept, 'application/json') > acceptQuality(accept, 'application/msgpack');
}

export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** JSON has no binary type: byte strings become {"$base64": "…"}. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { $base64: asBuffer(value).toString('base64') };
  return value;
}

function snapshotJson(entry: SnapshotEntry, tree: () => unknown): string {
  entry.json ??= JSON.stringify(tree(), jsonReplacer);
  return entry.json;
}

export function registerRoutes(fastify: FastifyInstance, host: HttpHost): void {
  fastify.get('/healthz', async () => ({ ok: true, instance: host.instanceId, connections: host.connectionCount() }));

  fastify.get('/metrics', { onRequest: host.requireToken }, async (_req, reply) => {
    const text = await host.metrics.metrics();
    return reply.type(host.metrics.contentType).header('cache-control', 'no-store').send(text);
  });

  fastify.get<{ Params: { name: string } }>('/api/trees/:name', { onRequest: host.requireToken }, async (req, reply) => {
    const ch = host.channel(req.params.name);
    if (ch === undefined || ch.kind !== 'tree') {
      return reply.code(404).send({ code: 'TW_UNKNOWN_CHANNEL', message: `no tree channel named ${JSON.stringify(req.params.name)}` });
    }
    const entry = ch.snapshot();
    const etag = `"${entry.rootHash}"`;
    reply
      .header('etag', etag)
      .header('vary', 'Accept')
      .header('cache-control', 'no-cache')
      .header('x-tidewire-epoch', String(entry.epoch))
      .header('x-tidewire-offset', String(entry.offset));
    if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
    if (prefersJson(req.headers.accept)) {
      return reply.type('application/json; charset=utf-8').send(snapshotJson(entry, () => ch.tree.toSnapshot()));
    }
    return reply.type('application/msgpack').send(asBuffer(entry.msgpack));
  });
}
