// The JobQueue on Redis through BullMQ (docs/studio.md §4.3): render workers may run in other
// processes or on other machines. BullMQ gives durable jobs, retries with backoff, bounded
// retention and stalled-job recovery (a worker killed mid-job loses its lock; another worker's
// stalled checker moves the job back to waiting). What BullMQ OSS lacks we add with two Redis
// keys and one channel: a cancelled job's status lives in a hash (ordered by a sorted set, both
// trimmed like the finished jobs), and its id is published on a channel every worker listens to,
// so an active job's signal aborts wherever it runs. A worker also checks the hash before it
// starts a job, so a cancelled job that stalls back into waiting is never run again.
import { availableParallelism } from 'node:os';
import { Job, Queue, QueueEvents, UnrecoverableError, WaitingError, Worker, type JobsOptions, type KeepJobs } from 'bullmq';
import { Redis } from 'ioredis';
import { StudioError } from '../errors.ts';
import type { JobState, JobStatus, RenderRequest, Stage } from '../model.ts';
import { newJobId, isJobId } from './ids.ts';
import {
  DEFAULT_GRACE_MS,
  DEFAULT_PROGRESS_INTERVAL_MS,
  DEFAULT_RETENTION,
  PERMANENT_CODES,
  UNKNOWN_ERROR_CODE,
  backoffDelay,
  checkAdd,
  checkConcurrency,
  isStage,
  jobError,
  overallProgress,
  type BackoffOptions,
  type RetentionOptions,
} from './policy.ts';
import { ProgressThrottle } from './progress.ts';
import { emptyCounts, isFinished } from './states.ts';
import type { AddJobOptions, JobContext, JobHandler, JobQueue, JobResult, QueueWorker, WorkerOptions } from './types.ts';

export interface RedisQueueOptions {
  /** redis://[user:pass@]host:port[/db] */
  url: string;
  /** The BullMQ queue name (default 'studio-render'). */
  name?: string;
  /** Key prefix (default 'tidewire'). */
  prefix?: string;
  retention?: RetentionOptions;
  backoff?: BackoffOptions;
  graceMs?: number;
  progressIntervalMs?: number;
  /** How long a worker's lock on a job lasts unless renewed (default 30 s). A killed worker's job is free again after this. */
  lockDurationMs?: number;
  /** How often workers look for jobs whose lock ran out (default 30 s). */
  stalledIntervalMs?: number;
  /** Stalls a job survives before it fails with STUDIO_WORKER_LOST (default 1). */
  maxStalledCount?: number;
}

/** The job data in Redis: the request plus the one option BullMQ does not keep for us. */
export interface RedisJobData extends RenderRequest {
  timeoutMs: number;
}

/** What a worker stores with job.updateProgress. */
interface ProgressData {
  stage: Stage;
  fraction: number;
  progress: number;
}

const LIST_LIMIT = 1000;
const STALLED_REASON = /stalled/i;
const REASON = /^([A-Z][A-Z0-9_]{2,63}): ([\s\S]*)$/;

export async function openRedisQueue(options: RedisQueueOptions): Promise<RedisQueue> {
  const queue = new RedisQueue(options);
  await queue.ready();
  return queue;
}

type StudioWorker = Worker<RedisJobData, JobResult>;

interface LocalRun {
  controller: AbortController;
}

export class RedisQueue implements JobQueue {
  readonly name: string;
  readonly prefix: string;
  readonly #queue: Queue<RedisJobData, JobResult>;
  readonly #client: Redis;
  readonly #subscriber: Redis;
  #events: QueueEvents | undefined;
  #eventsConnection: Redis | undefined;
  #eventChain: Promise<void> = Promise.resolve();
  #listeners = new Set<(status: JobStatus) => void>();
  #lastEmitted = new Map<string, JobStatus>();
  #cancelledHere = new Set<string>();
  #runs = new Map<string, LocalRun>();
  #workers = new Set<QueueWorker>();
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closing: Promise<void> | undefined;
  readonly #keep: KeepJobs;
  readonly #retention: { count: number; ageMs: number };
  readonly #cancelledKey: string;
  readonly #cancelledOrderKey: string;
  readonly #cancelChannel: string;

