// F1DB time strings: race times "1:31:44.742", lap times "1:29.179", pit-lane times "24.418",
// gaps "+22.457" / "+1:14.887" / "+1 lap" / "+2 laps".
import { ReplayError } from './errors.ts';

const TIME = /^(?:(?:(\d{1,2}):)?(\d{1,2}):)?(\d{1,5}(?:\.\d{1,6})?)$/;
const LAPS = /^\+(\d{1,3}) laps?$/;

/** Seconds of an h:mm:ss.sss / m:ss.sss / s.sss string; throws REPLAY_BAD_DATA naming `where`. */
export function parseDuration(text: string, where: string): number {
  const m = TIME.exec(text.trim());
  if (!m) throw new ReplayError('REPLAY_BAD_DATA', `${where}: '${text}' is not a time (h:mm:ss.sss, m:ss.sss or s.sss)`);
  const h = m[1] === undefined ? 0 : Number(m[1]);
  const min = m[2] === undefined ? 0 : Number(m[2]);
  const s = Number(m[3]);
  if ((m[2] !== undefined && s >= 60) || (m[1] !== undefined && min >= 60))
    throw new ReplayError('REPLAY_BAD_DATA', `${where}: '${text}' has a field out of range`);
  return h * 3600 + min * 60 + s;
}

export type Gap = { kind: 'time'; seconds: number } | { kind: 'laps'; laps: number };

/** A results gap: "+22.457" → 22.457 s, "+1 lap" → 1 lap. */
export function parseGap(text: string, where: string): Gap {
  const t = text.trim();
  const laps = LAPS.exec(t);
  if (laps) return { kind: 'laps', laps: Number(laps[1]) };
  if (!t.startsWith('+')) throw new ReplayError('REPLAY_BAD_DATA', `${where}: gap '${text}' does not start with '+'`);
  return { kind: 'time', seconds: parseDuration(t.slice(1), where) };
}

/** "1:31:44.742" for the human summary. */
export function formatRaceTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const ss = s.toFixed(3).padStart(6, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
