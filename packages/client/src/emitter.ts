// A tiny typed event emitter. Node's EventEmitter is not available in browsers and workers,
// and unlike it, an 'error' event without listeners is simply dropped (errors also reach
// the app through statuses and rejected waits).

export type Listener<T> = (payload: T) => void;

export class Emitter<Events extends { [K in keyof Events]: unknown }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => this.off(event, fn);
  }

  once<K extends keyof Events>(event: K, fn: Listener<Events[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      fn(payload);
    });
    return off;
  }

  off<K extends keyof Events>(event: K, fn: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(fn as Listener<never>);
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  /** Calls every listener (see callEach). */
  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    callEach(set as Set<Listener<Events[K]>>, payload);
  }

  removeAll(): void {
    this.listeners.clear();
  }
}

/**
 * Calls every listener with `payload`. A throwing listener must not stop the others nor corrupt
 * the caller's state (listeners run inside frame handling and display loops), so its error is
 * rethrown asynchronously. Iterating a live Set is safe (removed listeners are skipped), and
 * not copying keeps per-frame notifications allocation-free.
 */
export function callEach<T>(listeners: Iterable<Listener<T>>, payload: T): void {
  for (const fn of listeners) {
    try {
      fn(payload);
    } catch (err) {
      queueMicrotask(() => {
        throw err;
      });
    }
  }
}
