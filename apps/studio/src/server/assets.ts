// Uploaded assets (docs/studio.md §2): `<dataDir>/assets/<id>/` holds `original` (the
// upload as sent, without an extension, so no tool can go by its name), `thumb.jpg`,
// `proxy.<jpg|mp4|m4a>` and `meta.json`. An asset is assembled in a staging folder and renamed
// into place, so a half-made asset is never listed; a failed one leaves nothing behind.
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { StudioError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import { makeProxy, makeThumbnail, proxyExt } from './derive.ts';
import type { ProxyExt } from './derive.ts';
import { checkId, checkName, newId } from './names.ts';
import { probeMedia } from './probe.ts';
import type { MediaKind } from './probe.ts';
import type { RunOptions, ToolPaths } from './tools.ts';
import { receiveToFile } from './upload.ts';

export interface AssetInfo {
  id: string;
  /** The upload's name as the user gave it (display text only; never a path). */
  name: string;
  kind: MediaKind;
  format: string;
  width?: number;
  height?: number;
  durationSeconds?: number;
  bytes: number;
  proxy: ProxyExt;
  createdAt: number;
}

export interface AssetLimits {
  /** Largest upload. */
  uploadBytes: number;
  /** Assets kept. */
  count: number;
  /** Bytes of all originals together. */
  totalBytes: number;
  /** Uploads being received at once; more are refused (STUDIO_QUOTA) rather than queued. */
  concurrentUploads: number;
  /** Uploads probed and converted at once (FFmpeg is CPU-heavy); more wait their turn. */
  concurrentDerive: number;
}

export const DEFAULT_ASSET_LIMITS: AssetLimits = {
  uploadBytes: 200 * 1024 * 1024,
  count: 1000,
  totalBytes: 10 * 1024 ** 3,
  concurrentUploads: 4,
  concurrentDerive: 2,
};

export class AssetStore {
  readonly dir: string;
  private readonly tmp: string;
  private readonly byId = new Map<string, AssetInfo>();
  private running = 0;
  private receiving = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    dataDir: string,
    private readonly tools: ToolPaths,
    private readonly limits: AssetLimits,
    private readonly run: RunOptions = {},
  ) {
    this.dir = join(dataDir, 'assets');
    this.tmp = join(dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await mkdir(this.tmp, { recursive: true });
    // Leftovers of a crash: partial uploads and staging folders.
    for (const n of await readdir(this.tmp)) await rm(join(this.tmp, n), { recursive: true, force: true });
    for (const n of await readdir(this.dir)) {
      if (n.startsWith('.')) {
        await rm(join(this.dir, n), { recursive: true, force: true });
        continue;
      }
      try {
        const info = JSON.parse(await readFile(join(this.dir, n, 'meta.json'), 'utf8')) as AssetInfo;
        if (info.id === n) this.byId.set(n, info);
      } catch {
        // not an asset folder
      }
    }
  }

  list(): AssetInfo[] {
    return [...this.byId.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  get(id: string): AssetInfo {
    const info = this.byId.get(checkId('asset', id));
    if (!info) throw new StudioError('STUDIO_NOT_FOUND', `no asset ${id}`);
    return info;
  }

  /** The original file of an asset, for the renderer (its AssetResolver). */
  resolve(id: string): string | undefined {
    try {
      this.get(id);
    } catch {
      return undefined;
    }
    return join(this.dir, id, 'original');
  }

  filePath(id: string, which: 'thumb' | 'proxy' | 'original'): string {
    const info = this.get(id);
    return join(this.dir, id, which === 'thumb' ? 'thumb.jpg' : which === 'proxy' ? `proxy.${info.proxy}` : 'original');
  }

  /** The on-disk bytes of every asset (originals, thumbnails, proxies are counted by the caller's gauge). */
  totalBytes(): number {
    let n = 0;
    for (const a of this.byId.values()) n += a.bytes;
    return n;
  }

  /** Receives an upload, probes it, makes its thumbnail and proxy, and lists it. */
  async upload(req: IncomingMessage, rawName: unknown, now = Date.now()): Promise<AssetInfo> {
    const name = checkName('name', rawName);
    if (this.byId.size >= this.limits.count) throw new StudioError('STUDIO_QUOTA', `at most ${this.limits.count} assets`);
    const room = this.limits.totalBytes - this.totalBytes();
    if (room <= 0) throw new StudioError('STUDIO_QUOTA', `the uploads already use ${this.limits.totalBytes} bytes`);
    if (this.receiving >= this.limits.concurrentUploads)
      throw new StudioError('STUDIO_QUOTA', `${this.limits.concurrentUploads} uploads are already in progress`);
    const id = newId();
    const staging = join(this.dir, `.staging-${id}`);
    const part = join(this.tmp, `${id}.part`);
    try {
      let bytes: number;
      this.receiving++;
      try {
        bytes = await receiveToFile(req, part, Math.min(this.limits.uploadBytes, room));
      } finally {
        this.receiving--;
      }
      await this.turn();
      try {
        const info = await probeMedia(this.tools.ffprobe, part, this.run);
        await mkdir(staging);
        const original = join(staging, 'original');
        await rename(part, original);
        await makeThumbnail(this.tools.ffmpeg, original, join(staging, 'thumb.jpg'), info, this.run);
        const proxy = proxyExt(info.kind);
        await makeProxy(this.tools.ffmpeg, original, join(staging, `proxy.${proxy}`), info, this.run);
        const asset: AssetInfo = { id, name, ...info, bytes, proxy, createdAt: now };
        await writeFileAtomic(join(staging, 'meta.json'), JSON.stringify(asset));
        await rename(staging, join(this.dir, id));
        this.byId.set(id, asset);
        return asset;
      } finally {
        this.release();
      }
    } finally {
      await rm(part, { force: true });
      await rm(staging, { recursive: true, force: true });
    }
  }

  async delete(id: string): Promise<void> {
    this.get(id);
    this.byId.delete(id);
    await rm(join(this.dir, id), { recursive: true, force: true });
  }

  private async turn(): Promise<void> {
    if (this.running < this.limits.concurrentDerive) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
