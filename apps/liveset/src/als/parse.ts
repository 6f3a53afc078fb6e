// Bytes in, Live Set tree out: gzip -> UTF-8 -> saxes -> LiveSetBuilder, all streaming.
// The XML text is never held whole: each inflated chunk is decoded, parsed and dropped.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { SaxesParser } from 'saxes';
import { LiveSetBuilder } from './builder.ts';
import { AlsError } from './errors.ts';
import type { AlsNode } from './node.ts';
import { summarize } from './summary.ts';
import type { AlsSummary } from './summary.ts';
import { TokenGuard } from './token-guard.ts';

export interface ParseAlsOptions {
  /** Name used in error messages (default: the path for readAls, `<stream>` otherwise). */
  fileName?: string;
  /** Cap on inflated XML bytes (default 512 MiB): a gzip bomb stops here. */
  maxXmlBytes?: number;
  /** Cap on element nesting (default 256; real sets stay under 40). */
  maxDepth?: number;
  /** Cap on tree nodes (default 1,000,000). */
  maxNodes?: number;
  /** Cap on one XML token saxes holds whole: a tag with its attributes, a comment, CDATA,
   * a processing instruction, a doctype, a name (default 1 MiB characters; text is not held). */
  maxTokenChars?: number;
  signal?: AbortSignal;
}

export interface LiveSet {
  tree: AlsNode;
  summary: AlsSummary;
  /** Bytes read from the file (compressed) and inflated (XML). */
  compressedBytes: number;
  xmlBytes: number;
}

export const DEFAULT_LIMITS = {
  maxXmlBytes: 512 * 1024 * 1024,
  maxDepth: 256,
  maxNodes: 1_000_000,
  // The largest tag in the fixtures is 306 characters; 1 Mi keeps a bomb's cost to a few MB.
  maxTokenChars: 1024 * 1024,
} as const;

// Inflating in 64 KiB pieces measured fastest (fewer saxes.write calls than 16 KiB,
// less heap churn than 256 KiB).
const INFLATE_CHUNK = 64 * 1024;

/** Reads and parses a `.als` file. */
export async function readAls(path: string, opts: ParseAlsOptions = {}): Promise<LiveSet> {
  const fileName = opts.fileName ?? path;
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  // Surface open errors (ENOENT, EISDIR, EACCES) as ALS_IO before any parsing starts.
  await new Promise<void>((resolve, reject) => {
    stream.once('ready', () => resolve());
    stream.once('error', (err) => reject(ioError(fileName, err)));
  });
  try {
    return await parseAls(stream, { ...opts, fileName });
  } finally {
    stream.destroy(); // also when parseAls failed before reading (bad options)
  }
}

/** Parses a gzip-compressed Live Set from a stream or any async iterable of bytes. */
export async function parseAls(input: AsyncIterable<Uint8Array> | Readable, opts: ParseAlsOptions = {}): Promise<LiveSet> {
  const fileName = opts.fileName ?? '<stream>';
  const limits = checkOptions(opts, fileName);
  const counts = { compressed: 0, xml: 0 };
  const builder = new LiveSetBuilder(fileName, limits);
  const sax = new SaxesParser({ position: true });
  let saxError: AlsError | undefined;
  let saxReason = '';
  sax.on('error', (err) => {
    saxReason = stripSaxPrefix(err.message);
    saxError = new AlsError('ALS_BAD_XML', `malformed XML at line ${sax.line}, column ${sax.column}: ${saxReason}`, {
      fileName,
      line: sax.line,
      column: sax.column,
    });
    throw saxError;
  });
  const guard = new TokenGuard(sax, limits.maxTokenChars);
  sax.on('opentagstart', () => guard.tagStarted());
  sax.on('opentag', (tag) => {
    guard.tagEnded();
    builder.open(tag.name, tag.attributes as Record<string, string>);
  });
  sax.on('closetag', () => builder.close());

  const decoder = new TextDecoder('utf-8');
  const gunzip = createGunzip({ chunkSize: INFLATE_CHUNK });
  // When a stage fails, pipeline() may reject with the AbortError of tearing down another
  // stage instead; the first error we raised ourselves is the one to report.
  const failed: { error?: unknown } = {};
  try {
    await pipeline(
      Readable.from(checkMagic(input, fileName, counts, failed), { objectMode: false }),
      gunzip,
      async (inflated: AsyncIterable<Buffer>) => {
        try {
          for await (const chunk of inflated) {
            counts.xml += chunk.length;
            if (counts.xml > limits.maxXmlBytes) {
              throw new AlsError('ALS_TOO_LARGE', `the XML inflates past ${limits.maxXmlBytes} bytes`, { fileName });
            }
            sax.write(decoder.decode(chunk, { stream: true }));
            // After every chunk, so saxes holds at most the cap plus one chunk of a token.
            const over = guard.overLimit();
            if (over !== undefined) {
              throw new AlsError(
                'ALS_TOKEN_TOO_LONG',
                `${over.what} runs past ${limits.maxTokenChars} characters (at line ${sax.line}, column ${sax.column})`,
                {
                  fileName,
                  line: sax.line,
                  column: sax.column,
                },
              );
            }
          }
        } catch (err) {
          failed.error ??= err;
          throw err;
        }
      },
      opts.signal ? { signal: opts.signal } : {},
    );
    if (counts.xml === 0) throw new AlsError('ALS_EMPTY', 'the gzip stream holds no XML', { fileName });
    sax.write(decoder.decode());
    try {
      sax.close();
    } catch (err) {
      // saxes reports a document cut short at close(): unclosed tags or no root at all.
      if (saxError !== undefined && err === saxError && builder.rootOpened) {
        throw new AlsError('ALS_TRUNCATED', `the XML ends early (at line ${sax.line}, column ${sax.column}): ${saxReason}`, {
          fileName,
          line: sax.line,
          column: sax.column,
        });
      }
      if (err === saxError) throw new AlsError('ALS_NOT_LIVE_SET', 'not an Ableton Live Set: the XML has no root element', { fileName });
      throw err;
    }
  } catch (err) {
    throw mapError(failed.error ?? err, fileName);
  }
  const tree = builder.finish();
  return { tree, summary: summarize(tree), compressedBytes: counts.compressed, xmlBytes: counts.xml };
}

