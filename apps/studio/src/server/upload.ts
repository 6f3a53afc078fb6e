// Streaming an upload to disk (docs/studio.md §2.1): the request body is piped into a
// temp file through a byte counter, so memory holds one chunk at a time whatever the size. A
// Content-Length over the cap is refused before a byte is read; a body that runs past the cap
// anyway (chunked, no length) is cut off at the first byte over it. Either way the partial file
// is removed and the error is STUDIO_UPLOAD_TOO_LARGE.
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StudioError } from '../errors.ts';

/** Counts bytes through; errors with STUDIO_UPLOAD_TOO_LARGE at the first byte past `cap`. */
export class ByteCap extends Transform {
  bytes = 0;
  constructor(private readonly cap: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.cap) done(new StudioError('STUDIO_UPLOAD_TOO_LARGE', `the upload is larger than ${this.cap} bytes`));
    else done(null, chunk);
  }
}

/** The declared length, or undefined for a chunked body; a malformed header is a bad request. */
export function declaredLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined) return undefined;
  if (!/^\d{1,16}$/.test(raw)) throw new StudioError('STUDIO_BAD_REQUEST', 'Content-Length must be a number');
  return Number(raw);
}

/** Streams `req`'s body into `path`; resolves the byte count. The file does not exist after a failure. */
export async function receiveToFile(req: IncomingMessage, path: string, cap: number): Promise<number> {
  const length = declaredLength(req);
  if (length !== undefined && length > cap) throw new StudioError('STUDIO_UPLOAD_TOO_LARGE', `the upload is ${length} bytes; at most ${cap}`);
  if (length === 0) throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', 'the upload is empty');
  const counter = new ByteCap(cap);
  try {
    await pipeline(req, counter, createWriteStream(path, { flags: 'wx', mode: 0o644 }));
  } catch (err) {
    await rm(path, { force: true });
    if (err instanceof StudioError) throw err;
    throw new StudioError('STUDIO_BAD_REQUEST', `the upload was interrupted (${(err as Error).message})`);
  }
  if (counter.bytes === 0) {
    await rm(path, { force: true });
    throw new StudioError('STUDIO_UNSUPPORTED_MEDIA', 'the upload is empty');
  }
  return counter.bytes;
}
