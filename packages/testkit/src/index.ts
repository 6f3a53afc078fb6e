export { ensureAppBuilt } from './build.ts';
export { launchChromium, chromiumAvailable, CHROMIUM_PATH, CHROMIUM_FLAGS } from './browser.ts';
export type { LaunchedBrowser } from './browser.ts';
export { startRedis, redisAvailable, REDIS_SERVER_PATH } from './redis.ts';
export type { RunningRedis } from './redis.ts';
