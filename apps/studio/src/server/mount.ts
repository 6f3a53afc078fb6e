// mountStudio: Media Studio on a Tidewire server (docs/studio.md). REST under
// /studio/api/, the live job list as tree channel `studio`, metrics on the server's registry, and
// (by default) a render worker in this process. The page itself (apps/studio/dist) is served
// under /studio/ by whoever mounts the app, like every other app.
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TidewireServer } from '@tidewire/server';
import { StudioError } from '../errors.ts';
import { RedisQueue } from '../queue/bullmq.ts';
import { openEmbeddedQueue } from '../queue/embedded.ts';
import type { JobQueue, QueueWorker, WorkerOptions } from '../queue/types.ts';
import { BUILTIN_BACKGROUNDS, liveChildren, renderCacheBytes } from '../render/index.ts';
import { liveChildPids } from '../render/process.ts';
import { AssetStore, DEFAULT_ASSET_LIMITS } from './assets.ts';
import type { AssetLimits } from './assets.ts';
import { registerErrorHandler } from './http-errors.ts';
import { Library } from './library.ts';
import { lockDataDir } from './lock.ts';
import { LiveJobs } from './live.ts';
import { StudioMetrics } from './metrics.ts';
import { assetRoutes } from './routes-assets.ts';
import { jobRoutes } from './routes-jobs.ts';
import { storyRoutes } from './routes-stories.ts';
import { builtinList, voiceRoutes } from './routes-voice.ts';
import type { BuiltinBackground } from './routes-voice.ts';
import { DEFAULT_DATA_DIR } from './paths.ts';
import { StoryStore } from './stories.ts';
import { DEFAULT_TOOLS } from './tools.ts';
import type { RunOptions, ToolPaths } from './tools.ts';
import { pipelinePreview } from './voice.ts';
import type { Speaker } from './voice.ts';
import { cleanupWorkerLeftovers, renderCacheDir, renderJobHandler } from './worker.ts';
import type { RenderFn } from './worker.ts';

export const STUDIO_PATH = '/studio/';
export const STUDIO_API = '/studio/api';

export { DEFAULT_DATA_DIR };

export interface StudioOptions {
  /** Where stories, assets, renders and scratch files live (default `.tidewire/studio/` in the repo). */
  dataDir?: string;
  /** The job queue (default: the embedded queue, journal in `<dataDir>/queue`; or BullMQ with `redis`). Closed by the caller. */
  queue?: JobQueue;
  /** redis://… : jobs go through BullMQ on this Redis, so `tidewire studio worker` processes can render them. */
  redis?: string;
  /** How long the start waits for `redis` (default REDIS_CONNECT_TIMEOUT_MS): then STUDIO_QUEUE_UNREACHABLE. */
  redisTimeoutMs?: number;
  /** The render pipeline (default renderStory). */
  render?: RenderFn;
  /** Run render jobs in this process (default true; false when separate workers render). */
  worker?: boolean | WorkerOptions;
  tools?: Partial<ToolPaths>;
  assetLimits?: Partial<AssetLimits>;
  /** Bytes the library's renders may take before new jobs are refused (default 20 GiB). */
  renderQuotaBytes?: number;
  /** Live child processes of renders (default: the render pipeline's registry). */
  liveChildren?: () => number;
  /** The voice preview (default: the render pipeline's TTS, so the preview is what the render says). */
  speak?: Speaker;
  builtins?: BuiltinBackground[];
}

export interface MountedStudio {
  path: string;
  title: string;
  /** Tree channel of the live job list. */
  channel: string;
  dataDir: string;
  queue: JobQueue;
  close(): Promise<void>;
}

/** How long a start waits for Redis before the studio reports it unreachable (instead of hanging the server's start). */
export const REDIS_CONNECT_TIMEOUT_MS = 10_000;

