// Finished renders (docs/studio.md §1.3): `<dataDir>/renders/<id>.mp4`, `<id>.jpg` (the
// thumbnail) and `<id>.json` (the LibraryEntry, written last: an entry without its JSON is not
// in the library). Entries are held in memory newest first; the list is read once at start.
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LibraryEntry } from '../model.ts';
import { StudioError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';
import { checkId } from './names.ts';

/** Entries one list request returns at most. */
export const MAX_LIBRARY_PAGE = 10_000;

export class Library {
  readonly dir: string;
  /** Newest first. */
  private entries: LibraryEntry[] = [];
  private readonly byId = new Map<string, LibraryEntry>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'renders');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    const loaded: LibraryEntry[] = [];
    for (const n of names) {
      try {
        const e = JSON.parse(await readFile(join(this.dir, n), 'utf8')) as LibraryEntry;
        if (`${e.id}.json` === n) loaded.push(e);
      } catch {
        // a foreign or damaged file: not an entry
      }
    }
    loaded.sort((a, b) => b.createdAt - a.createdAt);
    this.entries = loaded;
    for (const e of loaded) this.byId.set(e.id, e);
  }

  get size(): number {
    return this.entries.length;
  }

  page(offset: number, limit: number): LibraryEntry[] {
    return this.entries.slice(offset, offset + Math.min(limit, MAX_LIBRARY_PAGE));
  }

  get(id: string): LibraryEntry {
    const e = this.byId.get(checkId('render', id));
    if (!e) throw new StudioError('STUDIO_NOT_FOUND', `no render ${id}`);
    return e;
  }

  videoPath(id: string): string {
    return join(this.dir, `${checkId('render', id)}.mp4`);
  }

  thumbnailPath(id: string): string {
    return join(this.dir, `${checkId('render', id)}.jpg`);
  }

  /** Lists a finished render whose MP4 (and thumbnail) are in place. */
  async add(entry: LibraryEntry): Promise<void> {
    await writeFileAtomic(join(this.dir, `${checkId('render', entry.id)}.json`), JSON.stringify(entry));
    const old = this.byId.get(entry.id);
    if (old) this.entries.splice(this.entries.indexOf(old), 1);
    this.byId.set(entry.id, entry);
    this.entries.unshift(entry);
  }

  /**
   * Lists a render another process finished (a worker on the same data dir): reads its JSON
   * when it is not known yet. Quietly does nothing when there is none.
   */
  async adopt(id: string): Promise<void> {
    if (this.byId.has(id)) return;
    try {
      const e = JSON.parse(await readFile(join(this.dir, `${checkId('render', id)}.json`), 'utf8')) as LibraryEntry;
      if (e.id !== id || this.byId.has(id)) return;
      this.byId.set(id, e);
      this.entries.unshift(e);
    } catch {
      // not on this disk (yet)
    }
  }

  async delete(id: string): Promise<void> {
    const e = this.get(id);
    this.byId.delete(id);
    this.entries.splice(this.entries.indexOf(e), 1);
    for (const ext of ['json', 'mp4', 'jpg']) await rm(join(this.dir, `${id}.${ext}`), { force: true });
  }

  /** Bytes of the finished renders (the cache-bytes gauge). */
  totalBytes(): number {
    let n = 0;
    for (const e of this.entries) n += e.bytes;
    return n;
  }

  async exists(path: string): Promise<boolean> {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  }
}
