// What the page knows about Live beyond the tree — transport, song position, the session
// cursor, the mirror's status and errors (the `liveset-events` channel, latest-wins) — and the
// control messages it sends (`liveset-control`, keys in docs/liveset-osc.md §4). Controls never
// change what the page shows: the tree changes when Live confirms. Until then a control is
// "pending" so its button can say the request is on its way.
import type { ConnectionState, TreeStore, WorkerClient } from '@tidewire/client/main';
// reason: type-only, the payloads are declared once beside the mirror that publishes them.
import type { AlsErrorEvent, CursorEvent, LiveSetControlKey, LiveSetControls, LiveSetEventKey, TransportEvent } from '../../src/events.ts';
import { SvelteMap } from 'svelte/reactivity';
import type { Column } from './columns.ts';
import { throttle } from './throttle.ts';
import type { Throttled } from './throttle.ts';

export const EVENTS = 'liveset-events';
export const CONTROL = 'liveset-control';

/** A control Live has not confirmed after this long stops showing as pending. */
const PENDING_MS = 1500;
/** Fader and pan drags send at most this often (Live's own control surfaces update at ~30 Hz). */
const LEVEL_INTERVAL_MS = 33;
/** Longest text from an event the page shows. */
const MAX_TEXT = 1024;

export type Transport = TransportEvent;
/** The cursor as the page uses it (no slot id). */
export type Cursor = Pick<CursorEvent, 'track' | 'scene' | 'trackId'>;
export type MirrorError = AlsErrorEvent;

/** The `live` event (LiveEvent, either shape) as the page shows it. */
export interface LiveInfo {
  mode: string;
  connected: boolean | null;
  syncing: boolean;
  oscPort: number | null;
  error: string | null;
}

export type Switch = 'mute' | 'solo' | 'arm';
export type Level = 'volume' | 'pan';

function rec(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v.slice(0, MAX_TEXT) : null;
}

function idx(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

export class LiveState {
  transport = $state.raw<Transport>({ playing: false, songTime: 0 });
  cursor = $state.raw<Cursor | null>(null);
  /** The last save of the .als failed to read (the page keeps showing the last good one). */
  alsError = $state.raw<MirrorError | null>(null);
  live = $state.raw<LiveInfo | null>(null);
  connection = $state<ConnectionState>('connecting');
  clientError = $state.raw<{ code: string; message: string } | null>(null);
  /** Clips launched from this page, by track id (the mirror reports no playing slots). */
  readonly launched = new SvelteMap<string, number>();
  /** Requested values Live has not confirmed yet, by `prop:trackId`. */
  readonly pending = new SvelteMap<string, unknown>();

  private readonly client: WorkerClient;
  private readonly store: TreeStore;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly levels = new Map<string, Throttled<number>>();
  private readonly offs: (() => void)[] = [];

  constructor(client: WorkerClient, store: TreeStore) {
    this.client = client;
    this.store = store;
    this.connection = client.state;
    this.offs.push(client.events(EVENTS, (key, value) => this.onEvent(key, value)));
    // Subscribed from the start, so a first click is sent at once rather than held until the
    // subscription is confirmed (held values are latest-wins per key and could be overwritten).
    this.offs.push(client.events(CONTROL, () => {}));
    this.offs.push(client.onState((s) => (this.connection = s)));
    this.offs.push(
      client.onError((err) => {
        this.clientError = { code: err.code, message: String(err.message).slice(0, MAX_TEXT) };
      }),
    );
  }

  dispose(): void {
    for (const off of this.offs) off();
    for (const t of this.timers.values()) clearTimeout(t);
    for (const t of this.levels.values()) t.cancel();
  }

  // ---- controls ------------------------------------------------------------------------

  setSwitch(col: Column, prop: Switch, value: boolean): void {
    if (col.songIndex === null) return;
    this.markPending(`${prop}:${col.id}`, value);
    this.control(`track.${prop}`, { track: col.songIndex, value });
  }

  /** `value` in fader units (0..1) for volume, -1..1 for pan; throttled per track. */
  setLevel(col: Column, prop: Level, value: number): void {
    if (col.songIndex === null || !Number.isFinite(value)) return;
    const key = `${prop}:${col.id}`;
    this.markPending(key, value);
    let t = this.levels.get(key);
    if (t === undefined) {
      const track = col.songIndex;
      t = throttle((v: number) => this.control(`track.${prop}`, { track, value: v }), LEVEL_INTERVAL_MS);
      this.levels.set(key, t);
    }
    t.push(value);
  }

  /** Sends a held level now (the user let go of the fader). */
  commitLevel(col: Column, prop: Level): void {
    this.levels.get(`${prop}:${col.id}`)?.flush();
  }

  fireClip(col: Column, scene: number): void {
    if (col.songIndex === null) return;
    this.launched.set(col.id, scene);
    this.control('clip.fire', { track: col.songIndex, slot: scene });
  }

  fireScene(scene: number, columns: readonly Column[]): void {
    this.control('scene.fire', { scene });
    for (const col of columns) {
      if (col.songIndex === null) continue;
      const slotId = this.store.get(`${col.id}/slots`)?.children[scene];
      const hasClip = slotId !== undefined && (this.store.get(slotId)?.children.length ?? 0) > 0;
      // Live stops the track's clip when the scene's slot on it is empty.
      if (hasClip) this.launched.set(col.id, scene);
      else this.launched.delete(col.id);
    }
  }

  play(): void {
    this.control('transport.play', {});
  }

  stop(): void {
    this.control('transport.stop', {});
  }

  /** Sends one control message; its value has the shape the mirror declares for the key. */
  private control<K extends LiveSetControlKey>(key: K, value: LiveSetControls[K]): void {
    this.client.send(CONTROL, key, value);
  }

  private markPending(key: string, value: unknown): void {
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.pending.delete(key);
      }, PENDING_MS),
    );
    this.pending.set(key, value);
  }

  // ---- events --------------------------------------------------------------------------

  /** Values come off the wire: each is checked, not trusted to have its declared shape. */
  private onEvent(key: string, value: unknown): void {
    const v = rec(value);
    switch (key as LiveSetEventKey) {
      case 'transport': {
        if (!v || typeof v.playing !== 'boolean') return;
        const songTime = typeof v.songTime === 'number' && Number.isFinite(v.songTime) && v.songTime >= 0 ? v.songTime : this.transport.songTime;
        if (!v.playing && this.transport.playing) this.launched.clear();
        this.transport = { playing: v.playing, songTime };
        return;
      }
      case 'beat': {
        const beat = idx(v?.beat);
        // Beat ticks arrive between song-time reports; keep the finer position when it agrees.
        if (beat !== null && Math.floor(this.transport.songTime) !== beat) this.transport = { ...this.transport, songTime: beat };
        return;
      }
      case 'cursor':
        this.cursor = v ? { track: idx(v.track), scene: idx(v.scene), trackId: str(v.trackId) } : null;
        return;
      case 'error':
        this.alsError = v ? { code: str(v.code) ?? 'ERROR', message: str(v.message) ?? '', file: str(v.file) ?? '' } : null;
        return;
      case 'live':
        this.live = v
          ? {
              mode: str(v.mode) ?? 'osc',
              connected: typeof v.connected === 'boolean' ? v.connected : null,
              syncing: v.syncing === true,
              oscPort: idx(v.oscPort),
              error: str(rec(v.error)?.message),
            }
          : null;
        return;
    }
  }
}
