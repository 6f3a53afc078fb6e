// The race's metadata: `GET /api/timelines/:name` (race, cars and their classification, track,
// lap starts), loaded once per page, and the questions answered from it alone.
import { lapLengthM, lapWindow, parseReplayMeta, requestRaceMeta, type Car, type RaceSource, type ReplayMeta } from './meta.ts';

export class RaceMeta {
  readonly timeline: string;
  readonly httpBase: string;
  readonly token: string | undefined;

  meta = $state.raw<ReplayMeta | null>(null);
  error = $state<string | null>(null);

  /** Told when the metadata lands (the page rebuilds the tower and the track). */
  private readonly onMeta: (meta: ReplayMeta) => void;

  constructor(source: RaceSource, onMeta: (meta: ReplayMeta) => void) {
    this.timeline = source.timeline;
    this.httpBase = source.httpBase;
    this.token = source.token;
    this.onMeta = onMeta;
  }

  /**
   * Loads `GET /api/timelines/:name` (the browser's HTTP cache keeps it: ETag + max-age), or
   * reads `requested`, the same request started earlier by the page (main.ts starts it before
   * the page's modules load).
   */
  async load(fetchImpl: typeof fetch = fetch, requested?: Promise<Response>): Promise<void> {
    try {
      const res = await (requested ?? requestRaceMeta(this, fetchImpl));
      if (!res.ok) throw new Error(`GET /api/timelines/${this.timeline}: HTTP ${res.status}`);
      this.set(parseReplayMeta(await res.json(), this.timeline));
    } catch (err) {
      this.error = (err as Error).message;
    }
  }

  set(meta: ReplayMeta): void {
    this.meta = meta;
    this.onMeta(meta);
  }

  get cars(): readonly Car[] {
    return this.meta?.cars ?? [];
  }

  carByCode(code: string): Car | undefined {
    return this.meta?.cars.find((c) => c.code === code);
  }

  /** Metres per lap (null unknown). */
  lapLengthM(): number | null {
    return lapLengthM(this.meta);
  }

  /** Start of lap k: one frame after the first car crosses the line, so it reads lap k. */
  lapStartMs(k: number): number | null {
    const meta = this.meta;
    const t = meta?.leaderLapStartSec[k - 1];
    if (!meta || t === undefined) return null;
    return t * 1000 + 1000 / meta.rateHz;
  }

  /** Lap window of `entity`'s lap `lap` (telemetry). */
  lapWindow(entity: number, lap: number): { startSec: number; endSec: number | null } | null {
    return this.meta && entity >= 0 ? lapWindow(this.meta, entity, lap) : null;
  }
}
