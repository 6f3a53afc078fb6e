// Watches one .als file for saves. Live saves by writing a temporary file and renaming it
// over the set, so the watch is on the file's directory (a watch on the file itself would
// follow the old inode away); chokidar's `atomic` folds an unlink + add within 100 ms into one
// change. Events are debounced: one save can fire several (the temp file, the rename, a
// follow-up touch), and the owner re-reads once they settle. chokidar drops a second change
// within 50 ms of the first, so after each notification the file's identity (inode, size,
// mtime) is checked once more a little later, and a save that fell into that gap is reported.
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';

/** Longer than chokidar's 50 ms change throttle. */
const RECHECK_MS = 120;

export interface AlsWatcherOptions {
  path: string;
  /** Quiet time after the last event before onChange (ms). */
  debounceMs?: number;
  /** Polling instead of native events (network drives; tests on exotic file systems). */
  usePolling?: boolean;
  onChange(): void;
  onError?(err: Error): void;
}

export class AlsWatcher {
  private readonly watcher: FSWatcher;
  private readonly debounceMs: number;
  private readonly onChange: () => void;
  private readonly file: string;
  private timer: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(watcher: FSWatcher, file: string, opts: AlsWatcherOptions) {
    this.watcher = watcher;
    this.file = file;
    this.debounceMs = opts.debounceMs ?? 250;
    this.onChange = opts.onChange;
  }

  /** Resolves once the initial scan is done, so a save right after start is seen. */
  static async start(opts: AlsWatcherOptions): Promise<AlsWatcher> {
    const file = resolve(opts.path);
    const dir = dirname(file);
    const name = basename(file);
    const watcher = watch(dir, {
      depth: 0,
      ignoreInitial: true,
      atomic: true,
      usePolling: opts.usePolling ?? false,
      interval: 100,
      // Only the set itself: Live's project folder also holds samples, backups and temp files.
      ignored: (p: string) => p !== dir && basename(p) !== name,
    });
    const self = new AlsWatcher(watcher, file, opts);
    watcher.on('all', (event: string, path: string) => {
      if (resolve(path) !== file) return;
      if (event === 'add' || event === 'change' || event === 'unlink') self.touch();
    });
    watcher.on('error', (err: unknown) => opts.onError?.(err instanceof Error ? err : new Error(String(err))));
    await new Promise<void>((ready) => watcher.once('ready', () => ready()));
    return self;
  }

  private touch(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      const seen = this.signature();
      this.onChange();
      clearTimeout(this.recheck);
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        if (!this.closed && this.signature() !== seen) this.touch();
      }, RECHECK_MS);
    }, this.debounceMs);
  }

  private signature(): string {
    try {
      const s = statSync(this.file);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.recheck);
    await this.watcher.close();
  }
}
