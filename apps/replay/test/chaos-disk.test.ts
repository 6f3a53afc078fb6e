// docs/replay-import.md. Chaos: the disk fills up under `tidewire replay serve --udp PORT
// --record-timeline FILE` running as a child process fed over real UDP. Two real limits: a 1 MiB
// tmpfs (the capture fills it, ENOSPC; needs root to mount, skipped otherwise) and a file-size
// rlimit (`prlimit --fsize`, EFBIG, the fourth segment written only in part). Either way the
// recording stops with IMPORT_DISK_FULL (a warning on stderr and
// tidewire_replay_record_errors_total), the server keeps taking telemetry and serving the live
// timeline, stops cleanly on SIGTERM, and the file holds every segment written before: it opens
// with `recover: true`, verifies, and gives back the frames sent.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it, type TestContext } from 'node:test';
import { readCapture } from '../src/import/index.ts';
import { checkFramePrefix, startRecorder, steps, type Recorder } from './chaos-helpers.ts';
import { expectedFrames } from './fixtures/f1-session.ts';
import { decodeAll } from './fixtures/timeline-frames.ts';

const run = promisify(execFile);

/** A temp dir, and with `disk` a 1 MiB tmpfs in it (null when it cannot be mounted: not root); both gone after the test. */
async function tempDir(t: TestContext, disk = false): Promise<{ dir: string; mnt: string | null }> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-chaos-disk-'));
  let mnt: string | null = null;
  // One hook, in order: the recorder is gone (its hook ran first), unmount, then remove.
  t.after(async () => {
    if (mnt !== null) await run('umount', [mnt]);
    await rm(dir, { recursive: true, force: true });
  });
  if (disk && process.getuid?.() === 0) {
    await mkdir(join(dir, 'mnt'));
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', join(dir, 'mnt')]);
      mnt = join(dir, 'mnt');
    } catch {
      // not permitted (a container without CAP_SYS_ADMIN): the test skips
    }
  }
  return { dir, mnt };
}

async function servedFrames(r: Recorder): Promise<number> {
  const res = await fetch(`${r.url}/api/timelines/race`);
  assert.equal(res.status, 200);
  return ((await res.json()) as { frameCount: number }).frameCount;
}

/** After the disk is full: the recorder still takes telemetry and serves it, and stops cleanly. */
async function keepsServing(r: Recorder, from: number, to: number): Promise<void> {
  const before = await servedFrames(r);
  await r.send(steps(from, to));
  assert.ok((await servedFrames(r)) > before, 'the live timeline grows after the disk filled up');
  r.child.kill('SIGTERM');
  assert.deepEqual(await r.exited, { code: 0, signal: null }, `a clean stop; stderr: ${r.stderr()}`);
  assert.match(r.stdout(), /stopped\n$/);
}

describe('§3.7 §5 the disk fills up while recording', () => {
  it('§3.7 §5 a full file system (1 MiB tmpfs, ENOSPC): both files stop with IMPORT_DISK_FULL, the server goes on, the files stay readable', async (t) => {
    const { mnt } = await tempDir(t, true);
    if (mnt === null) return t.skip('mounting a tmpfs needs root (mount -t tmpfs); the prlimit test covers the code');
    const timeline = join(mnt, 'live.twtl');
    const capture = join(mnt, 'live.twcap');
    const r = await startRecorder(t, ['--record-timeline', timeline, '--record', capture]);
    // 1,000 steps: 3,000 datagrams of ~1.3 KB, about four times the disk.
    const sent = steps(0, 1000);
    await r.send(sent);
    assert.equal(await r.metric('tidewire_replay_record_errors_total', 'file="capture",code="IMPORT_DISK_FULL"'), 1);
    assert.equal(await r.metric('tidewire_replay_record_errors_total', 'file="timeline",code="IMPORT_DISK_FULL"'), 1);
    assert.match(r.stderr(), /IMPORT_DISK_FULL: the capture file stopped recording/);
    assert.match(r.stderr(), /IMPORT_DISK_FULL: the timeline file stopped recording/);
    await keepsServing(r, 1000, 1100);

    const d = await decodeAll(new Uint8Array(await readFile(timeline)), { recover: true });
    assert.ok(d.reader.segmentCount >= 1, 'segments written before the disk filled are there');
    checkFramePrefix(d, expectedFrames(1000), 'recovered');
    let n = 0;
    for await (const rec of readCapture(capture)) assert.deepEqual(rec.datagram, sent[n++], `capture record ${n - 1}`);
    assert.ok(n > 0 && n < sent.length, `${n} records`);
  });

  it('§3.7 §5 the file size limit (prlimit --fsize, EFBIG) cuts a segment record in two: IMPORT_DISK_FULL, the whole segments before it recover', async (t) => {
    const prlimit = await run('prlimit', ['--version']).then(
      () => true,
      () => false,
    );
    if (!prlimit) return t.skip('prlimit (util-linux) is not installed');
    const { dir } = await tempDir(t);
    const timeline = join(dir, 'live.twtl');
    // The header (~2.9 KB) and three segments (~0.5 KB each) fit; the fourth is written in part.
    const r = await startRecorder(t, ['--record-timeline', timeline], ['prlimit', '--fsize=4500']);
    await r.send(steps(0, 300));
    assert.equal(await r.metric('tidewire_replay_record_errors_total', 'file="timeline",code="IMPORT_DISK_FULL"'), 1);
    assert.match(r.stderr(), /IMPORT_DISK_FULL: the timeline file stopped recording .*EFBIG/);
    await keepsServing(r, 300, 400);

    const bytes = new Uint8Array(await readFile(timeline));
    assert.equal(bytes.length, 4500, 'the limit cut the file');
    const d = await decodeAll(bytes, { recover: true });
    assert.equal(d.reader.segmentCount, 3);
    assert.equal(d.reader.segmentInfo(2).offset + d.reader.segmentInfo(2).length < bytes.length, true, 'a torn record follows the last whole segment');
    checkFramePrefix(d, expectedFrames(300), 'recovered');
  });
});
