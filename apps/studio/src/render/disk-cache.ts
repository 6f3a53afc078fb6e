// The intermediates cache on disk (docs/studio.md §5.10): TTS WAVs and the generated builtin
// backgrounds, one file per entry, under a byte quota with least-recently-used eviction.
//
// - The folder is the index: an entry is a complete file under its final name (made under a
//   temp name, renamed when complete), its mtime is its last use (touched on every hit), so the
//   cache survives restarts with no index file to get out of step.
// - An entry in use is never evicted: a render holds a lease (a reference count in this process,
//   plus a pin file `pins/<name>@<pid>` that other processes sharing the folder honour while that
//   pid is alive).
// - The quota counts committed entries. A new entry larger than the quota, or one that cannot fit
//   because everything else is in use, is STUDIO_QUOTA and its temp file is removed.
// - Opening the folder removes what a killed run left: temp files and pins of dead pids.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { StudioError } from '../errors.ts';
import type { Ledger } from './process.ts';
import { mapDiskFull } from './quota.ts';

/** Default quota of one cache folder: enough for thousands of spoken scenes and every builtin at a few sizes. */
export const DISK_CACHE_QUOTA_BYTES = 1024 * 1024 * 1024;

/** Entry names: what the callers make (hashes, builtin names, sizes, extensions); nothing path-like. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const PARTIAL = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.partial$/;

export interface CacheLease {
  /** The entry's file, there until `release()`. */
  readonly path: string;
  /** True when the entry was already there (nothing was made). */
  readonly hit: boolean;
  release(): void;
}

export interface AcquireRun {
  signal?: AbortSignal;
  /** The temp file is recorded here while it is made, so `cleanupLeftovers` removes it after a crash. */
  ledger?: Ledger;
}

interface Entry {
  name: string;
  size: number;
  mtimeMs: number;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DiskCache {
  private readonly pinsDir: string;
  /** Leases held in this process, per entry name. */
  private readonly refs = new Map<string, number>();
  /** Entries being made in this process: concurrent first uses share one production. */
  private readonly producing = new Map<string, Promise<void>>();
  /** Commits (evict, then rename) one at a time, so two inserts never both count the same room. */
  private commits: Promise<unknown> = Promise.resolve();
  private knownBytes = 0;
  readonly ready: Promise<void>;

  constructor(
    readonly dir: string,
    readonly quotaBytes = DISK_CACHE_QUOTA_BYTES,
  ) {
    if (!(Number.isSafeInteger(quotaBytes) && quotaBytes > 0))
      throw new StudioError('STUDIO_BAD_REQUEST', `cache quota ${quotaBytes}: a positive byte count expected`);
    this.pinsDir = join(dir, 'pins');
    this.ready = this.open();
    this.ready.catch(() => {});
  }

  /** Committed bytes as of the last insert or scan (for /metrics; no disk access). */
  bytes(): number {
    return this.knownBytes;
  }

  /** Leases held in this process on `name` (tests). */
  holders(name: string): number {
    return this.refs.get(name) ?? 0;
  }

  /**
   * The entry `name`, made by `produce(tmpPath)` when it is not there. The lease keeps it from
   * eviction until released. Rejects with STUDIO_QUOTA (too large, or no room left that is not in
   * use; also a disk-full write), or with what `produce` threw — never leaving a temp file.
   */
  async acquire(name: string, produce: (tmpPath: string) => Promise<void>, run: AcquireRun = {}): Promise<CacheLease> {
    if (!NAME.test(name) || name === 'pins') throw new StudioError('STUDIO_BAD_NAME', `cache entry name '${name.slice(0, 40)}'`);
    await this.ready;
    await this.ref(name);
    try {
      const path = join(this.dir, name);
      for (;;) {
        if (await this.touch(path)) return this.lease(name, path, true);
        try {
          await this.produceShared(name, produce, run);
          return this.lease(name, path, false);
        } catch (e) {
          // reason: a shared production started by another render that was cancelled; try again unless we were.
          if (run.signal?.aborted || !(e instanceof StudioError) || (e.code !== 'STUDIO_CANCELLED' && e.code !== 'STUDIO_TIMEOUT')) throw e;
        }
      }
    } catch (e) {
      await this.unref(name);
      throw e;
    }
  }

  /** Every committed entry, least recently used first; also refreshes `bytes()`. */
  async entries(): Promise<Entry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: Entry[] = [];
    for (const name of names) {
      if (!NAME.test(name) || name === 'pins') continue;
      try {
        const s = await stat(join(this.dir, name));
        if (s.isFile()) out.push({ name, size: s.size, mtimeMs: s.mtimeMs });
      } catch {
        /* evicted meanwhile by another process */
      }
    }
    out.sort((a, b) => a.mtimeMs - b.mtimeMs);
    this.knownBytes = out.reduce((sum, e) => sum + e.size, 0);
    return out;
  }

