// Promise helpers over "check again when something changed": used by TreeSubscription's
// ready / waitForOffset / waitFor so tests and apps can await states instead of sleeping.
import { ClientError } from './errors.ts';
import type { Timers } from './timers.ts';

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (err: ClientError) => void;
}

export interface WaitOptions {
  /** Reject with TW_TIMEOUT after this long. Without it the wait lasts until close(). */
  timeoutMs?: number;
}

export class Waiters {
  private readonly waiting = new Set<Waiter>();

  constructor(private readonly timers: Timers) {}

  /** Resolves once `check` returns true (checked now and on every `notify`). */
  wait(check: () => boolean, what: string, options: WaitOptions = {}): Promise<void> {
    try {
      if (check()) return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<void>((resolve, reject) => {
      let timer: unknown;
      const done = () => {
        this.waiting.delete(w);
        if (timer !== undefined) this.timers.clearTimeout(timer);
      };
      const w: Waiter = {
        check,
        resolve: () => (done(), resolve()),
        reject: (err) => (done(), reject(err)),
      };
      this.waiting.add(w);
      if (options.timeoutMs !== undefined) {
        timer = this.timers.setTimeout(
          () => w.reject(new ClientError('TW_TIMEOUT', `timed out after ${options.timeoutMs} ms waiting for ${what}`)),
          options.timeoutMs,
        );
      }
    });
  }

  notify(): void {
    // Called per op batch and per display frame; most of the time nobody waits.
    if (this.waiting.size === 0) return;
    for (const w of [...this.waiting]) {
      let ok: boolean;
      try {
        ok = w.check();
      } catch (err) {
        w.reject(err instanceof ClientError ? err : new ClientError('TW_CLOSED', String(err), { cause: err }));
        continue;
      }
      if (ok) w.resolve();
    }
  }

  rejectAll(err: ClientError): void {
    for (const w of [...this.waiting]) w.reject(err);
  }
}