async function* checkMagic(
  input: AsyncIterable<Uint8Array> | Readable,
  fileName: string,
  counts: { compressed: number },
  failed: { error?: unknown },
): AsyncGenerator<Uint8Array> {
  try {
    yield* checkedChunks(input, fileName, counts);
  } catch (err) {
    failed.error ??= err;
    throw err;
  }
}

async function* checkedChunks(input: AsyncIterable<Uint8Array> | Readable, fileName: string, counts: { compressed: number }): AsyncGenerator<Uint8Array> {
  let checked = false;
  let head: Uint8Array | undefined;
  for await (const raw of input as AsyncIterable<Uint8Array | string>) {
    if (typeof raw === 'string') {
      throw new AlsError('ALS_BAD_OPTIONS', 'the input yields strings; pass bytes (open the stream without an encoding)', { fileName });
    }
    counts.compressed += raw.length;
    const chunk = head ? concat(head, raw) : raw;
    head = undefined;
    if (!checked) {
      // The two magic bytes may straddle chunks.
      if (chunk.length < 2) {
        head = chunk;
        continue;
      }
      if (chunk[0] !== 0x1f || chunk[1] !== 0x8b) {
        throw new AlsError('ALS_NOT_GZIP', `not a Live Set: the file starts with ${hex(chunk.subarray(0, 4))}, not gzip (1f 8b)`, { fileName });
      }
      checked = true;
    }
    yield chunk;
  }
  if (counts.compressed === 0) throw new AlsError('ALS_EMPTY', 'the file is empty (0 bytes)', { fileName });
  if (!checked) throw new AlsError('ALS_NOT_GZIP', 'not a Live Set: the file is 1 byte long, too short for gzip', { fileName });
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function stripSaxPrefix(message: string): string {
  // saxes prefixes "<fileName>:<line>:<column>: "; we report position ourselves.
  return message.replace(/^[^:]*:\d+:\d+: /, '');
}

function checkOptions(opts: ParseAlsOptions, fileName: string): { maxXmlBytes: number; maxDepth: number; maxNodes: number; maxTokenChars: number } {
  const out = {
    maxXmlBytes: opts.maxXmlBytes ?? DEFAULT_LIMITS.maxXmlBytes,
    maxDepth: opts.maxDepth ?? DEFAULT_LIMITS.maxDepth,
    maxNodes: opts.maxNodes ?? DEFAULT_LIMITS.maxNodes,
    maxTokenChars: opts.maxTokenChars ?? DEFAULT_LIMITS.maxTokenChars,
  };
  for (const [k, v] of Object.entries(out)) {
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new AlsError('ALS_BAD_OPTIONS', `option ${k} must be a positive integer, got ${String(v)}`, { fileName });
    }
  }
  return out;
}

function ioError(fileName: string, err: unknown): AlsError {
  const code = (err as { code?: string }).code;
  const what = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
  return new AlsError('ALS_IO', `cannot read the file: ${what}`, { fileName, cause: err });
}

function mapError(err: unknown, fileName: string): AlsError {
  if (AlsError.is(err)) return err;
  const e = err as { code?: string; message?: string; name?: string };
  // zlib: Z_BUF_ERROR is "unexpected end of file" (the gzip stream stops mid-way).
  if (e.code === 'Z_BUF_ERROR') return new AlsError('ALS_TRUNCATED', 'the gzip stream ends early (the file is cut short)', { fileName, cause: err });
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_STREAM_ERROR' || e.code === 'Z_NEED_DICT') {
    return new AlsError('ALS_BAD_GZIP', `the gzip data is corrupt (${e.message ?? e.code})`, { fileName, cause: err });
  }
  if (e.name === 'AbortError') return new AlsError('ALS_IO', 'reading was aborted', { fileName, cause: err });
  if (typeof e.code === 'string' && e.code.startsWith('E')) return ioError(fileName, err);
  // Anything else is a bug in the reader; keep it visible rather than mislabelled.
  throw err;
}
