// The listener address table of docs/liveset-osc.md §2.1, one row per address: the argument
// signature (types in the notation of §2, index letters of §3, static value ranges) and the
// handler that receives the arguments once checked and typed. test/osc-table.test.ts reads the
// table out of the doc and compares it with this one row by row.
//
// Checks run in a fixed order, so a message with several faults is counted once, for the first:
// unknown address (`OSC_UNKNOWN_ADDRESS`), then argument count and types (`OSC_BAD_ARGS`), then static
// ranges (`OSC_BAD_VALUE`); indices the set cannot resolve (`OSC_OUT_OF_RANGE`) and ranges that depend
// on the set (a parameter's min–max) are the handler's.
import type { OscDropCode } from './osc/errors.ts';
import type { OscArg } from './osc/codec.ts';
import { MAX_TEXT_LENGTH } from './als/values.ts';
import { boolArg, intArg, numberArg, textArg } from './osc/args.ts';
// reason: type-only import; ingest.ts imports this module at run time, not the other way round.
import type { OscIngest } from './ingest.ts';

/** An index letter of §3: track, device, parameter (control), scene/slot. */
export type IndexName = 't' | 'd' | 'c' | 's';
/** The argument notation of §2. */
export type ArgKind = 'int' | 'num' | 'bool' | 'text';

/**
 * One argument of a §2.1 row. Every spec has every field (one object shape: the checker's
 * property loads stay monomorphic on the per-packet path).
 */
export interface ArgSpec<K extends ArgKind = ArgKind> {
  readonly kind: K;
  /** The §3 index this argument is (`int t`), or null for a value. */
  readonly index: IndexName | null;
  /** The range as the doc states it (±Infinity: open). */
  readonly min: number;
  readonly max: number;
  /** The range as checked: a float (`num`) gets slack for float32 rounding when both ends are finite. */
  readonly lo: number;
  readonly hi: number;
  /** text: longest text kept (UTF-16 units). */
  readonly maxLength: number;
}

/** The positions of `S` whose kind is `K` (as number literals: `0 | 2`). */
type Positions<S extends readonly ArgSpec[], K extends ArgKind> = {
  [I in keyof S]: S[I] extends ArgSpec<K> ? (I extends `${infer N extends number}` ? N : never) : never;
}[number];

/** The checked arguments of a row with signature `S`: each read is typed by its position's kind. */
export interface Args<S extends readonly ArgSpec[]> {
  int(i: Positions<S, 'int'>): number;
  num(i: Positions<S, 'num'>): number;
  bool(i: Positions<S, 'bool'>): boolean;
  text(i: Positions<S, 'text'>): string;
}

export type RouteHandler = (ingest: OscIngest, args: CheckedArgs, raw: readonly OscArg[]) => OscDropCode | null;

export interface ListenerRoute {
  readonly address: string;
  /** null: any arguments, passed to the handler unchecked (`/live/error`). */
  readonly args: readonly ArgSpec[] | null;
  readonly handle: RouteHandler;
}

// ---- argument specs (the notation of §2) ---------------------------------------------------

/** Slack for float32 rounding when checking a number against a two-sided range. */
const RANGE_SLACK = 1e-6;

/** Float32 rounding slack of a two-sided range (none for an open one). */
function rangeSlack(min: number, max: number): number {
  return Number.isFinite(min) && Number.isFinite(max) ? RANGE_SLACK * Math.max(1, Math.abs(max - min)) : 0;
}

/** `v` within a float range [min, max], with the slack of rangeSlack (a parameter's min–max). */
export function inRange(v: number, min: number, max: number): boolean {
  const s = rangeSlack(min, max);
  return v >= min - s && v <= max + s;
}

function spec<K extends ArgKind>(
  kind: K,
  index: IndexName | null,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
  maxLength = MAX_TEXT_LENGTH,
): ArgSpec<K> {
  const slack = kind === 'num' ? rangeSlack(min, max) : 0;
  return { kind, index, min, max, lo: min - slack, hi: max + slack, maxLength };
}

