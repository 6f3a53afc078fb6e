// How every `tidewire` command writes a file the user named (docs/cli.md §7): only a path that
// does not exist yet or a regular file is written; anything else is refused with
// CLI_OUT_NOT_REGULAR and left exactly as it was. Whole files appear atomically (a temp file in
// the same folder, fsynced, renamed over the target), so no reader ever sees half an output.
//
// Why refuse a symbolic link rather than follow it: the rename that makes the write atomic
// replaces the link itself, not the file it points at (the user's "file" silently stops being a
// link, and the target keeps its old content); writing through the link instead truncates
// whatever it points at, which for a process running as root can be any file on the system.
// Naming the real path is always possible, so the strict choice costs nothing.
//
// Devices and FIFOs are refused because a rename would replace the node (as root, `--out
// /dev/full` deleted the device), and writing into one is not "writing an output file".
import { constants, type Stats } from 'node:fs';
import { chmod, lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CliError } from './errors.ts';

/** What a file system entry is, in words for an error message. */
export function describeFileType(s: Stats): string {
  if (s.isFile()) return 'regular file';
  if (s.isSymbolicLink()) return 'symbolic link';
  if (s.isDirectory()) return 'directory';
  if (s.isFIFO()) return 'FIFO';
  if (s.isCharacterDevice()) return 'character device';
  if (s.isBlockDevice()) return 'block device';
  if (s.isSocket()) return 'socket';
  return 'special file';
}

function notRegular(path: string, s: Stats): CliError {
  return new CliError(
    'CLI_OUT_NOT_REGULAR',
    `refusing to write ${path}: it is a ${describeFileType(s)}, not a regular file (name a new path or a regular file; it was left as it is)`,
  );
}

/**
 * Checks that `path` may be written: it does not exist, or it is a regular file (not followed
 * through a symbolic link). Returns its stats when it exists (for its mode), null when it does not.
 * Throws CliError CLI_OUT_NOT_REGULAR otherwise; other lstat errors (EACCES) go through.
 */
export async function checkOutputPath(path: string): Promise<Stats | null> {
  let s: Stats;
  try {
    s = await lstat(path);
  } catch (e) {
    // ENOTDIR (a parent is a file) is left to the write, which reports it.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  if (!s.isFile()) throw notRegular(path, s);
  return s;
}

/** A fresh temp path beside `path` (same folder, so the rename is atomic), hidden, keeping the extension. */
export function tempPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

/**
 * Renames a finished temp file (beside `path`) over `path`, after checking `path` again: an
 * output that became a link or a device while the work ran is refused too, and the temp file
 * removed. A replaced regular file's permission bits carry over.
 */
export async function commitOutputFile(tmp: string, path: string): Promise<void> {
  try {
    const existing = await checkOutputPath(path);
    if (existing) await chmod(tmp, existing.mode & 0o7777);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes `data` to `path` whole or not at all: refused unless `path` is new or a regular file
 * (CLI_OUT_NOT_REGULAR), written to a temp file beside it, fsynced, then renamed over it. On any
 * failure the temp file is removed and `path` is as it was.
 */
export async function writeOutputFile(path: string, data: string | Uint8Array): Promise<void> {
  await checkOutputPath(path);
  const tmp = tempPathBeside(path);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx', 0o666);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
  } catch (e) {
    await fh?.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
  await commitOutputFile(tmp, path);
}

/**
 * Opens `path` for writing in place (created or truncated) — for an output that grows while a
 * command runs (a capture recording) and must survive the command being killed, so it cannot be
 * a temp file renamed at the end. The same refusal as writeOutputFile; opened with O_NOFOLLOW
 * (a link put there after the check is not followed) and O_NONBLOCK (a FIFO put there cannot
 * block the open), and checked again on the open descriptor.
 */
export async function openOutputFile(path: string): Promise<FileHandle> {
  await checkOutputPath(path);
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o666);
  } catch (e) {
    // ELOOP: a symbolic link appeared between the check and the open.
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw notRegular(path, await lstat(path));
    throw e;
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw notRegular(path, s);
    // Truncate only now that it is known to be a regular file (O_TRUNC at open would act first).
    await fh.truncate(0);
    return fh;
  } catch (e) {
    await fh.close().catch(() => {});
    throw e;
  }
}
