// A manual BatchClock for the scheduler and channel tests.
import assert from 'node:assert/strict';
import type { BatchClock } from '../src/batcher.ts';

/** A manual clock: `soon` tasks run on advance(0), `after` tasks when their time comes. */
export class FakeClock implements BatchClock {
  t = 1000;
  private tasks: { at: number; soon: boolean; task: () => void; id: number }[] = [];
  private nextId = 1;
  log: string[] = [];
  now(): number {
    return this.t;
  }
  soon(task: () => void): unknown {
    this.log.push(`soon@${this.t}`);
    return this.add(this.t, true, task);
  }
  after(ms: number, task: () => void): unknown {
    this.log.push(`after(${ms})@${this.t}`);
    return this.add(this.t + ms, false, task);
  }
  cancelSoon(handle: unknown): void {
    const t = this.tasks.find((x) => x.id === handle);
    assert.ok(t?.soon, 'cancelSoon() got a handle that soon() did not return');
    this.tasks = this.tasks.filter((x) => x.id !== handle);
  }
  cancelAfter(handle: unknown): void {
    const t = this.tasks.find((x) => x.id === handle);
    assert.ok(t && !t.soon, 'cancelAfter() got a handle that after() did not return');
    this.tasks = this.tasks.filter((x) => x.id !== handle);
  }
  private add(at: number, soon: boolean, task: () => void): number {
    const id = this.nextId++;
    this.tasks.push({ at, soon, task, id });
    return id;
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.tasks.sort((a, b) => a.at - b.at);
      const next = this.tasks[0];
      if (!next || next.at > end) break;
      this.tasks.shift();
      this.t = Math.max(this.t, next.at);
      next.task();
    }
    this.t = end;
  }
}