/** `int t` … : an index (§3); resolving it is the handler's (`OSC_OUT_OF_RANGE`). */
const index = (name: IndexName) => spec('int', name);
const int = (min?: number, max?: number) => spec('int', null, min, max);
const num = (min?: number, max?: number) => spec('num', null, min, max);
const bool = () => spec('bool', null);
const text = (maxLength?: number) => spec('text', null, undefined, undefined, maxLength);

/** Live's tempo range is 20–999 BPM. */
export const TEMPO_MIN = 20;
export const TEMPO_MAX = 999;
const RGB_MAX = 0xffffff;
const COLOR_INDEX_MAX = 255;
/** Parameter display strings are short; longer ones are cut (§2: 256 for `display`). */
const DISPLAY_MAX = 256;

function route<const S extends readonly ArgSpec[]>(address: string, args: S, handle: (ingest: OscIngest, a: Args<S>) => OscDropCode | null): ListenerRoute {
  // reason: CheckedArgs.check fills the values to match `args`, which is what Args<S> states.
  return { address, args, handle: handle as unknown as RouteHandler };
}

// ---- the table (docs/liveset-osc.md §2.1, in its order) ------------------------------------

export const LISTENER_TABLE: readonly ListenerRoute[] = [
  route('/live/song/get/tempo', [num(TEMPO_MIN, TEMPO_MAX)], (x, a) => x.tempo(a.num(0))),
  route('/live/song/get/is_playing', [bool()], (x, a) => x.playing(a.bool(0))),
  route('/live/song/get/current_song_time', [num(0)], (x, a) => x.songTime(a.num(0))),
  route('/live/song/get/beat', [int(0)], (x, a) => x.beat(a.int(0))),
  // Older AbletonOSC versions sent the beat here.
  route('/live/song/beat', [int(0)], (x, a) => x.beat(a.int(0))),
  route('/live/track/get/name', [index('t'), text()], (x, a) => x.trackAttr(a.int(0), 'name', a.text(1))),
  route('/live/track/get/mute', [index('t'), bool()], (x, a) => x.trackAttr(a.int(0), 'mute', a.bool(1))),
  route('/live/track/get/solo', [index('t'), bool()], (x, a) => x.trackAttr(a.int(0), 'solo', a.bool(1))),
  route('/live/track/get/arm', [index('t'), bool()], (x, a) => x.trackArm(a.int(0), a.bool(1))),
  route('/live/track/get/volume', [index('t'), num(0, 1)], (x, a) => x.trackAttr(a.int(0), 'fader', a.num(1))),
  route('/live/track/get/panning', [index('t'), num(-1, 1)], (x, a) => x.trackAttr(a.int(0), 'pan', a.num(1))),
  route('/live/track/get/color', [index('t'), int(0, RGB_MAX)], (x, a) => x.trackAttr(a.int(0), 'rgb', a.int(1))),
  route('/live/track/get/color_index', [index('t'), int(0, COLOR_INDEX_MAX)], (x, a) => x.trackAttr(a.int(0), 'color', a.int(1))),
  route('/live/device/get/parameter/value', [index('t'), index('d'), index('c'), num()], (x, a) => x.paramValue(a.int(0), a.int(1), a.int(2), a.num(3))),
  route('/live/device/get/parameter/value_string', [index('t'), index('d'), index('c'), text(DISPLAY_MAX)], (x, a) =>
    x.paramDisplay(a.int(0), a.int(1), a.int(2), a.text(3)),
  ),
  route('/live/device/get/name', [index('t'), index('d'), text()], (x, a) => x.deviceName(a.int(0), a.int(1), a.text(2))),
  route('/live/clip/get/name', [index('t'), index('s'), text()], (x, a) => x.clipAttr(a.int(0), a.int(1), 'name', a.text(2))),
  route('/live/clip/get/color', [index('t'), index('s'), int(0, RGB_MAX)], (x, a) => x.clipAttr(a.int(0), a.int(1), 'rgb', a.int(2))),
  route('/live/scene/get/name', [index('s'), text()], (x, a) => x.sceneName(a.int(0), a.text(1))),
  route('/live/cursor/clip_slot', [index('t'), index('s')], (x, a) => x.cursorSlot(a.int(0), a.int(1))),
  route('/live/view/get/selected_track', [int()], (x, a) => x.selectedTrack(a.int(0))),
  route('/live/view/get/selected_scene', [int()], (x, a) => x.selectedScene(a.int(0))),
  route('/live/startup', [], (x) => x.startup()),
  { address: '/live/error', args: null, handle: (x, _a, raw) => x.error(raw) },
];

