// The listener address table of docs/liveset-osc.md §2.1, one row per address: the argument
// signature (types in the notation of §2, index letters of §3, static value ranges) and the
// handler that receives the arguments once checked and typed. test/osc-table.test.ts reads the
// table out of the doc and compares it with this one row by row.
//
// Checks run in a fixed order, so a message with several faults is counted once, for the first:
// unknown address (`unknown_address`), then argument count and types (`bad_args`), then static
// ranges (`bad_value`); indices the set cannot resolve (`out_of_range`) and ranges that depend
// on the set (a parameter's min–max) are the handler's.
import type { DropReason } from './metrics.ts';
import type { OscArg } from './osc/codec.ts';
import { boolArg, intArg, numberArg, textArg } from './osc/args.ts';
// reason: type-only import; ingest.ts imports this module at run time, not the other way round.
import type { OscIngest } from './ingest.ts';

/** An index letter of §3: track, device, parameter (control), scene/slot. */
export type IndexName = 't' | 'd' | 'c' | 's';

export interface IntSpec {
  readonly kind: 'int';
  readonly index?: IndexName;
  readonly min?: number;
  readonly max?: number;
}
export interface NumSpec {
  readonly kind: 'num';
  readonly min?: number;
  readonly max?: number;
}
export interface BoolSpec {
  readonly kind: 'bool';
}
export interface TextSpec {
  readonly kind: 'text';
  /** Longest text kept (UTF-16 units); the default is MAX_TEXT_LENGTH. */
  readonly maxLength?: number;
}
/** One argument of a §2.1 row. */
export type ArgSpec = IntSpec | NumSpec | BoolSpec | TextSpec;
export type ArgKind = ArgSpec['kind'];

export type ArgValue = number | boolean | string;
type ValueOf<S> = S extends TextSpec ? string : S extends BoolSpec ? boolean : number;
/** The checked arguments of a row with signature `S`, typed by position. */
export type ArgValues<S extends readonly ArgSpec[]> = { readonly [K in keyof S]: ValueOf<S[K]> };

export type RouteHandler = (ingest: OscIngest, values: readonly ArgValue[], raw: readonly OscArg[]) => DropReason | null;

export interface ListenerRoute {
  readonly address: string;
  /** null: any arguments, passed to the handler unchecked (`/live/error`). */
  readonly args: readonly ArgSpec[] | null;
  readonly handle: RouteHandler;
}

// ---- argument specs (the notation of §2) ---------------------------------------------------

