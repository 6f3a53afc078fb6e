// Static pages for apps: long-lived caching for content-hashed build assets, revalidation for
// everything else (index.html must never be stale, or it points at assets that are gone), and
// optional extra headers for every response under the prefix (Signal Lab needs COOP/COEP for
// SharedArrayBuffer).
import { basename } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ServerError } from './errors.ts';

export interface StaticOptions {
  /** Headers added to every response under the prefix, e.g. COOP/COEP. */
  headers?: Record<string, string>;
  /** Decides which files are content-hashed (cached for a year); default isHashedAsset. */
  isHashed?: (path: string) => boolean;
}

// Vite names build assets `name-<8 base64url chars>.ext`; a `.hash.` infix is also common. A
// hash almost always has a digit or a capital, which plain words (`my-component.js`) lack.
const HASHED = /[.-]([A-Za-z0-9_-]{8,})\.[A-Za-z0-9]+$/;

export function isHashedAsset(path: string): boolean {
  const name = basename(path);
  if (name.endsWith('.html')) return false;
  const m = HASHED.exec(name);
  return m !== null && /[A-Z0-9]/.test(m[1]!);
}

export function cacheControlFor(path: string, isHashed: (path: string) => boolean = isHashedAsset): string {
  return isHashed(path) ? 'public, max-age=31536000, immutable' : 'no-cache';
}

export function normalizePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || !prefix.startsWith('/') || prefix.includes('..') || /[?#*:]/.test(prefix)) {
    throw new ServerError('TW_SERVER_BAD_OPTION', `static prefix must be an absolute URL path, got ${JSON.stringify(prefix)}`);
  }
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** Registers `dir` under `prefix` on `fastify` (call before listen). */
export async function serveStatic(fastify: FastifyInstance, prefix: string, dir: string, options: StaticOptions = {}): Promise<void> {
  const root = normalizePrefix(prefix);
  const isHashed = options.isHashed ?? isHashedAsset;
  const extra = Object.entries(options.headers ?? {});
  for (const [k, v] of extra) {
    if (typeof v !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw new ServerError('TW_SERVER_BAD_OPTION', `bad header ${JSON.stringify(k)}`);
  }
  await fastify.register(async (scope) => {
    // Encapsulated: these hooks apply to this static root's routes only.
    if (extra.length > 0) {
      scope.addHook('onRequest', async (_req, reply) => {
        for (const [k, v] of extra) reply.header(k, v);
      });
    }
    await scope.register(fastifyStatic, {
      root: dir,
      prefix: root,
      decorateReply: false,
      wildcard: true,
      index: ['index.html'],
      redirect: true,
      cacheControl: false,
      setHeaders(res: { setHeader(name: string, value: string): unknown }, path: string) {
        res.setHeader('cache-control', cacheControlFor(path, isHashed));
      },
    });
  });
}
