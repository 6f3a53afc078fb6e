// The render pipeline's entry (docs/studio.md §5): one story in, one MP4 and one thumbnail out.
import type { Stage } from '../model.ts';
import type { ClipCache } from './clip-cache.ts';

/** Resolves an asset id (an upload) to its file on disk; undefined when there is none. */
export type AssetResolver = (assetId: string) => string | undefined;

export interface RenderOptions {
  /** Where the finished MP4 is renamed to (never visible before it is complete). */
  outPath: string;
  /** Where the thumbnail (JPEG, ≤ 30 KB) goes. */
  thumbnailPath: string;
  /** A private scratch folder for this render; removed afterwards by the caller or the pipeline. */
  workDir: string;
  assets: AssetResolver;
  /** Aborting kills every child process of this render (its process group) within 1 s. */
  signal?: AbortSignal;
  onProgress?: (stage: Stage, fraction: number) => void;
  /** Kill the render after this long with STUDIO_TIMEOUT (default 10 minutes). An abort whose reason is a StudioError (e.g. the queue's own STUDIO_TIMEOUT) rejects with that error. */
  timeoutMs?: number;
  /** Where live child process groups and temp paths are recorded for `cleanupLeftovers(stateDir)` after a crash (default: the parent of `workDir`). */
  stateDir?: string;
  /** The intermediates cache folder: spoken WAVs and generated builtin backgrounds, LRU under a byte quota (default: `stateDir/cache`; §5.10). */
  cacheDir?: string;
  /** That folder's quota in bytes, taken when this process first opens it (default DISK_CACHE_QUOTA_BYTES, 1 GiB). */
  cacheQuotaBytes?: number;
  /** Spoken clips in memory (default: the process-wide `clipCache`, 64 MiB); null to keep none. */
  clipCache?: ClipCache | null;
}

export interface RenderOutput {
  outPath: string;
  thumbnailPath: string;
  durationSeconds: number;
  bytes: number;
  /** When each scene's voice (and caption) starts, seconds from the start. */
  sceneStarts: number[];
}
