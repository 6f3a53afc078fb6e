import { fileURLToPath } from 'node:url';
export * from './model.ts';
export { StudioError, StudioErrorCodes, isStudioErrorCode } from './errors.ts';
export type { StudioErrorCode } from './errors.ts';
export { mountStudio, STUDIO_PATH, STUDIO_API, DEFAULT_DATA_DIR } from './server/mount.ts';
export type { StudioOptions, MountedStudio } from './server/mount.ts';
export { renderJobHandler } from './server/worker.ts';
export type { RenderFn, RenderJobDeps } from './server/worker.ts';
export { LIVE_CHANNEL, jobAttrs } from './server/live.ts';
export type { AssetInfo } from './server/assets.ts';
export type { BuiltinBackground } from './server/routes-voice.ts';
export { Library } from './server/library.ts';
/** The studio page's production build (apps/studio/dist), for hosts and benchmarks that serve it. */
export const STUDIO_DIST = fileURLToPath(new URL('../dist/', import.meta.url));
