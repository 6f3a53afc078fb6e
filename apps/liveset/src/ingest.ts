// Incoming OSC (the event port, and AbletonOSC's replies and listener messages) -> the mirror.
// Tree properties become set ops on the node the indices map to; transport, beat and cursor
// become latest-wins events. Every message is checked (address, argument count and types,
// index ranges, value ranges) before anything changes; a failed check returns its drop code
// and changes nothing. The address space is docs/liveset-osc.md §2.
import type { AttrValue } from '@tidewire/tree';
import type { CursorEvent, LiveSetEventKey, LiveSetEvents, TransportEvent } from './events.ts';
import type { IndexMap } from './index-map.ts';
import type { OscDropCode } from './osc/errors.ts';
import type { OscArg, OscMessage } from './osc/codec.ts';
import { boolArg, intArg, numberArg, textArg } from './osc/args.ts';

export interface IngestSink {
  readonly map: IndexMap;
  readonly rootId: string;
  /** Attributes of a node of the current tree. */
  attrsOf(id: string): Readonly<Record<string, unknown>> | undefined;
  /** Sets one attribute (a no-op when unchanged) and remembers that Live reported it. */
  setAttr(id: string, attr: string, value: AttrValue): void;
  /** Live reported a clip in a slot the tree shows empty. */
  addClip(slotId: string, attrs: Record<string, AttrValue>): void;
  publish<K extends LiveSetEventKey>(key: K, value: LiveSetEvents[K]): void;
  /** AbletonOSC (re)started. */
  startup(): void;
  /** AbletonOSC reported an error (free text, cleaned). */
  liveError(message: string): void;
}


type Handler = (ingest: OscIngest, args: readonly OscArg[]) => OscDropCode | null;

/** Live's tempo range is 20–999 BPM. */
const TEMPO_MIN = 20;
const TEMPO_MAX = 999;
/** Slack for float32 rounding when checking a value against a parameter's range. */
const RANGE_SLACK = 1e-6;

function inRange(v: number, min: number, max: number): boolean {
  const slack = RANGE_SLACK * Math.max(1, Math.abs(max - min));
  return v >= min - slack && v <= max + slack;
}

export class OscIngest {
  private readonly sink: IngestSink;
  private transport: TransportEvent = { playing: false, songTime: 0 };
  private cursor: CursorEvent = { track: null, scene: null, trackId: null, slotId: null };

  constructor(sink: IngestSink) {
    this.sink = sink;
  }

  /** Applies one message; returns why it was dropped, or null. */
  handle(msg: OscMessage): OscDropCode | null {
    const h = HANDLERS.get(msg.address);
    if (h === undefined) return 'OSC_UNKNOWN_ADDRESS';
    return h(this, msg.args);
  }

  // ---- song ---------------------------------------------------------------------------

