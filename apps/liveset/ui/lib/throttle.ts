// Rate-limits a stream of values (a fader drag): the first goes at once, then at most one per
// interval, and the last one is always delivered, so the destination ends where the user let go.

export interface Throttled<T> {
  push(value: T): void;
  /** Delivers a held value now. */
  flush(): void;
  cancel(): void;
}

export function throttle<T>(deliver: (value: T) => void, intervalMs: number, now: () => number = () => performance.now()): Throttled<T> {
  let last = -Infinity;
  let held: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const fire = () => {
    timer = null;
    if (held === null) return;
    const v = held.value;
    held = null;
    last = now();
    deliver(v);
  };
  return {
    push(value) {
      held = { value };
      const wait = last + intervalMs - now();
      if (wait <= 0) {
        if (timer !== null) clearTimeout(timer);
        fire();
      } else if (timer === null) {
        timer = setTimeout(fire, wait);
      }
    },
    flush() {
      if (timer !== null) clearTimeout(timer);
      fire();
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      held = null;
    },
  };
}
