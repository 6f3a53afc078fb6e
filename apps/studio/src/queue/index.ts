// @tidewire/studio/queue: the JobQueue contract and its two adapters (docs/studio.md §4), for
// render workers in other processes and for the benchmarks.
export { openEmbeddedQueue } from './embedded.ts';
export { openRedisQueue } from './bullmq.ts';
export { createRenderWorker } from './worker.ts';
export type { AddJobOptions, JobContext, JobHandler, JobQueue, JobResult, QueueWorker, WorkerOptions } from './types.ts';