  tempo(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 1) return 'OSC_BAD_ARGS';
    const v = numberArg(args[0]);
    if (v === undefined) return 'OSC_BAD_ARGS';
    if (v < TEMPO_MIN || v > TEMPO_MAX) return 'OSC_BAD_VALUE';
    this.sink.setAttr(this.sink.rootId, 'tempo', v);
    return null;
  }

  playing(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 1) return 'OSC_BAD_ARGS';
    const v = boolArg(args[0]);
    if (v === undefined) return 'OSC_BAD_ARGS';
    this.transport = { ...this.transport, playing: v };
    this.sink.publish('transport', this.transport);
    return null;
  }

  songTime(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 1) return 'OSC_BAD_ARGS';
    const v = numberArg(args[0]);
    if (v === undefined) return 'OSC_BAD_ARGS';
    if (v < 0) return 'OSC_BAD_VALUE';
    this.transport = { ...this.transport, songTime: v };
    this.sink.publish('transport', this.transport);
    return null;
  }

  beat(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 1) return 'OSC_BAD_ARGS';
    const v = intArg(args[0]);
    if (v === undefined) return 'OSC_BAD_ARGS';
    if (v < 0) return 'OSC_BAD_VALUE';
    this.sink.publish('beat', { beat: v });
    return null;
  }

  // ---- tracks -------------------------------------------------------------------------

  trackProp(args: readonly OscArg[], prop: 'name' | 'mute' | 'solo' | 'arm' | 'volume' | 'panning' | 'color' | 'color_index'): OscDropCode | null {
    if (args.length !== 2) return 'OSC_BAD_ARGS';
    const i = intArg(args[0]);
    if (i === undefined) return 'OSC_BAD_ARGS';
    const track = this.sink.map.track(i);
    if (track === undefined) return 'OSC_OUT_OF_RANGE';
    let attr: string;
    let value: AttrValue | undefined;
    switch (prop) {
      case 'name':
        attr = 'name';
        value = textArg(args[1]);
        break;
      case 'mute':
      case 'solo':
      case 'arm':
        attr = prop;
        value = boolArg(args[1]);
        if (prop === 'arm' && track.kind === 'group') return 'OSC_OUT_OF_RANGE';
        break;
      case 'volume': {
        attr = 'fader';
        value = numberArg(args[1]);
        if (value !== undefined && !inRange(value, 0, 1)) return 'OSC_BAD_VALUE';
        break;
      }
      case 'panning': {
        attr = 'pan';
        value = numberArg(args[1]);
        if (value !== undefined && !inRange(value, -1, 1)) return 'OSC_BAD_VALUE';
        break;
      }
      case 'color': {
        attr = 'rgb';
        value = intArg(args[1]);
        if (value !== undefined && (value < 0 || value > 0xffffff)) return 'OSC_BAD_VALUE';
        break;
      }
      case 'color_index': {
        attr = 'color';
        value = intArg(args[1]);
        if (value !== undefined && (value < 0 || value > 255)) return 'OSC_BAD_VALUE';
        break;
      }
    }
    if (value === undefined) return 'OSC_BAD_ARGS';
    this.sink.setAttr(track.id, attr, value);
    return null;
  }

  // ---- devices ------------------------------------------------------------------------

  paramValue(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 4) return 'OSC_BAD_ARGS';
    const i = intArg(args[0]);
    const j = intArg(args[1]);
    const k = intArg(args[2]);
    const v = numberArg(args[3]);
    if (i === undefined || j === undefined || k === undefined || v === undefined) return 'OSC_BAD_ARGS';
    const target = this.sink.map.param(i, j, k);
    if (target === undefined) return 'OSC_OUT_OF_RANGE';
    if (target.attr === 'on') {
      this.sink.setAttr(target.id, 'on', v !== 0);
      return null;
    }
    const attrs = this.sink.attrsOf(target.id);
    if (attrs === undefined) return 'OSC_OUT_OF_RANGE';
    const { min, max, value: old } = attrs;
    if (typeof min === 'number' && typeof max === 'number' && !inRange(v, min, max)) return 'OSC_BAD_VALUE';
    // A parameter the file stores as a boolean (an on/off switch) stays one.
    this.sink.setAttr(target.id, 'value', typeof old === 'boolean' ? v !== 0 : v);
    return null;
  }

  paramDisplay(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 4) return 'OSC_BAD_ARGS';
    const i = intArg(args[0]);
    const j = intArg(args[1]);
    const k = intArg(args[2]);
    const s = textArg(args[3], 256);
    if (i === undefined || j === undefined || k === undefined || s === undefined) return 'OSC_BAD_ARGS';
    const target = this.sink.map.param(i, j, k);
    if (target === undefined) return 'OSC_OUT_OF_RANGE';
    if (target.attr === 'value') this.sink.setAttr(target.id, 'display', s);
    return null;
  }

  deviceName(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 3) return 'OSC_BAD_ARGS';
    const i = intArg(args[0]);
    const j = intArg(args[1]);
    const s = textArg(args[2]);
    if (i === undefined || j === undefined || s === undefined) return 'OSC_BAD_ARGS';
    const d = this.sink.map.device(i, j);
    if (d === undefined) return 'OSC_OUT_OF_RANGE';
    this.sink.setAttr(d.id, 'name', s);
    return null;
  }

  // ---- clips and scenes ---------------------------------------------------------------

  clipProp(args: readonly OscArg[], prop: 'name' | 'color'): OscDropCode | null {
    if (args.length !== 3) return 'OSC_BAD_ARGS';
    const i = intArg(args[0]);
    const s = intArg(args[1]);
    if (i === undefined || s === undefined) return 'OSC_BAD_ARGS';
    let attr: string;
    let value: AttrValue | undefined;
    if (prop === 'name') {
      attr = 'name';
      value = textArg(args[2]);
    } else {
      attr = 'rgb';
      value = intArg(args[2]);
      if (value !== undefined && (value < 0 || value > 0xffffff)) return 'OSC_BAD_VALUE';
    }
    if (value === undefined) return 'OSC_BAD_ARGS';
    const slotId = this.sink.map.slot(i, s);
    if (slotId === undefined) return 'OSC_OUT_OF_RANGE';
    const clipId = `${slotId}/clip`;
    if (this.sink.attrsOf(clipId) === undefined) this.sink.addClip(slotId, { [attr]: value });
    else this.sink.setAttr(clipId, attr, value);
    return null;
  }

  sceneName(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 2) return 'OSC_BAD_ARGS';
    const s = intArg(args[0]);
    const name = textArg(args[1]);
    if (s === undefined || name === undefined) return 'OSC_BAD_ARGS';
    const id = this.sink.map.scene(s);
    if (id === undefined) return 'OSC_OUT_OF_RANGE';
    this.sink.setAttr(id, 'name', name);
    return null;
  }

  // ---- cursor -------------------------------------------------------------------------

  cursorSlot(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 2) return 'OSC_BAD_ARGS';
    const i = intArg(args[0]);
    const s = intArg(args[1]);
    if (i === undefined || s === undefined) return 'OSC_BAD_ARGS';
    const track = this.sink.map.track(i);
    const slotId = this.sink.map.slot(i, s);
    if (track === undefined || slotId === undefined) return 'OSC_OUT_OF_RANGE';
    this.cursor = { track: i, scene: s, trackId: track.id, slotId };
    this.sink.publish('cursor', this.cursor);
    return null;
  }

  selected(args: readonly OscArg[], what: 'track' | 'scene'): OscDropCode | null {
    if (args.length !== 1) return 'OSC_BAD_ARGS';
    const n = intArg(args[0]);
    if (n === undefined) return 'OSC_BAD_ARGS';
    const track = what === 'track' ? n : this.cursor.track;
    const scene = what === 'scene' ? n : this.cursor.scene;
    if (what === 'track' && this.sink.map.track(n) === undefined) return 'OSC_OUT_OF_RANGE';
    if (what === 'scene' && this.sink.map.scene(n) === undefined) return 'OSC_OUT_OF_RANGE';
    const trackId = track === null ? null : (this.sink.map.track(track)?.id ?? null);
    const slotId = track === null || scene === null ? null : (this.sink.map.slot(track, scene) ?? null);
    this.cursor = { track, scene, trackId, slotId };
    this.sink.publish('cursor', this.cursor);
    return null;
  }

  // ---- AbletonOSC status ----------------------------------------------------------------

  startup(args: readonly OscArg[]): OscDropCode | null {
    if (args.length !== 0) return 'OSC_BAD_ARGS';
    this.sink.startup();
    return null;
  }

  error(args: readonly OscArg[]): OscDropCode | null {
    const text = args.map((a) => textArg(a, 256) ?? '').join(' ');
    this.sink.liveError(text.slice(0, 512));
    return null;
  }
}

