// A stand-in for Live, so the mirror moves without one (`tidewire liveset --simulate`). It
// plays a stream of realistic AbletonOSC listener messages as real UDP packets to the event
// port — transport and beat ticks, tempo drift, mute/solo toggles, fader and pan sweeps,
// device parameter sweeps, clip renames, cursor moves — derived from the tracks, devices and
// scenes of the loaded set. It is also a tiny Live for control: it answers /live/…/set/… and
// fire messages with the listener message Live would send, so the UI's buttons work.
import type { IndexMap } from './index-map.ts';
import { bool, float, int, str } from './osc/codec.ts';
import type { OscArg, OscMessage } from './osc/codec.ts';
import { boolArg, intArg, numberArg } from './osc/args.ts';
import { OscSocket } from './osc/udp.ts';
import type { OscPeer } from './osc/udp.ts';
import { seededRandom } from '@tidewire/random';

export interface SimulatorShape {
  readonly map: IndexMap;
  readonly rootId: string;
  attrsOf(id: string): Readonly<Record<string, unknown>> | undefined;
}

export interface SimulatorOptions {
  /** The mirror's event port. */
  target: OscPeer;
  /** The set the stream is derived from (read on every tick, so it follows reloads). */
  shape: SimulatorShape;
  /** Stream events per second, on average (default 30; 0: silent, it only answers control). */
  rate?: number;
  seed?: number;
  /** Tick period (ms, default 25). */
  tickMs?: number;
}

const CLIP_WORDS = ['Intro', 'Verse', 'Chorus', 'Break', 'Drop', 'Outro', 'Fill', 'Riser', 'Pad', 'Lead', 'Bass', 'Hats'];

interface Sweep {
  address: string;
  ids: number[];
  min: number;
  max: number;
  /** Seconds left. */
  left: number;
  phase: number;
}

export class Simulator {
  private readonly socket: OscSocket;
  private readonly opts: Required<Omit<SimulatorOptions, 'seed'>>;
  private readonly rand: () => number;
  private readonly timer: NodeJS.Timeout;
  private last = performance.now();
  private tempo = 120;
  private baseTempo = 120;
  private playing = true;
  private songTime = 0;
  private lastBeat = -1;
  private sinceTime = 0;
  private budget = 0;
  private cursor = { track: 0, scene: 0 };
  private sweeps: Sweep[] = [];
  /** False while another node of a cluster owns the mirror: this Live is then silent. */
  active = true;
  /** Switch states (mute/solo/arm) the simulator has announced, by `prop/track`. */
  private readonly switches = new Map<string, boolean>();

  private constructor(socket: OscSocket, opts: SimulatorOptions) {
    this.socket = socket;
    this.opts = { rate: 30, tickMs: 25, ...opts };
    this.rand = seededRandom(opts.seed ?? 7);
    const tempo = this.opts.shape.attrsOf(this.opts.shape.rootId)?.tempo;
    if (typeof tempo === 'number' && tempo >= 20 && tempo <= 999) this.tempo = this.baseTempo = tempo;
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
  }

  static async start(opts: SimulatorOptions): Promise<Simulator> {
    let sim: Simulator | undefined;
    const socket = await OscSocket.bind({
      host: '127.0.0.1',
      port: 0,
      maxPacketBytes: 8192,
      maxMessagesPerPacket: 16,
      onMessage: (msg) => sim?.control(msg),
      onDrop: () => {},
    });
    sim = new Simulator(socket, opts);
    return sim;
  }

  /** Where the mirror should send control messages. */
  get peer(): OscPeer {
    return { address: '127.0.0.1', port: this.socket.port };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.socket.close();
  }

  private send(address: string, args: OscArg[]): void {
    this.socket.send(address, args, this.opts.target);
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length === 0 ? undefined : xs[Math.floor(this.rand() * xs.length)];
  }

  // ---- the stream ------------------------------------------------------------------------

