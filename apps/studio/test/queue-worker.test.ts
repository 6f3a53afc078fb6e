// The render worker (docs/studio.md §4.4): argument parsing of `tidewire studio worker` and
// createRenderWorker's stop (its SIGTERM path) on the embedded queue. The worker as a separate
// process on Redis is tested in queue-redis.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { HelpRequested } from '@tidewire/cli';
import { openEmbeddedQueue } from '../src/queue/embedded.ts';
import { createRenderWorker } from '../src/queue/worker.ts';
import { createWorkerCommand, parseWorkerArgs } from '../src/queue/worker-command.ts';
import { aborted, request, waitForState } from './queue-contract.ts';

function sink() {
  let text = '';
  return { write: (s: string) => ((text += s), true), text: () => text };
}

describe('§4.4 tidewire studio worker', () => {
  test('parses its flags', () => {
    assert.deepEqual(
      parseWorkerArgs([
        '--redis',
        'redis://127.0.0.1:6379',
        '--concurrency',
        '3',
        '--queue',
        'q1',
        '--lock-ms',
        '1000',
        '--state-dir',
        '/tmp/x',
        '--data-dir',
        '/tmp/d',
      ]),
      {
        redis: 'redis://127.0.0.1:6379',
        concurrency: 3,
        queue: 'q1',
        dataDir: '/tmp/d',
        stateDir: '/tmp/x',
        lockMs: 1000,
      },
    );
    assert.equal(
      parseWorkerArgs(['--redis', 'redis://h', '--data-dir', '/tmp/d']).stateDir,
      '/tmp/d/state/worker',
      'each worker has a state dir of its own under the data dir',
    );
    assert.throws(() => parseWorkerArgs(['--help']), HelpRequested);
  });

  test('a missing or bad flag prints the usage and exits 2', async () => {
    const command = createWorkerCommand({ makeHandler: () => assert.fail('no handler without valid flags') }, { out: sink(), err: sink() });
    for (const args of [
      [],
      ['--redis', 'http://x'],
      ['--redis', 'redis://h', '--concurrency', '0'],
      ['--redis', 'redis://h', '--queue', 'a/b'],
      ['--redis', 'redis://h', '--bogus'],
    ]) {
      const err = sink();
      const c = createWorkerCommand({ makeHandler: () => assert.fail('no handler') }, { out: sink(), err });
      assert.equal(await c.run(args), 2, args.join(' '));
      assert.match(err.text(), /usage: tidewire studio worker/);
    }
    assert.equal(await command.run(['--help']), 0);
  });

  test('stop() aborts the running job, puts it back to queued and closes the queue', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'studio-worker-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const queue = await openEmbeddedQueue({ dir, graceMs: 500 });
    let sawAbort = false;
    const worker = createRenderWorker(
      queue,
      async (ctx) => {
        await aborted(ctx.signal);
        sawAbort = true;
        throw ctx.signal.reason;
      },
      { concurrency: 1, signals: false },
    );
    const { id } = await queue.add(request());
    await waitForState(queue, id, 'active');
    await worker.stop();
    await worker.stopped;
    assert.ok(sawAbort);
    assert.equal((await queue.get(id))?.state, 'queued');
    await assert.rejects(queue.add(request()), { code: 'STUDIO_QUEUE_CLOSED' });
  });
});
