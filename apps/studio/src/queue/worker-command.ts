// `tidewire studio worker --redis URL [--concurrency N]` (docs/studio.md §4.4): render workers in
// their own process, taking jobs from the BullMQ queue. Its options are an @tidewire/cli table like
// every tidewire command's. The handler comes from `deps` so the render pipeline is wired in one
// place (src/cli.ts passes the real one, src/server/worker.ts's renderJobHandler; tests a stand-in).
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { defineCommand, integer, UsageError } from '@tidewire/cli';
import type { Command, OptionsTable, ParsedArgs } from '@tidewire/cli';
import { DEFAULT_DATA_DIR } from '../server/paths.ts';
import { openRedisQueue } from './bullmq.ts';
import type { JobHandler } from './types.ts';
import { createRenderWorker } from './worker.ts';

export interface WorkerArgs {
  redis: string;
  concurrency: number;
  queue: string;
  /** The studio data dir shared with the server (library, assets). */
  dataDir: string;
  /** This worker's own folder for scratch files and its child-process ledger. */
  stateDir: string;
  /** Lock duration (ms); stalled jobs are looked for every half of it. */
  lockMs: number;
}

export interface WorkerDeps {
  /** Makes the job handler (and cleans up what a killed earlier worker left) before jobs are taken. */
  makeHandler(args: WorkerArgs): JobHandler | Promise<JobHandler>;
}

function redisUrl(raw: string, flag: string): string {
  if (!/^rediss?:\/\/[^\s]+$/.test(raw)) throw new UsageError(`${flag} needs a redis:// URL, got ${raw}`);
  return raw;
}

function queueName(raw: string, flag: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(raw)) throw new UsageError(`${flag} takes letters, digits, - and _ (at most 64)`);
  return raw;
}

const OPTIONS = {
  redis: { type: 'string', value: 'URL', parse: redisUrl, help: 'redis://[user:pass@]host:port[/db] (required)' },
  concurrency: {
    type: 'string',
    value: 'N',
    default: () => String(availableParallelism()),
    parse: integer(1, 256),
    help: `jobs at once, 1–256 (default: the machine's cores, ${availableParallelism()})`,
  },
  queue: { type: 'string', value: 'NAME', default: 'studio-render', parse: queueName, help: 'queue name (default studio-render)' },
  'data-dir': { type: 'string', value: 'DIR', help: 'the studio data dir shared with the server (default .tidewire/studio in the repo)' },
  'state-dir': { type: 'string', value: 'DIR', help: "this worker's scratch and process-ledger folder, one per worker\n(default DATA-DIR/state/worker)" },
  'lock-ms': {
    type: 'string',
    value: 'MS',
    default: '30000',
    parse: integer(200, 3_600_000),
    help: "job lock duration; a killed worker's job is taken over after it (default 30000)",
  },
} as const satisfies OptionsTable;

const ARGS = {
  name: 'studio worker',
  synopsis: ['--redis URL [--concurrency N] [--queue NAME] [--data-dir DIR] [--state-dir DIR] [--lock-ms MS]'],
  description: 'Runs render workers taking jobs from the Redis queue until SIGTERM/SIGINT.',
  options: OPTIONS,
};

function checkWorker({ values: v }: ParsedArgs<typeof OPTIONS>): WorkerArgs {
  if (v.redis === undefined) throw new UsageError('--redis URL is required');
  const dataDir = resolve(v['data-dir'] ?? DEFAULT_DATA_DIR);
  return {
    redis: v.redis,
    concurrency: v.concurrency,
    queue: v.queue,
    dataDir,
    stateDir: resolve(v['state-dir'] ?? join(dataDir, 'state', 'worker')),
    lockMs: v['lock-ms'],
  };
}

/** Where the command writes (process.stdout/stderr by default; tests pass sinks). */
export interface WorkerIo {
  out: { write(text: string): unknown };
  err: { write(text: string): unknown };
}

export function createWorkerCommand(
  deps: WorkerDeps,
  io: WorkerIo = { out: process.stdout, err: process.stderr },
): Command & { parse(args: readonly string[]): WorkerArgs } {
  return defineCommand({
    ...ARGS,
    summary: 'run render workers taking jobs from a Redis queue',
    io: { out: { write: (t: string) => void io.out.write(t) }, err: { write: (t: string) => void io.err.write(t) } },
    check: checkWorker,
    async run(args) {
      const handler = await deps.makeHandler(args);
      const queue = await openRedisQueue({
        url: args.redis,
        name: args.queue,
        lockDurationMs: args.lockMs,
        stalledIntervalMs: Math.max(100, Math.floor(args.lockMs / 2)),
      });
      const worker = createRenderWorker(queue, handler, { concurrency: args.concurrency, log: (line) => io.err.write(`${line}\n`) });
      io.out.write(`studio worker: ${args.concurrency} slot(s) on queue ${args.queue}, pid ${process.pid}\n`);
      await worker.stopped;
      return 0;
    },
  });
}

/** `tidewire studio worker`'s arguments (throws UsageError; HelpRequested for --help). */
export function parseWorkerArgs(args: string[]): WorkerArgs {
  return createWorkerCommand({
    makeHandler: () => {
      throw new Error('parse only');
    },
  }).parse(args);
}
