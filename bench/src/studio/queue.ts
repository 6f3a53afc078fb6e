// Queue overhead, for the studio benchmark suite: no-op jobs through the embedded queue or the
// BullMQ queue on a throwaway redis-server. Reports throughput (jobs/s, first add to last job
// reported completed, all added at once) and the p99 of enqueue → handler start measured
// separately on an idle queue, one job at a time (under a backlog it would measure the backlog).
// Run alone:
//   node --import tsx bench/src/studio/queue.ts [jobs]
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedis } from '@tidewire/testkit';
import type { RenderRequest } from '@tidewire/studio';
import { openRedisQueue } from '@tidewire/studio/queue';
import { openEmbeddedQueue } from '@tidewire/studio/queue';
import type { JobQueue } from '@tidewire/studio/queue';

export interface QueueMeasurement {
  jobsPerSec: number;
  startP99Ms: number;
}

export interface MeasureOptions {
  jobs: number;
  /** Worker slots (default: the machine's cores). */
  concurrency?: number;
  /** Adds in flight at once (default 32). */
  inFlight?: number;
  /** An existing Redis; without it a throwaway redis-server is started. */
  redisUrl?: string;
}

function request(i: number): RenderRequest {
  return {
    story: {
      id: `bench-${i}`,
      title: `Bench ${i}`,
      script: '',
      scenes: [],
      format: '1080x1920',
      captions: { size: 64, position: 'bottom', wordHighlight: false },
      gapSeconds: 0,
      createdAt: 0,
      updatedAt: 0,
    },
  };
}

export async function measureQueue(kind: 'embedded' | 'redis', options: MeasureOptions): Promise<QueueMeasurement> {
  const { jobs } = options;
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error(`jobs must be a positive integer, got ${jobs}`);
  const cleanups: (() => unknown)[] = [];
  try {
    let queue: JobQueue;
    const retention = { count: jobs + 200 };
    if (kind === 'embedded') {
      const dir = mkdtempSync(join(tmpdir(), 'studio-bench-queue-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      queue = await openEmbeddedQueue({ dir, retention });
    } else {
      let url = options.redisUrl;
      if (!url) {
        const redis = await startRedis();
        cleanups.push(() => redis.stop());
        url = redis.url;
      }
      queue = await openRedisQueue({ url, name: `bench-${process.pid}-${Date.now()}`, retention });
    }
    cleanups.unshift(() => queue.close());
    const concurrency = options.concurrency ?? availableParallelism();
    // Phase 1, throughput: every job added at once (inFlight adds at a time), clock stops when
    // the last one is reported completed.
    let finished = 0;
    let allDone!: () => void;
    const done = new Promise<void>((r) => (allDone = r));
    let started: ((i: number) => void) | undefined;
    const worker = queue.process(
      async (ctx) => {
        started?.(Number(ctx.data.story.id.slice('bench-'.length)));
        return { outputId: 'none', durationSeconds: 0, bytes: 0 };
      },
      { concurrency },
    );
    const off = queue.onStatus((s) => {
      if (s.state === 'completed' && ++finished === jobs) allDone();
    });
    cleanups.unshift(off, () => worker.close());
    const t0 = performance.now();
    let next = 0;
    const adder = async () => {
      while (next < jobs) await queue.add(request(next++), { attempts: 1 });
    };
    await Promise.all(Array.from({ length: Math.min(options.inFlight ?? 32, jobs) }, adder));
    await done;
    const seconds = (performance.now() - t0) / 1000;
    // Phase 2, start latency on an idle queue: one job at a time, enqueue → handler start.
    const delays: number[] = [];
    const samples = Math.min(jobs, 200);
    for (let i = 0; i < samples; i++) {
      const t = performance.now();
      const begun = new Promise<void>((r) => (started = () => r()));
      await queue.add(request(jobs + i), { attempts: 1 });
      await begun;
      delays.push(performance.now() - t);
    }
    started = undefined;
    delays.sort((a, b) => a - b);
    const p99 = delays[Math.min(delays.length - 1, Math.ceil(delays.length * 0.99) - 1)]!;
    return { jobsPerSec: Math.round(jobs / seconds), startP99Ms: Math.round(p99 * 10) / 10 };
  } finally {
    for (const c of cleanups) await c();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const jobs = Number(process.argv[2] ?? 2000);
  for (const kind of ['embedded', 'redis'] as const) {
    const m = await measureQueue(kind, { jobs });
    console.log(`${kind}: ${jobs} no-op jobs, ${m.jobsPerSec} jobs/s, enqueue→start p99 ${m.startP99Ms} ms`);
  }
}
