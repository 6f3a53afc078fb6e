// A fake AbletonOSC remote script, written from AbletonOSC's documented address space
// (README and handlers of ideoforms/AbletonOSC): getters answer from an in-memory song with
// the ids of the object queried first; start_listen sends the current value at once and again
// on every change; setters change the song (and so notify); /live/startup on restart. Values
// are typed as python-osc types them (bool T/F, int i, float f, str s, None N). Unknown
// addresses and bad indices answer /live/error, like the script.
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { decodeOsc, encodeOsc } from '../src/osc/codec.ts';
import type { OscArg, OscMessage } from '../src/osc/codec.ts';

export interface FakeParam {
  name: string;
  value: number;
  min: number;
  max: number;
}
export interface FakeDevice {
  name: string;
  className: string;
  params: FakeParam[];
}
export interface FakeClip {
  name: string;
  color: number;
}
export interface FakeTrack {
  name: string;
  color: number;
  colorIndex: number;
  mute: boolean;
  solo: boolean;
  arm: boolean;
  canBeArmed: boolean;
  isGroup: boolean;
  midi: boolean;
  volume: number;
  panning: number;
  devices: FakeDevice[];
  clips: (FakeClip | null)[];
}
export interface FakeSong {
  tempo: number;
  playing: boolean;
  tracks: FakeTrack[];
  scenes: { name: string }[];
}

type Py = number | string | boolean | null | { float: number };
const f = (v: number): Py => ({ float: v });

