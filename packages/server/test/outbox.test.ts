// docs/server.md §4: the per-connection outbox (the rules of docs/protocol.md §7), with fake sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox } from '../src/outbox.ts';
import type { OutboxOptions } from '../src/outbox.ts';
import { seedHint, seededRandom, seeds } from '@tidewire/random';

// Frames are tagged by their first byte (the protocol frame type) and a label byte so tests
// can read the write order: OPS = 0x23, SNAPSHOT_CHUNK = 0x22, EVENT = 0x30, control = 0x12.
function frame(type: number, label: number, size = 2): Uint8Array {
  const f = new Uint8Array(size);
  f[0] = type;
  f[1] = label;
  return f;
}
const ops = (label: number, size = 100) => frame(0x23, label, size);
const chunk = (label: number, size = 1000) => frame(0x22, label, size);
const event = (label: number) => frame(0x30, label, 10);
const control = (label: number) => frame(0x12, label, 10);

/** A socket that never completes a write until the test says so. */
class FakeSink {
  written: Uint8Array[] = [];
  resyncs: number[] = [];
  accounted = new Map<number, number>();
  tasks: (() => void)[] = [];
  outbox!: Outbox;
  onResync: (channel: number) => void = (ch) => this.resyncs.push(ch);
  write(f: Uint8Array): void {
    this.written.push(f);
  }
  resync(channel: number): void {
    this.onResync(channel);
  }
  account(channel: number, bytes: number): void {
    this.accounted.set(channel, (this.accounted.get(channel) ?? 0) + bytes);
  }
  /** Completes `n` outstanding writes and runs the pumps they scheduled. */
  complete(n = 1): void {
    for (let i = 0; i < n; i++) this.outbox.sent();
    this.runTasks();
  }
  runTasks(): void {
    while (this.tasks.length > 0) this.tasks.shift()!();
  }
  labels(): string[] {
    return this.written.map((f) => `${f[0]!.toString(16)}:${f[1]}`);
  }
  take(): string[] {
    const l = this.labels();
    this.written = [];
    return l;
  }
}

function setup(opts: Partial<OutboxOptions> = {}): { sink: FakeSink; box: Outbox } {
  const sink = new FakeSink();
  const box = new Outbox(sink, {
    chunkBytes: 1000,
    maxQueuedBytes: 1000,
    schedule: (task) => sink.tasks.push(task),
    ...opts,
  });
  sink.outbox = box;
  return { sink, box };
}

test('§4 writes a state frame at once when nothing is in flight', () => {
  const { sink, box } = setup();
  assert.equal(box.state(1, ops(1)), 'queued');
  assert.deepEqual(sink.take(), ['23:1']);
});

test('§4 holds state frames while a chunk is in flight and resumes on completion', () => {
  const { sink, box } = setup();
  box.stateFrames(1, [chunk(0), chunk(1), chunk(2)]);
  assert.deepEqual(sink.take(), ['22:0'], 'only one chunk goes out while it is in flight');
  assert.equal(box.stats.queuedBytes, 2000);
  sink.complete();
  assert.deepEqual(sink.take(), ['22:1']);
  sink.complete();
  assert.deepEqual(sink.take(), ['22:2']);
  sink.complete();
  assert.deepEqual(sink.take(), []);
  assert.equal(box.stats.inFlight, 0);
  assert.equal(box.stats.queuedBytes, 0);
});

test('§4 an event overtakes every queued snapshot chunk', () => {
  const { sink, box } = setup();
  box.stateFrames(
    1,
    Array.from({ length: 10 }, (_, i) => chunk(i)),
  );
  sink.complete();
  assert.deepEqual(sink.take(), ['22:0', '22:1']);
  box.event(2, 'k', event(9)); // channel 2 was never added: ignored
  box.addEventsChannel(2);
  box.controlFrame(control(0), 2);
  box.event(2, 'cursor', event(7));
  assert.deepEqual(sink.take(), ['12:0'], 'control is written by the caller, an event in a turn');
  sink.runTasks();
  assert.deepEqual(sink.take(), ['30:7'], 'the event goes out while a chunk is in flight');
});