  /** Use openRedisQueue. */
  constructor(private readonly options: RedisQueueOptions) {
    this.name = options.name ?? 'studio-render';
    this.prefix = options.prefix ?? 'tidewire';
    this.#retention = { count: options.retention?.count ?? DEFAULT_RETENTION.count, ageMs: options.retention?.ageMs ?? DEFAULT_RETENTION.ageMs };
    // reason: BullMQ keeps finished jobs forever unless told; its age is in seconds
    this.#keep = { count: this.#retention.count, age: Math.max(1, Math.ceil(this.#retention.ageMs / 1000)) };
    this.#client = connect(options.url);
    this.#subscriber = connect(options.url);
    this.#queue = new Queue<RedisJobData, JobResult>(this.name, { connection: this.#client, prefix: this.prefix });
    this.#queue.on('error', warn);
    const base = `${this.prefix}:${this.name}:studio`;
    this.#cancelledKey = `${base}:cancelled`;
    this.#cancelledOrderKey = `${base}:cancelled-order`;
    this.#cancelChannel = `${base}:cancel`;
  }

  async ready(): Promise<void> {
    await this.#queue.waitUntilReady();
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#cancelChannel) this.#onCancelMessage(message);
    });
    await this.#subscriber.subscribe(this.#cancelChannel);
    await this.#listen();
  }

  async add(request: RenderRequest, options?: AddJobOptions): Promise<JobStatus> {
    if (this.#state !== 'open') throw new StudioError('STUDIO_QUEUE_CLOSED', 'the queue is closed');
    const opts = checkAdd(request, options);
    const id = newJobId();
    const jobOptions: JobsOptions = {
      jobId: id,
      attempts: opts.attempts,
      backoff: { type: 'studio' },
      removeOnComplete: this.#keep,
      removeOnFail: this.#keep,
    };
    const job = await this.#queue.add('render', { story: request.story, timeoutMs: opts.timeoutMs }, jobOptions);
    return toStatus(job, 'waiting') as JobStatus;
  }

  async cancel(id: string): Promise<boolean> {
    if (!isJobId(id)) return false;
    if ((await this.#client.hexists(this.#cancelledKey, id)) === 1) return false;
    const job = await Job.fromId<RedisJobData, JobResult>(this.#queue, id);
    if (!job) return false;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed' || state === 'unknown') return false;
    const before = toStatus(job, state) ?? baseStatus(job);
    const status: JobStatus = { ...before, state: 'cancelled', finishedAt: Date.now(), error: { code: 'STUDIO_CANCELLED', message: 'the job was cancelled' } };
    // Record first: a worker that picks the job up from now on refuses it.
    await this.#recordCancelled(status);
    if (state !== 'active') {
      try {
        await job.remove();
      } catch {
        // reason: it became active (locked) meanwhile; the published cancel aborts it below
      }
    }
    await this.#client.publish(this.#cancelChannel, JSON.stringify(status));
    return true;
  }

  async get(id: string): Promise<JobStatus | undefined> {
    if (!isJobId(id)) return undefined;
    const cancelled = await this.#client.hget(this.#cancelledKey, id);
    if (cancelled) return JSON.parse(cancelled) as JobStatus;
    // reason: the state is read before the job's hash. The other order can see a hash from
    // before the job failed with a state from after (a failed job without its failedReason).
    const state = await this.#queue.getJobState(id);
    const job = await Job.fromId<RedisJobData, JobResult>(this.#queue, id);
    if (!job) return undefined;
    return toStatus(job, state);
  }

  async list(): Promise<JobStatus[]> {
    const kinds = [['active'], ['waiting', 'prioritized', 'paused'], ['delayed'], ['completed'], ['failed']] as const;
    const out: JobStatus[] = [];
    const seen = new Set<string>();
    for (const status of await this.#cancelledStatuses()) {
      seen.add(status.id);
      out.push(status);
    }
    for (const types of kinds) {
      const jobs = (await this.#queue.getJobs([...types], 0, LIST_LIMIT - 1)) as Job<RedisJobData, JobResult>[];
      for (const job of jobs) {
        if (!job?.id || seen.has(job.id)) continue;
        const status = toStatus(job, types[0]);
        if (!status) continue;
        seen.add(job.id);
        out.push(status);
      }
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  onStatus(listener: (status: JobStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async counts(): Promise<Record<JobState, number>> {
    const c = await this.#queue.getJobCounts('active', 'waiting', 'prioritized', 'paused', 'delayed', 'completed', 'failed');
    const counts = emptyCounts();
    counts.active = c.active ?? 0;
    counts.queued = (c.waiting ?? 0) + (c.prioritized ?? 0) + (c.paused ?? 0);
    counts.retrying = c.delayed ?? 0;
    counts.completed = c.completed ?? 0;
    counts.failed = c.failed ?? 0;
    counts.cancelled = await this.#client.hlen(this.#cancelledKey);
    return counts;
  }

  process(handler: JobHandler, options: WorkerOptions = {}): QueueWorker {
    if (this.#state !== 'open') throw new StudioError('STUDIO_QUEUE_CLOSED', 'the queue is closed');
    const concurrency = checkConcurrency(options.concurrency, availableParallelism());
    const connection = connect(this.options.url);
    const backoff = this.options.backoff;
    const worker: StudioWorker = new Worker<RedisJobData, JobResult>(this.name, (job, token): Promise<JobResult> => this.#run(handler, job, token, worker), {
      connection,
      prefix: this.prefix,
      concurrency,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.options.maxStalledCount ?? 1,
      settings: { backoffStrategy: (attemptsMade: number) => backoffDelay(attemptsMade, backoff) },
    });
    worker.on('error', warn);
    worker.on('failed', (job, err) => {
      // reason: the cancelled status lives in the hash; the failed copy would be counted twice
      if (job && parseReason(err?.message).code === 'STUDIO_CANCELLED') job.remove().catch(() => undefined);
    });
    let closing: Promise<void> | undefined;
    const handle: QueueWorker = {
      close: () => {
        closing ??= (async () => {
          for (const [id, run] of this.#runs)
            if (this.#ownsRun(worker, id)) run.controller.abort(new StudioError('STUDIO_QUEUE_CLOSED', 'the worker is shutting down'));
          await worker.close();
          await connection.quit().catch(() => undefined);
          this.#workers.delete(handle);
        })();
        return closing;
      },
    };
    this.#workers.add(handle);
    return handle;
  }

  /** Drops the connections of a queue that never became ready (Redis unreachable): no graceful close to wait for. */
  abandon(): void {
    this.#state = 'closed';
    void this.#queue.close().catch(() => undefined);
    this.#subscriber.disconnect();
    this.#client.disconnect();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#state = 'closing';
      await Promise.all([...this.#workers].map((w) => w.close()));
      await this.#events?.close();
      await this.#eventsConnection?.quit().catch(() => undefined);
      await this.#queue.close();
      this.#subscriber.disconnect();
      await this.#client.quit().catch(() => undefined);
      this.#state = 'closed';
    })();
    return this.#closing;
  }

  // reason: runs are keyed by job id for the cancel channel; one process may host several
  // workers, and a worker only aborts its own runs on close
  #runOwners = new Map<string, StudioWorker>();
  #ownsRun(worker: StudioWorker, id: string): boolean {
    return this.#runOwners.get(id) === worker;
  }

  async #run(handler: JobHandler, job: Job<RedisJobData, JobResult>, token: string | undefined, owner: StudioWorker): Promise<JobResult> {
    const id = job.id as string;
    if ((await this.#client.hexists(this.#cancelledKey, id)) === 1) {
      throw new UnrecoverableError(`STUDIO_CANCELLED: job ${id} was cancelled before it started`);
    }
    const controller = new AbortController();
    const run: LocalRun = { controller };
    this.#runs.set(id, run);
    this.#runOwners.set(id, owner);
    const throttle = new ProgressThrottle(this.options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS, (stage, fraction) => {
      const data: ProgressData = { stage, fraction, progress: overallProgress(stage, fraction) };
      job.updateProgress(data as unknown as object).catch(warn);
    });
    const timeoutMs = job.data.timeoutMs;
    const timeout = setTimeout(() => controller.abort(new StudioError('STUDIO_TIMEOUT', `job ${id} ran past its ${timeoutMs} ms timeout`)), timeoutMs);
    const ctx: JobContext = {
      id,
      data: { story: job.data.story },
      attempt: Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1),
      signal: controller.signal,
      progress: (stage: Stage, fraction: number) => {
        if (!isStage(stage) || typeof fraction !== 'number' || controller.signal.aborted) return;
        throttle.report(stage, fraction);
      },
    };
    let outcome: { ok: true; result: JobResult } | { ok: false; error: unknown };
    try {
      outcome = await settleWithGrace(handler, ctx, controller.signal, this.options.graceMs ?? DEFAULT_GRACE_MS);
    } finally {
      clearTimeout(timeout);
      throttle.stop();
      this.#runs.delete(id);
      this.#runOwners.delete(id);
    }
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (StudioError.is(reason, 'STUDIO_QUEUE_CLOSED') && !outcome.ok) {
      // reason: a shutdown is not the job's failure; back to waiting for another worker
      await job.moveToWait(token);
      throw new WaitingError();
    }
    if (StudioError.is(reason, 'STUDIO_TIMEOUT') || StudioError.is(reason, 'STUDIO_CANCELLED')) {
      throw new UnrecoverableError(`${reason.code}: ${reason.message}`);
    }
    if (outcome.ok) return outcome.result;
    const error = jobError(outcome.error);
    const message = `${error.code}: ${error.message}`;
    throw PERMANENT_CODES.has(error.code) ? new UnrecoverableError(message) : new Error(message);
  }

  #onCancelMessage(message: string): void {
    let status: JobStatus;
    try {
      status = JSON.parse(message) as JobStatus;
    } catch {
      return;
    }
    if (!isJobId(status.id)) return;
    this.#cancelledHere.add(status.id);
    if (this.#cancelledHere.size > 10_000) this.#cancelledHere.delete(this.#cancelledHere.values().next().value as string);
    this.#runs.get(status.id)?.controller.abort(new StudioError('STUDIO_CANCELLED', `job ${status.id} was cancelled`));
    this.#emit(status);
  }

  async #recordCancelled(status: JobStatus): Promise<void> {
    const now = Date.now();
    const multi = this.#client.multi();
    multi.hset(this.#cancelledKey, status.id, JSON.stringify(status));
    multi.zadd(this.#cancelledOrderKey, now, status.id);
    await multi.exec();
    // Trim like BullMQ trims finished jobs: past the count, or older than the age.
    const old = new Set<string>([
      ...(await this.#client.zrangebyscore(this.#cancelledOrderKey, '-inf', now - this.#retention.ageMs)),
      ...(this.#retention.count >= 0 ? await this.#client.zrange(this.#cancelledOrderKey, 0, -(this.#retention.count + 1)) : []),
    ]);
    if (old.size > 0) {
      await this.#client
        .multi()
        .hdel(this.#cancelledKey, ...old)
        .zrem(this.#cancelledOrderKey, ...old)
        .exec();
    }
  }

  async #cancelledStatuses(): Promise<JobStatus[]> {
    const ids = await this.#client.zrevrange(this.#cancelledOrderKey, 0, LIST_LIMIT - 1);
    if (ids.length === 0) return [];
    const values = await this.#client.hmget(this.#cancelledKey, ...ids);
    return values.filter((v): v is string => typeof v === 'string').map((v) => JSON.parse(v) as JobStatus);
  }

  /**
   * Follows BullMQ's event stream (every process's jobs). It starts from the stream's current
   * last entry, read before the reader connects, so no event after open() is missed.
   */
  async #listen(): Promise<void> {
    const last = await this.#client.xrevrange(`${this.prefix}:${this.name}:events`, '+', '-', 'COUNT', 1);
    this.#eventsConnection = connect(this.options.url);
    const events = new QueueEvents(this.name, { connection: this.#eventsConnection, prefix: this.prefix, lastEventId: last[0]?.[0] ?? '0-0' });
    this.#events = events;
    events.on('error', warn);
    // Each event says which state the job entered; the job itself (fetched for its title and
    // attempts) may have moved on by the time we read it, so the event's state wins.
    const refresh = (jobId: string, patch: (s: JobStatus) => JobStatus, fetch = true) => {
      // reason: events are handled one at a time so a slow fetch cannot reorder them
      this.#eventChain = this.#eventChain
        .then(async () => {
          if (this.#state !== 'open' || this.#listeners.size === 0) return;
          const status = (fetch ? await this.get(jobId) : undefined) ?? this.#lastEmitted.get(jobId);
          if (status && status.state !== 'cancelled') this.#emit(patch({ ...status }));
        })
        .catch(warn);
    };
    // reason: entering a state starts its progress afresh; the fetched job may already carry
    // later progress, whose own events follow and would otherwise seem to go backwards
    const entered =
      (state: JobState) =>
      (s: JobStatus): JobStatus => ({ ...s, state, stage: undefined, progress: 0, outputId: undefined, finishedAt: undefined });
    events.on('waiting', ({ jobId }) => refresh(jobId, entered('queued')));
    events.on('active', ({ jobId }) => refresh(jobId, entered('active')));
    events.on('delayed', ({ jobId }) => refresh(jobId, entered('retrying')));
    events.on('stalled', ({ jobId }) => refresh(jobId, entered('queued')));
    events.on('completed', ({ jobId, returnvalue }) =>
      refresh(jobId, (s) => ({
        ...s,
        state: 'completed',
        progress: 1,
        error: undefined,
        outputId: (returnvalue as unknown as JobResult | undefined)?.outputId ?? s.outputId,
        finishedAt: s.finishedAt ?? Date.now(),
      })),
    );
    events.on('failed', ({ jobId, failedReason }) => {
      const error = parseReason(failedReason);
      refresh(jobId, (s) => ({ ...s, state: error.code === 'STUDIO_CANCELLED' ? 'cancelled' : 'failed', error, finishedAt: s.finishedAt ?? Date.now() }));
    });
    events.on('progress', ({ jobId, data }) => {
      const p = asProgress(data);
      if (p) refresh(jobId, (s) => (s.state === 'active' ? { ...s, stage: p.stage, progress: p.progress } : s), !this.#lastEmitted.has(jobId));
    });
  }

  #emit(status: JobStatus): void {
    if (this.#cancelledHere.has(status.id) && status.state !== 'cancelled') return;
    const last = this.#lastEmitted.get(status.id);
    if (last && last.state === status.state && last.stage === status.stage && last.progress === status.progress && last.attempts === status.attempts) return;
    if (last && isFinished(last.state)) return;
    this.#lastEmitted.delete(status.id);
    this.#lastEmitted.set(status.id, status);
    if (this.#lastEmitted.size > 2000) this.#lastEmitted.delete(this.#lastEmitted.keys().next().value as string);
    for (const listener of this.#listeners) {
      try {
        listener({ ...status });
      } catch (e) {
        warn(e);
      }
    }
  }
}

/** Runs the handler; once the signal aborts, waits at most `graceMs` for it to settle. */
function settleWithGrace(
  handler: JobHandler,
  ctx: JobContext,
  signal: AbortSignal,
  graceMs: number,
): Promise<{ ok: true; result: JobResult } | { ok: false; error: unknown }> {
  return new Promise((resolve) => {
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      grace = setTimeout(() => resolve({ ok: false, error: signal.reason }), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(() => handler(ctx))
      .then(
        (result) => resolve({ ok: true, result }),
        (error: unknown) => resolve({ ok: false, error }),
      )
      .finally(() => {
        if (grace) clearTimeout(grace);
        signal.removeEventListener('abort', onAbort);
      });
  });
}

function connect(url: string): Redis {
  // reason: BullMQ requires maxRetriesPerRequest null on connections its workers block on
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  redis.on('error', warn);
  return redis;
}

function warn(e: unknown): void {
  process.emitWarning(`studio redis queue: ${e instanceof Error ? e.message : String(e)}`);
}

function parseReason(reason: string | undefined): { code: string; message: string } {
  if (!reason) return { code: UNKNOWN_ERROR_CODE, message: '' };
  const m = REASON.exec(reason);
  if (m) return { code: m[1]!, message: m[2]! };
  if (STALLED_REASON.test(reason)) return { code: 'STUDIO_WORKER_LOST', message: reason };
  return { code: UNKNOWN_ERROR_CODE, message: reason };
}

function asProgress(value: unknown): ProgressData | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const p = value as Partial<ProgressData>;
  return isStage(p.stage) && typeof p.progress === 'number' ? (p as ProgressData) : undefined;
}

function baseStatus(job: Job<RedisJobData, JobResult>): JobStatus {
  return {
    id: job.id as string,
    storyId: job.data?.story?.id ?? '',
    title: job.data?.story?.title ?? '',
    state: 'queued',
    progress: 0,
    attempts: Math.max(job.attemptsStarted ?? 0, job.attemptsMade ?? 0),
    createdAt: job.timestamp,
  };
}

/** A BullMQ job in a BullMQ state as a JobStatus (undefined for a state we do not show). */
function toStatus(job: Job<RedisJobData, JobResult>, bullState: string): JobStatus | undefined {
  const status = baseStatus(job);
  const p = asProgress(job.progress);
  switch (bullState) {
    case 'waiting':
    case 'wait':
    case 'prioritized':
    case 'paused':
    case 'waiting-children':
      status.state = 'queued';
      break;
    case 'delayed':
      status.state = status.attempts > 0 ? 'retrying' : 'queued';
      break;
    case 'active':
      status.state = 'active';
      if (p) {
        status.stage = p.stage;
        status.progress = p.progress;
      }
      break;
    case 'completed':
      status.state = 'completed';
      status.progress = 1;
      status.outputId = job.returnvalue?.outputId;
      break;
    case 'failed': {
      const error = parseReason(job.failedReason);
      status.state = error.code === 'STUDIO_CANCELLED' ? 'cancelled' : 'failed';
      status.error = error;
      break;
    }
    default:
      return undefined;
  }
  if (status.state === 'retrying' && job.failedReason) status.error = parseReason(job.failedReason);
  if (job.processedOn) status.startedAt = job.processedOn;
  if (job.finishedOn && isFinished(status.state)) status.finishedAt = job.finishedOn;
  return status;
}
