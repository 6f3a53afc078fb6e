// The one reader of the DSP's taps (the rings are single-consumer): each animation frame it
// drains the scope ring into a circular history and folds the meter frames that arrived into
// peak / RMS / gain-reduction readings with ballistics. The visualisers (lazy chunks) read
// from here, never from the rings, so any number of them can show the same data.

/** What feed needs from the DSP's TapReader. */
export interface TapSource {
  readScope(dst: Float32Array): number;
  readMeters(dst: Float32Array): number;
}

export const HISTORY = 1 << 15;
const METER_STRIDE = 3;
/** Peak hold before the hold marker falls (ms), and the fall rate (dB/s). */
const HOLD_MS = 1500;
const FALL_DB_PER_S = 20;
const FLOOR_DB = -120;

const toDb = (x: number): number => (x > 0 ? Math.max(FLOOR_DB, 20 * Math.log10(x)) : FLOOR_DB);

export interface MeterReading {
  /** Highest sample magnitude since the last frame, dBFS. */
  peakDb: number;
  /** Peak with hold-and-fall ballistics (what the bar's marker shows), dBFS. */
  holdDb: number;
  /** RMS over the frames since the last read, AES17 dBFS (a full-scale sine reads 0). */
  rmsDb: number;
  /** Compressor gain reduction, dB (≥ 0; 0 when the compressor is bypassed). */
  grDb: number;
  /** Samples over full scale seen since reset. */
  clipped: boolean;
}

export class TapFeed {
  readonly history = new Float32Array(HISTORY);
  /** Samples written so far (the next write goes to total % HISTORY). */
  total = 0;
  readonly meter: MeterReading = { peakDb: FLOOR_DB, holdDb: FLOOR_DB, rmsDb: FLOOR_DB, grDb: 0, clipped: false };
  private readonly chunk = new Float32Array(4096);
  private readonly meters = new Float32Array(256 * METER_STRIDE);
  private holdAt = 0;
  private lastPoll = 0;

  /**
   * Drains `src` (the output's taps). When the output is a monitor, `chain` is the generator
   * lab's taps, read only for the compressor's gain reduction (its scope is drained and dropped,
   * so its ring never overflows); otherwise `src` is that lab and carries it. Call once per
   * animation frame. Returns the output samples taken.
   */
  poll(src: TapSource, now: number, chain?: TapSource): number {
    if (chain) this.grFrom(chain);
    let taken = 0;
    for (;;) {
      const n = src.readScope(this.chunk);
      if (n === 0) break;
      this.append(this.chunk, n);
      taken += n;
      if (n < this.chunk.length) break;
    }
    let peak = 0;
    let sumSq = 0;
    let frames = 0;
    let gain = Number.NaN;
    for (;;) {
      const n = src.readMeters(this.meters);
      for (let i = 0; i + METER_STRIDE <= n; i += METER_STRIDE) {
        peak = Math.max(peak, this.meters[i]!);
        sumSq += this.meters[i + 1]! * this.meters[i + 1]!;
        gain = this.meters[i + 2]!;
        frames++;
      }
      if (n < this.meters.length) break;
    }
    if (!chain && gain === gain) this.meter.grDb = Math.max(0, -gain);
    const dt = this.lastPoll > 0 ? Math.min(0.25, (now - this.lastPoll) / 1000) : 0;
    this.lastPoll = now;
    const m = this.meter;
    if (frames > 0) {
      m.peakDb = toDb(peak);
      m.rmsDb = toDb(Math.sqrt(sumSq / frames) * Math.SQRT2);
      if (peak >= 1) m.clipped = true;
    }
    if (m.peakDb >= m.holdDb) {
      m.holdDb = m.peakDb;
      this.holdAt = now;
    } else if (now - this.holdAt > HOLD_MS) {
      m.holdDb = Math.max(m.peakDb, m.holdDb - FALL_DB_PER_S * dt);
    }
    return taken;
  }

  private grFrom(chain: TapSource): void {
    while (chain.readScope(this.chunk) === this.chunk.length);
    // The compressor reports its gain in dB (≤ 0 while reducing); the meter shows the reduction.
    let gain = Number.NaN;
    for (;;) {
      const n = chain.readMeters(this.meters);
      if (n >= METER_STRIDE) gain = this.meters[n - 1]!;
      if (n < this.meters.length) break;
    }
    if (gain === gain) this.meter.grDb = Math.max(0, -gain);
  }

  private append(src: Float32Array, n: number): void {
    const h = this.history;
    let w = this.total % HISTORY;
    for (let i = 0; i < n; i++) {
      h[w] = src[i]!;
      w = w + 1 === HISTORY ? 0 : w + 1;
    }
    this.total += n;
  }

  /** Copies the newest dst.length samples, oldest first. */
  latest(dst: Float32Array): void {
    const n = Math.min(dst.length, HISTORY);
    let r = (((this.total - n) % HISTORY) + HISTORY) % HISTORY;
    for (let i = 0; i < n; i++) {
      dst[i] = this.history[r]!;
      r = r + 1 === HISTORY ? 0 : r + 1;
    }
  }

  resetClip(): void {
    this.meter.clipped = false;
  }
}