test('§4 a broadcast state frame is written in a turn, not by the caller, in order with the rest', () => {
  const { sink, box } = setup();
  assert.equal(box.broadcastState(1, ops(1)), 'queued');
  assert.equal(box.broadcastState(1, ops(2)), 'queued');
  assert.deepEqual(sink.take(), [], 'nothing written before the turn');
  assert.equal(sink.tasks.length, 1, 'one turn asked for, however many frames wait');
  assert.equal(box.state(1, ops(3)), 'queued');
  assert.deepEqual(sink.take(), ['23:1', '23:2', '23:3'], 'a direct state() writes what waits ahead of it first');
  sink.runTasks();
  assert.deepEqual(sink.take(), []);
});

test('§4 events wait for the SUBSCRIBED that opens their channel', () => {
  const { sink, box } = setup();
  box.stateFrames(1, [chunk(0, 4000)]); // fills the priority window (4 × chunkBytes)
  box.addEventsChannel(2);
  box.event(2, 'a', event(1));
  box.controlFrame(control(5), 2);
  assert.deepEqual(sink.take(), ['22:0']);
  sink.complete();
  assert.deepEqual(sink.take(), ['12:5', '30:1'], 'SUBSCRIBED first, then its events');
});

test('§4 pending events are latest-wins per key', () => {
  const { sink, box } = setup();
  box.stateFrames(1, [chunk(0, 5000)]); // window full: events must wait
  box.addEventsChannel(2);
  box.controlFrame(control(0), 2);
  box.event(2, 'x', event(1));
  box.event(2, 'y', event(2));
  box.event(2, 'x', event(3));
  assert.equal(box.stats.pendingEvents, 2);
  assert.deepEqual(sink.take(), ['22:0']);
  sink.complete();
  assert.deepEqual(sink.take(), ['12:0', '30:3', '30:2']);
});

test('§4 state frames are taken round-robin, one per channel per turn, FIFO within a channel', () => {
  const { sink, box } = setup({ chunkBytes: 1 }); // one frame in flight at a time
  box.state(9, ops(90, 5)); // in flight: everything below waits, then goes in turns
  box.stateFrames(1, [chunk(10, 5), chunk(11, 5), ops(12, 5)]);
  box.stateFrames(2, [ops(20, 5), ops(21, 5)]);
  box.stateFrames(3, [ops(30, 5)]);
  for (let i = 0; i < 6; i++) sink.complete();
  assert.deepEqual(sink.labels(), ['23:90', '22:10', '23:20', '23:30', '22:11', '23:21', '23:12']);
});

test('§4 OPS past maxQueuedBytes drop the channel queue and ask for a resync once drained', () => {
  const { sink, box } = setup({ maxQueuedBytes: 450 });
  assert.equal(box.state(1, chunk(0, 1000)), 'queued'); // written at once; now a chunk is in flight
  assert.equal(box.state(1, ops(1, 200)), 'queued');
  assert.equal(box.state(1, ops(2, 200)), 'queued');
  assert.equal(box.stats.queuedOpsBytes, 400);
  assert.equal(box.state(1, ops(3, 200)), 'overflow');
  assert.equal(box.stats.queuedOpsBytes, 0, 'the channel queue was dropped');
  assert.equal(box.state(1, ops(4, 200)), 'dropped', 'ops are discarded while a resync is pending');
  assert.ok(box.isResyncPending(1));
  assert.deepEqual(sink.resyncs, [], 'no resync while the socket is still backed up');
  sink.complete();
  assert.deepEqual(sink.resyncs, [1]);
  assert.ok(!box.isResyncPending(1));
  assert.ok(box.stats.peakQueuedOpsBytes <= 450);
});

test('§4 the resync callback can enqueue its SUBSCRIBED and snapshot immediately', () => {
  const { sink, box } = setup({ maxQueuedBytes: 100 });
  sink.onResync = (ch) => {
    box.controlFrame(control(ch));
    box.stateFrames(ch, [chunk(0, 50)]);
  };
  box.state(1, ops(0, 1000));
  box.state(1, ops(1, 80));
  assert.equal(box.state(1, ops(2, 80)), 'overflow');
  sink.take();
  sink.complete();
  assert.deepEqual(sink.take(), ['12:1', '22:0']);
});

test('§4 a single batch above the cap still goes through an empty queue', () => {
  const { sink, box } = setup({ maxQueuedBytes: 100 });
  box.state(1, chunk(0, 2000));
  assert.equal(box.state(1, ops(1, 500)), 'queued');
  sink.complete();
  assert.deepEqual(sink.take(), ['22:0', '23:1']);
});

