// docs/server.md §4.1: write turns run outbox pumps for at most a budget per event-loop
// iteration, in the order they were asked for, and give the loop back between slices.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WriteTurns } from '../src/write-turns.ts';

function busyFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const nextIteration = () => new Promise<void>((resolve) => setTimeout(resolve, 5));

test('§4.1 turns run in the order they were asked for, none by the caller', async () => {
  const turns = new WriteTurns();
  const ran: number[] = [];
  for (let i = 0; i < 5; i++) turns.add(() => ran.push(i));
  assert.deepEqual(ran, [], 'add() never runs a turn itself');
  assert.equal(turns.pending, 5);
  await nextIteration();
  assert.deepEqual(ran, [0, 1, 2, 3, 4]);
  assert.equal(turns.pending, 0);
  assert.equal(turns.slices, 1, 'cheap turns share one slice');
});

test('§4.1 a slice stops at the budget and a timer runs before the next slice', async () => {
  const turns = new WriteTurns(2);
  const log: string[] = [];
  for (let i = 0; i < 4; i++) {
    turns.add(() => {
      if (i === 0) setTimeout(() => log.push('timer'), 0);
      log.push(`turn ${i}`);
      busyFor(3); // each turn alone is over the budget: one turn per slice
    });
  }
  await new Promise<void>((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(log, ['turn 0', 'timer', 'turn 1', 'turn 2', 'turn 3']);
  assert.equal(turns.slices, 4);
  assert.equal(turns.slicesCut, 3, 'the last slice ends because the line is empty, not at the budget');
  assert.ok(turns.spentMs >= 12, `spentMs counts the turns' time (${turns.spentMs} ms)`);
});

test('§4.1 turns added by a running turn join the end of the line', async () => {
  const turns = new WriteTurns();
  const ran: string[] = [];
  turns.add(() => {
    ran.push('a');
    turns.add(() => ran.push('c'));
  });
  turns.add(() => ran.push('b'));
  await nextIteration();
  assert.deepEqual(ran, ['a', 'b', 'c']);
});

test('§4.1 a turn that throws loses no other turn', async () => {
  const turns = new WriteTurns();
  const ran: string[] = [];
  const failures: unknown[] = [];
  const onUncaught = (err: unknown) => failures.push(err);
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', onUncaught);
  try {
    turns.add(() => ran.push('a'));
    turns.add(() => {
      throw new Error('pump bug');
    });
    turns.add(() => ran.push('c'));
    await nextIteration();
    await nextIteration();
  } finally {
    process.off('uncaughtException', onUncaught);
    for (const l of listeners) process.on('uncaughtException', l);
  }
  assert.equal(failures.length, 1);
  assert.deepEqual(ran, ['a', 'c']);
  assert.equal(turns.pending, 0);
});
