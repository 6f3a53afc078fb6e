// mountStudio: Media Studio on a Tidewire server (docs/studio.md). REST under
// /studio/api/, the live job list as tree channel `studio`, metrics on the server's registry, and
// (by default) a render worker in this process. The page itself (apps/studio/dist) is served
// under /studio/ by whoever mounts the app, like every other app.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { TidewireServer } from '@tidewire/server';
import { StudioError } from '../errors.ts';
import type { JobQueue, QueueWorker, WorkerOptions } from '../queue/types.ts';
import { AssetStore, DEFAULT_ASSET_LIMITS } from './assets.ts';
import type { AssetLimits } from './assets.ts';
import { registerErrorHandler } from './http-errors.ts';
import { Library } from './library.ts';
import { LiveJobs } from './live.ts';
import { StudioMetrics } from './metrics.ts';
import { assetRoutes } from './routes-assets.ts';
import { jobRoutes } from './routes-jobs.ts';
import { storyRoutes } from './routes-stories.ts';
import { BUILTIN_BACKGROUNDS_STUB, voiceRoutes } from './routes-voice.ts';
import type { BuiltinBackground } from './routes-voice.ts';
import { StoryStore } from './stories.ts';
import { DEFAULT_TOOLS } from './tools.ts';
import type { RunOptions, ToolPaths } from './tools.ts';
import { espeakPreview } from './voice.ts';
import type { Speaker } from './voice.ts';
import { renderJobHandler } from './worker.ts';
import type { RenderFn } from './worker.ts';

export const STUDIO_PATH = '/studio/';
export const STUDIO_API = '/studio/api';

/** `.tidewire/studio/` at the repository root. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../../.tidewire/studio/', import.meta.url));

export interface StudioOptions {
  /** Where stories, assets, renders and scratch files live (default `.tidewire/studio/` in the repo). */
  dataDir?: string;
  /** The job queue. MERGE: defaults to B2's EmbeddedQueue on `<dataDir>/queue` once merged. */
  queue?: JobQueue;
  /** The render pipeline. MERGE: defaults to B1's renderStory once merged. */
  render?: RenderFn;
  /** Run render jobs in this process (default true; false when separate workers render). */
  worker?: boolean | WorkerOptions;
  tools?: Partial<ToolPaths>;
  assetLimits?: Partial<AssetLimits>;
  /** Bytes the library's renders may take before new jobs are refused (default 20 GiB). */
  renderQuotaBytes?: number;
  /** Live child processes of renders. MERGE: B1's `liveChildren()` registry (its size). */
  liveChildren?: () => number;
  /** The voice preview. MERGE: B1's TTS; default espeak-ng directly. */
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

/** MERGE: replace with `new EmbeddedQueue({ dir: join(dataDir, 'queue') })` from ../queue. */
function defaultQueue(_dataDir: string): JobQueue {
  throw new StudioError('STUDIO_QUEUE_CLOSED', 'mountStudio needs options.queue until the queue is merged');
}

/** MERGE: replace with B1's `renderStory` from ../render. */
const defaultRender: RenderFn = async () => {
  throw new StudioError('STUDIO_TOOL_MISSING', 'no render pipeline: pass options.render until the pipeline is merged');
};

export async function mountStudio(server: TidewireServer, options: StudioOptions = {}): Promise<MountedStudio> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const tools: ToolPaths = { ...DEFAULT_TOOLS, ...options.tools };
  const workRoot = join(dataDir, 'work');
  await mkdir(workRoot, { recursive: true });
  // Scratch folders of renders that died with the last process.
  for (const n of await readdir(workRoot)) await rm(join(workRoot, n), { recursive: true, force: true });

  let ownChildren = 0;
  const run: RunOptions = { onSpawn: (d) => void (ownChildren += d) };
  const stories = new StoryStore(dataDir);
  const assets = new AssetStore(dataDir, tools, { ...DEFAULT_ASSET_LIMITS, ...options.assetLimits }, run);
  const library = new Library(dataDir);
  await Promise.all([stories.init(), assets.init(), library.init()]);

  const queue = options.queue ?? defaultQueue(dataDir);
  const live = new LiveJobs(server, await queue.list());
  const metrics = new StudioMetrics(server.metrics, {
    counts: () => queue.counts(),
    liveChildren: () => ownChildren + (options.liveChildren?.() ?? 0),
    cacheBytes: () => ({ renders: library.totalBytes(), assets: assets.totalBytes() }),
  });
  const unsubscribe = queue.onStatus((s) => {
    live.update(s);
    metrics.status(s);
    // A render finished by a worker in another process: list it here too.
    if (s.state === 'completed' && s.outputId) void library.adopt(s.outputId);
  });

  let worker: QueueWorker | undefined;
  if (options.worker !== false) {
    const handler = renderJobHandler({ library, assets: (id) => assets.resolve(id), render: options.render ?? defaultRender, workRoot });
    worker = queue.process(handler, typeof options.worker === 'object' ? options.worker : { concurrency: 1 });
  }

  await server.fastify.register(
    async (scope: FastifyInstance) => {
      scope.addHook('onRequest', server.requireToken);
      registerErrorHandler(scope);
      storyRoutes(scope, stories);
      assetRoutes(scope, assets, metrics);
      jobRoutes(scope, { queue, stories, assets, library, ffmpeg: tools.ffmpeg, run, renderQuotaBytes: options.renderQuotaBytes ?? 20 * 1024 ** 3 });
      voiceRoutes(scope, tools.espeak, options.speak ?? espeakPreview(tools.espeak, run), options.builtins ?? BUILTIN_BACKGROUNDS_STUB);
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
        await worker?.close();
        if (!options.queue) await queue.close();
      })();
      return closed;
    },
  };
}
