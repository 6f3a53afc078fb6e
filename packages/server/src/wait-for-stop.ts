// How a long-running command (tidewire serve, liveset, replay serve) waits to be stopped: the first SIGINT or SIGTERM, or
// `signal` aborting (tests stop a command this way). Every listener it added is removed once
// it resolves, so a second Ctrl+C during shutdown gets Node's default (exit) and commands run
// one after another in one process (tests) leave none behind.
export function waitForStop(signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal?.aborted) stop();
    else signal?.addEventListener('abort', stop);
  });
}