  private tick(): void {
    const now = performance.now();
    if (!this.active) {
      this.last = now;
      return;
    }
    const dt = Math.min(0.5, (now - this.last) / 1000);
    this.last = now;
    this.transport(dt);
    this.runSweeps(dt);
    this.budget += dt * this.opts.rate;
    while (this.budget >= 1) {
      this.budget -= 1;
      this.randomEvent();
    }
  }

  private transport(dt: number): void {
    if (!this.playing) return;
    this.songTime += (dt * this.tempo) / 60;
    this.sinceTime += dt;
    if (this.sinceTime >= 0.1) {
      this.sinceTime = 0;
      this.send('/live/song/get/current_song_time', [float(this.songTime)]);
    }
    const beat = Math.floor(this.songTime);
    if (beat !== this.lastBeat) {
      this.lastBeat = beat;
      this.send('/live/song/get/beat', [int(beat)]);
    }
  }

  private runSweeps(dt: number): void {
    for (const s of this.sweeps) {
      s.left -= dt;
      s.phase += dt * 2 * Math.PI * 0.4;
      const v = s.min + ((Math.sin(s.phase) + 1) / 2) * (s.max - s.min);
      this.send(s.address, [...s.ids.map(int), float(v)]);
    }
    this.sweeps = this.sweeps.filter((s) => s.left > 0);
  }

  private randomEvent(): void {
    const { map } = this.opts.shape;
    const r = this.rand();
    const nTracks = map.tracks.length;
    const nScenes = map.scenes.length;
    if (r < 0.3 && nTracks > 0 && nScenes > 0) {
      // Cursor: a short walk on the session grid.
      const dx = Math.floor(this.rand() * 3) - 1;
      const dy = Math.floor(this.rand() * 3) - 1;
      this.cursor = { track: Math.max(0, Math.min(nTracks - 1, this.cursor.track + dx)), scene: Math.max(0, Math.min(nScenes - 1, this.cursor.scene + dy)) };
      this.send('/live/cursor/clip_slot', [int(this.cursor.track), int(this.cursor.scene)]);
    } else if (r < 0.45 && nTracks > 0) {
      const i = Math.floor(this.rand() * nTracks);
      const prop = this.rand() < 0.7 ? 'mute' : 'solo';
      const key = `${prop}/${i}`;
      const cur = this.switches.get(key) ?? this.opts.shape.attrsOf(map.tracks[i]!.id)?.[prop] === true;
      this.switches.set(key, !cur);
      this.send(`/live/track/get/${prop}`, [int(i), bool(!cur)]);
    } else if (r < 0.6 && nTracks > 0 && this.sweeps.length < 3) {
      const i = Math.floor(this.rand() * nTracks);
      if (this.rand() < 0.6) this.sweeps.push({ address: '/live/track/get/volume', ids: [i], min: 0.4, max: 0.9, left: 3, phase: 0 });
      else this.sweeps.push({ address: '/live/track/get/panning', ids: [i], min: -0.8, max: 0.8, left: 3, phase: 0 });
    } else if (r < 0.8 && this.sweeps.length < 4) {
      this.paramSweep();
    } else if (r < 0.88 && nTracks > 0 && nScenes > 0) {
      // Rename a clip that exists: Live only reports names of clips it has, and the mirror
      // takes a reported name for an empty slot as a clip Live created since the save.
      const i = Math.floor(this.rand() * nTracks);
      const s = Math.floor(this.rand() * nScenes);
      const slot = map.slot(i, s);
      if (slot !== undefined && this.opts.shape.attrsOf(`${slot}/clip`) !== undefined) {
        this.send('/live/clip/get/name', [int(i), int(s), str(`${this.pick(CLIP_WORDS)} ${1 + Math.floor(this.rand() * 16)}`)]);
      }
    } else if (r < 0.95) {
      this.tempo = Math.max(this.baseTempo - 4, Math.min(this.baseTempo + 4, this.tempo + (this.rand() - 0.5)));
      this.send('/live/song/get/tempo', [float(Math.round(this.tempo * 100) / 100)]);
    } else if (r < 0.97) {
      this.setPlaying(!this.playing || this.rand() < 0.5);
    }
  }

