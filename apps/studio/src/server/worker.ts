// The job handler a render worker runs (docs/studio.md §1.3): renders the story as it was
// submitted into the library (`renders/<id>.mp4` and `.jpg`, renamed into place by the
// pipeline), lists it, and removes the job's scratch folder whatever happens.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobHandler } from '../queue/types.ts';
import type { Story } from '../model.ts';
import type { AssetResolver, RenderOptions, RenderOutput } from '../render/types.ts';
import type { Library } from './library.ts';
import { checkId, newId } from './names.ts';

export type RenderFn = (story: Story, options: RenderOptions) => Promise<RenderOutput>;

export interface RenderJobDeps {
  library: Library;
  assets: AssetResolver;
  render: RenderFn;
  /** Parent of the per-job scratch folders. */
  workRoot: string;
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
  return async (job) => {
    const id = outputIdFor(job.id);
    const workDir = join(deps.workRoot, `${id}-${job.attempt}`);
    await mkdir(workDir, { recursive: true });
    try {
      const out = await deps.render(job.data.story, {
        outPath: deps.library.videoPath(id),
        thumbnailPath: deps.library.thumbnailPath(id),
        workDir,
        assets: deps.assets,
        signal: job.signal,
        onProgress: (stage, fraction) => job.progress(stage, fraction),
      });
      const story = job.data.story;
      await deps.library.add({ id, jobId: job.id, title: story.title || 'Untitled', format: story.format, durationSeconds: out.durationSeconds, bytes: out.bytes, createdAt: Date.now() });
      return { outputId: id, durationSeconds: out.durationSeconds, bytes: out.bytes };
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  };
}
