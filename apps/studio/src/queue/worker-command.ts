// `tidewire studio worker --redis URL [--concurrency N]` (docs/studio.md §4.4): render workers in
// their own process, taking jobs from the BullMQ queue. The handler comes from `deps` so the
// render pipeline (src/render) is wired in one place; until then `workerCommand` refuses jobs
// with STUDIO_TOOL_MISSING.
import { availableParallelism } from 'node:os';
import { UsageError, parseOrUsage, type Command } from '@tidewire/cli';
import { StudioError } from '../errors.ts';
import { openRedisQueue } from './bullmq.ts';
import type { JobHandler } from './types.ts';
import { createRenderWorker } from './worker.ts';

export interface WorkerArgs {
  redis: string;
  concurrency: number;
  queue: string;
  /** Where the render pipeline keeps scratch folders and its child-process registry. */
  stateDir: string;
  /** Lock duration (ms); stalled jobs are looked for every half of it. */
  lockMs: number;
}

export interface WorkerDeps {
  /** Makes the job handler (and cleans up what a killed earlier worker left) before jobs are taken. */
  makeHandler(args: WorkerArgs): JobHandler | Promise<JobHandler>;
}

const USAGE = `usage: tidewire studio worker --redis URL [--concurrency N] [--queue NAME] [--state-dir DIR] [--lock-ms MS]
  Runs render workers taking jobs from the Redis queue until SIGTERM/SIGINT.
  --redis URL        redis://[user:pass@]host:port[/db] (required)
  --concurrency N    jobs at once, 1–256 (default: the machine's cores, ${availableParallelism()})
  --queue NAME       queue name (default studio-render)
  --state-dir DIR    scratch and process registry folder (default .studio)
  --lock-ms MS       job lock duration; a killed worker's job is taken over after it (default 30000)`;

export function parseWorkerArgs(args: string[]): WorkerArgs | 'help' {
  const out: WorkerArgs = { redis: '', concurrency: availableParallelism(), queue: 'studio-render', stateDir: '.studio', lockMs: 30_000 };
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--redis':
        out.redis = value();
        if (!/^rediss?:\/\/[^\s]+$/.test(out.redis)) throw new UsageError(`--redis needs a redis:// URL, got ${out.redis}`);
        break;
      case '--concurrency':
        out.concurrency = integer(flag, value(), 1, 256);
        break;
      case '--queue':
        out.queue = value();
        if (!/^[A-Za-z0-9_-]{1,64}$/.test(out.queue)) throw new UsageError('--queue takes letters, digits, - and _ (at most 64)');
        break;
      case '--state-dir':
        out.stateDir = value();
        break;
      case '--lock-ms':
        out.lockMs = integer(flag, value(), 200, 3_600_000);
        break;
      default:
        throw new UsageError(`unknown option ${flag}`);
    }
  }
  if (!out.redis) throw new UsageError('--redis URL is required');
  return out;
}

function integer(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) throw new UsageError(`${flag} needs an integer ${min}–${max}, got ${v}`);
  return n;
}

/** Where the command writes (process.stdout/stderr by default; tests pass sinks). */
export interface WorkerIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

export function createWorkerCommand(deps: WorkerDeps, io: WorkerIo = { out: process.stdout, err: process.stderr }): Command {
  return {
    name: 'worker',
    summary: 'run render workers taking jobs from a Redis queue',
    usage: USAGE,
    async run(argv) {
      const parsed = parseOrUsage(parseWorkerArgs, argv, { prefix: 'tidewire studio worker', usage: USAGE, ...io });
      if ('exit' in parsed) return parsed.exit;
      const handler = await deps.makeHandler(parsed);
      const queue = await openRedisQueue({ url: parsed.redis, name: parsed.queue, lockDurationMs: parsed.lockMs, stalledIntervalMs: Math.max(100, Math.floor(parsed.lockMs / 2)) });
      const worker = createRenderWorker(queue, handler, { concurrency: parsed.concurrency, log: (line) => io.err.write(`${line}\n`) });
      io.out.write(`studio worker: ${parsed.concurrency} slot(s) on queue ${parsed.queue}, pid ${process.pid}\n`);
      await worker.stopped;
      return 0;
    },
  };
}

/** The worker command as shipped until the render pipeline is wired in (see WorkerDeps). */
export const workerCommand: Command = createWorkerCommand({
  makeHandler: () => async () => {
    throw new StudioError('STUDIO_TOOL_MISSING', 'this build has no render pipeline wired into the worker');
  },
});
