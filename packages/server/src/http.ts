// REST routes: GET /api/trees/:name (a tree's snapshot as msgpack or JSON, with an ETag of
// its root hash; JSON bodies rendered once per version and coding: snapshot-json.ts),
// GET /healthz and GET /metrics.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { asBuffer } from './bytes.ts';
import type { AnyChannel } from './connection.ts';
import { RefusalError } from './errors.ts';
import type { RefusalCode } from './errors.ts';
import { pickCoding } from './snapshot-json.ts';
import type { JsonSource, SnapshotJsonCache, TreeVersion } from './snapshot-json.ts';
import type { TreeChannelImpl } from './tree-channel.ts';

export interface HttpHost {
  readonly instanceId: string;
  readonly metrics: Registry;
  channel(name: string): AnyChannel | undefined;
  connectionCount(): number;
  /** onRequest hook: 401 unless the request carries the token (no-op without a token). */
  requireToken(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  readonly snapshotJson: SnapshotJsonCache;
  /** Whether responses may be compressed (ServerOptions.compression). */
  readonly compression: boolean;
  refused(code: RefusalCode): void;
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

function versionHeaders(reply: FastifyReply, entry: TreeVersion): void {
  reply.header('etag', `"${entry.rootHash}"`).header('x-tidewire-epoch', String(entry.epoch)).header('x-tidewire-offset', String(entry.offset));
}

function jsonSource(ch: TreeChannelImpl): JsonSource {
  return {
    id: ch.id,
    version: () => {
      ch.flush();
      return { ...ch.position, rootHash: ch.tree.rootHash };
    },
    plain: () => ch.tree.toSnapshot(),
  };
}

export function registerRoutes(fastify: FastifyInstance, host: HttpHost): void {
  fastify.get('/healthz', async () => ({ ok: true, instance: host.instanceId, connections: host.connectionCount() }));

  fastify.get('/metrics', { onRequest: host.requireToken }, async (_req, reply) => {
    const text = await host.metrics.metrics();
    return reply.type(host.metrics.contentType).header('cache-control', 'no-store').send(text);
  });

  // Not compressed by the plugin: msgpack does not shrink, and JSON bodies come compressed from the cache.
  fastify.get<{ Params: { name: string } }>('/api/trees/:name', { onRequest: host.requireToken, compress: false }, async (req, reply) => {
    const ch = host.channel(req.params.name);
    if (ch === undefined || ch.kind !== 'tree') {
      return reply.code(404).send({ code: 'TW_UNKNOWN_CHANNEL', message: `no tree channel named ${JSON.stringify(req.params.name)}` });
    }
    const json = prefersJson(req.headers.accept);
    const source = jsonSource(ch);
    const snap = json ? undefined : await ch.readySnapshot();
    const entry = snap ?? source.version();
    versionHeaders(reply, entry);
    reply.header('vary', 'Accept, Accept-Encoding').header('cache-control', 'no-cache');
    if (etagMatches(req.headers['if-none-match'], `"${entry.rootHash}"`)) return reply.code(304).send();
    if (snap !== undefined) return reply.type('application/msgpack').send(asBuffer(snap.msgpack!));
    const coding = pickCoding(req.headers['accept-encoding'], host.compression);
    const body = await host.snapshotJson.body(source, coding);
    if (body === undefined) {
      const refusal = new RefusalError('TW_BUSY', 'too many snapshot renders queued; retry shortly');
      host.refused(refusal.code);
      return reply.code(refusal.status).header('retry-after', '1').header('cache-control', 'no-store').removeHeader('etag').send(refusal.body());
    }
    // The version may have moved on while the request waited for a render slot.
    if (body.version.offset !== entry.offset || body.version.epoch !== entry.epoch) versionHeaders(reply, body.version);
    if (coding !== 'identity') reply.header('content-encoding', coding);
    return reply.type('application/json; charset=utf-8').send(body.bytes);
  });
}
