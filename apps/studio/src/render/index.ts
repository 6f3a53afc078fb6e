// The render pipeline's public surface (docs/studio.md §5), for src/index.ts, the queue worker and
// the server: render a story, clean up after a crash, count live children, list the builtins.
export { renderStory, validateStory, RENDER_LIMITS, DEFAULT_FPS } from './pipeline.ts';
export type { RenderTuning } from './pipeline.ts';
export type { FrameMode } from './graph.ts';
export { renderStoryNaive } from './naive.ts';
export { cleanupLeftovers, liveChildren } from './process.ts';
export type { CleanupReport } from './process.ts';
export { BUILTIN_BACKGROUNDS, ensureBuiltin } from './backgrounds.ts';
export type { BuiltinBackground, BuiltinFiles } from './backgrounds.ts';
export { listVoices, validateVoice } from './voice.ts';
export type { AssetResolver, RenderOptions, RenderOutput } from './types.ts';
export { clipCache, clipKey, createClipCache, renderCacheBytes, CLIP_CACHE_MAX_BYTES } from './clip-cache.ts';
export type { ClipCache } from './clip-cache.ts';
export { DiskCache, openDiskCache, DISK_CACHE_QUOTA_BYTES } from './disk-cache.ts';
export type { CacheLease } from './disk-cache.ts';
export { speak } from './voice.ts';
export type { VoiceCaches } from './voice.ts';
export { synthesize } from './voice.ts';
