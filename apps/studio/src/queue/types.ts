// The JobQueue contract (docs/studio.md §4). Two adapters implement it and pass one shared
// contract test suite: the embedded queue (in-process, durable journal on disk; what `npm start`
// uses) and the BullMQ queue on Redis (render workers in other processes, on any machine).
import type { JobStatus, RenderRequest, Stage } from '../model.ts';

export interface AddJobOptions {
  /** Attempts in all, the first included (default 3). Retries back off exponentially. */
  attempts?: number;
  /** Kill the job after this long (default 10 minutes). */
  timeoutMs?: number;
}

/** What a job handler gets: its id and data, a signal aborted on cancel/timeout/shutdown, and a progress reporter. */
export interface JobContext {
  readonly id: string;
  readonly data: RenderRequest;
  readonly attempt: number;
  readonly signal: AbortSignal;
  progress(stage: Stage, fraction: number): void;
}

/** What a finished render reports back (stored on the job, read by the library). */
export interface JobResult {
  outputId: string;
  durationSeconds: number;
  bytes: number;
}

export type JobHandler = (job: JobContext) => Promise<JobResult>;

export interface WorkerOptions {
  /** Jobs run at once by this worker (default: the machine's cores). */
  concurrency?: number;
}

export interface QueueWorker {
  close(): Promise<void>;
}

export interface JobQueue {
  /** Queues a job; resolves with its status once it is durable (journal fsynced / in Redis). */
  add(request: RenderRequest, options?: AddJobOptions): Promise<JobStatus>;
  /** Cancels a queued or active job: an active one's signal aborts. False when it was already finished. */
  cancel(id: string): Promise<boolean>;
  get(id: string): Promise<JobStatus | undefined>;
  /** Jobs newest first, completed and failed ones within the retention. */
  list(): Promise<JobStatus[]>;
  /** Every change of any job's status (state, stage, progress), from any worker. Returns an unsubscribe. */
  onStatus(listener: (status: JobStatus) => void): () => void;
  /** Starts processing jobs in this process. */
  process(handler: JobHandler, options?: WorkerOptions): QueueWorker;
  /** Jobs waiting and running. */
  counts(): Promise<Record<JobStatus['state'], number>>;
  close(): Promise<void>;
}
