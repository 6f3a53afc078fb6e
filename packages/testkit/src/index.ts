export { ensureAppBuilt } from './build.ts';
export { launchChromium, chromiumAvailable, CHROMIUM_PATH, CHROMIUM_FLAGS } from './browser.ts';
export type { LaunchedBrowser } from './browser.ts';
export { startRedis, redisAvailable, REDIS_SERVER_PATH } from './redis.ts';
export type { RunningRedis } from './redis.ts';
export { specialTargets } from './special-files.ts';
export type { SpecialTarget } from './special-files.ts';
