// The embedded queue's durable journal (docs/studio.md §4.2): append-only JSON lines, one
// record per line. `add` carries the whole job (status, request, options); `status` a job's new
// status (state changes and stage changes, never every progress tick); `drop` a job retention
// removed. Replaying keeps the last status of every job not dropped. Adds and finished states
// are fsynced before the caller hears of them; other lines ride along with the next fsync.
// Past a size bound the journal is rewritten with only the live jobs (temp file, fsync, rename),
// so it never grows without bound. A crash can tear the last line: replay skips it and counts it.
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StudioError } from '../errors.ts';
import type { JobStatus, RenderRequest } from '../model.ts';
import type { AddJobOptions } from './types.ts';

export interface JournalJob {
  status: JobStatus;
  data: RenderRequest;
  opts: Required<AddJobOptions>;
}

export type JournalRecord =
  { t: 'add'; status: JobStatus; data: RenderRequest; opts: Required<AddJobOptions> } | { t: 'status'; status: JobStatus } | { t: 'drop'; id: string };

export interface JournalReplay {
  /** Live jobs in the order they were added. */
  jobs: Map<string, JournalJob>;
  /** A last line cut short by a crash (0 or 1). */
  tornLines: number;
  /** Lines before the last that did not parse or made no sense (skipped). */
  corruptLines: number;
}

/** Default size past which the journal is compacted. */
export const DEFAULT_COMPACT_BYTES = 4 * 1024 * 1024;

/** Reads a journal's text into live jobs; a missing file is an empty journal. */
export function replayJournal(text: string): JournalReplay {
  const jobs = new Map<string, JournalJob>();
  let tornLines = 0;
  let corruptLines = 0;
  const lines = text.split('\n');
  // reason: a journal that ends in '\n' splits into a last empty string, which is not a line
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const record = parseRecord(line);
    if (record === undefined) {
      if (i === lines.length - 1 && !text.endsWith('\n')) tornLines++;
      else corruptLines++;
      return;
    }
    if (record.t === 'add') jobs.set(record.status.id, { status: record.status, data: record.data, opts: record.opts });
    else if (record.t === 'status') {
      const job = jobs.get(record.status.id);
      if (job) job.status = record.status;
      else corruptLines++;
    } else jobs.delete(record.id);
  });
  return { jobs, tornLines, corruptLines };
}

function parseRecord(line: string): JournalRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Partial<Record<string, unknown>>;
  const status = r.status as Partial<JobStatus> | undefined;
  const statusOk = typeof status === 'object' && status !== null && typeof status.id === 'string' && typeof status.state === 'string';
  if (r.t === 'add' && statusOk && typeof r.data === 'object' && r.data !== null && typeof r.opts === 'object' && r.opts !== null)
    return value as JournalRecord;
  if (r.t === 'status' && statusOk) return value as JournalRecord;
  if (r.t === 'drop' && typeof r.id === 'string') return value as JournalRecord;
  return undefined;
}

export class Journal {
  #handle: FileHandle;
  #size: number;
  #compactAt: number;
  #tail: Promise<unknown> = Promise.resolve();
  #pendingSync: Promise<void> | undefined;
  #closed = false;
  #closing = false;
  #handleClosed = false;

  private constructor(
    readonly path: string,
    handle: FileHandle,
    size: number,
    private readonly compactBytes: number,
  ) {
    this.#handle = handle;
    this.#size = size;
    this.#compactAt = compactBytes;
  }

  /** Reads the journal at `path` (if any) and opens it for appending. Call `compact` next to drop a torn tail. */
  static async open(path: string, compactBytes = DEFAULT_COMPACT_BYTES): Promise<{ journal: Journal; replay: JournalReplay }> {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const replay = replayJournal(text);
    const handle = await open(path, 'a');
    return { journal: new Journal(path, handle, Buffer.byteLength(text), compactBytes), replay };
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Appends one record; with `sync` the promise resolves once it is on disk. Writes keep their
   * order. Syncs are grouped: every record written before one fdatasync starts is covered by it,
   * so a burst of adds costs one disk flush, not one each.
   */
  append(record: JournalRecord, sync: boolean): Promise<void> {
    const written = this.#enqueue(async () => {
      const line = `${JSON.stringify(record)}\n`;
      await this.#handle.write(line);
      this.#size += Buffer.byteLength(line);
    });
    if (!sync) return written;
    // reason: a record joins the pending flush only while that flush is not yet queued behind
    // the writes; once queued, later records need a flush of their own
    this.#pendingSync ??= written.then(
      () => {
        this.#pendingSync = undefined;
        // reason: a close queued in between already flushed (and closed) the file
        return this.#enqueue(async () => {
          if (!this.#handleClosed) await this.#handle.datasync();
        });
      },
      (e: unknown) => {
        this.#pendingSync = undefined;
        throw e;
      },
    );
    return this.#pendingSync;
  }

  /** Resolves once every record appended so far is on disk. */
  flush(): Promise<void> {
    return this.#enqueue(async () => {
      if (!this.#handleClosed) await this.#handle.datasync();
    });
  }

  /** True when the journal has grown past its bound and should be rewritten. */
  get wantsCompaction(): boolean {
    return this.#size > this.#compactAt;
  }

  /**
   * Rewrites the journal with the live jobs only: a temp file, fsynced, renamed over the journal.
   * `jobs` is read when the rewrite starts, after every record appended before this call.
   */
  compact(jobs: () => Iterable<JournalJob>): Promise<void> {
    return this.#enqueue(async () => {
      const live = [...jobs()];
      const tmp = `${this.path}.tmp`;
      const out = await open(tmp, 'w');
      let size = 0;
      try {
        let chunk = '';
        for (const job of live) {
          chunk += `${JSON.stringify({ t: 'add', status: job.status, data: job.data, opts: job.opts } satisfies JournalRecord)}\n`;
          if (chunk.length > 64 * 1024) {
            await out.write(chunk);
            size += Buffer.byteLength(chunk);
            chunk = '';
          }
        }
        await out.write(chunk);
        size += Buffer.byteLength(chunk);
        await out.datasync();
      } finally {
        await out.close();
      }
      await rename(tmp, this.path);
      await syncDir(dirname(this.path));
      await this.#handle.close();
      this.#handle = await open(this.path, 'a');
      this.#size = size;
      // reason: when the live jobs alone are near the bound, compacting after every append would
      // rewrite the whole file each time; wait until the file has doubled.
      this.#compactAt = Math.max(this.compactBytes, size * 2);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    this.#closed = true;
    try {
      await this.#enqueue(async () => {
        await this.#handle.datasync();
        await this.#handle.close();
        this.#handleClosed = true;
      });
    } finally {
      this.#closing = false;
    }
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    if (this.#closed && !this.#closing) return Promise.reject(new StudioError('STUDIO_QUEUE_CLOSED', `the journal ${this.path} is closed`));
    const run = this.#tail.then(step);
    // reason: one failed write must not wedge every later one; the caller of that write sees it
    this.#tail = run.catch(() => undefined);
    return run;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic
  } finally {
    await handle.close();
  }
}

export async function removeJournal(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.tmp`, { force: true });
}
