// docs/server.md §2: the adaptive flush scheduler, against a manual clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FANOUT_STRETCH, FlushScheduler, MAX_STRETCHED_TICK_MS } from '../src/batcher.ts';
import { resolveOptions } from '../src/options.ts';
import { FakeClock } from './fake-clock.ts';

function setup(tickMs = 16) {
  const clock = new FakeClock();
  const flushes: number[] = [];
  const s: FlushScheduler = new FlushScheduler(
    tickMs,
    () => {
      flushes.push(clock.now());
      s.published();
    },
    clock,
  );
  return { clock, flushes, s };
}

test('§2 a lone change after a quiet period flushes on the next macrotask, not after a tick', () => {
  const { clock, flushes, s } = setup();
  s.touch();
  assert.deepEqual(clock.log, ['soon@1000']);
  clock.advance(0);
  assert.deepEqual(flushes, [1000]);
});

test('§2 changes within one turn coalesce into one flush', () => {
  const { clock, flushes, s } = setup();
  for (let i = 0; i < 100; i++) s.touch();
  clock.advance(0);
  assert.deepEqual(flushes, [1000]);
});

test('§2 a burst flushes at most once per tick', () => {
  const { clock, flushes, s } = setup(16);
  // A change every 2 ms for 100 ms.
  for (let t = 0; t < 100; t += 2) {
    s.touch();
    clock.advance(2);
  }
  clock.advance(50);
  assert.equal(flushes[0], 1000, 'the first change goes out at once');
  for (let i = 1; i < flushes.length; i++) assert.ok(flushes[i]! - flushes[i - 1]! >= 16, `flushes ${flushes[i - 1]} and ${flushes[i]} are closer than a tick`);
  assert.ok(flushes.length >= 6 && flushes.length <= 8, `expected about 100/16 flushes, got ${flushes.length}`);
});

test('§2 after the burst ends, the next lone change is immediate again', () => {
  const { clock, flushes, s } = setup(16);
  s.touch();
  clock.advance(5);
  s.touch(); // within a tick of the last flush: waits
  assert.equal(clock.log.at(-1), 'after(11)@1005');
  clock.advance(100);
  s.touch();
  assert.equal(clock.log.at(-1), 'soon@1105');
  clock.advance(0);
  assert.deepEqual(flushes, [1000, 1016, 1105]);
});

test('§2 under load the tick stretches to FANOUT_STRETCH × the last fan-out, at most MAX_STRETCHED_TICK_MS, and shrinks back', () => {
  const { clock, flushes, s } = setup(16);
  assert.equal(FANOUT_STRETCH, 4);
  assert.equal(MAX_STRETCHED_TICK_MS, 250);
  s.touch();
  clock.advance(0); // flush at 1000
  s.stretch(10); // that fan-out took 10 ms: the next batch waits 40 ms, not 16
  assert.equal(s.currentTickMs, 40);
  s.touch();
  assert.equal(clock.log.at(-1), 'after(40)@1000');
  clock.advance(40);
  assert.deepEqual(flushes, [1000, 1040]);
  s.stretch(1000); // capped
  assert.equal(s.currentTickMs, 250);
  s.stretch(3); // a cheap fan-out: back to the configured tick
  assert.equal(s.currentTickMs, 16);
  s.touch();
  assert.equal(clock.log.at(-1), 'after(16)@1040');
});

test('§2 a configured tick longer than the stretch cap is never shortened', () => {
  const { s } = setup(1000);
  s.stretch(1000);
  assert.equal(s.currentTickMs, 1000);
  s.stretch(0);
  assert.equal(s.currentTickMs, 1000);
});

test('§2 an explicit publish cancels the scheduled flush, with the clear function of its kind', () => {
  const { clock, flushes, s } = setup();
  s.touch(); // soon
  assert.ok(s.pending);
  s.published();
  assert.ok(!s.pending);
  s.touch(); // within a tick: after
  s.published();
  clock.advance(100);
  assert.deepEqual(flushes, []);
});

test('§2 regression: cancelling never hands a Timeout to clearImmediate (Node ref counts stay sane)', async () => {
  const s = new FlushScheduler(16, () => s.published());
  s.touch();
  s.published(); // cancels an Immediate
  s.touch();
  s.published(); // cancels a Timeout
  // A corrupted immediate ref count makes this throw (bad_alloc) or list billions of entries.
  assert.ok(process.getActiveResourcesInfo().length < 1000);
});

test('§2 a tick timer that fires early is re-armed instead of flushing inside the tick', () => {
  const { clock, flushes, s } = setup(16);
  s.touch();
  clock.advance(0); // flush at 1000
  clock.advance(5);
  s.touch(); // after(11) → due at 1016
  // Simulate the event loop's stale clock: the timer runs 3 ms before its time.
  const early = (clock as unknown as { tasks: { at: number }[] }).tasks;
  early[0]!.at -= 3;
  clock.advance(8); // t = 1013: the timer fires now
  assert.deepEqual(flushes, [1000], 'no flush 13 ms after the last');
  clock.advance(10);
  assert.deepEqual(flushes, [1000, 1016]);
});

test('§2 the default tick is one 60 Hz frame, so a storm costs at most 60 flushes a second', () => {
  assert.equal(resolveOptions({}).tickMs, 1000 / 60);
  assert.equal(resolveOptions({ tickMs: 8.5 }).tickMs, 8.5);
  for (const bad of [0, Number.NaN, Number.POSITIVE_INFINITY, '16']) {
    assert.throws(() => resolveOptions({ tickMs: bad as number }), { code: 'TW_SERVER_BAD_OPTION' });
  }
  // Under a continuous storm, one simulated second yields at most 60 flushes.
  const { clock, flushes, s } = setup(1000 / 60);
  for (let t = 0; t < 1000; t += 0.5) {
    clock.advance(0.5);
    s.touch();
  }
  assert.ok(flushes.length <= 60, `${flushes.length} flushes in one second`);
});
