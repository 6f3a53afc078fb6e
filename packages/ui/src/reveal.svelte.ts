// Progressive reveal for Svelte components (docs/client.md §4.2): one queue per page, so every
// view's reveal shares one time budget per frame, in the order the views were created.
import { flushSync } from 'svelte';
import { Reveal, RevealQueue } from '@tidewire/client/main';

// 16 ms of mounting a frame: with the frame's style, layout and paint that is ~25–30 ms at full
// speed (under the 50 ms of a long task) and ~50 ms at 4× CPU throttling, where the rendering
// steps alone take 20–30 ms a frame and a smaller budget left the reveal crawling.
export const reveals = new RevealQueue({ budgetMs: 16 });

export interface Revealed {
  /** How many of the view's items to show now (Infinity once all were revealed). */
  readonly limit: number;
  /** Start again from a few items (the view jumped somewhere else). */
  restart(): void;
}

/**
 * Call during a component's initialisation: `total()` is how many items the view has. Nothing is
 * shown before the first batch: the frame of a snapshot swap only swaps, and each kind of view
 * mounts (and has its code compiled) first in a frame of its own.
 */
export function revealed(total: () => number, first = 4): Revealed {
  let limit = $state(0);
  const reveal = new Reveal(reveals, (n) => (limit = n), { first, initial: 0, flush: flushSync });
  $effect(() => reveal.setTarget(total()));
  $effect(() => () => reveal.dispose());
  return {
    get limit() {
      return limit;
    },
    restart: () => reveal.restart(),
  };
}
