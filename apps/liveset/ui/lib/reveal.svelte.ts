// The page's progressive reveals (docs/client.md §4.2): one queue, so the session grid, the
// device panel and its devices share one time budget per frame, the grid first.
import { flushSync } from 'svelte';
import { Reveal, RevealQueue } from '@tidewire/client/main';

export const reveals = new RevealQueue({ budgetMs: 10 });

export interface Revealed {
  /** How many of the view's items to show now (Infinity once all were revealed). */
  readonly limit: number;
  /** Start again from a few items (the view jumped somewhere else). */
  restart(): void;
}

/** Call during a component's initialisation: `total()` is how many items the view has. */
export function revealed(total: () => number, first = 4): Revealed {
  let limit = $state(first);
  const reveal = new Reveal(reveals, (n) => (limit = n), { first, flush: flushSync });
  $effect(() => reveal.setTarget(total()));
  $effect(() => () => reveal.dispose());
  return {
    get limit() {
      return limit;
    },
    restart: () => reveal.restart(),
  };
}
