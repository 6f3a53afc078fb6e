// Serving a file with HTTP range requests (RFC 9110 §14): `bytes=a-b`, `bytes=a-` and
// `bytes=-n` answer 206 with Content-Range; a range past the end answers 416 with
// `Content-Range: bytes */size`; several ranges at once are answered with the whole file (200),
// which the RFC allows. Every answer says Accept-Ranges: bytes and carries an ETag, and a
// Range with a non-matching If-Range gets the whole file.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StudioError } from '../errors.ts';

export type ByteRange = { start: number; end: number };

/** The one range asked for, 'unsatisfiable', or undefined (no header, a malformed one, or several ranges). */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

export interface SendFileOptions {
  type: string;
  cacheControl: string;
  disposition?: string;
}

export async function sendFile(req: FastifyRequest, reply: FastifyReply, path: string, options: SendFileOptions): Promise<FastifyReply> {
  let size: number;
  let mtimeMs: number;
  try {
    ({ size, mtimeMs } = await stat(path));
  } catch {
    throw new StudioError('STUDIO_NOT_FOUND', 'the file is gone');
  }
  const etag = `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
  reply.header('accept-ranges', 'bytes').header('etag', etag).header('cache-control', options.cacheControl).type(options.type);
  if (options.disposition) reply.header('content-disposition', options.disposition);
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) return reply.code(304).send();
  const ifRange = req.headers['if-range'];
  const range = ifRange === undefined || ifRange === etag ? parseRange(req.headers.range, size) : undefined;
  if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${size}`).send();
  if (range === undefined) {
    reply.header('content-length', size);
    return reply.code(200).send(req.method === 'HEAD' ? undefined : createReadStream(path));
  }
  reply.header('content-range', `bytes ${range.start}-${range.end}/${size}`).header('content-length', range.end - range.start + 1);
  return reply.code(206).send(req.method === 'HEAD' ? undefined : createReadStream(path, { start: range.start, end: range.end }));
}
