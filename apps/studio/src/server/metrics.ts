// Media Studio's Prometheus metrics on the server's own registry (GET /metrics). Job counts,
// queue depth, child processes and cache bytes are read at scrape time through collect();
// stage durations are observed from the status stream, so they cover every worker. Event-loop
// lag is prom-client's default `nodejs_eventloop_lag_seconds` (createServer collects it).
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { STAGES } from '../model.ts';
import type { JobState, JobStatus, Stage } from '../model.ts';

const STATES: JobState[] = ['queued', 'active', 'retrying', 'completed', 'failed', 'cancelled'];

/**
 * How long a scrape waits for the queue's counts. With the queue on Redis, a Redis that does not
 * answer must not hang GET /metrics (which says that Redis is down, docs/cluster.md §8): the
 * gauges keep their last values instead, and one read at a time is in flight however often
 * /metrics is scraped.
 */
const COUNTS_DEADLINE_MS = 1_000;

/** `source.counts()`, shared by the gauges of one scrape, bounded by COUNTS_DEADLINE_MS; undefined when it did not answer in time. */
function boundedCounts(source: StudioMetricsSource): () => Promise<Record<JobState, number> | undefined> {
  let inflight: Promise<Record<JobState, number>> | undefined;
  return async () => {
    inflight ??= source.counts().finally(() => (inflight = undefined));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), COUNTS_DEADLINE_MS)));
    try {
      return await Promise.race([inflight, late]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };
}
const FINISHED = new Set<JobState>(['completed', 'failed', 'cancelled']);

export interface StudioMetricsSource {
  counts(): Promise<Record<JobState, number>>;
  /** Child processes alive (FFmpeg, espeak-ng) of renders and uploads. */
  liveChildren(): number;
  /** Finished renders and assets on disk; the render caches (spoken clips in memory, intermediates on disk). */
  cacheBytes(): { renders: number; assets: number; memory: number; disk: number };
}

export class StudioMetrics {
  private readonly stageSeconds: Histogram<'stage'>;
  private readonly uploads: Counter<'result'>;
  /** Per active job: its current stage and when it began. */
  private readonly stageStart = new Map<string, { stage: Stage; at: number }>();

  constructor(registry: Registry, source: StudioMetricsSource) {
    const registers = [registry];
    const counts = boundedCounts(source);
    new Gauge({
      name: 'studio_jobs',
      help: 'Jobs by state (finished ones within the queue retention)',
      labelNames: ['state'],
      registers,
      async collect() {
        const c = await counts();
        if (c !== undefined) for (const s of STATES) this.set({ state: s }, c[s] ?? 0);
      },
    });
    new Gauge({
      name: 'studio_queue_depth',
      help: 'Jobs waiting to run (queued or waiting to retry)',
      registers,
      async collect() {
        const c = await counts();
        if (c !== undefined) this.set((c.queued ?? 0) + (c.retrying ?? 0));
      },
    });
    new Gauge({
      name: 'studio_child_processes',
      help: 'Live child processes (FFmpeg, ffprobe, espeak-ng) of renders, uploads and previews',
      registers,
      collect() {
        this.set(source.liveChildren());
      },
    });
    new Gauge({
      name: 'studio_cache_bytes',
      help: 'Bytes held: finished renders and uploaded assets on disk, the render caches (memory: spoken clips; disk: intermediates)',
      labelNames: ['kind'],
      registers,
      collect() {
        const b = source.cacheBytes();
        this.set({ kind: 'renders' }, b.renders);
        this.set({ kind: 'assets' }, b.assets);
        this.set({ kind: 'memory' }, b.memory);
        this.set({ kind: 'disk' }, b.disk);
      },
    });
    this.stageSeconds = new Histogram({
      name: 'studio_stage_duration_seconds',
      help: 'Time a render spends in each stage',
      labelNames: ['stage'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    for (const s of STAGES) this.stageSeconds.zero({ stage: s });
    this.uploads = new Counter({ name: 'studio_uploads_total', help: 'Uploads by result (ok or the error code)', labelNames: ['result'], registers });
  }

  upload(result: string): void {
    this.uploads.inc({ result });
  }

  /** Follows a job's stages from its status stream. */
  status(s: JobStatus, now = Date.now()): void {
    const cur = this.stageStart.get(s.id);
    const ended = FINISHED.has(s.state) || s.state === 'retrying';
    if (cur && (ended || s.stage !== cur.stage)) {
      if (s.state !== 'cancelled' && s.state !== 'failed') this.stageSeconds.observe({ stage: cur.stage }, (now - cur.at) / 1000);
      this.stageStart.delete(s.id);
    }
    if (!ended && s.state === 'active' && s.stage && (!cur || s.stage !== cur.stage)) this.stageStart.set(s.id, { stage: s.stage, at: now });
  }
}