async function openRedis(url: string, timeoutMs: number): Promise<JobQueue> {
  const queue = new RedisQueue({ url });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.ready(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new StudioError('STUDIO_QUEUE_UNREACHABLE', `Redis at ${url.replace(/\/\/[^@/]*@/, '//…@')} did not answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    return queue;
  } catch (e) {
    queue.abandon();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

function defaultQueue(dataDir: string, redis: string | undefined, redisTimeoutMs: number): Promise<JobQueue> {
  return redis ? openRedis(redis, redisTimeoutMs) : openEmbeddedQueue({ dir: join(dataDir, 'queue') });
}

/** Kills every child process of this process's renders (shutdown's last word, after the worker closed). */
function killRenderChildren(): void {
  for (const pid of liveChildPids()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function mountStudio(server: TidewireServer, options: StudioOptions = {}): Promise<MountedStudio> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const workRoot = join(dataDir, 'work');
  // This process's ledger of render children and temp files: a killed earlier life's process
  // groups are killed and its temp files (partial outputs included) removed before any job runs.
  const stateDir = join(dataDir, 'state', 'server');
  const unlock = lockDataDir(join(stateDir, 'server.lock'));
  try {
    return await mountLocked(server, options, dataDir, workRoot, stateDir, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function mountLocked(
  server: TidewireServer,
  options: StudioOptions,
  dataDir: string,
  workRoot: string,
  stateDir: string,
  unlock: () => void,
): Promise<MountedStudio> {
  const tools: ToolPaths = { ...DEFAULT_TOOLS, ...options.tools };
  await cleanupWorkerLeftovers({ workRoot, stateDir });

  let ownChildren = 0;
  const run: RunOptions = { onSpawn: (d) => void (ownChildren += d) };
  const stories = new StoryStore(dataDir);
  const assets = new AssetStore(dataDir, tools, { ...DEFAULT_ASSET_LIMITS, ...options.assetLimits }, run);
  const library = new Library(dataDir);
  await Promise.all([stories.init(), assets.init(), library.init()]);

  const queue = options.queue ?? (await defaultQueue(dataDir, options.redis, options.redisTimeoutMs ?? REDIS_CONNECT_TIMEOUT_MS));
  const live = new LiveJobs(server, await queue.list());
  const metrics = new StudioMetrics(server.metrics, {
    counts: () => queue.counts(),
    liveChildren: () => ownChildren + (options.liveChildren ?? liveChildren)(),
    cacheBytes: () => {
      const render = renderCacheBytes();
      return { renders: library.totalBytes(), assets: assets.totalBytes(), memory: render.memoryBytes, disk: render.diskBytes };
    },
  });
  const unsubscribe = queue.onStatus((s) => {
    live.update(s);
    metrics.status(s);
    // A render finished by a worker in another process: list it here too.
    if (s.state === 'completed' && s.outputId) void library.adopt(s.outputId);
  });

  let worker: QueueWorker | undefined;
  if (options.worker !== false) {
    const handler = renderJobHandler({
      library,
      assets: (id) => assets.resolve(id),
      workRoot,
      stateDir,
      cacheDir: renderCacheDir(dataDir),
      ...(options.render ? { render: options.render } : {}),
    });
    worker = queue.process(handler, typeof options.worker === 'object' ? options.worker : { concurrency: 1 });
  }

  await server.fastify.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', server.requireToken);
      registerErrorHandler(scope);
      storyRoutes(scope, stories);
      assetRoutes(scope, assets, metrics);
      jobRoutes(scope, { queue, stories, assets, library, ffmpeg: tools.ffmpeg, run, renderQuotaBytes: options.renderQuotaBytes ?? 20 * 1024 ** 3 });
      voiceRoutes(
        scope,
        tools.espeak,
        options.speak ?? pipelinePreview(join(dataDir, 'tmp'), renderCacheDir(dataDir)),
        options.builtins ?? builtinList(BUILTIN_BACKGROUNDS),
      );
    },
    { prefix: STUDIO_API },
  );

  let closed: Promise<void> | undefined;
  return {
    path: STUDIO_PATH,
    title: 'Media Studio',
    channel: live.channel.name,
    dataDir,
    queue,
    close() {
      closed ??= (async () => {
        unsubscribe();
        // The worker's close aborts running renders (the pipeline kills their groups and
        // removes their temp files); whatever is still alive after it is killed here.
        await worker?.close();
        if (!options.queue) await queue.close();
        killRenderChildren();
        unlock();
      })();
      return closed;
    },
  };
}