function arg(v: Py): OscArg {
  if (v === null) return { type: 'N', value: null };
  if (typeof v === 'boolean') return { type: v ? 'T' : 'F', value: v };
  if (typeof v === 'string') return { type: 's', value: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { type: 'i', value: v } : { type: 'f', value: v };
  return { type: 'f', value: v.float };
}

function num(a: OscArg | undefined): number {
  if (a === undefined || typeof a.value !== 'number') throw new Error('expected a number');
  return a.value;
}
function truthy(a: OscArg | undefined): boolean {
  if (a?.type === 'T') return true;
  if (a?.type === 'F') return false;
  return num(a) !== 0;
}

export function fakeTrack(name: string, opts: Partial<FakeTrack> = {}): FakeTrack {
  return {
    name,
    color: 0x1188ff,
    colorIndex: 3,
    mute: false,
    solo: false,
    arm: false,
    canBeArmed: true,
    isGroup: false,
    midi: false,
    volume: 0.85,
    panning: 0,
    devices: [],
    clips: [],
    ...opts,
  };
}

export function fakeDevice(name: string, className: string, params: [string, number, number, number][]): FakeDevice {
  return {
    name,
    className,
    params: [{ name: 'Device On', value: 1, min: 0, max: 1 }, ...params.map(([n, v, lo, hi]) => ({ name: n, value: v, min: lo, max: hi }))],
  };
}

export interface FakeOptions {
  /** Return true to lose an incoming datagram (UDP loss). */
  drop?: (msg: OscMessage) => boolean;
  /** Hold setter messages until confirm() (to observe the mirror before Live confirms). */
  holdSets?: boolean;
}

export class FakeAbletonOsc {
  readonly song: FakeSong;
  /** Every message received (after loss), in order. */
  readonly received: OscMessage[] = [];
  private readonly socket: Socket;
  private readonly opts: FakeOptions;
  private readonly listeners = new Set<string>();
  private client: { address: string; port: number } | null = null;
  private held: OscMessage[] = [];

  private constructor(socket: Socket, song: FakeSong, opts: FakeOptions) {
    this.socket = socket;
    this.song = song;
    this.opts = opts;
    socket.on('message', (buf: Buffer, rinfo: RemoteInfo) => this.onPacket(buf, rinfo));
  }

  static async start(song: FakeSong, opts: FakeOptions = {}): Promise<FakeAbletonOsc> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return new FakeAbletonOsc(socket, song, opts);
  }

  get port(): number {
    return this.socket.address().port;
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }

  /** Changes a track property as a user in Live would (listeners hear about it). */
  setTrack<K extends 'name' | 'mute' | 'solo' | 'arm' | 'volume' | 'panning'>(i: number, prop: K, value: FakeTrack[K]): void {
    this.song.tracks[i]![prop] = value;
    this.notifyTrack(i, prop);
  }

  setParam(i: number, j: number, k: number, value: number): void {
    this.song.tracks[i]!.devices[j]!.params[k]!.value = value;
    this.notifyParam(i, j, k);
  }

  /** A structural change: AbletonOSC has no listener for it, the mirror's poll must notice. */
  addTrack(track: FakeTrack, index = this.song.tracks.length): void {
    track.clips = Array.from({ length: this.song.scenes.length }, (_, s) => track.clips[s] ?? null);
    this.song.tracks.splice(index, 0, track);
  }

  /** The script restarts (Live reloaded it): listeners are gone, /live/startup goes out. */
  restart(): void {
    this.listeners.clear();
    if (this.client) this.send(this.client, '/live/startup', []);
  }

  /** Applies held setter messages (holdSets). */
  confirm(): void {
    const held = this.held;
    this.held = [];
    for (const m of held) this.apply(m);
  }

  get heldCount(): number {
    return this.held.length;
  }

  // ---- wire ---------------------------------------------------------------------------

  private send(to: { address: string; port: number }, address: string, values: Py[]): void {
    this.socket.send(encodeOsc(address, values.map(arg)), to.port, to.address);
  }

  private notify(key: string, address: string, values: Py[]): void {
    if (this.listeners.has(key) && this.client) this.send(this.client, address, values);
  }

  private onPacket(buf: Buffer, rinfo: RemoteInfo): void {
    let msgs: OscMessage[];
    try {
      msgs = decodeOsc(buf);
    } catch {
      return;
    }
    for (const m of msgs) {
      if (this.opts.drop?.(m)) continue;
      this.received.push(m);
      // AbletonOSC answers to the sender's host on its reply port; listeners go to the latest client.
      this.client = { address: rinfo.address, port: rinfo.port };
      try {
        this.handle(m);
      } catch (err) {
        this.send(this.client, '/live/error', [`Error handling OSC message: ${(err as Error).message}`]);
      }
    }
  }

  private track(a: OscArg | undefined): [number, FakeTrack] {
    const i = num(a);
    const t = this.song.tracks[i];
    if (!t) throw new Error(`list index out of range: track ${i}`);
    return [i, t];
  }

  private trackValue(t: FakeTrack, prop: string): Py {
    switch (prop) {
      case 'name':
        return t.name;
      case 'color':
        return t.color;
      case 'color_index':
        return t.colorIndex;
      case 'mute':
        return t.mute;
      case 'solo':
        return t.solo;
      case 'arm':
        if (!t.canBeArmed) throw new Error('Track cannot be armed');
        return t.arm;
      case 'volume':
        return f(t.volume);
      case 'panning':
        return f(t.panning);
      case 'is_foldable':
        return t.isGroup;
      case 'can_be_armed':
        return t.canBeArmed;
      case 'has_midi_input':
        return t.midi;
      case 'num_devices':
        return t.devices.length;
      default:
        throw new Error(`no track property ${prop}`);
    }
  }

  private notifyTrack(i: number, prop: string): void {
    this.notify(`track/${prop}/${i}`, `/live/track/get/${prop}`, [i, this.trackValue(this.song.tracks[i]!, prop)]);
  }

  private notifyParam(i: number, j: number, k: number): void {
    const p = this.song.tracks[i]!.devices[j]!.params[k]!;
    this.notify(`param/${i}/${j}/${k}`, '/live/device/get/parameter/value', [i, j, k, f(p.value)]);
    this.notify(`param/${i}/${j}/${k}`, '/live/device/get/parameter/value_string', [i, j, k, `${p.value.toFixed(2)}`]);
  }

  private handle(m: OscMessage): void {
    const a = m.args;
    const to = this.client!;
    const reply = (values: Py[]) => this.send(to, m.address, values);
    const parts = m.address.split('/'); // ['', 'live', obj, verb, prop…]
    const [, , obj, verb, ...rest] = parts;
    const prop = rest.join('/');

    if (obj === 'song' && verb === 'get') {
      switch (prop) {
        case 'num_tracks':
          return reply([this.song.tracks.length]);
        case 'num_scenes':
          return reply([this.song.scenes.length]);
        case 'tempo':
          return reply([f(this.song.tempo)]);
        case 'is_playing':
          return reply([this.song.playing]);
        case 'track_data':
          return reply(this.trackData(a));
      }
    }
    if (obj === 'song' && verb === 'start_listen') {
      this.listeners.add(`song/${prop}`);
      if (prop === 'tempo') this.notify('song/tempo', '/live/song/get/tempo', [f(this.song.tempo)]);
      if (prop === 'is_playing') this.notify('song/is_playing', '/live/song/get/is_playing', [this.song.playing]);
      return;
    }
    if (obj === 'song' && verb === 'set' && prop === 'tempo') {
      this.song.tempo = num(a[0]);
      return this.notify('song/tempo', '/live/song/get/tempo', [f(this.song.tempo)]);
    }
    if (obj === 'song' && (verb === 'start_playing' || verb === 'stop_playing')) {
      this.song.playing = verb === 'start_playing';
      return this.notify('song/is_playing', '/live/song/get/is_playing', [this.song.playing]);
    }
    if (obj === 'view' && verb === 'start_listen') {
      this.listeners.add(`view/${prop}`);
      return;
    }
    if (obj === 'scene') {
      const s = num(a[0]);
      const scene = this.song.scenes[s];
      if (!scene) throw new Error(`list index out of range: scene ${s}`);
      if (verb === 'get' && prop === 'name') return reply([s, scene.name]);
      if (verb === 'start_listen' && prop === 'name') {
        this.listeners.add(`scene/name/${s}`);
        return this.notify(`scene/name/${s}`, '/live/scene/get/name', [s, scene.name]);
      }
      if (verb === 'fire') return;
    }
    if (obj === 'track') {
      const [i, t] = this.track(a[0]);
      if (verb === 'get' && prop === 'devices/name') return reply([i, ...t.devices.map((d) => d.name)]);
      if (verb === 'get' && prop === 'devices/class_name') return reply([i, ...t.devices.map((d) => d.className)]);
      if (verb === 'get') return reply([i, this.trackValue(t, prop)]);
      if (verb === 'start_listen') {
        this.listeners.add(`track/${prop}/${i}`);
        return this.notifyTrack(i, prop);
      }
      if (verb === 'set') return this.holdOr(m, () => this.apply(m));
    }
    if (obj === 'device') {
      const [i, t] = this.track(a[0]);
      const j = num(a[1]);
      const d = t.devices[j];
      if (!d) throw new Error(`list index out of range: device ${j}`);
      if (verb === 'get' && prop.startsWith('parameters/')) {
        const field = prop.slice('parameters/'.length) as 'name' | 'value' | 'min' | 'max';
        return reply([i, j, ...d.params.map((p) => (field === 'name' ? p.name : f(p[field])))]);
      }
      if (verb === 'start_listen' && prop === 'parameter/value') {
        const k = num(a[2]);
        if (!d.params[k]) throw new Error(`list index out of range: parameter ${k}`);
        this.listeners.add(`param/${i}/${j}/${k}`);
        return this.notifyParam(i, j, k);
      }
      if (verb === 'set' && prop === 'parameter/value') return this.holdOr(m, () => this.apply(m));
    }
    if (obj === 'clip') {
      const [i, t] = this.track(a[0]);
      const s = num(a[1]);
      const clip = t.clips[s];
      if (!clip) throw new Error("'NoneType' object has no attribute");
      if (verb === 'start_listen') {
        this.listeners.add(`clip/${prop}/${i}/${s}`);
        return this.notify(`clip/${prop}/${i}/${s}`, `/live/clip/get/${prop}`, [i, s, prop === 'name' ? clip.name : clip.color]);
      }
      if (verb === 'fire' || verb === 'stop') return;
    }
    throw new Error(`Unknown OSC address: ${m.address}`);
  }

  private holdOr(m: OscMessage, run: () => void): void {
    if (this.opts.holdSets) this.held.push(m);
    else run();
  }

  private apply(m: OscMessage): void {
    const a = m.args;
    if (m.address === '/live/device/set/parameter/value') {
      const [i, j, k] = [num(a[0]), num(a[1]), num(a[2])];
      this.song.tracks[i]!.devices[j]!.params[k]!.value = num(a[3]);
      return this.notifyParam(i, j, k);
    }
    const prop = m.address.slice('/live/track/set/'.length);
    const [i, t] = this.track(a[0]);
    if (prop === 'mute' || prop === 'solo' || prop === 'arm') t[prop] = truthy(a[1]);
    else if (prop === 'volume' || prop === 'panning') t[prop] = num(a[1]);
    else if (prop === 'name') t.name = String(a[1]?.value);
    else throw new Error(`Unknown OSC address: ${m.address}`);
    this.notifyTrack(i, prop);
  }

  private trackData(a: readonly OscArg[]): Py[] {
    const from = num(a[0]);
    let to = num(a[1]);
    if (to === -1) to = this.song.tracks.length;
    const props = a.slice(2).map((x) => String(x.value));
    const out: Py[] = [];
    for (let i = from; i < to; i++) {
      const [, t] = this.track({ type: 'i', value: i });
      for (const p of props) {
        const [o, name] = p.split('.');
        if (o === 'track') out.push(this.trackValue(t, name!));
        else if (o === 'clip') for (const c of t.clips) out.push(c === null ? null : name === 'name' ? c.name : c.color);
        else throw new Error(`Unknown object identifier in get/track_data: ${o}`);
      }
    }
    return out;
  }
}
