// Incoming OSC (the event port, and AbletonOSC's replies and listener messages) -> the mirror.
// Tree properties become set ops on the node the indices map to; transport, beat and cursor
// become latest-wins events. Every message is checked before anything changes: the address and
// the argument signature by the table of docs/liveset-osc.md §2.1 (osc-table.ts), then indices
// and set-dependent ranges by the handlers below, which receive typed arguments. A failed check
// returns its drop reason and changes nothing.
import type { AttrValue } from '@tidewire/tree';
import type { CursorEvent, LiveSetEventKey, LiveSetEvents, TransportEvent } from './events.ts';
import type { IndexMap } from './index-map.ts';
import type { OscDropCode } from './osc/errors.ts';
import type { OscArg, OscMessage } from './osc/codec.ts';
import { textArg } from './osc/args.ts';
import { CheckedArgs, inRange, LISTENER_ROUTES } from './osc-table.ts';

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

/** Text kept of one /live/error argument, and of the whole message. */
const ERROR_ARG_MAX = 256;
const ERROR_MAX = 512;

export class OscIngest {
  private readonly sink: IngestSink;
  private transport: TransportEvent = { playing: false, songTime: 0 };
  private cursor: CursorEvent = { track: null, scene: null, trackId: null, slotId: null };
  /** The checked arguments of the message being handled (reused: nothing per message). */
  private readonly args = new CheckedArgs();

  constructor(sink: IngestSink) {
    this.sink = sink;
  }

  /** Applies one message; returns why it was dropped, or null. */
  handle(msg: OscMessage): OscDropCode | null {
    const route = LISTENER_ROUTES.get(msg.address);
    if (route === undefined) return 'OSC_UNKNOWN_ADDRESS';
    if (route.args !== null) {
      const bad = this.args.check(route.args, msg.args);
      if (bad !== null) return bad;
    }
    return route.handle(this, this.args, msg.args);
  }

  // ---- song ---------------------------------------------------------------------------

  tempo(bpm: number): OscDropCode | null {
    this.sink.setAttr(this.sink.rootId, 'tempo', bpm);
    return null;
  }

  playing(on: boolean): OscDropCode | null {
    this.transport = { ...this.transport, playing: on };
    this.sink.publish('transport', this.transport);
    return null;
  }

  songTime(beats: number): OscDropCode | null {
    this.transport = { ...this.transport, songTime: beats };
    this.sink.publish('transport', this.transport);
    return null;
  }

  beat(beat: number): OscDropCode | null {
    this.sink.publish('beat', { beat });
    return null;
  }

  // ---- tracks -------------------------------------------------------------------------

  /** Track `t`'s attribute (§3.3 names: volume is `fader`, panning `pan`, color `rgb`). */
  trackAttr(t: number, attr: string, value: AttrValue): OscDropCode | null {
    const track = this.sink.map.track(t);
    if (track === undefined) return 'OSC_OUT_OF_RANGE';
    this.sink.setAttr(track.id, attr, value);
    return null;
  }

  /** Live has no arm on group tracks: one reported there is an index that does not resolve. */
  trackArm(t: number, on: boolean): OscDropCode | null {
    const track = this.sink.map.track(t);
    if (track === undefined || track.kind === 'group') return 'OSC_OUT_OF_RANGE';
    this.sink.setAttr(track.id, 'arm', on);
    return null;
  }

  // ---- devices ------------------------------------------------------------------------

  paramValue(t: number, d: number, c: number, v: number): OscDropCode | null {
    const target = this.sink.map.param(t, d, c);
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

  paramDisplay(t: number, d: number, c: number, display: string): OscDropCode | null {
    const target = this.sink.map.param(t, d, c);
    if (target === undefined) return 'OSC_OUT_OF_RANGE';
    if (target.attr === 'value') this.sink.setAttr(target.id, 'display', display);
    return null;
  }

  deviceName(t: number, d: number, name: string): OscDropCode | null {
    const device = this.sink.map.device(t, d);
    if (device === undefined) return 'OSC_OUT_OF_RANGE';
    this.sink.setAttr(device.id, 'name', name);
    return null;
  }

  // ---- clips and scenes ---------------------------------------------------------------

  /** The clip in slot (t, s); Live reporting one in a slot the tree shows empty creates it. */
  clipAttr(t: number, s: number, attr: 'name' | 'rgb', value: AttrValue): OscDropCode | null {
    const slotId = this.sink.map.slot(t, s);
    if (slotId === undefined) return 'OSC_OUT_OF_RANGE';
    const clipId = `${slotId}/clip`;
    if (this.sink.attrsOf(clipId) === undefined) this.sink.addClip(slotId, { [attr]: value });
    else this.sink.setAttr(clipId, attr, value);
    return null;
  }

  sceneName(s: number, name: string): OscDropCode | null {
    const id = this.sink.map.scene(s);
    if (id === undefined) return 'OSC_OUT_OF_RANGE';
    this.sink.setAttr(id, 'name', name);
    return null;
  }

  // ---- cursor -------------------------------------------------------------------------

  cursorSlot(t: number, s: number): OscDropCode | null {
    const track = this.sink.map.track(t);
    const slotId = this.sink.map.slot(t, s);
    if (track === undefined || slotId === undefined) return 'OSC_OUT_OF_RANGE';
    this.cursor = { track: t, scene: s, trackId: track.id, slotId };
    this.sink.publish('cursor', this.cursor);
    return null;
  }

  selectedTrack(t: number): OscDropCode | null {
    if (this.sink.map.track(t) === undefined) return 'OSC_OUT_OF_RANGE';
    return this.moveCursor(t, this.cursor.scene);
  }

  selectedScene(s: number): OscDropCode | null {
    if (this.sink.map.scene(s) === undefined) return 'OSC_OUT_OF_RANGE';
    return this.moveCursor(this.cursor.track, s);
  }

  private moveCursor(track: number | null, scene: number | null): null {
    const trackId = track === null ? null : (this.sink.map.track(track)?.id ?? null);
    const slotId = track === null || scene === null ? null : (this.sink.map.slot(track, scene) ?? null);
    this.cursor = { track, scene, trackId, slotId };
    this.sink.publish('cursor', this.cursor);
    return null;
  }

  // ---- AbletonOSC status ----------------------------------------------------------------

  startup(): OscDropCode | null {
    this.sink.startup();
    return null;
  }

  /** Any arguments: the text ones joined (others are blanks), cleaned and cut. */
  error(args: readonly OscArg[]): OscDropCode | null {
    const text = args.map((a) => textArg(a, ERROR_ARG_MAX) ?? '').join(' ');
    this.sink.liveError(text.slice(0, ERROR_MAX));
    return null;
  }
}
