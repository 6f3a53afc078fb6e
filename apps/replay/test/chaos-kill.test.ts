// docs/replay-import.md. Chaos: `tidewire replay serve --udp PORT --record-timeline FILE --record
// CAPTURE` runs as a child process fed by a real UDP sender (the synthetic session of
// fixtures/f1-session.ts), and is killed with SIGKILL at chosen moments: a few frames into a
// segment, right after a segment was sealed, and in the middle of a stream. The timeline file must
// then open with `recover: true` holding every segment the recorder sealed, pass verify(), and give
// back exactly the frames the session makes, in order; the capture must hold the datagrams sent, in
// order. Restarting the recorder on the same file must not destroy what the killed one left.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { TimelineReader } from '@tidewire/timeline';
import { readCapture } from '../src/import/index.ts';
import { checkFramePrefix, sleep, startRecorder, steps, waitFor, type Recorder } from './chaos-helpers.ts';
import { expectedFrames } from './fixtures/f1-session.ts';
import { decodeAll } from './fixtures/timeline-frames.ts';

/** 2 s at 25 Hz: the live timeline's default segment. */
const SEGMENT_FRAMES = 50;

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-chaos-kill-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Segments a reader finds in the file now (0 while it is shorter than its header). */
async function segmentsOnDisk(path: string): Promise<number> {
  try {
    return TimelineReader.open(new Uint8Array(await readFile(path)), { recover: true }).segmentCount;
  } catch {
    return 0;
  }
}

async function kill(r: Recorder): Promise<void> {
  r.child.kill('SIGKILL');
  const { signal } = await r.exited;
  assert.equal(signal, 'SIGKILL');
}

/** What a killed recorder left: a cut timeline that recovers and verifies, frames as sent; the capture as sent. */
async function checkLeft(timeline: string, capture: string, sent: Uint8Array[], sentSteps: number, minSegments: number): Promise<number> {
  const bytes = new Uint8Array(await readFile(timeline));
  assert.throws(() => TimelineReader.open(bytes), { code: 'TL_TRUNCATED' }, 'a killed recording has no index');
  const d = await decodeAll(bytes, { recover: true }); // verify() inside
  assert.equal(d.reader.complete, false);
  assert.ok(d.reader.segmentCount >= minSegments, `${d.reader.segmentCount} segments recovered, at least ${minSegments} were sealed before the kill`);
  assert.equal(d.frames.length, d.reader.segmentCount * SEGMENT_FRAMES, 'only whole segments');
  checkFramePrefix(d, expectedFrames(sentSteps), 'recovered');
  let n = 0;
  for await (const r of readCapture(capture)) {
    assert.deepEqual(r.datagram, sent[n], `capture record ${n}`);
    n++;
  }
  assert.ok(n <= sent.length);
  return d.reader.segmentCount;
}

describe('§3.7 a recording killed with SIGKILL', () => {
  it('§3.7 §4 a few frames into a segment: every sealed segment recovers, verifies and holds the frames sent', async (t) => {
    const dir = await tempDir(t);
    const timeline = join(dir, 'live.twtl');
    const capture = join(dir, 'live.twcap');
    const r = await startRecorder(t, ['--record-timeline', timeline, '--record', capture]);
    // 110 steps (5.45 s of session time) → 137 frames: two sealed segments, 37 frames in the open one.
    const sent = steps(0, 110);
    await r.send(sent);
    await waitFor(async () => (await segmentsOnDisk(timeline)) >= 2, 'two segments on disk');
    await kill(r);
    assert.equal(await checkLeft(timeline, capture, sent, 110, 2), 2, 'the open segment is not in the file');
  });

  it('§3.7 right after a segment was sealed: that segment is in the file', async (t) => {
    const dir = await tempDir(t);
    const timeline = join(dir, 'live.twtl');
    const capture = join(dir, 'live.twcap');
    const r = await startRecorder(t, ['--record-timeline', timeline, '--record', capture]);
    // 122 steps → 152 frames: frame 150 sealed the third segment.
    const sent = steps(0, 122);
    await r.send(sent);
    await waitFor(async () => (await segmentsOnDisk(timeline)) >= 3, 'the third segment on disk', 20_000);
    await kill(r);
    assert.equal(await checkLeft(timeline, capture, sent, 122, 3), 3);
  });

  it('§3.7 in the middle of a stream, then a restart on the same file: the restart refuses and the recording stays', async (t) => {
    const dir = await tempDir(t);
    const timeline = join(dir, 'live.twtl');
    const capture = join(dir, 'live.twcap');
    const r = await startRecorder(t, ['--record-timeline', timeline, '--record', capture]);
    const sent = steps(0, 400);
    // Killed while datagrams are still coming, at no particular point of a segment or a write.
    const sending = r.send(sent, 30).catch(() => {});
    await waitFor(async () => (await segmentsOnDisk(timeline)) >= 2, 'two segments on disk');
    await sleep(137);
    await kill(r);
    await sending;
    const segments = await checkLeft(timeline, capture, sent, 400, 2);
    const before = await readFile(timeline);

    // A supervisor restarting the recorder with the same command line must not truncate the file.
    const again = await startRecorder(t, ['--record-timeline', timeline]).then(
      () => null,
      (e: Error) => e,
    );
    assert.ok(again !== null, 'the restart is refused');
    assert.match(again.message, /IMPORT_FILE_EXISTS/);
    assert.deepEqual(await readFile(timeline), before, 'the killed recording is untouched');
    const d = await decodeAll(new Uint8Array(before), { recover: true });
    assert.equal(d.reader.segmentCount, segments);
  });

  it('§3.7 a clean stop (SIGTERM) completes the file: it opens without recovery and holds every frame', async (t) => {
    const dir = await tempDir(t);
    const timeline = join(dir, 'live.twtl');
    const r = await startRecorder(t, ['--record-timeline', timeline]);
    const sent = steps(0, 90);
    await r.send(sent);
    r.child.kill('SIGTERM');
    assert.deepEqual(await r.exited, { code: 0, signal: null });
    const d = await decodeAll(new Uint8Array(await readFile(timeline)));
    assert.equal(d.reader.complete, true);
    assert.equal(d.frames.length, expectedFrames(90).length);
    checkFramePrefix(d, expectedFrames(90), 'complete');
  });
});
