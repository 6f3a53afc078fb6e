// The BullMQ queue on a real redis-server: the shared contract (docs/studio.md §4.1) and what
// only Redis does (§4.3): workers in other processes, kill -9 recovery, bounded retention.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startRedis, type RunningRedis } from '@tidewire/testkit';
import type { JobStatus } from '../src/model.ts';
import { openRedisQueue } from '../src/queue/bullmq.ts';
import { request, result, runQueueContract, until, waitForState } from './queue-contract.ts';

let redis: RunningRedis;
let n = 0;
before(async () => {
  redis = await startRedis();
});
after(() => redis?.stop());

runQueueContract('redis', (options) => openRedisQueue({ url: redis.url, name: `contract-${process.pid}-${++n}`, ...options }));

describe('redis queue: §4.3 workers in other processes', () => {
  const workerEntry = fileURLToPath(new URL('./fixtures/queue-worker.ts', import.meta.url));
  const children = new Set<ChildProcess>();
  after(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  function spawnWorker(queueName: string, mode: 'fast' | 'sleep', procs: string): ChildProcess & { output: () => string } {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', workerEntry, '--redis', redis.url, '--queue', queueName, '--concurrency', '1', '--lock-ms', '1000', '--state-dir', procs],
      {
        env: { ...process.env, STUDIO_TEST_MODE: mode, STUDIO_TEST_PROCS: procs },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    children.add(child);
    return Object.assign(child, { output: () => output });
  }

  function exited(child: ChildProcess): Promise<number | null> {
    return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
  }

  /** Alive and not a zombie (a killed orphan may wait for a reaper that never comes in a container). */
  function alive(pid: number): boolean {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  }

  function procsDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'studio-procs-'));
    after(() => {
      // reason: a failing test must not leave a `sleep` behind; kill whatever is still recorded
      for (const name of readdirSync(dir).filter((f) => /^\d+$/.test(f))) {
        try {
          process.kill(-Number(name), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    });
    return dir;
  }

  async function sleeperPid(procs: string): Promise<number> {
    let pid = 0;
    await until(
      () => {
        const names = readdirSync(procs).filter((f) => /^\d+$/.test(f));
        pid = Number(names[0] ?? 0);
        return pid > 0;
      },
      20_000,
      'the worker to record its child',
    );
    return pid;
  }

  test('a worker in another process runs a job added here; its progress reaches this process', async (t) => {
    const name = `xproc-${process.pid}-${++n}`;
    const queue = await openRedisQueue({ url: redis.url, name });
    t.after(() => queue.close());
    const seen: JobStatus[] = [];
    t.after(queue.onStatus((s) => seen.push(s)));
    const worker = spawnWorker(name, 'fast', procsDir());
    const { id } = await queue.add(request());
    const done = await waitForState(queue, id, 'completed', 30_000);
    assert.match(done.outputId ?? '', new RegExp(`-${worker.pid}$`), 'the other process ran it');
    await until(() => seen.some((s) => s.id === id && s.state === 'completed'), 5000, 'the completed event');
    const stages = seen.filter((s) => s.id === id && s.stage).map((s) => s.stage);
    assert.deepEqual([...new Set(stages)], ['voice', 'compose']);
    worker.kill('SIGTERM');
    assert.equal(await exited(worker), 0, worker.output());
  });

  test('kill -9 of a worker mid-job: another worker takes the job over, and the orphaned child is killed', async (t) => {
    const name = `kill9-${process.pid}-${++n}`;
    const queue = await openRedisQueue({ url: redis.url, name, lockDurationMs: 1000, stalledIntervalMs: 500 });
    t.after(() => queue.close());
    const procs = procsDir();
    const first = spawnWorker(name, 'sleep', procs);
    const { id } = await queue.add(request(), { attempts: 3 });
    await waitForState(queue, id, 'active', 30_000);
    const orphan = await sleeperPid(procs);
    assert.ok(alive(orphan));
    first.kill('SIGKILL');
    await exited(first);
    assert.ok(alive(orphan), 'SIGKILL leaves the child running: the registry must clean it up');
    const second = spawnWorker(name, 'fast', procs);
    const done = await waitForState(queue, id, 'completed', 30_000);
    assert.match(done.outputId ?? '', new RegExp(`-${second.pid}$`));
    assert.ok(done.attempts >= 2, `attempts ${done.attempts}`);
    await until(() => !alive(orphan), 5000, 'the orphaned sleep to die');
    assert.deepEqual(
      readdirSync(procs).filter((f) => /^\d+$/.test(f)),
      [],
    );
    second.kill('SIGTERM');
    assert.equal(await exited(second), 0, second.output());
  });

  test('a job cancelled while its worker is dead is never run again when another worker starts', async (t) => {
    const name = `deadcancel-${process.pid}-${++n}`;
    const queue = await openRedisQueue({ url: redis.url, name, lockDurationMs: 1000, stalledIntervalMs: 500 });
    t.after(() => queue.close());
    const procs = procsDir();
    const first = spawnWorker(name, 'sleep', procs);
    const { id } = await queue.add(request(), { attempts: 3 });
    await waitForState(queue, id, 'active', 30_000);
    const orphan = await sleeperPid(procs);
    first.kill('SIGKILL');
    await exited(first);
    assert.equal(await queue.cancel(id), true);
    const second = spawnWorker(name, 'fast', procs);
    // the stalled checker frees the job within ~1.5 s of the kill; give it three times that
    await new Promise((r) => setTimeout(r, 4500));
    assert.deepEqual(
      readdirSync(procs).filter((f) => f.startsWith('ran-')),
      [],
      'the cancelled job did not run',
    );
    assert.equal((await queue.get(id))?.state, 'cancelled');
    assert.equal(alive(orphan), false, 'the new worker killed what the dead one left');
    second.kill('SIGTERM');
    assert.equal(await exited(second), 0, second.output());
  });

  test('SIGTERM to a worker re-queues its running job and kills its child; exit 0', async (t) => {
    const name = `sigterm-${process.pid}-${++n}`;
    const queue = await openRedisQueue({ url: redis.url, name });
    t.after(() => queue.close());
    const procs = procsDir();
    const worker = spawnWorker(name, 'sleep', procs);
    const { id } = await queue.add(request());
    await waitForState(queue, id, 'active', 30_000);
    const child = await sleeperPid(procs);
    worker.kill('SIGTERM');
    assert.equal(await exited(worker), 0, worker.output());
    assert.equal(alive(child), false);
    assert.equal((await queue.get(id))?.state, 'queued');
  });

  test('finished jobs past the retention bound are removed from Redis', async (t) => {
    const name = `retain-${process.pid}-${++n}`;
    const queue = await openRedisQueue({ url: redis.url, name, retention: { count: 1 } });
    t.after(() => queue.close());
    const worker = queue.process(async (ctx) => result(ctx), { concurrency: 1 });
    const a = await queue.add(request('a'));
    await waitForState(queue, a.id, 'completed');
    const b = await queue.add(request('b'));
    await waitForState(queue, b.id, 'completed');
    // no worker from here on: c and d stay queued until cancelled
    await worker.close();
    const c = await queue.add(request('c'));
    assert.equal(await queue.cancel(c.id), true);
    const d = await queue.add(request('d'));
    assert.equal(await queue.cancel(d.id), true);
    const client = new Redis(redis.url);
    t.after(() => client.quit());
    await until(async () => (await client.exists(`tidewire:${name}:${a.id}`)) === 0, 5000, 'job a removed');
    assert.equal(await client.exists(`tidewire:${name}:${b.id}`), 1);
    assert.equal(await client.hexists(`tidewire:${name}:studio:cancelled`, c.id), 0, 'cancelled jobs are trimmed too');
    assert.equal(await client.hexists(`tidewire:${name}:studio:cancelled`, d.id), 1);
  });
});
