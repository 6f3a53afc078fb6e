// The embedded queue: the shared contract (docs/studio.md §4.1) and its journal (§4.2).
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { openEmbeddedQueue, type EmbeddedQueueOptions } from '../src/queue/embedded.ts';
import { replayJournal } from '../src/queue/journal.ts';
import { canTransition, TRANSITIONS } from '../src/queue/states.ts';
import { backoffDelay } from '../src/queue/policy.ts';
import { CONTRACT_OPTIONS, aborted, request, result, runQueueContract, sleep, until, waitForState } from './queue-contract.ts';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'studio-queue-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

runQueueContract('embedded', (options) => openEmbeddedQueue({ dir: tempDir(), ...options }));

function opts(dir: string, more: Partial<EmbeddedQueueOptions> = {}): EmbeddedQueueOptions {
  return { dir, ...CONTRACT_OPTIONS, ...more };
}

describe('embedded queue: §3 state machine', () => {
  test('finished states have no way out and a job cannot start twice', () => {
    for (const s of ['completed', 'failed', 'cancelled'] as const) assert.deepEqual(TRANSITIONS[s], []);
    assert.equal(canTransition('completed', 'active'), false);
    assert.equal(canTransition('cancelled', 'completed'), false);
    assert.equal(canTransition('queued', 'completed'), false);
    assert.equal(canTransition('active', 'retrying'), true);
  });

  test('backoff doubles per retry, capped, with bounded jitter', () => {
    const b = { baseMs: 100, maxMs: 1000, jitterMs: 50 };
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffDelay(n, b, () => 0)),
      [100, 200, 400, 800, 1000],
    );
    assert.equal(
      backoffDelay(1, b, () => 0.999),
      150,
    );
    assert.equal(
      backoffDelay(1e9, b, () => 0),
      1000,
    );
  });
});

