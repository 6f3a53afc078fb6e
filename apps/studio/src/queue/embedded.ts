// The embedded JobQueue (docs/studio.md §4.2): jobs run in this process, no server needed.
// Every job's life is written to a journal (journal.ts) so a restart finds what was waiting or
// running: active jobs go back to `queued` (the interrupted attempt counts) or, when their
// attempts are spent, to `failed` with STUDIO_WORKER_LOST. States move only along the table in
// states.ts. Retries back off exponentially; a timeout or a cancel aborts the handler's signal,
// and a handler that ignores the signal loses its slot after a grace period.
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { StudioError } from '../errors.ts';
import type { JobState, JobStatus, RenderRequest, Stage } from '../model.ts';
import { newJobId } from './ids.ts';
import { Journal, DEFAULT_COMPACT_BYTES, type JournalJob, type JournalRecord } from './journal.ts';
import {
  DEFAULT_GRACE_MS,
  DEFAULT_PROGRESS_INTERVAL_MS,
  DEFAULT_RETENTION,
  PERMANENT_CODES,
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
import { canTransition, emptyCounts, isFinished } from './states.ts';
import type { AddJobOptions, JobContext, JobHandler, JobQueue, JobResult, QueueWorker, WorkerOptions } from './types.ts';

export interface EmbeddedQueueOptions {
  /** Folder for the journal (`queue.journal`); one queue per folder. */
  dir: string;
  retention?: RetentionOptions;
  backoff?: BackoffOptions;
  /** After a cancel, timeout or shutdown aborts a handler, how long it gets to settle (default 5 s). */
  graceMs?: number;
  progressIntervalMs?: number;
  /** Journal size past which it is rewritten with the live jobs only (default 4 MiB). */
  compactBytes?: number;
}

/** What opening the journal found. */
export interface RecoveryReport {
  /** Jobs that were active when the last process stopped and run again. */
  requeued: number;
  /** Jobs that were active with no attempts left: failed with STUDIO_WORKER_LOST. */
  lost: number;
  /** A last journal line cut short by a crash (ignored). */
  tornLines: number;
  /** Other unreadable journal lines (ignored). */
  corruptLines: number;
}

interface Entry {
  status: JobStatus;
  data: RenderRequest;
  opts: Required<AddJobOptions>;
  run: Run | undefined;
  retryTimer: NodeJS.Timeout | undefined;
}

interface Run {
  worker: Worker;
  controller: AbortController;
  throttle: ProgressThrottle;
  timeout: NodeJS.Timeout;
  grace: NodeJS.Timeout | undefined;
  settled: boolean;
  done: Promise<void>;
  resolveDone: () => void;
}

interface Worker {
  handler: JobHandler;
  concurrency: number;
  running: Set<Run>;
  closed: boolean;
}

type Outcome = { ok: true; result: JobResult } | { ok: false; error: unknown };

const JOURNAL_FILE = 'queue.journal';

/** Opens (or creates) the embedded queue whose journal is in `options.dir`, recovering unfinished jobs. */
export async function openEmbeddedQueue(options: EmbeddedQueueOptions): Promise<EmbeddedQueue> {
  await mkdir(options.dir, { recursive: true });
  const { journal, replay } = await Journal.open(join(options.dir, JOURNAL_FILE), options.compactBytes ?? DEFAULT_COMPACT_BYTES);
  const queue = new EmbeddedQueue(options, journal, { requeued: 0, lost: 0, tornLines: replay.tornLines, corruptLines: replay.corruptLines });
  await queue.recover(replay.jobs);
  return queue;
}

export class EmbeddedQueue implements JobQueue {
  readonly recovery: RecoveryReport;
  #jobs = new Map<string, Entry>();
  #waiting: Entry[] = [];
  #workers = new Set<Worker>();
  #listeners = new Set<(status: JobStatus) => void>();
  #state: 'open' | 'closing' | 'closed' = 'open';
  #closing: Promise<void> | undefined;
  #compacting = false;
  #pruneTimer: NodeJS.Timeout;
  readonly #retention: { count: number; ageMs: number };
  readonly #graceMs: number;
  readonly #progressIntervalMs: number;

  /** Use openEmbeddedQueue. */
  constructor(
    private readonly options: EmbeddedQueueOptions,
    private readonly journal: Journal,
    recovery: RecoveryReport,
  ) {
    this.recovery = recovery;
    this.#retention = { count: options.retention?.count ?? DEFAULT_RETENTION.count, ageMs: options.retention?.ageMs ?? DEFAULT_RETENTION.ageMs };
    if (!Number.isInteger(this.#retention.count) || this.#retention.count < 0)
      throw new StudioError('STUDIO_BAD_REQUEST', 'retention.count must be an integer ≥ 0');
    this.#graceMs = options.graceMs ?? DEFAULT_GRACE_MS;
    this.#progressIntervalMs = options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    this.#pruneTimer = setInterval(() => this.#prune(), Math.min(Math.max(this.#retention.ageMs, 10), 60_000)).unref();
  }

  /** Loads the journal's jobs: active ones are re-queued or failed (STUDIO_WORKER_LOST), then the journal is rewritten clean. */
  async recover(jobs: Map<string, JournalJob>): Promise<void> {
    for (const job of jobs.values()) {
      const entry: Entry = { status: job.status, data: job.data, opts: job.opts, run: undefined, retryTimer: undefined };
      const s = entry.status;
      if (s.state === 'active') {
        const lost = { code: 'STUDIO_WORKER_LOST', message: `the process running attempt ${s.attempts} stopped` };
        if (s.attempts >= entry.opts.attempts) {
          entry.status = { ...s, state: 'failed', error: lost, finishedAt: Date.now() };
          this.recovery.lost++;
        } else {
          entry.status = { ...s, state: 'queued', error: lost, stage: undefined, progress: 0 };
          this.recovery.requeued++;
        }
      } else if (s.state === 'retrying') {
        // reason: the backoff timer died with the process; waiting it out again gains nothing
        entry.status = { ...s, state: 'queued' };
      }
      this.#jobs.set(s.id, entry);
      if (entry.status.state === 'queued') this.#waiting.push(entry);
    }
    this.#prune(false);
    await this.journal.compact(() => this.#journalJobs());
  }

  async add(request: RenderRequest, options?: AddJobOptions): Promise<JobStatus> {
    if (this.#state !== 'open') throw new StudioError('STUDIO_QUEUE_CLOSED', 'the queue is closed');
    const opts = checkAdd(request, options);
    const status: JobStatus = {
      id: newJobId(),
      storyId: request.story.id,
      title: request.story.title,
      state: 'queued',
      progress: 0,
      attempts: 0,
      createdAt: Date.now(),
    };
    const entry: Entry = { status, data: request, opts, run: undefined, retryTimer: undefined };
    this.#jobs.set(status.id, entry);
    try {
      await this.#write({ t: 'add', status, data: request, opts }, true);
    } catch (e) {
      // reason: a job the journal does not hold would vanish on restart; the caller retries it
      this.#jobs.delete(status.id);
      throw e;
    }
    this.#emit(entry);
    // reason: the caller hears of the job as it was added, before a worker may have taken it
    const added = copy(entry.status);
    // reason: the job may have been cancelled (or the queue closed) while the journal synced
    if (entry.status.state === 'queued' && this.#jobs.has(status.id)) {
      this.#waiting.push(entry);
      this.#pump();
    }
    return added;
  }

  async cancel(id: string): Promise<boolean> {
    const entry = this.#jobs.get(id);
    if (!entry || isFinished(entry.status.state)) return false;
    if (entry.retryTimer) clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    const run = entry.run;
    this.#move(entry, 'cancelled', (s) => {
      s.error = { code: 'STUDIO_CANCELLED', message: 'the job was cancelled' };
    });
    if (run) this.#abort(entry, run, new StudioError('STUDIO_CANCELLED', `job ${id} was cancelled`));
    return true;
  }

  async get(id: string): Promise<JobStatus | undefined> {
    const entry = this.#jobs.get(id);
    return entry && copy(entry.status);
  }

  async list(): Promise<JobStatus[]> {
    return [...this.#jobs.values()].reverse().map((e) => copy(e.status));
  }

  onStatus(listener: (status: JobStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  process(handler: JobHandler, options: WorkerOptions = {}): QueueWorker {
    if (this.#state !== 'open') throw new StudioError('STUDIO_QUEUE_CLOSED', 'the queue is closed');
    const worker: Worker = { handler, concurrency: checkConcurrency(options.concurrency, availableParallelism()), running: new Set(), closed: false };
    this.#workers.add(worker);
    queueMicrotask(() => this.#pump());
    return {
      close: async () => {
        if (worker.closed) return;
        worker.closed = true;
        this.#workers.delete(worker);
        await this.#stopRuns([...worker.running]);
        this.#pump();
      },
    };
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = emptyCounts();
    for (const e of this.#jobs.values()) counts[e.status.state]++;
    return counts;
  }

  /** Resolves once every status change so far is on disk (the journal otherwise fsyncs only adds and finished states). */
  flush(): Promise<void> {
    return this.journal.flush();
  }

  /** Stops taking jobs, aborts running handlers (their jobs go back to `queued` in the journal) and closes the journal. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#state = 'closing';
    clearInterval(this.#pruneTimer);
    for (const e of this.#jobs.values()) if (e.retryTimer) clearTimeout(e.retryTimer);
    const runs = [...this.#workers].flatMap((w) => [...w.running]);
    for (const w of this.#workers) w.closed = true;
    await this.#stopRuns(runs);
    this.#state = 'closed';
    await this.journal.close();
  }

  /** Aborts runs for a shutdown and waits until each settled (or its grace ran out). */
  async #stopRuns(runs: Run[]): Promise<void> {
    for (const run of runs) {
      const entry = [...this.#jobs.values()].find((e) => e.run === run);
      if (entry) this.#abort(entry, run, new StudioError('STUDIO_QUEUE_CLOSED', 'the worker is shutting down'));
    }
    await Promise.all(runs.map((r) => r.done));
  }

  #pump(): void {
    if (this.#state !== 'open') return;
    for (const worker of this.#workers) {
      while (!worker.closed && worker.running.size < worker.concurrency) {
        const entry = this.#nextWaiting();
        if (!entry) return;
        this.#start(entry, worker);
      }
    }
  }

  #nextWaiting(): Entry | undefined {
    while (this.#waiting.length > 0) {
      const entry = this.#waiting.shift() as Entry;
      // reason: cancelled or dropped jobs stay in the array until they reach its head
      if (entry.status.state === 'queued' && this.#jobs.get(entry.status.id) === entry) return entry;
    }
    return undefined;
  }

  #start(entry: Entry, worker: Worker): void {
    this.#move(entry, 'active', (s) => {
      s.attempts++;
      s.startedAt = Date.now();
      s.stage = undefined;
      s.progress = 0;
    });
    const controller = new AbortController();
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const run: Run = {
      worker,
      controller,
      throttle: new ProgressThrottle(this.#progressIntervalMs, (stage, fraction, stageChanged) => this.#progress(entry, run, stage, fraction, stageChanged)),
      timeout: setTimeout(
        () => this.#abort(entry, run, new StudioError('STUDIO_TIMEOUT', `job ${entry.status.id} ran past its ${entry.opts.timeoutMs} ms timeout`)),
        entry.opts.timeoutMs,
      ),
      grace: undefined,
      settled: false,
      done,
      resolveDone,
    };
    entry.run = run;
    worker.running.add(run);
    const ctx: JobContext = {
      id: entry.status.id,
      data: entry.data,
      attempt: entry.status.attempts,
      signal: controller.signal,
      progress: (stage: Stage, fraction: number) => {
        if (!isStage(stage) || typeof fraction !== 'number' || controller.signal.aborted) return;
        run.throttle.report(stage, fraction);
      },
    };
    let promise: Promise<JobResult>;
    try {
      promise = Promise.resolve(worker.handler(ctx));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (result) => this.#settle(entry, run, { ok: true, result }),
      (error: unknown) => this.#settle(entry, run, { ok: false, error }),
    );
  }

  #progress(entry: Entry, run: Run, stage: Stage, fraction: number, stageChanged: boolean): void {
    if (entry.run !== run || entry.status.state !== 'active') return;
    entry.status = { ...entry.status, stage, progress: overallProgress(stage, fraction) };
    // reason: a stage change is worth a journal line, a progress tick is not (docs §4.2)
    if (stageChanged) void this.#write({ t: 'status', status: entry.status }, false);
    this.#emit(entry);
  }

  /** Aborts a run's signal; if the handler has not settled after the grace period, settles it anyway. */
  #abort(entry: Entry, run: Run, reason: StudioError): void {
    if (run.settled || run.controller.signal.aborted) return;
    run.controller.abort(reason);
    run.grace = setTimeout(() => this.#settle(entry, run, { ok: false, error: reason }), this.#graceMs);
  }

  #settle(entry: Entry, run: Run, outcome: Outcome): void {
    if (run.settled) return;
    run.settled = true;
    clearTimeout(run.timeout);
    if (run.grace) clearTimeout(run.grace);
    run.throttle.stop();
    run.worker.running.delete(run);
    if (entry.run === run) entry.run = undefined;
    run.resolveDone();
    if (entry.status.state === 'active') this.#finishAttempt(entry, run, outcome);
    this.#pump();
  }

  #finishAttempt(entry: Entry, run: Run, outcome: Outcome): void {
    const reason: unknown = run.controller.signal.aborted ? run.controller.signal.reason : undefined;
    const timedOut = StudioError.is(reason, 'STUDIO_TIMEOUT');
    const shutdown = StudioError.is(reason, 'STUDIO_QUEUE_CLOSED');
    if (outcome.ok && !timedOut) {
      this.#move(entry, 'completed', (s) => {
        s.outputId = outcome.result?.outputId;
        s.progress = 1;
        s.error = undefined;
      });
      return;
    }
    if (shutdown) {
      // reason: the attempt was interrupted by us, not lost by the job; it does not count
      this.#move(
        entry,
        'queued',
        (s) => {
          s.attempts--;
          s.stage = undefined;
          s.progress = 0;
        },
        true,
      );
      this.#waiting.unshift(entry);
      return;
    }
    const error = timedOut ? jobError(reason) : jobError(outcome.ok ? undefined : outcome.error);
    if (PERMANENT_CODES.has(error.code) || entry.status.attempts >= entry.opts.attempts) {
      this.#move(entry, 'failed', (s) => (s.error = error));
      return;
    }
    this.#move(entry, 'retrying', (s) => (s.error = error));
    const delay = backoffDelay(entry.status.attempts, this.options.backoff);
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = undefined;
      if (this.#move(entry, 'queued')) {
        this.#waiting.push(entry);
        this.#pump();
      }
    }, delay);
  }

  /** Moves a job along the state table; refuses (false) an illegal move. Finished states are fsynced. */
  #move(entry: Entry, to: JobState, patch?: (s: JobStatus) => void, sync = false): boolean {
    if (!canTransition(entry.status.state, to)) return false;
    const status: JobStatus = { ...entry.status, state: to };
    patch?.(status);
    if (isFinished(to)) status.finishedAt = Date.now();
    entry.status = status;
    void this.#write({ t: 'status', status }, sync || isFinished(to));
    this.#emit(entry);
    if (isFinished(to)) this.#prune();
    return true;
  }

  /** Drops finished jobs past the retention count or age, from memory and (by a drop record) the journal. */
  #prune(write = true): void {
    // reason: newest added first, so among jobs finished in the same millisecond the stable sort
    // keeps the newer ones
    const finished = [...this.#jobs.values()].reverse().filter((e) => isFinished(e.status.state));
    if (finished.length === 0) return;
    finished.sort((a, b) => (b.status.finishedAt ?? 0) - (a.status.finishedAt ?? 0));
    const oldest = Date.now() - this.#retention.ageMs;
    finished.forEach((e, i) => {
      if (i < this.#retention.count && (e.status.finishedAt ?? 0) >= oldest) return;
      this.#jobs.delete(e.status.id);
      if (write) void this.#write({ t: 'drop', id: e.status.id }, false);
    });
  }

  #write(record: JournalRecord, sync: boolean): Promise<void> {
    if (this.#state === 'closed') return Promise.resolve();
    const written = this.journal.append(record, sync).then(() => this.#maybeCompact());
    // reason: status lines are written in the background; a failing disk must not become an
    // unhandled rejection, and add() (which awaits) still sees the error
    written.catch((e: unknown) => process.emitWarning(`studio queue journal: ${(e as Error).message}`));
    return written;
  }

  #maybeCompact(): void {
    if (this.#compacting || this.#state !== 'open' || !this.journal.wantsCompaction) return;
    this.#compacting = true;
    this.journal
      .compact(() => this.#journalJobs())
      .catch((e: unknown) => process.emitWarning(`studio queue journal compaction: ${(e as Error).message}`))
      .finally(() => (this.#compacting = false));
  }

  #journalJobs(): JournalJob[] {
    return [...this.#jobs.values()].map((e) => ({ status: e.status, data: e.data, opts: e.opts }));
  }

  #emit(entry: Entry): void {
    for (const listener of this.#listeners) {
      try {
        listener(copy(entry.status));
      } catch (e) {
        // reason: one failing listener (a closed WebSocket) must not stop the queue or the others
        process.emitWarning(`studio queue listener threw: ${(e as Error).message}`);
      }
    }
  }
}

function copy(status: JobStatus): JobStatus {
  return status.error ? { ...status, error: { ...status.error } } : { ...status };
}
