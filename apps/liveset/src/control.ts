// Control messages from clients (EVENTs on `liveset-control`) -> AbletonOSC set/fire messages
// to Live. Nothing here touches the tree: it changes only when Live's listener confirms the
// new value (the incoming /live/.../get/... message), so the mirror never shows a state Live
// does not have. Every message is validated (key, value shape and types, index and value
// ranges) and rate-limited per connection; refusals are counted by reason. Keys and their
// OSC messages: docs/liveset-osc.md §4.
import type { LiveSetControlKey } from './events.ts';
import type { IndexMap } from './index-map.ts';
import type { ControlRejectReason } from './metrics.ts';
import { float, int } from './osc/codec.ts';
import type { OscArg } from './osc/codec.ts';

export interface ControlContext {
  readonly map: IndexMap;
  attrsOf(id: string): Readonly<Record<string, unknown>> | undefined;
}

/** Where control messages go; false when there is no Live to send to. */
export type ControlSend = (address: string, args: OscArg[]) => boolean;

export interface ControlOptions {
  /** Sustained messages per second per connection (a fader drag sends ~60/s). */
  ratePerSecond?: number;
  /** Messages a connection may send at once before the rate applies. */
  burst?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
}

type Fields = Record<string, unknown>;
type Outcome = ControlRejectReason | { address: string; args: OscArg[] };
type Rule = (v: Fields, ctx: ControlContext) => Outcome;

/** Most connections tracked for rate limiting; idle ones are forgotten beyond it. */
const MAX_BUCKETS = 1024;

function isRecord(v: unknown): v is Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function exactKeys(v: Fields, keys: readonly string[]): boolean {
  const own = Object.keys(v);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(v, k));
}

function index(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined;
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function trackSwitch(prop: 'mute' | 'solo' | 'arm'): Rule {
  return (v, ctx) => {
    if (!exactKeys(v, ['track', 'value']) || typeof v.value !== 'boolean') return 'bad_value';
    const i = index(v.track);
    if (i === undefined) return 'bad_value';
    const t = ctx.map.track(i);
    if (t === undefined) return 'out_of_range';
    if (prop === 'arm' && t.kind === 'group') return 'not_armable';
    return { address: `/live/track/set/${prop}`, args: [int(i), int(v.value ? 1 : 0)] };
  };
}

function trackLevel(prop: 'volume' | 'panning', min: number, max: number): Rule {
  return (v, ctx) => {
    if (!exactKeys(v, ['track', 'value'])) return 'bad_value';
    const i = index(v.track);
    const x = finite(v.value);
    if (i === undefined || x === undefined) return 'bad_value';
    if (ctx.map.track(i) === undefined || x < min || x > max) return 'out_of_range';
    return { address: `/live/track/set/${prop}`, args: [int(i), float(x)] };
  };
}

function clipAction(action: 'fire' | 'stop'): Rule {
  return (v, ctx) => {
    if (!exactKeys(v, ['track', 'slot'])) return 'bad_value';
    const i = index(v.track);
    const s = index(v.slot);
    if (i === undefined || s === undefined) return 'bad_value';
    if (ctx.map.slot(i, s) === undefined) return 'out_of_range';
    return { address: `/live/clip/${action}`, args: [int(i), int(s)] };
  };
}

// Keyed by the declared control keys (events.ts), so a rule for an undeclared key does not compile.
const RULES: ReadonlyMap<string, Rule> = new Map<LiveSetControlKey, Rule>([
  ['track.mute', trackSwitch('mute')],
  ['track.solo', trackSwitch('solo')],
  ['track.arm', trackSwitch('arm')],
  ['track.volume', trackLevel('volume', 0, 1)],
  ['track.pan', trackLevel('panning', -1, 1)],
  ['clip.fire', clipAction('fire')],
  ['clip.stop', clipAction('stop')],
  [
    'scene.fire',
    (v, ctx) => {
      if (!exactKeys(v, ['scene'])) return 'bad_value';
      const s = index(v.scene);
      if (s === undefined) return 'bad_value';
      if (ctx.map.scene(s) === undefined) return 'out_of_range';
      return { address: '/live/scene/fire', args: [int(s)] };
    },
  ],
  [
    'device.param',
    (v, ctx) => {
      if (!exactKeys(v, ['track', 'device', 'param', 'value'])) return 'bad_value';
      const i = index(v.track);
      const j = index(v.device);
      const k = index(v.param);
      const x = typeof v.value === 'boolean' ? (v.value ? 1 : 0) : finite(v.value);
      if (i === undefined || j === undefined || k === undefined || x === undefined) return 'bad_value';
      const target = ctx.map.param(i, j, k);
      if (target === undefined) return 'out_of_range';
      if (target.attr === 'on') {
        if (x !== 0 && x !== 1) return 'out_of_range';
      } else {
        const { min, max } = ctx.attrsOf(target.id) ?? {};
        if (typeof min === 'number' && typeof max === 'number' && (x < min || x > max)) return 'out_of_range';
      }
      return { address: '/live/device/set/parameter/value', args: [int(i), int(j), int(k), float(x)] };
    },
  ],
  [
    'song.tempo',
    (v) => {
      if (!exactKeys(v, ['value'])) return 'bad_value';
      const x = finite(v.value);
      if (x === undefined) return 'bad_value';
      if (x < 20 || x > 999) return 'out_of_range';
      return { address: '/live/song/set/tempo', args: [float(x)] };
    },
  ],
  ['transport.play', (v) => (exactKeys(v, []) ? { address: '/live/song/start_playing', args: [] } : 'bad_value')],
  ['transport.stop', (v) => (exactKeys(v, []) ? { address: '/live/song/stop_playing', args: [] } : 'bad_value')],
]);

export const CONTROL_KEYS: readonly string[] = [...RULES.keys()];

export class ControlHandler {
  private readonly ctx: ControlContext;
  private readonly send: ControlSend;
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly buckets = new Map<number, Bucket>();

  constructor(ctx: ControlContext, send: ControlSend, options: ControlOptions = {}) {
    this.ctx = ctx;
    this.send = send;
    this.rate = options.ratePerSecond ?? 200;
    this.burst = options.burst ?? 200;
    this.now = options.now ?? (() => performance.now());
  }

  /** Validates and forwards one control message; returns why it was refused, or null. */
  handle(key: string, value: unknown, connection: number): ControlRejectReason | null {
    const rule = RULES.get(key);
    if (rule === undefined) return 'unknown_key';
    if (!this.take(connection)) return 'rate_limited';
    // `transport.play` and friends take no fields; accept `true` / null as well as {}.
    const fields = value === true || value === null || value === undefined ? {} : value;
    if (!isRecord(fields)) return 'bad_value';
    const out = rule(fields, this.ctx);
    if (typeof out === 'string') return out;
    return this.send(out.address, out.args) ? null : 'no_live';
  }

  private take(connection: number): boolean {
    const now = this.now();
    let b = this.buckets.get(connection);
    if (b === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.evictIdle(now);
      b = { tokens: this.burst, at: now };
      this.buckets.set(connection, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
      b.at = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private evictIdle(now: number): void {
    for (const [id, b] of this.buckets) {
      if (now - b.at > 10_000 || this.buckets.size >= MAX_BUCKETS) this.buckets.delete(id);
      if (this.buckets.size < MAX_BUCKETS / 2) break;
    }
  }
}
