// The payloads of the mirror's two events channels, declared once (docs/liveset-osc.md §4 and
// §6): the mirror publishes and validates them, the page (ui/lib/live.svelte.ts) imports these
// types (type-only, so nothing of the server reaches the bundle). Plain types, no imports: this
// file is read by both the Node and the browser type-checks.

/** Latest-wins values the mirror publishes (docs/liveset-osc.md §6). */
export const EVENTS_CHANNEL = 'liveset-events';
/** Client -> Live commands (docs/liveset-osc.md §4). */
export const CONTROL_CHANNEL = 'liveset-control';

/** `transport`: Live's transport. */
export interface TransportEvent {
  playing: boolean;
  /** Song position in beats. */
  songTime: number;
}

/** `beat`: a whole-beat tick between song-time reports. */
export interface BeatEvent {
  beat: number;
}

/** `cursor`: the session cursor (indices, and node ids of the tree; null where unknown). */
export interface CursorEvent {
  track: number | null;
  scene: number | null;
  trackId: string | null;
  slotId: string | null;
}

/** `error`: a save of the .als failed to read (an ALS_* code, docs/als.md §6); null after the
 *  next good read. */
export interface AlsErrorEvent {
  code: string;
  message: string;
  file: string;
}

/** `live` in client mode: the AbletonOSC link's status. */
export interface LiveStatus {
  mode: 'abletonosc';
  connected: boolean;
  syncing: boolean;
  /** Wall-clock time (ms) of the last completed sync. */
  lastSync: number | null;
  tracks: number | null;
  error: { code: string; message: string } | null;
}

/** `live`: where the mirror's OSC comes from. */
export type LiveEvent = { mode: 'osc' | 'simulator'; oscPort: number } | LiveStatus;

/** Every key of `liveset-events` and its value. */
export interface LiveSetEvents {
  transport: TransportEvent;
  beat: BeatEvent;
  cursor: CursorEvent;
  error: AlsErrorEvent | null;
  live: LiveEvent;
}

export type LiveSetEventKey = keyof LiveSetEvents;

type NoFields = Record<string, never>;

/** Every key of `liveset-control` and the value a client sends with it (docs/liveset-osc.md §4). */
export interface LiveSetControls {
  'track.mute': { track: number; value: boolean };
  'track.solo': { track: number; value: boolean };
  'track.arm': { track: number; value: boolean };
  /** Fader units, 0..1. */
  'track.volume': { track: number; value: number };
  /** -1..1. */
  'track.pan': { track: number; value: number };
  'clip.fire': { track: number; slot: number };
  'clip.stop': { track: number; slot: number };
  'scene.fire': { scene: number };
  /** A boolean for a device's on switch, else within the parameter's min..max. */
  'device.param': { track: number; device: number; param: number; value: number | boolean };
  /** Beats per minute, 20..999. */
  'song.tempo': { value: number };
  'transport.play': NoFields;
  'transport.stop': NoFields;
}

export type LiveSetControlKey = keyof LiveSetControls;
