// The JobQueue contract (docs/studio.md §4.1), one suite both adapters pass: the embedded queue
// (queue-embedded.test.ts) and the BullMQ queue on Redis (queue-redis.test.ts). Each test opens
// its own queue through `makeQueue` and closes it afterwards.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import { StudioError } from '../src/errors.ts';
import type { JobState, JobStatus, RenderRequest, Stage, Story } from '../src/model.ts';
import type { JobContext, JobQueue, JobResult } from '../src/queue/types.ts';

/** What the suite asks of a queue it opens (small numbers, so the tests run in seconds). */
export interface ContractOptions {
  retention?: { count?: number; ageMs?: number };
  backoff: { baseMs: number; maxMs: number; jitterMs: number };
  graceMs: number;
  progressIntervalMs: number;
}

export type MakeQueue = (options: ContractOptions) => Promise<JobQueue>;

export const CONTRACT_OPTIONS: ContractOptions = {
  backoff: { baseMs: 100, maxMs: 1000, jitterMs: 20 },
  graceMs: 500,
  progressIntervalMs: 20,
};

export function story(n: number | string = 1): Story {
  return {
    id: `story-${n}`,
    title: `Story ${n}`,
    script: 'Hello.',
    scenes: [
      {
        id: 's1',
        text: 'Hello.',
        caption: 'Hello.',
        voice: { voice: 'en', rate: 170, pitch: 50 },
        background: { kind: 'color', color: '#000000' },
        zoom: false,
      },
    ],
    format: '1080x1920',
    captions: { size: 64, position: 'bottom', wordHighlight: false },
    gapSeconds: 0.3,
    createdAt: 0,
    updatedAt: 0,
  };
}

export function request(n: number | string = 1): RenderRequest {
  return { story: story(n) };
}

export function result(ctx: JobContext): JobResult {
  return { outputId: `out-${ctx.id}`, durationSeconds: 1, bytes: 10 };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves when the signal aborts (never rejects). */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
}

/**
 * `work`, or a rejection `timed out after N ms waiting for <what>` when it has not settled by then
 * (a probe that awaits a dead queue or Redis never settles; a poll loop alone would not end).
 */
