// The job state machine (docs/studio.md §3). One table says which state may follow which; the
// embedded queue moves every job through `canTransition`, so an illegal move (a late `completed`
// after `cancelled`, a second start of a finished job) is refused in one place instead of
// guarded by flags. The Redis adapter maps BullMQ's states onto the same names (§4.3).
import type { JobState } from '../model.ts';

/** state → the states it may move to. Finished states have no way out. */
export const TRANSITIONS: Readonly<Record<JobState, readonly JobState[]>> = {
  // waiting for a worker slot
  queued: ['active', 'cancelled'],
  // a handler runs it; `queued` again when its worker shut down or died (attempts permitting)
  active: ['completed', 'failed', 'retrying', 'cancelled', 'queued'],
  // waiting out the backoff after a failed attempt
  retrying: ['queued', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

export const FINISHED_STATES: readonly JobState[] = ['completed', 'failed', 'cancelled'];

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isFinished(state: JobState): boolean {
  return TRANSITIONS[state].length === 0;
}

/** A zero count for every state (what `counts()` starts from). */
export function emptyCounts(): Record<JobState, number> {
  return { queued: 0, active: 0, retrying: 0, completed: 0, failed: 0, cancelled: 0 };
}
