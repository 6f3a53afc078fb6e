// docs/client.md §4.2: progressive reveal — items shown a batch per frame, batches sized by measured cost within
// the frame budget, the first batch of each reveal in a frame of its own, restart after a jump.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reveal, RevealQueue } from '@tidewire/client';

/** A queue on a manual frame scheduler and clock: each item shown costs `costMs[kind]`. */
function harness(budgetMs = 10) {
  let time = 0;
  let pending: (() => void) | null = null;
  const queue = new RevealQueue({
    budgetMs,
    now: () => time,
    schedule: (fn) => {
      pending = fn;
      return () => (pending = null);
    },
  });
  const frame = (): boolean => {
    const fn = pending;
    pending = null;
    fn?.();
    return fn !== null;
  };
  const view = (costMs: number, first?: number) => {
    const v = { shown: first ?? 4, reveal: null as unknown as Reveal, batches: [] as number[] };
    v.reveal = new Reveal(
      queue,
      (n) => {
        const before = v.shown;
        v.shown = n;
        // Mounting the new items takes time on the clock (Infinity: everything up to the target).
        const now = Number.isFinite(n) ? n : target.get(v)!;
        time += Math.max(0, now - before) * costMs;
        v.batches.push(now - before);
      },
      first === undefined ? {} : { first },
    );
    return v;
  };
  const target = new Map<object, number>();
  const setTarget = (v: { reveal: Reveal }, n: number) => {
    target.set(v, n);
    v.reveal.setTarget(n);
  };
  return {
    queue,
    frame,
    view,
    setTarget,
    get time() {
      return time;
    },
  };
}

test('§4.2 a reveal shows `first` items, then batches sized to the frame budget, then everything', () => {
  const h = harness(10);
  const cells = h.view(0.5);
  assert.equal(cells.reveal.limit, 4, 'first items before any frame');
  h.setTarget(cells, 250);
  let frames = 0;
  while (h.frame()) frames++;
  assert.equal(cells.reveal.limit, Infinity, 'all revealed: later items show at once');
  assert.equal(cells.batches[0], 4, 'the first batch is `first` items');
  // 0.5 ms an item in a 10 ms budget: batches double (4 → 8 → 16) up to 20 items, never more.
  assert.deepEqual(cells.batches.slice(1, 4), [8, 16, 20]);
  assert.ok(Math.max(...cells.batches) <= 20, `batches ${cells.batches.join(',')}`);
  assert.ok(frames >= 12 && frames <= 14, `frames ${frames}`);
  assert.equal(h.queue.pending, 0);
});

test('§4.2 a costlier view gets smaller batches: no frame goes far past the budget', () => {
  const h = harness(10);
  const strips = h.view(4, 1);
  h.setTarget(strips, 10);
  const before = h.time;
  const spent: number[] = [];
  let t = before;
  while (h.frame()) {
    spent.push(h.time - t);
    t = h.time;
  }
  assert.deepEqual(strips.batches, [1, 2, 2, 2, 2], 'one shown at once, then 1, then what fits in 10 ms at 4 ms an item');
  assert.ok(Math.max(...spent) <= 12, `frames ${spent.join(',')} ms`);
});

test('§4.2 reveals share one budget in creation order; a reveal with no measured cost waits for a frame of its own', () => {
  const h = harness(10);
  const heads = h.view(0.1);
  const cells = h.view(0.5);
  h.setTarget(heads, 10);
  h.setTarget(cells, 100);
  h.frame();
  assert.deepEqual([heads.batches, cells.batches], [[4], []], 'frame 1: only the first reveal (the second has no cost yet)');
  h.frame();
  assert.equal(heads.reveal.limit, Infinity, 'frame 2: the heads finish');
  assert.deepEqual(cells.batches, [], 'and the cells still wait: their first batch is not optional work');
  h.frame();
  assert.deepEqual(cells.batches, [4], 'frame 3: the cells first batch');
});

test('§4.2 restart() after a jump starts again from `first`; a disposed reveal leaves the queue', () => {
  const h = harness(10);
  const cells = h.view(0.5);
  h.setTarget(cells, 50);
  while (h.frame());
  assert.equal(cells.reveal.limit, Infinity);
  cells.reveal.restart();
  assert.equal(cells.shown, 4);
  assert.equal(cells.reveal.limit, 4);
  assert.equal(h.queue.pending, 1);
  cells.reveal.dispose();
  assert.equal(h.queue.pending, 0);
  assert.equal(h.frame(), false, 'no frame asked for once the only reveal is gone');
});

test('§4.2 `initial: 0` shows nothing before the first batch, which is `first` items', () => {
  const h = harness(10);
  let shown = -1;
  const r = new Reveal(h.queue, (n) => (shown = n), { first: 3, initial: 0 });
  assert.equal(r.limit, 0);
  r.setTarget(10);
  h.frame();
  assert.equal(shown, 3);
});

test('§4.2 one dear batch (other work in its flush) moves the cost estimate only half-way', () => {
  let time = 0;
  let pending: (() => void) | null = null;
  const queue = new RevealQueue({ budgetMs: 10, now: () => time, schedule: (fn) => ((pending = fn), () => (pending = null)) });
  const batches: number[] = [];
  let shown = 0;
  let spike = true;
  const r = new Reveal(
    queue,
    (n) => {
      const next = Number.isFinite(n) ? n : 400;
      batches.push(next - shown);
      // 0.5 ms an item, plus 12 ms of unrelated work in the third batch's flush.
      time += (next - shown) * 0.5 + (batches.length === 3 && spike ? 12 : 0);
      shown = next;
    },
    { first: 4, initial: 0 },
  );
  r.setTarget(400);
  for (let i = 0; i < 6; i++) (pending as (() => void) | null)?.();
  spike = false;
  // 4, 8, 16 (spike: 28 ms for 16 items), then 11 (half-way estimate) instead of 5, back to 20.
  assert.deepEqual(batches.slice(0, 6), [4, 8, 16, 11, 20, 20]);
});
