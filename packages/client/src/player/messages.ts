// Messages between the Player (main thread) and its PlayerEngine (a Web Worker, or the same
// thread in Node). Decoded frames cross as whole blocks, one Float64Array per segment or per
// TL_FRAMES batch, transferred, never per frame or per entity.
import type { TimelineMode, TlControlFrame, TlState } from '@tidewire/protocol';
import type { ReconnectOptions } from '../backoff.ts';
import type { ConnectionState } from '../client.ts';
import type { TimelineMeta } from './timebase.ts';

export interface EngineOpen {
  timeline: string;
  mode: TimelineMode;
  /** http(s) origin the REST routes live under. */
  httpUrl: string;
  token?: string;
  /** Credit window: frames and frame bytes the server may have in flight to us (§W.1). */
  creditFrames: number;
  creditBytes: number;
}

/** Worker only: the engine makes its own connection. */
export interface EngineConnect {
  url: string;
  token?: string;
  clientName?: string;
  reconnect?: Partial<ReconnectOptions> | false;
}

/** TL_CONTROL's body (§W.1) with its `seq` always set: the tag the server echoes in TL_STATE.ack. */
export interface EngineControl extends Omit<TlControlFrame, 'type' | 'channel' | 'seq'> {
  seq: number;
}

export type ToEngine =
  | { t: 'open'; open: EngineOpen; connect?: EngineConnect }
  | { t: 'control'; control: EngineControl }
  /** Fetch and decode these segments (the player decides which and how many at once). */
  | { t: 'load'; segments: number[] }
  /** Abort these fetches if still running: the playhead went elsewhere. */
  | { t: 'cancel'; segments: number[] }
  /** Streamed frames of `epoch` up to `frame` have been shown: their credit can go back. */
  | { t: 'consumed'; epoch: number; frame: number }
  | { t: 'refreshMeta' }
  | { t: 'close' };

/** TL_STATE as the player sees it: `epoch` is the engine's (not the server's seekEpoch), monotonic across reconnects. */
export interface EngineState extends Pick<TlState, 'playing' | 'speed' | 'frame' | 'frameCount' | 'live' | 'liveFrame' | 'ack'> {
  epoch: number;
}

export interface DecodedBlockMsg {
  firstFrame: number;
  count: number;
  /** Time of each frame, ms. */
  times: Float64Array;
  /** count × entities × fields values, frame-major then entity-major (NaN = absent). */
  values: Float64Array;
}

export type FromEngine =
  /**
   * `prefetching`: the segment the engine began fetching on its own with the first metadata
   * (docs/client.md §5.3); the player counts it as in flight instead of asking for it again.
   */
  | { t: 'meta'; meta: TimelineMeta; prefetching?: number }
  /** A server session began (first: the first one): the player (re)states its mode and position. */
  | { t: 'subscribed'; first: boolean }
  /** The session ended (connection dropped): controls are not delivered until `subscribed`. */
  | { t: 'unsubscribed' }
  | { t: 'state'; state: EngineState }
  | ({ t: 'segment'; index: number; bytes: number; decodeMs: number } & DecodedBlockMsg)
  | { t: 'segmentError'; index: number; code: string; message: string; aborted: boolean }
  | ({ t: 'stream'; epoch: number; bytes: number; decodeMs: number } & DecodedBlockMsg)
  /** Frames the engine dropped: of an older epoch, or arriving while a seek was unanswered. */
  | { t: 'dropped'; frames: number }
  | { t: 'connection'; state: ConnectionState }
  | { t: 'error'; code: string; message: string }
  | { t: 'closed' };

/** A MessagePort-like that can transfer buffers (Worker, worker scope, MessagePort). */
export interface TransferPort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
