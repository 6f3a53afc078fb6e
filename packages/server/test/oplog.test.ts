// docs/server.md §3: the op log that resume replays from (docs/protocol.md §4.5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpLog } from '../src/oplog.ts';

const f = (n: number, size = 10) => new Uint8Array(size).fill(n);

test('§3 replays the frames after a held offset, in order and as the same objects', () => {
  const log = new OpLog(10, 1000);
  const frames = [f(1), f(2), f(3)];
  frames.forEach((fr, i) => log.append(i + 1, fr));
  const got = log.since(1)!;
  assert.equal(got.length, 2);
  assert.equal(got[0], frames[1]);
  assert.equal(got[1], frames[2]);
  assert.deepEqual(log.since(3), [], 'up to date: nothing to replay');
  assert.equal(log.since(0)!.length, 3);
});

test('§3 a position ahead of the log is a gap', () => {
  const log = new OpLog(10, 1000);
  log.append(1, f(1));
  assert.equal(log.since(2), undefined);
});

test('§3 evicts the oldest batches past maxBatches', () => {
  const log = new OpLog(3, 1000);
  for (let i = 1; i <= 5; i++) log.append(i, f(i));
  assert.equal(log.length, 3);
  assert.equal(log.firstOffset, 3);
  assert.equal(log.since(1), undefined, 'batch 2 is gone');
  assert.equal(log.since(2)!.length, 3);
});

test('§3 evicts the oldest batches past maxBytes', () => {
  const log = new OpLog(100, 25);
  for (let i = 1; i <= 5; i++) log.append(i, f(i, 10));
  assert.equal(log.length, 2);
  assert.equal(log.bytes, 20);
  assert.equal(log.since(3)!.length, 2);
});

test('§3 a batch larger than maxBytes empties the log but keeps the position', () => {
  const log = new OpLog(100, 25);
  log.append(1, f(1, 10));
  log.append(2, f(2, 100));
  assert.equal(log.length, 0);
  assert.deepEqual(log.since(2), []);
  assert.equal(log.since(1), undefined);
  log.append(3, f(3, 10));
  assert.equal(log.since(2)!.length, 1);
});

test('§3 rejects a non-contiguous append', () => {
  const log = new OpLog(10, 1000);
  log.append(1, f(1));
  assert.throws(() => log.append(3, f(3)), RangeError);
});

test('§3 clear restarts at a given offset', () => {
  const log = new OpLog(10, 1000);
  log.append(1, f(1));
  log.clear(0);
  assert.deepEqual(log.since(0), []);
  log.append(1, f(9));
  assert.equal(log.since(0)![0]![0], 9);
});