export async function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string | (() => string)): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`)), timeoutMs);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until job `id` is in one of `states` (by events and by polling get), returns its status. */
export async function waitForState(queue: JobQueue, id: string, states: JobState | JobState[], timeoutMs = 10_000): Promise<JobStatus> {
  const want = Array.isArray(states) ? states : [states];
  let last: JobStatus | undefined;
  let stop = false;
  const poll = async (): Promise<JobStatus> => {
    for (;;) {
      last = await queue.get(id);
      if (last && want.includes(last.state)) return last;
      if (stop) throw new Error('stopped');
      await sleep(15);
    }
  };
  try {
    return await withDeadline(poll(), timeoutMs, () => `job ${id} to reach ${want.join('|')} (last: ${JSON.stringify(last)})`);
  } finally {
    stop = true;
  }
}

/** Polls `check` every 10 ms until it holds; fails with `timed out after N ms waiting for <what>`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = String(check)): Promise<void> {
  let stop = false;
  const poll = async (): Promise<void> => {
    while (!stop && !(await check())) await sleep(10);
  };
  try {
    await withDeadline(poll(), timeoutMs, what);
  } finally {
    stop = true;
  }
}

async function open(t: TestContext, makeQueue: MakeQueue, options: Partial<ContractOptions> = {}): Promise<JobQueue> {
  const queue = await makeQueue({ ...CONTRACT_OPTIONS, ...options });
  t.after(() => queue.close());
  return queue;
}

export function runQueueContract(name: string, makeQueue: MakeQueue): void {
  describe(`${name}: JobQueue contract (docs/studio.md §4.1)`, () => {
    test('a job is added, runs and completes with its result', async (t) => {
      const queue = await open(t, makeQueue);
      queue.process(async (ctx) => result(ctx), { concurrency: 1 });
      const added = await queue.add(request(1));
      assert.equal(added.state, 'queued');
      assert.equal(added.storyId, 'story-1');
      assert.equal(added.title, 'Story 1');
      const done = await waitForState(queue, added.id, 'completed');
      assert.equal(done.outputId, `out-${added.id}`);
      assert.equal(done.attempts, 1);
      assert.equal(done.progress, 1);
      assert.ok(done.finishedAt! >= done.startedAt! && done.startedAt! >= done.createdAt);
    });

    test('a listener sees every state of a job added right after open: queued, active, completed', async (t) => {
      const queue = await open(t, makeQueue);
      const states: JobState[] = [];
      t.after(queue.onStatus((s) => states.push(s.state)));
      const { id } = await queue.add(request());
      queue.process(async (ctx) => result(ctx), { concurrency: 1 });
      await waitForState(queue, id, 'completed');
      await until(() => states.includes('completed'), 5000, 'the completed event');
      assert.deepEqual(states, ['queued', 'active', 'completed']);
    });

    test('progress events arrive in stage order and the job ends completed', async (t) => {
      const queue = await open(t, makeQueue);
      const seen: JobStatus[] = [];
      const off = queue.onStatus((s) => seen.push(s));
      t.after(off);
      const stages: Stage[] = ['voice', 'captions', 'compose', 'thumbnail'];
      queue.process(
        async (ctx) => {
          for (const stage of stages) {
            ctx.progress(stage, 0);
            await sleep(40);
            ctx.progress(stage, 0.5);
            await sleep(40);
          }
          return result(ctx);
        },
        { concurrency: 1 },
      );
      const { id } = await queue.add(request());
      await waitForState(queue, id, 'completed');
      await until(() => seen.some((s) => s.id === id && s.state === 'completed'), 5000, 'the completed event');
      const mine = seen.filter((s) => s.id === id);
      const order = mine
        .map((s) => s.stage)
        .filter((s): s is Stage => s !== undefined)
        .filter((s, i, a) => a[i - 1] !== s);
      assert.deepEqual(order, stages);
      const active = mine.filter((s) => s.state === 'active').map((s) => s.progress);
      assert.deepEqual(
        [...active].sort((a, b) => a - b),
        active,
        'progress never goes back',
      );
      assert.ok(
        active.some((p) => p > 0.5 && p < 1),
        'progress is reported within the job',
      );
      assert.equal(mine.at(-1)!.state, 'completed');
    });

    test('a flood of progress reports is coalesced into a bounded number of events', async (t) => {
      const queue = await open(t, makeQueue);
      let events = 0;
      t.after(queue.onStatus(() => events++));
      queue.process(
        async (ctx) => {
          for (let i = 0; i < 5000; i++) ctx.progress('compose', i / 5000);
          await sleep(60);
          return result(ctx);
        },
        { concurrency: 1 },
      );
      const { id } = await queue.add(request());
      await waitForState(queue, id, 'completed');
      await sleep(100);
      assert.ok(events < 30, `${events} status events for 5000 progress reports`);
    });

    test('concurrency is respected', async (t) => {
      const queue = await open(t, makeQueue);
      let running = 0;
      let most = 0;
      queue.process(
        async (ctx) => {
          running++;
          most = Math.max(most, running);
          await sleep(80);
          running--;
          return result(ctx);
        },
        { concurrency: 2 },
      );
      const jobs = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => queue.add(request(n))));
      for (const j of jobs) await waitForState(queue, j.id, 'completed');
      assert.equal(most, 2);
    });

    test('a throwing attempt is retried after a backoff, then succeeds', async (t) => {
      const queue = await open(t, makeQueue);
      const starts: number[] = [];
      const states: JobState[] = [];
      t.after(queue.onStatus((s) => states.push(s.state)));
      queue.process(
        async (ctx) => {
          starts.push(Date.now());
          if (ctx.attempt === 1) throw new StudioError('STUDIO_TOOL_FAILED', 'ffmpeg exited 1');
          return result(ctx);
        },
        { concurrency: 1 },
      );
      const { id } = await queue.add(request(), { attempts: 3 });
      const done = await waitForState(queue, id, 'completed');
      assert.equal(done.attempts, 2);
      assert.equal(starts.length, 2);
      assert.ok(starts[1]! - starts[0]! >= CONTRACT_OPTIONS.backoff.baseMs - 5, `retried after ${starts[1]! - starts[0]!} ms`);
      await until(() => states.includes('retrying'), 2000, 'a retrying event');
    });

    test('when the attempts are spent the job fails with the error code', async (t) => {
      const queue = await open(t, makeQueue);
      let runs = 0;
      queue.process(
        async () => {
          runs++;
          throw new StudioError('STUDIO_TOOL_FAILED', 'espeak-ng exited 1');
        },
        { concurrency: 1 },
      );
      const { id } = await queue.add(request(), { attempts: 2 });
      const failed = await waitForState(queue, id, 'failed');
      assert.equal(failed.error?.code, 'STUDIO_TOOL_FAILED');
      assert.equal(failed.attempts, 2);
      await sleep(300);
      assert.equal(runs, 2);
    });

    test('a job past its timeout fails with STUDIO_TIMEOUT, its signal aborted, not retried', async (t) => {
      const queue = await open(t, makeQueue);
      let runs = 0;
      let sawAbort = false;
      queue.process(
        async (ctx) => {
          runs++;
          await aborted(ctx.signal);
          sawAbort = true;
          throw ctx.signal.reason;
        },
        { concurrency: 1 },
      );
      const { id } = await queue.add(request(), { timeoutMs: 200, attempts: 3 });
      const failed = await waitForState(queue, id, 'failed');
      assert.equal(failed.error?.code, 'STUDIO_TIMEOUT', failed.error?.message);
      assert.ok(sawAbort);
      await sleep(300);
      assert.equal(runs, 1);
    });

    test('a handler that ignores its aborted signal is failed after the grace period', async (t) => {
      const queue = await open(t, makeQueue);
      queue.process(() => new Promise<JobResult>(() => {}), { concurrency: 1 });
      const { id } = await queue.add(request(), { timeoutMs: 100 });
      const t0 = Date.now();
      const failed = await waitForState(queue, id, 'failed', 5000);
      assert.equal(failed.error?.code, 'STUDIO_TIMEOUT', failed.error?.message);
      assert.ok(Date.now() - t0 < 100 + CONTRACT_OPTIONS.graceMs + 1500);
    });

    test('cancelling a queued job: cancelled and never run', async (t) => {
      const queue = await open(t, makeQueue);
      const ran: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      queue.process(
        async (ctx) => {
          ran.push(ctx.id);
          await gate;
          return result(ctx);
        },
        { concurrency: 1 },
      );
      const first = await queue.add(request(1));
      await waitForState(queue, first.id, 'active');
      const second = await queue.add(request(2));
      assert.equal(await queue.cancel(second.id), true);
      assert.equal((await waitForState(queue, second.id, 'cancelled', 2000)).state, 'cancelled');
      release();
      await waitForState(queue, first.id, 'completed');
      await sleep(300);
      assert.deepEqual(ran, [first.id]);
      assert.equal((await queue.get(second.id))?.state, 'cancelled');
    });

    test('cancelling an active job aborts its signal within 1 s; cancelled, never run again', async (t) => {
      const queue = await open(t, makeQueue);
      let runs = 0;
      let abortedAt = 0;
      queue.process(
        async (ctx) => {
          runs++;
          await aborted(ctx.signal);
          abortedAt = Date.now();
          throw ctx.signal.reason;
        },
        { concurrency: 1 },
      );
      const { id } = await queue.add(request(), { attempts: 3 });
      await waitForState(queue, id, 'active');
      const t0 = Date.now();
      assert.equal(await queue.cancel(id), true);
      await until(() => abortedAt > 0, 1000, 'the signal abort');
      assert.ok(abortedAt - t0 < 1000);
      assert.equal((await waitForState(queue, id, 'cancelled', 2000)).state, 'cancelled');
      await sleep(500);
      assert.equal(runs, 1);
      assert.equal((await queue.get(id))?.state, 'cancelled');
      assert.equal(await queue.cancel(id), false, 'a finished job cannot be cancelled again');
    });

    test('a finished job refuses further moves: cancel after completion answers false', async (t) => {
      const queue = await open(t, makeQueue);
      queue.process(async (ctx) => result(ctx), { concurrency: 1 });
      const { id } = await queue.add(request());
      await waitForState(queue, id, 'completed');
      assert.equal(await queue.cancel(id), false);
      assert.equal((await queue.get(id))?.state, 'completed');
      assert.equal(await queue.cancel('no-such-job'), false);
    });

    test('list, get and counts', async (t) => {
      const queue = await open(t, makeQueue);
      const a = await queue.add(request('a'));
      const b = await queue.add(request('b'));
      const c = await queue.add(request('c'));
      assert.deepEqual(
        (await queue.list()).map((s) => s.id),
        [c.id, b.id, a.id],
        'newest first',
      );
      assert.equal((await queue.get(b.id))?.storyId, 'story-b');
      assert.equal(await queue.get('no-such-job'), undefined);
      assert.equal((await queue.counts()).queued, 3);
      queue.process(async (ctx) => result(ctx), { concurrency: 2 });
      for (const j of [a, b, c]) await waitForState(queue, j.id, 'completed');
      const counts = await queue.counts();
      assert.equal(counts.completed, 3);
      assert.equal(counts.queued + counts.active, 0);
    });

    test('finished jobs are kept only up to the retention count', async (t) => {
      const queue = await open(t, makeQueue, { retention: { count: 2 } });
      queue.process(async (ctx) => result(ctx), { concurrency: 1 });
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) {
        const { id } = await queue.add(request(n));
        ids.push(id);
        await waitForState(queue, id, 'completed');
      }
      await until(async () => (await queue.list()).length <= 2, 5000, 'retention');
      const listed = (await queue.list()).map((s) => s.id);
      assert.ok(listed.includes(ids[4]!), 'the newest job is kept');
      assert.equal(await queue.get(ids[0]!), undefined);
    });

    test('add validates its arguments and refuses after close', async (t) => {
      const queue = await open(t, makeQueue);
      await assert.rejects(queue.add({} as RenderRequest), { code: 'STUDIO_BAD_REQUEST' });
      await assert.rejects(queue.add(request(), { attempts: 0 }), { code: 'STUDIO_BAD_REQUEST' });
      await assert.rejects(queue.add(request(), { timeoutMs: -1 }), { code: 'STUDIO_BAD_REQUEST' });
      await queue.close();
      await assert.rejects(queue.add(request()), { code: 'STUDIO_QUEUE_CLOSED' });
    });

    test('close while a job runs aborts its signal and resolves', async (t) => {
      const queue = await open(t, makeQueue);
      let sawAbort = false;
      queue.process(
        async (ctx) => {
          await aborted(ctx.signal);
          sawAbort = true;
          throw ctx.signal.reason;
        },
        { concurrency: 1 },
      );
      const { id } = await queue.add(request());
      await waitForState(queue, id, 'active');
      const t0 = Date.now();
      await queue.close();
      assert.ok(sawAbort);
      assert.ok(Date.now() - t0 < CONTRACT_OPTIONS.graceMs + 2000);
    });
  });
}
