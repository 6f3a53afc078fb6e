// The playhead as a function of the page's clock: anchored (timeline ms at a wall time) and
// advancing at `speed` while playing. Re-anchoring on every change keeps it drift-free: the
// position is always computed from one anchor, never accumulated frame by frame.

export class PlaybackClock {
  playing = false;
  speed = 1;
  private anchorMs = 0;
  private anchorWall = 0;

  /** Timeline ms at wall time `now`. */
  position(now: number): number {
    return this.playing ? this.anchorMs + (now - this.anchorWall) * this.speed : this.anchorMs;
  }

  /** Where the playhead was last anchored (the position while paused). */
  get anchor(): number {
    return this.anchorMs;
  }

  set(ms: number, now: number): void {
    this.anchorMs = ms;
    this.anchorWall = now;
  }

  play(now: number): void {
    if (this.playing) return;
    this.anchorWall = now;
    this.playing = true;
  }

  pause(now: number): void {
    this.anchorMs = this.position(now);
    this.anchorWall = now;
    this.playing = false;
  }

  setSpeed(speed: number, now: number): void {
    this.anchorMs = this.position(now);
    this.anchorWall = now;
    this.speed = speed;
  }
}
