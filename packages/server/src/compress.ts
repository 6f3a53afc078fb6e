// HTTP response compression for every route and static page (@fastify/compress: br, gzip,
// deflate by Accept-Encoding). Only text-like types are compressed: media (mp4, jpeg, png,
// webm, audio) is already compressed and octet-stream may be anything. Partial content is
// never compressed (@fastify/compress skips 206 and any reply with Content-Range, whose byte
// offsets describe the unencoded body), so range requests keep working.
import fastifyCompress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/** Smallest body worth compressing (a header's worth of savings). */
export const COMPRESS_THRESHOLD_BYTES = 1024;

const COMPRESSIBLE =
  /^(?:text\/(?!event-stream)|application\/(?:json|javascript|ecmascript|xml|wasm|manifest\+json|x-javascript)|image\/svg\+xml)|[+/](?:json|xml)(?:;|$)/i;

/** Whether a response of this Content-Type is compressed. */
export function isCompressibleType(contentType: string): boolean {
  return COMPRESSIBLE.test(contentType.trim());
}

/** Registers compression at the root, so it applies to every route registered after it. */
export function registerCompression(fastify: FastifyInstance): void {
  void fastify.register(fastifyCompress, {
    global: true,
    threshold: COMPRESS_THRESHOLD_BYTES,
    // A function, not the default regex: the default also compresses application/octet-stream.
    customTypes: isCompressibleType,
    encodings: ['br', 'gzip', 'deflate'],
  });
}
