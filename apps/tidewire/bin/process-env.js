// The environment the Tidewire server process starts with (`npm start` spawns `tidewire serve`
// with it; the studio benchmark starts its server process with it too, so it measures what users run).
//
// MALLOC_ARENA_MAX=2: glibc gives every thread that calls malloc its own arena (up to 8 per core)
// and keeps freed pages in each. The server's libuv threads (file I/O, zlib/brotli for
// @fastify/compress) each grew one, and the server's RSS rose ~5 MB per 30 studio jobs with a flat
// JS heap; with two arenas it stayed flat (docs/studio-bench.md §6). glibc reads it only at start,
// so it cannot be set from inside the process. A value already in the environment wins.

/** Variables added to the server's environment unless already set. */
export const SERVER_PROCESS_ENV = Object.freeze({ MALLOC_ARENA_MAX: '2' });

/** `env` with SERVER_PROCESS_ENV's defaults filled in. */
export function serverProcessEnv(env = process.env) {
  return { ...SERVER_PROCESS_ENV, ...env };
}
