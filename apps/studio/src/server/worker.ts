// The one job handler every render worker runs (docs/studio.md §1.3): the server's
// in-process worker and `tidewire studio worker` both use `renderJobHandler`. It renders the story
// as it was submitted into the library (`renders/<id>.mp4` and `.jpg`, renamed into place by the
// pipeline), lists it, and removes the job's scratch folder whatever happens.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobHandler } from '../queue/types.ts';
import type { Story } from '../model.ts';
import { cleanupLeftovers, renderStory } from '../render/index.ts';
import type { AssetResolver, RenderOptions, RenderOutput } from '../render/types.ts';
import { Library } from './library.ts';
import { checkId, newId } from './names.ts';

export type RenderFn = (story: Story, options: RenderOptions) => Promise<RenderOutput>;

export interface RenderJobDeps {
  library: Library;
  assets: AssetResolver;
  /** The render pipeline (default renderStory; tests pass a fast one). */
  render?: RenderFn;
  /** Parent of the per-job scratch folders. */
  workRoot: string;
  /**
   * This process's ledger folder: live child process groups and temp paths of its renders, for
   * `cleanupLeftovers` after a crash. One per process: a second process cleaning up the same
   * folder would kill this one's renders.
   */
  stateDir: string;
  /** The render's intermediates cache: spoken WAVs and generated builtin backgrounds (shared between processes; files appear by rename). */
  cacheDir: string;
}

/**
 * The intermediates cache under a studio data dir (docs/studio.md §1.1, §5.10): spoken WAVs and
 * generated builtin backgrounds, shared by the server's worker, `tidewire studio worker` and the
 * voice preview. The disk cache owns the whole folder (it evicts what it finds), so it is a
 * folder of its own under `cache/`.
 */
export function renderCacheDir(dataDir: string): string {
  return join(dataDir, 'cache', 'render');
}

/** A library id for a job: the job id when it is a safe file name, else a fresh one. */
function outputIdFor(jobId: string): string {
  try {
    return checkId('job', jobId);
  } catch {
    return newId();
  }
}

export function renderJobHandler(deps: RenderJobDeps): JobHandler {
  const render = deps.render ?? renderStory;
  return async (job) => {
    const id = outputIdFor(job.id);
    const workDir = join(deps.workRoot, `${id}-${job.attempt}`);
    await mkdir(workDir, { recursive: true });
    try {
      const out = await render(job.data.story, {
        outPath: deps.library.videoPath(id),
        thumbnailPath: deps.library.thumbnailPath(id),
        workDir,
        stateDir: deps.stateDir,
        cacheDir: deps.cacheDir,
        assets: deps.assets,
        signal: job.signal,
        onProgress: (stage, fraction) => job.progress(stage, fraction),
      });
      const story = job.data.story;
      await deps.library.add({
        id,
        jobId: job.id,
        title: story.title || 'Untitled',
        format: story.format,
        durationSeconds: out.durationSeconds,
        bytes: out.bytes,
        createdAt: Date.now(),
      });
      return { outputId: id, durationSeconds: out.durationSeconds, bytes: out.bytes };
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  };
}

/**
 * Kills what a killed earlier life of this worker left running (its ledger in `stateDir`) and
 * empties its scratch folder. Call before the first job of this life starts.
 */
export async function cleanupWorkerLeftovers(dirs: { workRoot: string; stateDir: string }): Promise<void> {
  cleanupLeftovers(dirs.stateDir);
  await rm(dirs.workRoot, { recursive: true, force: true });
  await mkdir(dirs.workRoot, { recursive: true });
}

/**
 * Assets read from disk at render time (`assets/<id>/original` of an asset whose meta.json is
 * there), for a worker in another process whose AssetStore would not see later uploads.
 */
export function diskAssets(dataDir: string): AssetResolver {
  return (assetId) => {
    let id: string;
    try {
      id = checkId('asset', assetId);
    } catch {
      return undefined;
    }
    const dir = join(dataDir, 'assets', id);
    return existsSync(join(dir, 'meta.json')) ? join(dir, 'original') : undefined;
  };
}

/**
 * The handler of a worker process on the studio data dir `dataDir` with its own `stateDir`
 * (scratch folders under `stateDir/work`); kills what its killed earlier life left first.
 */
export async function workerProcessHandler(dataDir: string, stateDir: string, render?: RenderFn): Promise<JobHandler> {
  const dirs = { workRoot: join(stateDir, 'work'), stateDir };
  await cleanupWorkerLeftovers(dirs);
  const library = new Library(dataDir);
  await library.init();
  return renderJobHandler({ library, assets: diskAssets(dataDir), ...dirs, cacheDir: renderCacheDir(dataDir), ...(render ? { render } : {}) });
}
