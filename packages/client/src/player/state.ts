// The player's observable state: a store in the Svelte contract (subscribe calls the listener
// now and on every change; get() reads it), immutable snapshots so React's
// useSyncExternalStore can compare by identity.
import type { TimelineMode } from '@tidewire/protocol';
import type { ConnectionState } from '../client.ts';
import { callEach } from '../emitter.ts';
import type { ErrorInfo } from '../store-messages.ts';
import type { BufferedRange } from './frame-buffer.ts';

export interface PlayerState {
  mode: TimelineMode;
  /** loading: no metadata or no first frame yet; ready: frames on screen; closed. */
  status: 'loading' | 'ready' | 'closed';
  connection: ConnectionState;
  playing: boolean;
  speed: number;
  /** Playhead, timeline ms (what frameAt() and onFrame show). */
  timeMs: number;
  /** Last frame at or before the playhead. */
  frame: number;
  startMs: number;
  /** Time of the last frame. */
  endMs: number;
  durationMs: number;
  frameCount: number;
  /** Following the live edge (goLive()). */
  live: boolean;
  /** The timeline is still being appended, so goLive() is possible. */
  liveTimeline: boolean;
  /** Playing but the frames under the playhead are not here yet (client-paced: the clock waits). */
  buffering: boolean;
  /** A seek whose target is not on screen yet. */
  seeking: boolean;
  /** Decoded frames held on this side, as contiguous runs. */
  buffered: BufferedRange[];
  /** The latest error (HTTP, data); playback carries on where it can. */
  error: ErrorInfo | null;
}

export function initialState(mode: TimelineMode): PlayerState {
  return {
    mode,
    status: 'loading',
    connection: 'idle',
    playing: false,
    speed: 1,
    timeMs: 0,
    frame: 0,
    startMs: 0,
    endMs: 0,
    durationMs: 0,
    frameCount: 0,
    live: false,
    liveTimeline: false,
    buffering: false,
    seeking: false,
    buffered: [],
    error: null,
  };
}

type Listener = (state: PlayerState) => void;

export class PlayerStateStore {
  private value: PlayerState;
  private readonly listeners = new Set<Listener>();

  constructor(value: PlayerState) {
    this.value = value;
  }

  get(): PlayerState {
    return this.value;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    fn(this.value);
    return () => this.listeners.delete(fn);
  }

  /** Applies the fields that differ; notifies once if any did. */
  set(patch: Partial<PlayerState>): boolean {
    const cur = this.value;
    let changed = false;
    for (const k in patch) {
      if (cur[k as keyof PlayerState] !== patch[k as keyof PlayerState]) {
        changed = true;
        break;
      }
    }
    if (!changed) return false;
    this.value = { ...cur, ...patch };
    callEach(this.listeners, this.value);
    return true;
  }
}