test('§4 snapshot frames do not count towards the OPS cap', () => {
  const { box } = setup({ maxQueuedBytes: 1000 });
  box.stateFrames(
    1,
    Array.from({ length: 10 }, (_, i) => chunk(i, 1000)),
  );
  assert.equal(box.state(1, ops(0, 500)), 'queued');
  assert.equal(box.stats.queuedOpsBytes, 500);
  assert.equal(box.stats.queuedBytes, 9500);
});

test('§4 dropChannel forgets queued state, events and resyncs of that channel only', () => {
  const { sink, box } = setup({ chunkBytes: 1 });
  box.stateFrames(1, [ops(10, 5), ops(11, 5)]);
  box.stateFrames(2, [ops(20, 5), ops(21, 5)]);
  box.dropChannel(2);
  box.dropChannel(7); // unknown: no-op
  for (let i = 0; i < 4; i++) sink.complete();
  assert.deepEqual(sink.labels(), ['23:10', '23:11']);
  assert.equal(box.queuedBytesOf(2), 0);
});

test('§4 the control queue reports overflow instead of growing without bound', () => {
  const { box } = setup({ maxControlBytes: 25 });
  box.stateFrames(1, [chunk(0, 5000)]);
  assert.equal(box.controlFrame(control(0)), true);
  assert.equal(box.controlFrame(control(1)), true);
  assert.equal(box.controlFrame(control(2)), false);
});

test('§4 nothing is written after close', () => {
  const { sink, box } = setup();
  box.stateFrames(1, [chunk(0), chunk(1)]);
  box.close();
  sink.complete(2);
  box.addEventsChannel(2);
  box.event(2, 'k', event(1));
  assert.deepEqual(sink.labels(), ['22:0']);
  assert.equal(box.stats.queuedBytes, 0);
});

test('§4 a randomised mix keeps per-channel order and never holds more than the cap in OPS', () => {
  const seed = seeds(1)[0]!;
  const rand = seededRandom(seed);
  const { sink, box } = setup({ chunkBytes: 300, maxQueuedBytes: 2000 });
  const sent = new Map<number, number[]>();
  const overflowed = new Set<number>();
  sink.onResync = (ch) => overflowed.delete(ch);
  try {
    for (let step = 0; step < 5000; step++) {
      const r = rand();
      if (r < 0.5) {
        const ch = 1 + Math.floor(rand() * 4);
        const seq = sent.get(ch) ?? [];
        const n = seq.length;
        const f = ops(ch, 20 + Math.floor(rand() * 200));
        new DataView(f.buffer).setUint16(2, n); // sequence number inside the frame
        const res = box.state(ch, f);
        if (res === 'queued') seq.push(n);
        else overflowed.add(ch);
        sent.set(ch, seq);
      } else if (r < 0.9) {
        sink.complete(1 + Math.floor(rand() * 3));
      }
      assert.ok(box.stats.queuedOpsBytes <= 2000);
    }
    sink.complete(100000);
    const seen = new Map<number, number[]>();
    for (const f of sink.written) {
      const list = seen.get(f[1]!) ?? [];
      list.push(new DataView(f.buffer).getUint16(2));
      seen.set(f[1]!, list);
    }
    for (const [ch, list] of seen) {
      for (let i = 1; i < list.length; i++) assert.ok(list[i]! > list[i - 1]!, `channel ${ch} out of order`);
    }
  } catch (err) {
    console.error(`outbox random test failed with ${seedHint(seed)}`);
    throw err;
  }
});

test('§4 a held channel queues OPS behind a snapshot that is not ready yet', () => {
  const { sink, box } = setup({ chunkBytes: 1 });
  box.hold(1);
  box.state(1, ops(1, 5));
  box.state(1, ops(2, 5));
  box.stateFrames(2, [ops(20, 5)]);
  sink.complete(5);
  assert.deepEqual(sink.take(), ['23:20'], 'other channels keep flowing');
  assert.equal(box.release(1, [chunk(0, 5), chunk(1, 5)]), true);
  for (let i = 0; i < 4; i++) sink.complete();
  assert.deepEqual(sink.take(), ['22:0', '22:1', '23:1', '23:2']);
});

test('§4 release after a restart or overflow of the held channel is a no-op', () => {
  const { sink, box } = setup({ maxQueuedBytes: 100 });
  box.hold(1);
  box.restart(1);
  assert.equal(box.release(1, [chunk(0)]), false);
  box.hold(1);
  box.state(1, ops(1, 80));
  assert.equal(box.state(1, ops(2, 80)), 'overflow');
  assert.equal(box.release(1, [chunk(0)]), false);
  assert.deepEqual(sink.take(), []);
});
