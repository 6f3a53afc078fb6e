// Types of process-env.js (plain JavaScript, so scripts/start.mjs can import it without tsx).
/** Variables added to the server's environment unless already set. */
export declare const SERVER_PROCESS_ENV: Readonly<{ MALLOC_ARENA_MAX: string }>;
/** `env` with SERVER_PROCESS_ENV's defaults filled in. */
export declare function serverProcessEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
