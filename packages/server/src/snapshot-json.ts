// JSON renderings of GET /api/trees/:name (docs/server.md §5.1). A tree of a few MB renders to
// a JSON body of a few MB, and @fastify/compress compressed it again, synchronously, for every
// request: twenty clients polling one tree pushed event-loop lag past 200 ms and RSS toward
// half a gigabyte. Here each (channel, version, coding) is rendered once — JSON.stringify on
// the event loop, gzip or brotli on libuv's pool — and kept in an LRU bounded in bytes;
// concurrent requests for a body being made wait for it, and renders of bodies not yet made
// are bounded (a few at once, a short queue, then 503 TW_BUSY).
import { brotliCompress, constants, gzip } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';
import { LRUCache } from 'lru-cache';
import { asBuffer } from './bytes.ts';
import type { SnapshotJsonOptions } from './options.ts';

export type JsonCoding = 'identity' | 'gzip' | 'br';

/** A tree channel's version: what the ETag and the x-tidewire-* headers name. */
export interface TreeVersion {
  readonly epoch: number;
  readonly offset: number;
  readonly rootHash: string;
}

/** What a render needs from the tree channel. */
export interface JsonSource {
  readonly id: number;
  /** The current version (pending ops flushed first). Not the encoded snapshot: JSON does not
   *  need the msgpack body, and encoding it cost more than the JSON itself. */
  version(): TreeVersion;
  /** The tree now, as a plain object (called right after version(), same version). */
  plain(): unknown;
}

export interface JsonBody {
  version: TreeVersion;
  bytes: Buffer;
}

// Ties go to the first: br, then gzip (x-gzip is gzip's old name, RFC 9110 §8.4.1.3).
const CODINGS = ['br', 'gzip', 'x-gzip'];

/** The coding to answer with, negotiated from Accept-Encoding as @fastify/compress does. No header: identity. */
export function pickCoding(header: string | string[] | undefined, compression: boolean): JsonCoding {
  if (!compression || header === undefined) return 'identity';
  const coding = negotiate(Array.isArray(header) ? header.join(',') : header, CODINGS);
  return coding === 'br' ? 'br' : coding === null ? 'identity' : 'gzip';
}

/** JSON has no binary type: byte strings become {"$base64": "…"}. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return { $base64: asBuffer(value).toString('base64') };
  return value;
}

// Brotli at quality 4, as @fastify/compress does: most of the gain for a fraction of the time.
const BROTLI = { params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 4 } };

function compress(coding: 'gzip' | 'br', body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, out: Buffer) => (err ? reject(err) : resolve(out));
    if (coding === 'gzip') gzip(body, done);
    else brotliCompress(body, BROTLI, done);
  });
}

/** At most `max` renders at once and `maxQueued` waiting. */
class RenderSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly max: number;
  private readonly maxQueued: number;

  constructor(max: number, maxQueued: number) {
    this.max = max;
    this.maxQueued = maxQueued;
  }

  /** Resolves when a slot is held; undefined when the queue is full. */
  acquire(): Promise<void> | undefined {
    if (this.running < this.max) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueued) return undefined;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next !== undefined)
      next(); // the slot passes on
    else this.running--;
  }
}

export class SnapshotJsonCache {
  private readonly cache: LRUCache<string, Buffer> | undefined;
  /** Compressions under way, by key: a second request for the same body waits for the first. */
  private readonly inflight = new Map<string, Promise<Buffer>>();
  private readonly slots: RenderSlots;
  private readonly onRender: (coding: JsonCoding) => void;

  constructor(opts: Required<SnapshotJsonOptions>, onRender: (coding: JsonCoding) => void) {
    // A body above cacheBytes is not kept (lru-cache refuses it); it is rendered per request,
    // within the render bound.
    this.cache = opts.cacheBytes > 0 ? new LRUCache<string, Buffer>({ maxSize: opts.cacheBytes, sizeCalculation: (b) => Math.max(1, b.length) }) : undefined;
    this.slots = new RenderSlots(opts.maxRenders, opts.maxQueuedRenders);
    this.onRender = onRender;
  }

  /** The body at the channel's current version in `coding`; undefined when too many renders
   *  are queued (the caller answers 503 TW_BUSY). */
  async body(source: JsonSource, coding: JsonCoding): Promise<JsonBody | undefined> {
    let version = source.version();
    const ready = this.ready(source.id, version, coding);
    if (ready !== undefined) return { version, bytes: await ready };
    const slot = this.slots.acquire();
    if (slot === undefined) return undefined;
    await slot;
    try {
      // The version now: the tree may have moved on while this request waited.
      version = source.version();
      return { version, bytes: await this.render(source, version, coding) };
    } finally {
      this.slots.release();
    }
  }

  private ready(channel: number, entry: TreeVersion, coding: JsonCoding): Buffer | Promise<Buffer> | undefined {
    const k = key(channel, entry, coding);
    return this.cache?.get(k) ?? this.inflight.get(k);
  }

  /** Called in the same turn as source.version() returned `entry`: plain() is that version. */
  private render(source: JsonSource, entry: TreeVersion, coding: JsonCoding): Buffer | Promise<Buffer> {
    const ready = this.ready(source.id, entry, coding);
    if (ready !== undefined) return ready;
    let plain = this.cache?.get(key(source.id, entry, 'identity'));
    if (plain === undefined) {
      plain = Buffer.from(JSON.stringify(source.plain(), jsonReplacer), 'utf8');
      this.onRender('identity');
      this.cache?.set(key(source.id, entry, 'identity'), plain);
    }
    if (coding === 'identity') return plain;
    const k = key(source.id, entry, coding);
    const job = compress(coding, plain).then(
      (bytes) => {
        this.inflight.delete(k);
        this.cache?.set(k, bytes);
        return bytes;
      },
      (err: unknown) => {
        this.inflight.delete(k);
        throw err;
      },
    );
    this.onRender(coding);
    this.inflight.set(k, job);
    return job;
  }
}

function key(channel: number, entry: TreeVersion, coding: JsonCoding): string {
  return `${channel}:${entry.epoch}:${entry.offset}:${coding}`;
}
