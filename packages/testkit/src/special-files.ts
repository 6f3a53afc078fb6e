// Paths that are not regular files, for the tests of every command that writes an output file
// (docs/cli.md §7): a symbolic link to a file, a FIFO, a directory and a character device. Each
// knows how to check that it is still what it was, so a test can show that a refused write left
// it alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SpecialTarget {
  /** What `describeFileType` (@tidewire/cli) calls it: 'symbolic link', 'FIFO', 'directory', 'character device'. */
  kind: string;
  path: string;
  /** Asserts that the path is still the same kind of thing, with the same content or target. */
  assertUnchanged(): Promise<void>;
}

/**
 * Makes, in `dir`, one path of each kind that an output must not replace, named `<kind>.<ext>`.
 * The character device is a twin of /dev/null made with mknod when the process is root; otherwise
 * /dev/null itself — only ever to be refused: a process that is not root cannot replace it.
 */
export async function specialTargets(dir: string, ext = 'out'): Promise<SpecialTarget[]> {
  const precious = join(dir, `precious-${ext}.txt`);
  await writeFile(precious, 'precious\n');
  const link = join(dir, `link.${ext}`);
  await symlink(precious, link);
  const fifo = join(dir, `fifo.${ext}`);
  await run('mkfifo', [fifo]);
  const folder = join(dir, `folder.${ext}`);
  await mkdir(folder);
  await writeFile(join(folder, 'inside.txt'), 'inside\n');
  const root = process.getuid?.() === 0;
  const device = root ? join(dir, `device.${ext}`) : '/dev/null';
  if (root) await run('mknod', [device, 'c', '1', '3']);
  const deviceRdev = (await lstat(device)).rdev;
  return [
    {
      kind: 'symbolic link',
      path: link,
      async assertUnchanged() {
        assert.ok((await lstat(link)).isSymbolicLink(), `${link} is still a symbolic link`);
        assert.equal(await readlink(link), precious);
        assert.equal(await readFile(precious, 'utf8'), 'precious\n', 'the link target is untouched');
      },
    },
    {
      kind: 'FIFO',
      path: fifo,
      async assertUnchanged() {
        assert.ok((await lstat(fifo)).isFIFO(), `${fifo} is still a FIFO`);
      },
    },
    {
      kind: 'directory',
      path: folder,
      async assertUnchanged() {
        assert.ok((await lstat(folder)).isDirectory(), `${folder} is still a directory`);
        assert.equal(await readFile(join(folder, 'inside.txt'), 'utf8'), 'inside\n');
      },
    },
    {
      kind: 'character device',
      path: device,
      async assertUnchanged() {
        const s = await lstat(device);
        assert.ok(s.isCharacterDevice(), `${device} is still a character device`);
        assert.equal(s.rdev, deviceRdev);
      },
    },
  ];
}
