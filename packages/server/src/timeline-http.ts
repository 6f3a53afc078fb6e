// Timeline REST routes (docs/timeline-format.md §W.7), token-checked like every /api route:
//   GET /api/timelines/:name               metadata JSON (ETag; short max-age while live)
//   GET /api/timelines/:name/segments/:n   the stored gzip bytes as-is (Content-Encoding: gzip,
//                                          immutable), gunzipped on the fly for clients that
//                                          do not accept gzip
//   GET /api/timelines/:name/frames?from=&to=  msgpack { firstFrame, frames } from the keyframe
//                                          at or before `from` through `to` (capped)
import { gunzip } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pack } from '@tidewire/protocol';
import { LIMITS } from '@tidewire/timeline';
import { asBuffer } from './bytes.ts';
import { etagMatches } from './http.ts';
import type { TimelineChannelImpl } from './timeline-channel.ts';

export interface TimelineHttpHost {
  timeline(name: string): TimelineChannelImpl | undefined;
  requireToken(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** With a token, responses are per user: `private` rather than `public` caching. */
  readonly hasToken: boolean;
}

/** Caps of the frame-range query. */
export const MAX_RANGE_FRAMES = 4096;
export const MAX_RANGE_BYTES = 16 * 1024 * 1024;

const SEGMENT_TYPE = 'application/x-tidewire-segment';
const DIGITS = /^[0-9]{1,15}$/;

/** True when Accept-Encoding names gzip (or *) with q > 0. No header: identity only — curl
 *  and scripts that send none would otherwise get bytes they do not expect. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  let gzip: number | undefined;
  let star: number | undefined;
  for (const part of value.split(',')) {
    const [codingRaw, ...params] = part.split(';');
    const coding = codingRaw!.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (coding === 'gzip' || coding === 'x-gzip') gzip = q;
    else if (coding === '*') star = q;
  }
  return (gzip ?? star ?? 0) > 0;
}

function notFound(reply: FastifyReply, code: string, message: string): FastifyReply {
  return reply.code(404).header('cache-control', 'no-store').send({ code, message });
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).header('cache-control', 'no-store').send({ code: 'TW_BAD_RANGE', message });
}

function gunzipCapped(bytes: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => gunzip(bytes, { maxOutputLength: LIMITS.maxSegmentBytes }, (err, out) => (err ? reject(err) : resolve(out))));
}

export function registerTimelineRoutes(fastify: FastifyInstance, host: TimelineHttpHost): void {
  const scope = host.hasToken ? 'private' : 'public';
  const opts = { onRequest: host.requireToken };

  fastify.get<{ Params: { name: string } }>('/api/timelines/:name', opts, async (req, reply) => {
    const ch = host.timeline(req.params.name);
    if (ch === undefined) return notFound(reply, 'TW_UNKNOWN_CHANNEL', `no timeline channel named ${JSON.stringify(req.params.name)}`);
    const meta = ch.metadata();
    // Live metadata changes with every frame: a second of staleness, then revalidate.
    reply.header('etag', meta.etag).header('cache-control', `${scope}, max-age=${ch.live ? 1 : 60}`);
    if (etagMatches(req.headers['if-none-match'], meta.etag)) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(meta.body);
  });

  fastify.get<{ Params: { name: string; n: string } }>('/api/timelines/:name/segments/:n', opts, async (req, reply) => {
    const ch = host.timeline(req.params.name);
    if (ch === undefined) return notFound(reply, 'TW_UNKNOWN_CHANNEL', `no timeline channel named ${JSON.stringify(req.params.name)}`);
    const n = DIGITS.test(req.params.n) ? Number(req.params.n) : -1;
    const seg = n >= 0 ? ch.store.segments[n] : undefined;
    if (seg?.stored === undefined)
      return notFound(reply, 'TW_UNKNOWN_SEGMENT', `timeline ${JSON.stringify(ch.name)} has no sealed segment ${JSON.stringify(req.params.n)}`);
    reply.header('etag', seg.etag).header('cache-control', `${scope}, max-age=31536000, immutable`).header('vary', 'Accept-Encoding');
    if (etagMatches(req.headers['if-none-match'], seg.etag)) return reply.code(304).send();
    reply.type(SEGMENT_TYPE);
    const stored = seg.stored;
    if (acceptsGzip(req.headers['accept-encoding'])) {
      return reply.header('content-encoding', 'gzip').send(asBuffer(stored));
    }
    return reply.send(await gunzipCapped(stored));
  });

  fastify.get<{ Params: { name: string }; Querystring: Record<string, string | string[] | undefined> }>(
    '/api/timelines/:name/frames',
    opts,
    async (req, reply) => {
      const ch = host.timeline(req.params.name);
      if (ch === undefined) return notFound(reply, 'TW_UNKNOWN_CHANNEL', `no timeline channel named ${JSON.stringify(req.params.name)}`);
      const { from: fromRaw, to: toRaw } = req.query;
      if (typeof fromRaw !== 'string' || typeof toRaw !== 'string' || !DIGITS.test(fromRaw) || !DIGITS.test(toRaw)) {
        return badRequest(reply, 'from and to must each be given once, as non-negative integers');
      }
      const from = Number(fromRaw);
      const to = Number(toRaw);
      const store = ch.store;
      if (from > to) return badRequest(reply, `from ${from} is after to ${to}`);
      if (to >= store.frameCount) return badRequest(reply, `to ${to} is beyond the last frame ${store.frameCount - 1}`);
      if (to - from + 1 > MAX_RANGE_FRAMES) return badRequest(reply, `at most ${MAX_RANGE_FRAMES} frames per request`);
      // Decodable on its own: start at the keyframe `from` depends on. Past the byte cap the
      // answer stops early (at least one frame); the client sees how many frames it got.
      const first = store.keyframeAtOrBefore(from);
      const frames: Uint8Array[] = [];
      let bytes = 0;
      for (let i = first; i <= to; i++) {
        const f = store.frameBorrow(i);
        if (frames.length > 0 && bytes + f.length > MAX_RANGE_BYTES) break;
        frames.push(f);
        bytes += f.length;
      }
      const etag = `"${ch.version}.${first}.${frames.length}"`;
      reply.header('etag', etag).header('cache-control', `${scope}, max-age=60`);
      if (etagMatches(req.headers['if-none-match'], etag)) return reply.code(304).send();
      const body = pack({ firstFrame: first, frames });
      return reply.type('application/msgpack').send(asBuffer(body));
    },
  );
}
