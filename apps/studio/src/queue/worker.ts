// A render worker process (docs/studio.md §4.4): takes jobs from a queue with a handler until
// SIGTERM or SIGINT, then shuts down gracefully: the running handlers' signals abort (the render
// pipeline kills its child processes), their jobs go back to waiting for another worker, and
// the queue's connections close. A second signal exits at once.
import type { JobHandler, JobQueue, QueueWorker } from './types.ts';

export interface RenderWorkerOptions {
  concurrency?: number;
  /** Install SIGTERM/SIGINT handlers (default true; tests drive `stop()` instead). */
  signals?: boolean;
  log?: (line: string) => void;
}

export interface RenderWorker {
  readonly worker: QueueWorker;
  /** Stops taking jobs, re-queues the running ones and closes the queue. */
  stop(): Promise<void>;
  /** Resolves once stopped (by stop() or a signal). */
  readonly stopped: Promise<void>;
}

export function createRenderWorker(queue: JobQueue, handler: JobHandler, options: RenderWorkerOptions = {}): RenderWorker {
  const log = options.log ?? (() => {});
  const worker = queue.process(handler, { concurrency: options.concurrency });
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`studio worker: ${signal} again, exiting now`);
      process.exit(1);
    }
    log(`studio worker: ${signal}, re-queueing running jobs and closing`);
    void stop();
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      try {
        await worker.close();
        await queue.close();
      } finally {
        if (options.signals !== false) {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
        }
        resolveStopped();
      }
    })();
    return stopping;
  };
  if (options.signals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  return { worker, stop, stopped };
}
