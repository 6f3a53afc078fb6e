// The live job list (docs/studio.md §1.5): tree channel `studio`, one node per job under
// `jobs`, newest first, with the JobStatus fields as attributes. Fed by queue.onStatus, so every
// open tab sees the same progress as it happens and a reconnecting tab resumes from the
// channel's op log (or a snapshot): no polling. Finished jobs beyond the cap are dropped from the
// channel (they stay in the queue's list and the library).
import type { TidewireServer, TreeChannel } from '@tidewire/server';
import type { AttrValue, NodeSnapshot } from '@tidewire/tree';
import type { JobStatus } from '../model.ts';

export const LIVE_CHANNEL = 'studio';
/** Job nodes kept in the channel; the oldest finished ones go first. */
export const MAX_LIVE_JOBS = 200;
/** A job's progress is republished at most this often (a render reports many fractions). */
const PROGRESS_STEP = 0.01;

const FINISHED = new Set<JobStatus['state']>(['completed', 'failed', 'cancelled']);

/** A JobStatus as node attributes (absent optional fields become null, which removes them). */
export function jobAttrs(s: JobStatus): Record<string, AttrValue | null> {
  return {
    storyId: s.storyId,
    title: s.title,
    state: s.state,
    stage: s.stage ?? null,
    progress: Math.round(s.progress * 1000) / 1000,
    attempts: s.attempts,
    errorCode: s.error?.code ?? null,
    errorMessage: s.error?.message ?? null,
    outputId: s.outputId ?? null,
    createdAt: s.createdAt,
    startedAt: s.startedAt ?? null,
    finishedAt: s.finishedAt ?? null,
  };
}

function nodeOf(s: JobStatus): NodeSnapshot {
  const attrs: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(jobAttrs(s))) if (v !== null) attrs[k] = v;
  return { id: s.id, type: 'job', attrs, children: [] };
}

export class LiveJobs {
  readonly channel: TreeChannel;
  private readonly order: string[] = [];
  private readonly last = new Map<string, JobStatus>();

  constructor(server: TidewireServer, initial: JobStatus[]) {
    const jobs = initial.slice(0, MAX_LIVE_JOBS);
    for (const s of jobs) {
      this.order.push(s.id);
      this.last.set(s.id, s);
    }
    this.channel = server.tree(LIVE_CHANNEL, {
      id: 'root',
      type: 'studio',
      attrs: {},
      children: [{ id: 'jobs', type: 'jobs', attrs: {}, children: jobs.map(nodeOf) }],
    });
  }

  /** Applies one status change (from queue.onStatus). */
  update(s: JobStatus): void {
    const prev = this.last.get(s.id);
    if (!prev) {
      this.last.set(s.id, s);
      this.order.unshift(s.id);
      this.channel.insert('jobs', 0, nodeOf(s));
      this.trim();
      return;
    }
    // Progress ticks within one stage are thinned; every state or stage change goes out.
    if (prev.state === s.state && prev.stage === s.stage && Math.abs(prev.progress - s.progress) < PROGRESS_STEP && prev.attempts === s.attempts) return;
    this.last.set(s.id, s);
    this.channel.set(s.id, jobAttrs(s));
  }

  private trim(): void {
    for (let i = this.order.length - 1; i >= 0 && this.order.length > MAX_LIVE_JOBS; i--) {
      const id = this.order[i]!;
      if (!FINISHED.has(this.last.get(id)!.state)) continue;
      this.order.splice(i, 1);
      this.last.delete(id);
      this.channel.remove(id);
    }
  }
}
