// docs/server.md §4.4: a tree channel refreshes its cached snapshot once a burst of batches is
// over, so a subscriber that joins later gets a current snapshot instead of the old one and the
// burst. Against a manual clock, on the event loop (small trees encode there).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SNAPSHOT_REFRESH_MIN_TAIL, SNAPSHOT_REFRESH_QUIET_MS, TreeChannelImpl } from '../src/tree-channel.ts';
import { FakeClock } from './fake-clock.ts';
import { leaf, root } from './helpers.ts';

function channel() {
  const clock = new FakeClock();
  // Large enough that a burst's tail stays under half the snapshot's size (subscriberStart would
  // encode afresh otherwise, refresh or not).
  const leaves = Array.from({ length: 200 }, (_, i) => leaf(`n${i}`, { name: `node number ${i}` }));
  const ch = new TreeChannelImpl('t', 1, root([leaf('a', { v: 0 }), ...leaves]), {
    tickMs: 16,
    maxReplayBytes: 1 << 20,
    snapshot: { chunkBytes: 64 * 1024, compressMinBytes: 1 << 30, asyncMinBytes: 1 << 30, level: 1 },
    opLog: { maxBatches: 1024, maxBytes: 8 << 20 },
    encodeTimer: { observe: () => {} },
    writeTurns: { spentMs: 0 },
    clock,
  });
  /** `n` batches of one set each. */
  const batches = (n: number) => {
    for (let i = 0; i < n; i++) {
      ch.set('a', { v: ch.position.offset + 1 });
      ch.flush();
    }
  };
  return { ch, clock, batches };
}

test('§4.4 a burst of at least SNAPSHOT_REFRESH_MIN_TAIL batches, then quiet: the cached snapshot moves to the current position', () => {
  const { ch, clock, batches } = channel();
  const first = ch.subscriberStart().snap; // a subscriber asked: the cache holds offset 0
  assert.equal(first.offset, 0);
  batches(SNAPSHOT_REFRESH_MIN_TAIL);
  assert.equal(ch.subscriberStart().tail.length, SNAPSHOT_REFRESH_MIN_TAIL, 'before the quiet period: the old snapshot and the burst');
  clock.advance(SNAPSHOT_REFRESH_QUIET_MS - 1);
  assert.equal(ch.subscriberStart().snap, first, 'not refreshed before the channel has been quiet for SNAPSHOT_REFRESH_QUIET_MS');
  clock.advance(1);
  const start = ch.subscriberStart();
  assert.notEqual(start.snap, first);
  assert.equal(start.snap.offset, ch.position.offset);
  assert.equal(start.snap.rootHash, ch.tree.rootHash);
  assert.deepEqual(start.tail, [], 'a later subscriber gets no tail');
});

test('§4.4 fewer batches than SNAPSHOT_REFRESH_MIN_TAIL after the cached snapshot: no encode', () => {
  const { ch, clock, batches } = channel();
  const first = ch.subscriberStart().snap;
  batches(SNAPSHOT_REFRESH_MIN_TAIL - 1);
  clock.advance(10 * SNAPSHOT_REFRESH_QUIET_MS);
  const start = ch.subscriberStart();
  assert.equal(start.snap, first);
  assert.equal(start.tail.length, SNAPSHOT_REFRESH_MIN_TAIL - 1);
});

test('§4.4 while batches keep coming the refresh waits: the quiet period counts from the last batch', () => {
  const { ch, clock, batches } = channel();
  const first = ch.subscriberStart().snap;
  batches(SNAPSHOT_REFRESH_MIN_TAIL);
  for (let i = 0; i < 10; i++) {
    clock.advance(SNAPSHOT_REFRESH_QUIET_MS / 2);
    batches(1);
  }
  assert.equal(ch.subscriberStart().snap, first, 'never quiet long enough');
  clock.advance(SNAPSHOT_REFRESH_QUIET_MS);
  assert.equal(ch.subscriberStart().snap.offset, ch.position.offset);
});

test('§4.4 a channel nobody subscribed to encodes nothing, and a closed one stops waiting', () => {
  const { ch, clock, batches } = channel();
  batches(2 * SNAPSHOT_REFRESH_MIN_TAIL);
  clock.advance(2 * SNAPSHOT_REFRESH_QUIET_MS);
  const start = ch.subscriberStart(); // the first request encodes now, at the current position
  assert.equal(start.snap.offset, ch.position.offset);
  batches(SNAPSHOT_REFRESH_MIN_TAIL);
  ch.close();
  clock.advance(2 * SNAPSHOT_REFRESH_QUIET_MS);
  assert.equal(ch.subscriberStart().snap, start.snap, 'closed: no refresh');
});
