// docs/liveset-osc.md. Chaos: `tidewire liveset --als FILE` runs as a child process while the test
// tears its .als the way a crashing or slow writer would — truncated to nothing, then part of a
// set, then the rest (pauses longer than the watch's debounce in between, so the mirror reads every
// piece), and a half file renamed over the set before the whole one. The mirror must keep its last
// good tree (the ETag of GET /api/trees/liveset is its root hash) while counting each failed read
// (tidewire_liveset_als_loads_total{result="error"}) and publishing its ALS_* code (event `error`),
// then load the whole file: its hash equals a fresh parse of that file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, openSync, writeSync, closeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, type TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { TidewireClient } from '@tidewire/client';
import { Tree } from '@tidewire/tree';
import { readAls } from '../src/als/parse.ts';
import { buildMirrorTree } from '../src/live-model.ts';
import { fixturePath } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./chaos-child.ts', import.meta.url));
/** Longer than the watch's 250 ms debounce plus its 120 ms re-check and a read. */
const PAUSE_MS = 900;

interface Child {
  url: string;
  stderr: () => string;
  events: Map<string, unknown>;
}

/** Starts `tidewire liveset --als file` in a child process and subscribes to its events. */
async function startChild(t: TestContext, file: string): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, '--als', file, '--port', '0', '--osc-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The mirror's "keeping the last good tree" line is asserted on stderr, where the log may be silent in tests.
    env: { ...process.env, TIDEWIRE_TEST: '1', TIDEWIRE_LOG_LEVEL: 'warn' },
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  await waitFor(() => /tree:\s+(\S+)\/api\/trees\/liveset/.test(out) || child.exitCode !== null, 'the child to listen', 30_000);
  const m = /tree:\s+(\S+)\/api\/trees\/liveset/.exec(out);
  if (m === null) throw new Error(`the child did not start: ${err}`);
  const url = m[1]!;
  const client = new TidewireClient({ url: url.replace(/^http/, 'ws'), WebSocket, reconnect: false });
  t.after(() => client.close());
  const events = new Map<string, unknown>();
  client.events('liveset-events', (k, v) => events.set(k, v));
  return { url, stderr: () => err, events };
}

/** The mirror's root hash: the ETag of its snapshot. */
async function servedHash(url: string): Promise<string> {
  const res = await fetch(`${url}/api/trees/liveset`);
  await res.arrayBuffer();
  assert.equal(res.status, 200);
  return res.headers.get('etag')!.replaceAll('"', '');
}

async function alsLoads(url: string, result: 'ok' | 'error'): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^tidewire_liveset_als_loads_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

/** What the mirror holds after reading `file` whole (no Live connected: the file alone). */
async function freshHash(file: string): Promise<string> {
  return new Tree(buildMirrorTree((await readAls(file)).tree, null)).rootHash;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls an (async) condition every 50 ms; the deadline is generous, not a timing assertion. */
async function waitFor(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

function tempSet(t: TestContext): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tidewire-chaos-als-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'Song.als');
  copyFileSync(fixturePath('foo'), file);
  return { dir, file };
}

/** Waits until the mirror has failed one more read, then checks that it kept the good tree. */
async function expectKept(c: Child, errorsBefore: number, good: string, codes: readonly string[]): Promise<number> {
  await waitFor(async () => (await alsLoads(c.url, 'error')) > errorsBefore, 'the failed read to be counted', 10_000);
  const errors = await alsLoads(c.url, 'error');
  assert.equal(await servedHash(c.url), good, 'the last good tree stays');
  // The event comes over the WebSocket, possibly after the metrics answered: wait for this read's code.
  const code = () => (c.events.get('error') as { code?: string } | null | undefined)?.code;
  await waitFor(() => codes.includes(code() ?? ''), `an error event with ${codes.join(' or ')}`, 10_000);
  return errors;
}

describe('§7 .als watch under chaos (a real child process, torn writes)', () => {
  it('§6 §7 a set torn in place (emptied, half written, completed) keeps the last good tree, counts each failed read with its code, and reloads when whole', async (t) => {
    const { file } = tempSet(t);
    const c = await startChild(t, file);
    const good = await servedHash(c.url);
    assert.equal(good, await freshHash(file), 'the child serves the set it read');
    const next = readFileSync(fixturePath('live08'));
    const expected = await freshHash(fixturePath('live08'));
    assert.notEqual(expected, good);

    // A writer that opens the set with O_TRUNC and dies (or stalls) before writing.
    const fd = openSync(file, 'r+');
    t.after(() => {
      try {
        closeSync(fd);
      } catch {
        // closed below
      }
    });
    ftruncateSync(fd, 0);
    let errors = await expectKept(c, 0, good, ['ALS_EMPTY']);
    await sleep(PAUSE_MS);

    // Part of the new set: the gzip stream ends early.
    const cut = Math.floor(next.length * 0.4);
    writeSync(fd, next, 0, cut, 0);
    errors = await expectKept(c, errors, good, ['ALS_TRUNCATED']);
    await sleep(PAUSE_MS);

    // The rest: the mirror reloads and holds exactly what a fresh parse of the whole file gives.
    writeSync(fd, next, cut, next.length - cut, cut);
    closeSync(fd);
    await waitFor(async () => (await servedHash(c.url)) === expected, 'the completed set to load', 10_000);
    await waitFor(() => c.events.get('error') === null, 'the error to clear', 10_000);
    assert.equal(await freshHash(file), expected);
    assert.equal(await alsLoads(c.url, 'error'), errors, 'no read failed after the file was whole');
    assert.match(c.stderr(), /keeping the last good tree: ALS_TRUNCATED/);
  });

  it('§6 §7 a half set renamed over the file keeps the last good tree; the whole set renamed next loads', async (t) => {
    const { dir, file } = tempSet(t);
    const c = await startChild(t, file);
    const good = await servedHash(c.url);
    const next = readFileSync(fixturePath('live12'));
    const expected = await freshHash(fixturePath('live12'));

    const tmp = join(dir, '.Song.als.tmp');
    writeFileSync(tmp, next.subarray(0, next.length >> 1));
    renameSync(tmp, file);
    const errors = await expectKept(c, 0, good, ['ALS_TRUNCATED']);
    await sleep(PAUSE_MS);
    assert.equal(await servedHash(c.url), good);

    writeFileSync(tmp, next);
    renameSync(tmp, file);
    await waitFor(async () => (await servedHash(c.url)) === expected, 'the whole set to load', 10_000);
    await waitFor(() => c.events.get('error') === null, 'the error to clear', 10_000);
    assert.equal(await alsLoads(c.url, 'error'), errors);
    assert.ok((await alsLoads(c.url, 'ok')) >= 2);
  });
});
