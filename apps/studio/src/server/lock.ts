// One studio server per data dir (docs/studio.md §1.1). A second server on the same data
// dir would clean up the first one's "leftovers" — killing its running renders — and replay its
// queue journal as if it had crashed. The lock is a pid file created with O_EXCL; a file whose
// process is gone (killed, or a zombie) is stale and taken over.
import { openSync, readFileSync, rmSync, writeSync, closeSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StudioError } from '../errors.ts';

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // no /proc (not Linux): ask the kernel whether the pid exists
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}

/** Lock files this process holds (a pid file cannot tell two mounts in one process apart). */
const held = new Set<string>();

/** Takes the lock file `path` for this process; throws STUDIO_DATA_DIR_BUSY when a live process (or this one) holds it. Returns its release. */
export function lockDataDir(path: string): () => void {
  if (held.has(path)) throw new StudioError('STUDIO_DATA_DIR_BUSY', `this process already serves a studio on ${dirname(path)}`);
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && running(holder)) {
        throw new StudioError('STUDIO_DATA_DIR_BUSY', `another studio server (pid ${holder}) uses this data dir (${dirname(path)}); give this one its own`);
      }
      rmSync(path, { force: true }); // stale: its process is gone
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    held.add(path);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      held.delete(path);
      rmSync(path, { force: true });
    };
  }
  throw new StudioError('STUDIO_DATA_DIR_BUSY', `could not take the lock ${path}`);
}
