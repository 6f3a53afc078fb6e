// docs/cli.md §7, @tidewire/cli output files: writeOutputFile, commitOutputFile and openOutputFile
// write only a new path or a regular file (never through or over a symbolic link, FIFO, device,
// directory or socket: CLI_OUT_NOT_REGULAR, the path left as it was), whole files atomically.
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { specialTargets } from '@tidewire/testkit';
import { checkOutputPath, CliError, commitOutputFile, defineCommand, openOutputFile, writeOutputFile } from '../src/index.ts';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cli-out-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function refused(p: Promise<unknown>, path: string, kind: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(CliError.is(e, 'CLI_OUT_NOT_REGULAR'), String(e));
    assert.ok(e.message.includes(path) && e.message.includes(kind), e.message);
    return true;
  });
}

/** A listening Unix socket at `path`, closed after the test. */
async function unixSocket(t: TestContext, path: string): Promise<Server> {
  const server = createServer();
  server.listen(path);
  await once(server, 'listening');
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

describe('§7 output files', () => {
  it('writeOutputFile writes a new path, and replaces a regular file whole, keeping its permission bits, leaving no temp file', async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, 'a.bin');
    await writeOutputFile(path, Uint8Array.of(1, 2, 3));
    assert.deepEqual(new Uint8Array(await readFile(path)), Uint8Array.of(1, 2, 3));
    await chmod(path, 0o640);
    await writeOutputFile(path, 'text');
    assert.equal(await readFile(path, 'utf8'), 'text');
    assert.equal((await stat(path)).mode & 0o777, 0o640);
    assert.deepEqual(await readdir(dir), ['a.bin']);
  });

  it('a symbolic link, a FIFO, a directory, a character device, a socket, a dangling link: refused by every writer and left as they were', async (t) => {
    const dir = await tempDir(t);
    const targets = await specialTargets(dir);
    const socketPath = join(dir, 'socket.out');
    await unixSocket(t, socketPath);
    const dangling = join(dir, 'dangling.out');
    await symlink(join(dir, 'nowhere'), dangling);
    const made = (await readdir(dir)).sort();
    for (const target of targets) {
      await refused(checkOutputPath(target.path), target.path, target.kind);
      await refused(writeOutputFile(target.path, 'x'), target.path, target.kind);
      await refused(openOutputFile(target.path), target.path, target.kind);
      await target.assertUnchanged();
    }
    // Thunks: both promises made at once, the second could reject before it is awaited (an unhandled rejection).
    for (const write of [() => writeOutputFile(socketPath, 'x'), () => openOutputFile(socketPath)]) await refused(write(), socketPath, 'socket');
    assert.ok((await lstat(socketPath)).isSocket());
    for (const write of [() => writeOutputFile(dangling, 'x'), () => openOutputFile(dangling)]) await refused(write(), dangling, 'symbolic link');
    assert.ok((await lstat(dangling)).isSymbolicLink());
    await assert.rejects(lstat(join(dir, 'nowhere')), { code: 'ENOENT' });
    assert.deepEqual((await readdir(dir)).sort(), made, 'no temporary file is left behind');
  });

  it('commitOutputFile checks again at the rename: a target that became a FIFO meanwhile is refused and the temp file removed', async (t) => {
    const dir = await tempDir(t);
    const [, fifo] = await specialTargets(dir);
    const tmp = join(dir, 'work.tmp');
    await writeFile(tmp, 'finished work');
    await refused(commitOutputFile(tmp, fifo!.path), fifo!.path, 'FIFO');
    await fifo!.assertUnchanged();
    await assert.rejects(lstat(tmp), { code: 'ENOENT' });
  });

  it('openOutputFile creates a new file or truncates a regular one, for writing in place', async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, 'rec.bin');
    await writeFile(path, 'an old recording');
    const fh = await openOutputFile(path);
    assert.equal((await fh.stat()).size, 0);
    await fh.write('new');
    await fh.close();
    assert.equal(await readFile(path, 'utf8'), 'new');
    const fresh = await openOutputFile(join(dir, 'fresh.bin'));
    await fresh.close();
    assert.ok((await stat(join(dir, 'fresh.bin'))).isFile());
  });

  it('a command whose run meets a refused path prints `tidewire <cmd>: CLI_OUT_NOT_REGULAR: …` and exits 1', async (t) => {
    const dir = await tempDir(t);
    const [link] = await specialTargets(dir);
    let err = '';
    const cmd = defineCommand({
      name: 'thing write',
      summary: 'writes',
      options: { out: { type: 'string', value: 'FILE', help: 'the file' } },
      io: { out: { write: () => {} }, err: { write: (s) => void (err += s) } },
      async run({ values }) {
        await writeOutputFile(values.out!, 'x');
        return 0;
      },
    });
    assert.equal(await cmd.run(['--out', link!.path]), 1);
    assert.match(err, /^tidewire thing write: CLI_OUT_NOT_REGULAR: refusing to write .*link\.out: it is a symbolic link/);
    await link!.assertUnchanged();
  });
});