/** The table by address (what OscIngest.handle looks up). */
export const LISTENER_ROUTES: ReadonlyMap<string, ListenerRoute> = new Map(LISTENER_TABLE.map((r) => [r.address, r]));

// ---- the checker ---------------------------------------------------------------------------

/** The most arguments a row has (the size of CheckedArgs' storage). */
export const MAX_ARGS = Math.max(0, ...LISTENER_TABLE.map((r) => r.args?.length ?? 0));

/**
 * The generic checker and the values it checked, for one message at a time, in storage reused
 * from message to message: integers (and booleans as 0/1) in a small-integer array, so an index
 * reaches its handler as a small integer (no boxed double per argument), floats in a
 * Float64Array, texts in a string array. A message costs no allocation here but its cleaned texts.
 * (An integer beyond the small-integer range, which no index resolves to, turns `ints` into a
 * double array for good: slower, still correct.)
 */
export class CheckedArgs {
  private readonly ints: number[];
  private readonly nums: Float64Array;
  private readonly texts: string[];

  constructor(capacity = MAX_ARGS) {
    this.ints = Array.from({ length: capacity }, () => 0);
    this.nums = new Float64Array(capacity);
    this.texts = Array.from({ length: capacity }, () => '');
  }

  /** Checks `args` against `specs` and keeps their values. Returns the drop reason, or null. */
  check(specs: readonly ArgSpec[], args: readonly OscArg[]): OscDropCode | null {
    const count = specs.length;
    if (args.length !== count || count > this.nums.length) return 'OSC_BAD_ARGS';
    // Types decide first: a message with an argument of the wrong type is OSC_BAD_ARGS whatever its
    // values, so a value out of range only marks the message and the loop goes on.
    let outside = false;
    for (let i = 0; i < count; i++) {
      const spec = specs[i]!;
      const a = args[i]!;
      const kind = spec.kind;
      if (kind === 'int') {
        const n = intArg(a);
        if (n === undefined) return 'OSC_BAD_ARGS';
        if (n < spec.lo || n > spec.hi) outside = true;
        this.ints[i] = n;
      } else if (kind === 'num') {
        const n = numberArg(a);
        if (n === undefined) return 'OSC_BAD_ARGS';
        if (n < spec.lo || n > spec.hi) outside = true;
        this.nums[i] = n;
      } else if (kind === 'bool') {
        const b = boolArg(a);
        if (b === undefined) return 'OSC_BAD_ARGS';
        this.ints[i] = b ? 1 : 0;
      } else {
        const s = textArg(a, spec.maxLength);
        if (s === undefined) return 'OSC_BAD_ARGS';
        this.texts[i] = s;
      }
    }
    return outside ? 'OSC_BAD_VALUE' : null;
  }

  int(i: number): number {
    return this.ints[i]!;
  }

  num(i: number): number {
    return this.nums[i]!;
  }

  bool(i: number): boolean {
    return this.ints[i] !== 0;
  }

  text(i: number): string {
    return this.texts[i]!;
  }
}

/** A row's arguments in the notation of §2.1 (`int t`, `num 0..1`, `int >=0`), or `any`. */
export function signatureOf(r: ListenerRoute): string {
  if (r.args === null) return 'any';
  return r.args
    .map((s) => {
      let out: string = s.kind;
      if (s.index !== null) out += ` ${s.index}`;
      const lo = Number.isFinite(s.min);
      const hi = Number.isFinite(s.max);
      if (lo && hi) out += ` ${s.min}..${s.max}`;
      else if (lo) out += ` >=${s.min}`;
      else if (hi) out += ` <=${s.max}`;
      return out;
    })
    .join(', ');
}