/** `int t` … : an index (§3); resolving it is the handler's (`out_of_range`). */
const index = (name: IndexName): IntSpec => ({ kind: 'int', index: name });
const int = (min?: number, max?: number): IntSpec => ({ kind: 'int', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
const num = (min?: number, max?: number): NumSpec => ({ kind: 'num', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
const bool = (): BoolSpec => ({ kind: 'bool' });
const text = (maxLength?: number): TextSpec => ({ kind: 'text', ...(maxLength !== undefined ? { maxLength } : {}) });

/** Live's tempo range is 20–999 BPM. */
export const TEMPO_MIN = 20;
export const TEMPO_MAX = 999;
const RGB_MAX = 0xffffff;
const COLOR_INDEX_MAX = 255;
/** Parameter display strings are short; longer ones are cut (§2: 256 for `display`). */
const DISPLAY_MAX = 256;
/** Slack for float32 rounding when checking a number against a two-sided range. */
const RANGE_SLACK = 1e-6;

/** `v` within [min, max]; a float (`num`) gets a little slack when both ends are finite. */
export function inRange(v: number, min: number, max: number, slack: boolean): boolean {
  const s = slack && Number.isFinite(min) && Number.isFinite(max) ? RANGE_SLACK * Math.max(1, Math.abs(max - min)) : 0;
  return v >= min - s && v <= max + s;
}

function route<const S extends readonly ArgSpec[]>(address: string, args: S, handle: (ingest: OscIngest, v: ArgValues<S>) => DropReason | null): ListenerRoute {
  // reason: the checker fills `values` to match `args`, which is what ArgValues<S> states.
  return { address, args, handle: handle as unknown as RouteHandler };
}

// ---- the table (docs/liveset-osc.md §2.1, in its order) ------------------------------------

export const LISTENER_TABLE: readonly ListenerRoute[] = [
  route('/live/song/get/tempo', [num(TEMPO_MIN, TEMPO_MAX)], (x, v) => x.tempo(v[0])),
  route('/live/song/get/is_playing', [bool()], (x, v) => x.playing(v[0])),
  route('/live/song/get/current_song_time', [num(0)], (x, v) => x.songTime(v[0])),
  route('/live/song/get/beat', [int(0)], (x, v) => x.beat(v[0])),
  // Older AbletonOSC versions sent the beat here.
  route('/live/song/beat', [int(0)], (x, v) => x.beat(v[0])),
  route('/live/track/get/name', [index('t'), text()], (x, v) => x.trackAttr(v[0], 'name', v[1])),
  route('/live/track/get/mute', [index('t'), bool()], (x, v) => x.trackAttr(v[0], 'mute', v[1])),
  route('/live/track/get/solo', [index('t'), bool()], (x, v) => x.trackAttr(v[0], 'solo', v[1])),
  route('/live/track/get/arm', [index('t'), bool()], (x, v) => x.trackArm(v[0], v[1])),
  route('/live/track/get/volume', [index('t'), num(0, 1)], (x, v) => x.trackAttr(v[0], 'fader', v[1])),
  route('/live/track/get/panning', [index('t'), num(-1, 1)], (x, v) => x.trackAttr(v[0], 'pan', v[1])),
  route('/live/track/get/color', [index('t'), int(0, RGB_MAX)], (x, v) => x.trackAttr(v[0], 'rgb', v[1])),
  route('/live/track/get/color_index', [index('t'), int(0, COLOR_INDEX_MAX)], (x, v) => x.trackAttr(v[0], 'color', v[1])),
  route('/live/device/get/parameter/value', [index('t'), index('d'), index('c'), num()], (x, v) => x.paramValue(v[0], v[1], v[2], v[3])),
  route('/live/device/get/parameter/value_string', [index('t'), index('d'), index('c'), text(DISPLAY_MAX)], (x, v) => x.paramDisplay(v[0], v[1], v[2], v[3])),
  route('/live/device/get/name', [index('t'), index('d'), text()], (x, v) => x.deviceName(v[0], v[1], v[2])),
  route('/live/clip/get/name', [index('t'), index('s'), text()], (x, v) => x.clipAttr(v[0], v[1], 'name', v[2])),
  route('/live/clip/get/color', [index('t'), index('s'), int(0, RGB_MAX)], (x, v) => x.clipAttr(v[0], v[1], 'rgb', v[2])),
  route('/live/scene/get/name', [index('s'), text()], (x, v) => x.sceneName(v[0], v[1])),
  route('/live/cursor/clip_slot', [index('t'), index('s')], (x, v) => x.cursorSlot(v[0], v[1])),
  route('/live/view/get/selected_track', [int()], (x, v) => x.selectedTrack(v[0])),
  route('/live/view/get/selected_scene', [int()], (x, v) => x.selectedScene(v[0])),
  route('/live/startup', [], (x) => x.startup()),
  { address: '/live/error', args: null, handle: (x, _v, raw) => x.error(raw) },
];

/** The table by address (what OscIngest.handle looks up). */
export const LISTENER_ROUTES: ReadonlyMap<string, ListenerRoute> = new Map(LISTENER_TABLE.map((r) => [r.address, r]));

// ---- the checker ---------------------------------------------------------------------------

/**
 * Checks `args` against `specs` and writes the typed values into `out` (reused by the caller:
 * nothing is allocated here but cleaned text). Returns the drop reason, or null.
 */
export function checkArgs(specs: readonly ArgSpec[], args: readonly OscArg[], out: ArgValue[]): DropReason | null {
  if (args.length !== specs.length) return 'bad_args';
  // Types first: a message with an argument of the wrong type is bad_args whatever its values.
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const a = args[i];
    let v: ArgValue | undefined;
    switch (spec.kind) {
      case 'int':
        v = intArg(a);
        break;
      case 'num':
        v = numberArg(a);
        break;
      case 'bool':
        v = boolArg(a);
        break;
      case 'text':
        v = textArg(a, spec.maxLength);
        break;
    }
    if (v === undefined) return 'bad_args';
    out[i] = v;
  }
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    if (spec.kind !== 'int' && spec.kind !== 'num') continue;
    if (spec.min === undefined && spec.max === undefined) continue;
    if (!inRange(out[i] as number, spec.min ?? Number.NEGATIVE_INFINITY, spec.max ?? Number.POSITIVE_INFINITY, spec.kind === 'num')) return 'bad_value';
  }
  return null;
}

/** A row's arguments in the notation of §2.1 (`int t`, `num 0..1`, `int >=0`), or `any`. */
export function signatureOf(r: ListenerRoute): string {
  if (r.args === null) return 'any';
  return r.args
    .map((s) => {
      let out: string = s.kind;
      if (s.kind === 'int' && s.index !== undefined) out += ` ${s.index}`;
      if ((s.kind === 'int' || s.kind === 'num') && s.min !== undefined) out += s.max !== undefined ? ` ${s.min}..${s.max}` : ` >=${s.min}`;
      else if ((s.kind === 'int' || s.kind === 'num') && s.max !== undefined) out += ` <=${s.max}`;
      return out;
    })
    .join(', ');
}
