// Coalesces a handler's progress reports: a new stage goes out at once, reports within a stage
// at most once per interval, and the last one of a burst is never lost (a trailing send). A
// render may report per FFmpeg frame; listeners, the journal and Redis see a bounded rate.
import type { Stage } from '../model.ts';

export class ProgressThrottle {
  #stage: Stage | undefined;
  #lastSent = 0;
  #pending: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly send: (stage: Stage, fraction: number, stageChanged: boolean) => void,
  ) {}

  report(stage: Stage, fraction: number): void {
    if (this.#stopped) return;
    if (stage !== this.#stage) {
      this.#stage = stage;
      this.#flush(fraction, true);
      return;
    }
    const wait = this.#lastSent + this.intervalMs - Date.now();
    if (wait <= 0) {
      this.#flush(fraction, false);
      return;
    }
    this.#pending = fraction;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      if (this.#pending !== undefined && this.#stage !== undefined) this.#flush(this.#pending, false);
    }, wait).unref();
  }

  /** Drops any pending report: the job finished, its final status says the rest. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }

  #flush(fraction: number, stageChanged: boolean): void {
    this.#pending = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#lastSent = Date.now();
    this.send(this.#stage as Stage, fraction, stageChanged);
  }
}