  private paramSweep(): void {
    const { map, attrsOf } = this.opts.shape;
    const withParams = map.tracks.flatMap((t, i) => t.devices.map((d, j) => ({ i, j, d })).filter((x) => x.d.params.length > 0));
    const pick = this.pick(withParams);
    if (pick === undefined) return;
    const k = 1 + Math.floor(this.rand() * pick.d.params.length);
    const a = attrsOf(pick.d.params[k - 1]!);
    const min = typeof a?.min === 'number' ? a.min : 0;
    const max = typeof a?.max === 'number' ? a.max : 1;
    if (!(max > min) || typeof a?.value !== 'number') return;
    this.sweeps.push({ address: '/live/device/get/parameter/value', ids: [pick.i, pick.j, k], min, max, left: 2 + this.rand() * 3, phase: 0 });
  }

  private setPlaying(playing: boolean): void {
    this.playing = playing;
    this.send('/live/song/get/is_playing', [bool(playing)]);
  }

  // ---- the fake Live behind control messages ------------------------------------------------

  private control(msg: OscMessage): void {
    const a = msg.args;
    const addr = msg.address;
    const sw = /^\/live\/track\/set\/(mute|solo|arm)$/.exec(addr);
    if (sw) {
      const i = intArg(a[0]);
      const v = boolArg(a[1]);
      if (i === undefined || v === undefined) return;
      this.switches.set(`${sw[1]}/${i}`, v);
      this.send(`/live/track/get/${sw[1]}`, [int(i), bool(v)]);
      return;
    }
    switch (addr) {
      case '/live/track/set/volume':
      case '/live/track/set/panning': {
        const i = intArg(a[0]);
        const v = numberArg(a[1]);
        if (i === undefined || v === undefined) return;
        const reply = addr.replace('/set/', '/get/');
        // The user holds the fader: stop sweeping it.
        this.sweeps = this.sweeps.filter((s) => !(s.address === reply && s.ids[0] === i));
        this.send(reply, [int(i), float(v)]);
        return;
      }
      case '/live/device/set/parameter/value': {
        const ids = [intArg(a[0]), intArg(a[1]), intArg(a[2])];
        const v = numberArg(a[3]);
        if (ids.some((x) => x === undefined) || v === undefined) return;
        this.sweeps = this.sweeps.filter((s) => s.address !== '/live/device/get/parameter/value' || s.ids.join() !== ids.join());
        this.send('/live/device/get/parameter/value', [...(ids as number[]).map(int), float(v)]);
        return;
      }
      case '/live/song/set/tempo': {
        const v = numberArg(a[0]);
        if (v === undefined) return;
        this.tempo = this.baseTempo = v;
        this.send('/live/song/get/tempo', [float(v)]);
        return;
      }
      case '/live/song/start_playing':
        this.setPlaying(true);
        return;
      case '/live/song/stop_playing':
        this.setPlaying(false);
        return;
      case '/live/clip/fire': {
        const i = intArg(a[0]);
        const s = intArg(a[1]);
        if (i === undefined || s === undefined) return;
        this.cursor = { track: i, scene: s };
        this.send('/live/cursor/clip_slot', [int(i), int(s)]);
        if (!this.playing) this.setPlaying(true);
        return;
      }
      case '/live/scene/fire': {
        const s = intArg(a[0]);
        if (s === undefined) return;
        this.cursor = { track: this.cursor.track, scene: s };
        this.send('/live/cursor/clip_slot', [int(this.cursor.track), int(s)]);
        if (!this.playing) this.setPlaying(true);
        return;
      }
    }
  }
}
