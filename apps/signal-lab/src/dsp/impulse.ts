// Unit impulses: one when armed, or a train whose period follows the frequency parameter. The
// train counts whole samples: at a frequency that divides the sample rate (1 kHz at 48 kHz) the
// impulses land exactly every sr/f samples; otherwise each lands on the sample nearest its time.

export class ImpulseSource {
  /** True: a train at the frequency parameter; false: one impulse per arming. */
  periodic = false;
  private armed = true;
  /** Samples until the next impulse of the train (fractional; fires when ≤ 0.5). */
  private remaining = 0;
  private readonly sampleRate: number;

  constructor(sampleRate: number) {
    this.sampleRate = sampleRate;
  }

  /** The next sample carries an impulse (single mode), or the train restarts now. */
  arm(): void {
    this.armed = true;
    this.remaining = 0;
  }

  /**
   * Writes the unit impulses of n samples into out. A single impulse waits for a sample where
   * the gate `on` is open, so arming while muted does not lose it.
   */
  render(out: Float64Array, n: number, freq: Float32Array, on: Float32Array): void {
    const fs = freq.length > 1 ? 1 : 0;
    const os = on.length > 1 ? 1 : 0;
    if (!this.periodic) {
      for (let i = 0; i < n; i++) {
        if (this.armed && on[i * os] > 0.5) {
          out[i] = 1;
          this.armed = false;
        } else {
          out[i] = 0;
        }
      }
      return;
    }
    const sr = this.sampleRate;
    let rem = this.remaining;
    for (let i = 0; i < n; i++) {
      if (rem <= 0.5) {
        out[i] = 1;
        const f = freq[i * fs];
        // Below 1/60 Hz (or NaN) the train pauses for a minute at most, then re-reads; above
        // the sample rate it fires every sample.
        rem += sr / Math.min(sr, f > 1 / 60 ? f : 1 / 60);
      } else {
        out[i] = 0;
      }
      rem -= 1;
    }
    this.remaining = rem;
  }
}
