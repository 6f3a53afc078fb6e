// The timing tower: running order and gaps from one frame of values. Pure and allocation-free on
// the per-frame path (ordering writes into a caller's array), so the page can check every frame
// whether the order changed and rebuild its rows only then.

/** `status` values (docs/replay-generator.md §5.1). */
export const STATUS = { racing: 0, pit: 1, retired: 2, finished: 3, didNotStart: 4 } as const;

export interface Columns {
  fields: number;
  position: number;
  gap: number;
  lap: number;
  status: number;
  distance: number;
}

/** Field indices by name; -1 for a field the timeline lacks. */
export function columnsOf(fieldIndex: (name: string) => number, fields: number): Columns {
  return {
    fields,
    position: fieldIndex('position'),
    gap: fieldIndex('gapToLeader'),
    lap: fieldIndex('lap'),
    status: fieldIndex('status'),
    distance: fieldIndex('distance'),
  };
}

function at(values: Float64Array, c: Columns, e: number, f: number): number {
  return f < 0 ? Number.NaN : values[e * c.fields + f]!;
}

/** Ranked cars first by position; then retired cars (latest retirement first), then non-starters. */
function rankKey(values: Float64Array, c: Columns, e: number): number {
  const pos = at(values, c, e, c.position);
  if (pos === pos) return pos;
  const status = at(values, c, e, c.status);
  const group = status === STATUS.didNotStart ? 2e9 : 1e9;
  const d = at(values, c, e, c.distance);
  // Further along ranks higher: subtract the distance (bounded well below the group step).
  return group - (d === d ? Math.min(Math.max(d, -1e6), 1e8) : -1e6);
}

const keys: number[] = [];
const previous: number[] = [];

function byKey(a: number, b: number): number {
  return keys[a]! - keys[b]! || a - b;
}

/**
 * Writes the running order (entity indices) into `out` and returns whether it differs from what
 * `out` held. Ties keep entity order (results order), so the output is deterministic.
 */
export function runningOrder(values: Float64Array, c: Columns, entities: number, out: number[]): boolean {
  keys.length = entities;
  for (let e = 0; e < entities; e++) keys[e] = rankKey(values, c, e);
  const comparable = out.length === entities;
  previous.length = out.length;
  for (let i = 0; i < out.length; i++) previous[i] = out[i]!;
  out.length = entities;
  for (let e = 0; e < entities; e++) out[e] = e;
  out.sort(byKey);
  if (!comparable) return true;
  for (let i = 0; i < entities; i++) if (previous[i] !== out[i]) return true;
  return false;
}

export function formatGap(seconds: number): string {
  if (!(seconds === seconds)) return '';
  if (seconds < 60) return `+${seconds.toFixed(3)}`;
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `+${m}:${s.toFixed(3).padStart(6, '0')}`;
}

function lapsText(n: number): string {
  return `+${n} LAP${n === 1 ? '' : 'S'}`;
}

export interface RowText {
  gap: string;
  interval: string;
  lap: string;
  status: string;
}

export function statusText(status: number): string {
  switch (status) {
    case STATUS.pit:
      return 'PIT';
    case STATUS.retired:
      return 'OUT';
    case STATUS.finished:
      return 'FIN';
    case STATUS.didNotStart:
      return 'DNS';
    default:
      return '';
  }
}

/**
 * Gap to the leader and interval to the car ahead for the car at `rank` in `order`. A car a lap
 * or more behind (by race distance) shows laps, as timing screens do; `lapM` null: time only.
 */
export function rowText(values: Float64Array, c: Columns, order: readonly number[], rank: number, lapM: number | null, out: RowText): RowText {
  const e = order[rank]!;
  const status = at(values, c, e, c.status);
  const lap = at(values, c, e, c.lap);
  out.lap = lap === lap ? String(lap) : '';
  out.status = statusText(status);
  out.gap = '';
  out.interval = '';
  const pos = at(values, c, e, c.position);
  if (!(pos === pos)) return out;
  if (rank === 0 || pos === 1) {
    out.gap = 'LEADER';
    return out;
  }
  const leader = order[0]!;
  const ahead = order[rank - 1]!;
  const d = at(values, c, e, c.distance);
  const gap = at(values, c, e, c.gap);
  const lapsBehind = (other: number) => {
    if (lapM === null || !(lapM > 0)) return 0;
    const od = at(values, c, other, c.distance);
    return od === od && d === d ? Math.floor((od - d) / lapM) : 0;
  };
  const downLeader = status === STATUS.finished ? 0 : lapsBehind(leader);
  out.gap = downLeader >= 1 ? lapsText(downLeader) : formatGap(gap);
  const downAhead = status === STATUS.finished ? 0 : lapsBehind(ahead);
  if (downAhead >= 1) out.interval = lapsText(downAhead);
  else {
    const aheadGap = at(values, c, ahead, c.gap);
    const aheadIsLeader = ahead === leader;
    const diff = gap - (aheadIsLeader ? 0 : aheadGap);
    out.interval = diff === diff ? formatGap(Math.max(0, diff)) : '';
  }
  return out;
}
