// docs/cli.md §7: `tidewire replay import-csv --out` and `tidewire replay serve --udp --record`
// write only a new path or a regular file; a symbolic link, a FIFO, a directory or a device is
// refused (exit 1, CLI_OUT_NOT_REGULAR naming it) and left as it was.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { specialTargets } from '@tidewire/testkit';
import { createReplayCommand } from '../src/index.ts';
import { createReplayServeCommand } from '../src/serve/command.ts';
import { CAPTURE_MAGIC } from '../src/import/capture.ts';
import { sampleCars, toCsv } from './fixtures/fastf1-csv.ts';

/** A UDP port free a moment ago (`--udp` takes no 0). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

function sinks() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, o: { write: (s: string) => void out.push(s) }, e: { write: (s: string) => void err.push(s) } };
}

test('§7 replay import-csv --out: a symbolic link, a FIFO, a directory, a character device are refused and left as they were; a regular file is replaced', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tw-out-csv-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const input = join(dir, 'session.csv');
  await writeFile(input, toCsv(sampleCars(1)));
  const targets = await specialTargets(dir, 'tl');
  const made = (await readdir(dir)).sort();
  for (const target of targets) {
    const s = sinks();
    const code = await createReplayCommand(s.o, s.e).run(['import-csv', input, '--out', target.path]);
    await target.assertUnchanged();
    const err = s.err.join('');
    assert.equal(code, 1, `${target.kind}: ${err}`);
    assert.ok(err.includes('CLI_OUT_NOT_REGULAR: ') && err.includes(target.path) && err.includes(target.kind), err);
  }
  assert.deepEqual((await readdir(dir)).sort(), made, 'no temporary file is left behind');

  const regular = join(dir, 'old.tl');
  await writeFile(regular, 'old');
  const s = sinks();
  assert.equal(await createReplayCommand(s.o, s.e).run(['import-csv', input, '--out', regular]), 0, s.err.join(''));
  assert.notEqual(await readFile(regular, 'utf8'), 'old');
});

test('§7 replay serve --record: a symbolic link, a FIFO, a directory, a character device are refused before serving and left as they were', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tw-out-record-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const target of await specialTargets(dir, 'twcap')) {
    const s = sinks();
    // A command that wrongly starts serving is stopped, not left hanging.
    const signal = AbortSignal.timeout(5_000);
    const cmd = createReplayServeCommand(s.o, s.e, { signal });
    const code = await cmd.run(['--udp', String(await freeUdpPort()), '--record', target.path, '--port', '0']);
    await target.assertUnchanged();
    const err = s.err.join('');
    assert.equal(code, 1, `${target.kind}: ${err}`);
    assert.ok(err.includes('CLI_OUT_NOT_REGULAR: ') && err.includes(target.path) && err.includes(target.kind), err);
    assert.equal(s.out.join(''), '', 'nothing was served');
  }
  // A regular file is still recorded into.
  const regular = join(dir, 'old.twcap');
  await writeFile(regular, 'old');
  const s = sinks();
  const stop = new AbortController();
  const running = createReplayServeCommand(s.o, s.e, { signal: stop.signal }).run(['--udp', String(await freeUdpPort()), '--record', regular, '--port', '0']);
  const deadline = Date.now() + 10_000;
  while (!s.out.join('').includes('page:')) {
    if (Date.now() > deadline) assert.fail(`timed out after 10000 ms waiting for replay serve to start: ${s.err.join('')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  stop.abort();
  assert.equal(await running, 0, s.err.join(''));
  assert.deepEqual(new Uint8Array(await readFile(regular)).subarray(0, 8), CAPTURE_MAGIC);
});