  private async open(): Promise<void> {
    await mkdir(this.pinsDir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      const m = PARTIAL.exec(name);
      if (m && !alive(Number(m[2]))) await rm(join(this.dir, name), { force: true });
    }
    for (const name of await readdir(this.pinsDir)) {
      const pid = Number(name.slice(name.lastIndexOf('@') + 1));
      if (!Number.isInteger(pid) || !alive(pid)) await rm(join(this.pinsDir, name), { force: true });
    }
    await this.entries();
  }

  private lease(name: string, path: string, hit: boolean): CacheLease {
    let released = false;
    return {
      path,
      hit,
      release: () => {
        if (released) return;
        released = true;
        this.unref(name).catch(() => {});
      },
    };
  }

  private async ref(name: string): Promise<void> {
    const n = this.refs.get(name) ?? 0;
    this.refs.set(name, n + 1);
    if (n === 0) await writeFile(join(this.pinsDir, `${name}@${process.pid}`), '').catch(() => {});
  }

  private async unref(name: string): Promise<void> {
    const n = (this.refs.get(name) ?? 1) - 1;
    if (n > 0) return void this.refs.set(name, n);
    this.refs.delete(name);
    await rm(join(this.pinsDir, `${name}@${process.pid}`), { force: true });
  }

  /** Marks a hit as the most recent use; false when the entry is not there. */
  private async touch(path: string): Promise<boolean> {
    try {
      const now = new Date();
      await utimes(path, now, now);
      return true;
    } catch {
      return false;
    }
  }

  private produceShared(name: string, produce: (tmpPath: string) => Promise<void>, run: AcquireRun): Promise<void> {
    let pending = this.producing.get(name);
    if (!pending) {
      pending = this.produceOne(name, produce, run);
      this.producing.set(name, pending);
      pending.finally(() => this.producing.delete(name)).catch(() => {});
    }
    return pending;
  }

  private async produceOne(name: string, produce: (tmpPath: string) => Promise<void>, run: AcquireRun): Promise<void> {
    const tmp = join(this.dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.partial`);
    run.ledger?.addTemp(tmp);
    try {
      await produce(tmp);
      const size = (await stat(tmp)).size;
      await this.commit(name, tmp, size);
    } catch (e) {
      throw mapDiskFull(e, `caching ${name}`);
    } finally {
      await rm(tmp, { force: true });
      run.ledger?.removeTemp(tmp);
    }
  }

  private commit(name: string, tmp: string, size: number): Promise<void> {
    const next = this.commits.then(async () => {
      if (size > this.quotaBytes)
        throw new StudioError('STUDIO_QUOTA', `${name} is ${size} bytes, more than the whole intermediates quota (${this.quotaBytes} bytes)`);
      const entries = await this.entries();
      const pinned = await this.pinnedElsewhere();
      let total = this.knownBytes;
      for (const e of entries) {
        if (total + size <= this.quotaBytes) break;
        if (e.name === name || this.refs.has(e.name) || pinned.has(e.name)) continue;
        await rm(join(this.dir, e.name), { force: true });
        total -= e.size;
      }
      if (total + size > this.quotaBytes) {
        this.knownBytes = total;
        throw new StudioError('STUDIO_QUOTA', `no room for ${name} (${size} bytes): the intermediates in use take ${total} of ${this.quotaBytes} bytes`);
      }
      await rename(tmp, join(this.dir, name));
      this.knownBytes = total + size;
    });
    this.commits = next.catch(() => {});
    return next;
  }

  /** Entries other live processes hold (their pin files). */
  private async pinnedElsewhere(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const pin of await readdir(this.pinsDir).catch(() => [] as string[])) {
      const at = pin.lastIndexOf('@');
      const pid = Number(pin.slice(at + 1));
      if (pid !== process.pid && alive(pid)) out.add(pin.slice(0, at));
    }
    return out;
  }
}

const open = new Map<string, DiskCache>();

/**
 * The cache of folder `dir`, one per folder in this process (so every render shares its leases).
 * The quota given first wins; `quotaBytes` of a later call for the same folder is ignored.
 */
export function openDiskCache(dir: string, quotaBytes = DISK_CACHE_QUOTA_BYTES): DiskCache {
  const key = resolve(dir);
  let cache = open.get(key);
  if (!cache) {
    cache = new DiskCache(key, quotaBytes);
    open.set(key, cache);
  }
  return cache;
}

/** Committed bytes over every cache folder this process opened (for /metrics). */
export function diskCacheBytes(): number {
  let sum = 0;
  for (const c of open.values()) sum += c.bytes();
  return sum;
}