const HANDLERS = new Map<string, Handler>([
  ['/live/song/get/tempo', (x, a) => x.tempo(a)],
  ['/live/song/get/is_playing', (x, a) => x.playing(a)],
  ['/live/song/get/current_song_time', (x, a) => x.songTime(a)],
  ['/live/song/get/beat', (x, a) => x.beat(a)],
  // Older AbletonOSC versions sent the beat here.
  ['/live/song/beat', (x, a) => x.beat(a)],
  ['/live/track/get/name', (x, a) => x.trackProp(a, 'name')],
  ['/live/track/get/mute', (x, a) => x.trackProp(a, 'mute')],
  ['/live/track/get/solo', (x, a) => x.trackProp(a, 'solo')],
  ['/live/track/get/arm', (x, a) => x.trackProp(a, 'arm')],
  ['/live/track/get/volume', (x, a) => x.trackProp(a, 'volume')],
  ['/live/track/get/panning', (x, a) => x.trackProp(a, 'panning')],
  ['/live/track/get/color', (x, a) => x.trackProp(a, 'color')],
  ['/live/track/get/color_index', (x, a) => x.trackProp(a, 'color_index')],
  ['/live/device/get/parameter/value', (x, a) => x.paramValue(a)],
  ['/live/device/get/parameter/value_string', (x, a) => x.paramDisplay(a)],
  ['/live/device/get/name', (x, a) => x.deviceName(a)],
  ['/live/clip/get/name', (x, a) => x.clipProp(a, 'name')],
  ['/live/clip/get/color', (x, a) => x.clipProp(a, 'color')],
  ['/live/scene/get/name', (x, a) => x.sceneName(a)],
  ['/live/cursor/clip_slot', (x, a) => x.cursorSlot(a)],
  ['/live/view/get/selected_track', (x, a) => x.selected(a, 'track')],
  ['/live/view/get/selected_scene', (x, a) => x.selected(a, 'scene')],
  ['/live/startup', (x, a) => x.startup(a)],
  ['/live/error', (x, a) => x.error(a)],
]);