describe('embedded queue: §4.2 journal', () => {
  test('a restart re-queues an active job (the attempt counted) and runs it to completion', async () => {
    const dir = tempDir();
    const first = await openEmbeddedQueue(opts(dir));
    first.process(() => new Promise(() => {}), { concurrency: 1 });
    const queued = await first.add(request('q'));
    // a second job waits behind the first
    const waiting = await first.add(request('w'));
    await waitForState(first, queued.id, 'active');
    await first.flush();
    // simulate a crash: the journal stays as it is, the queue object is abandoned unclosed
    const copyDir = tempDir();
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(dir, 'queue.journal'), join(copyDir, 'queue.journal'));
    const second = await openEmbeddedQueue(opts(copyDir));
    assert.equal(second.recovery.requeued, 1);
    const back = await second.get(queued.id);
    assert.equal(back?.state, 'queued');
    assert.equal(back?.attempts, 1);
    assert.equal(back?.error?.code, 'STUDIO_WORKER_LOST');
    assert.equal((await second.get(waiting.id))?.state, 'queued');
    const attemptsSeen: number[] = [];
    second.process(async (ctx) => (attemptsSeen.push(ctx.attempt), result(ctx)), { concurrency: 1 });
    const done = await waitForState(second, queued.id, 'completed');
    assert.equal(done.attempts, 2);
    await waitForState(second, waiting.id, 'completed');
    assert.deepEqual(attemptsSeen, [2, 1]);
    await second.close();
    await first.close();
  });

  test('a restart fails an active job whose attempts are spent with STUDIO_WORKER_LOST', async () => {
    const dir = tempDir();
    const first = await openEmbeddedQueue(opts(dir));
    first.process(() => new Promise(() => {}), { concurrency: 1 });
    const job = await first.add(request(), { attempts: 1 });
    await waitForState(first, job.id, 'active');
    await first.flush();
    const copyDir = tempDir();
    const { copyFileSync } = await import('node:fs');
    copyFileSync(join(dir, 'queue.journal'), join(copyDir, 'queue.journal'));
    const second = await openEmbeddedQueue(opts(copyDir));
    assert.equal(second.recovery.lost, 1);
    const failed = await second.get(job.id);
    assert.equal(failed?.state, 'failed');
    assert.equal(failed?.error?.code, 'STUDIO_WORKER_LOST');
    await second.close();
    await first.close();
  });

  test('close puts running jobs back to queued (attempt not counted); reopening runs them', async () => {
    const dir = tempDir();
    const first = await openEmbeddedQueue(opts(dir));
    first.process(
      async (ctx) => {
        await aborted(ctx.signal);
        throw ctx.signal.reason;
      },
      { concurrency: 1 },
    );
    const job = await first.add(request());
    await waitForState(first, job.id, 'active');
    await first.close();
    assert.equal((await first.get(job.id))?.state, 'queued');
    const second = await openEmbeddedQueue(opts(dir));
    assert.equal(second.recovery.requeued, 0);
    second.process(async (ctx) => result(ctx), { concurrency: 1 });
    const done = await waitForState(second, job.id, 'completed');
    assert.equal(done.attempts, 1);
    await second.close();
  });

  test('a torn last journal line is ignored and counted', async () => {
    const dir = tempDir();
    const first = await openEmbeddedQueue(opts(dir));
    const a = await first.add(request('a'));
    await first.close();
    appendFileSync(join(dir, 'queue.journal'), '{"t":"add","status":{"id":"torn","sta');
    const second = await openEmbeddedQueue(opts(dir));
    assert.equal(second.recovery.tornLines, 1);
    assert.equal(second.recovery.corruptLines, 0);
    assert.deepEqual(
      (await second.list()).map((s) => s.id),
      [a.id],
    );
    await second.close();
    // the reopened journal was rewritten clean
    assert.ok(readFileSync(join(dir, 'queue.journal'), 'utf8').endsWith('\n'));
    const third = await openEmbeddedQueue(opts(dir));
    assert.equal(third.recovery.tornLines, 0);
    await third.close();
  });

  test('progress within a stage is not journalled; stage changes are', async () => {
    const dir = tempDir();
    const queue = await openEmbeddedQueue(opts(dir, { progressIntervalMs: 0 }));
    queue.process(
      async (ctx) => {
        for (let i = 0; i < 200; i++) ctx.progress('compose', i / 200);
        ctx.progress('thumbnail', 0);
        return result(ctx);
      },
      { concurrency: 1 },
    );
    const { id } = await queue.add(request());
    await waitForState(queue, id, 'completed');
    await queue.close();
    const lines = readFileSync(join(dir, 'queue.journal'), 'utf8').trim().split('\n');
    // after the reopen-time compaction: add, active, compose, thumbnail, completed
    assert.ok(lines.length <= 6, `${lines.length} journal lines`);
  });

  test('the journal is compacted past its size bound and keeps only live jobs', async () => {
    const dir = tempDir();
    const queue = await openEmbeddedQueue(opts(dir, { compactBytes: 20_000, retention: { count: 3 } }));
    queue.process(async (ctx) => result(ctx), { concurrency: 2 });
    const ids: string[] = [];
    for (let n = 0; n < 60; n++) ids.push((await queue.add(request(n))).id);
    await until(async () => (await queue.counts()).completed === 3 && (await queue.list()).every((s) => s.state === 'completed'), 10_000, 'all jobs done');
    const kept = (await queue.list()).map((s) => s.id);
    assert.ok(kept.includes(ids.at(-1)!), 'the newest job is among the kept');
    await queue.close();
    assert.ok(statSync(join(dir, 'queue.journal')).size < 40_000, `journal is ${statSync(join(dir, 'queue.journal')).size} bytes`);
    const replay = replayJournal(readFileSync(join(dir, 'queue.journal'), 'utf8'));
    assert.deepEqual([...replay.jobs.keys()].sort(), kept.sort());
  });

  test('finished jobs older than the retention age are dropped', async () => {
    const dir = tempDir();
    const queue = await openEmbeddedQueue(opts(dir, { retention: { count: 100, ageMs: 100 } }));
    queue.process(async (ctx) => result(ctx), { concurrency: 1 });
    const { id } = await queue.add(request());
    await waitForState(queue, id, 'completed');
    await sleep(300);
    assert.equal(await queue.get(id), undefined);
    await queue.close();
  });
});
