// Seek latency and stale frames, measured by one viewer in the suite's process while other
// viewers keep the server busy. `count` random seeks while playing at 1×, each 40–120 ms after
// the previous one was shown:
//   - latency: seek request → the target frame decoded and handed to the display (Player:
//     onFrame; baseline: the frame unpacked);
//   - stale: frames shown (Player) or received (baseline: it has no epochs, so everything it
//     receives is drawn) after the request whose index is not consistent with the new position:
//     before the target, or ahead of it by more than the time since the request allows.
// The first frame of each seek is compared with the file (interpolated as the Player does).
import { WebSocket } from 'ws';
import { createPlayer, interpolateInto, interpolationMask } from '@tidewire/client';
import type { FrameEvent } from '@tidewire/client';
import { Prng } from '@tidewire/random';
import { baselineMismatch } from './baseline.ts';
import { BaselineClient } from './baseline-client.ts';
import { CHANNEL, PERIOD_MS } from './session-file.ts';
import { sleep } from '../stats.ts';
import { firstDifference } from './truth.ts';
import type { Truth } from './truth.ts';

export interface SeekResult {
  seeks: number;
  latenciesMs: number[];
  /** Frames inconsistent with the new position shown (or, baseline, received) after a seek request. */
  stale: number;
  /** Seeks whose first frame shown was not the target itself. */
  notTargetFirst: number;
  /** Seeks that did not show their target within SEEK_TIMEOUT_MS. */
  timeouts: number;
  checks: number;
  mismatches: number;
  firstMismatch?: string;
  /** Player only: frames of an older epoch that reached the client and were dropped before the display. */
  droppedBeforeDisplay?: number;
}

const SEEK_TIMEOUT_MS = 5000;

interface Pending {
  target: number;
  t0: number;
  shown: boolean;
  done: () => void;
}

/** Bookkeeping shared by both kinds of viewer. */
class SeekBook {
  readonly result: SeekResult = { seeks: 0, latenciesMs: [], stale: 0, notTargetFirst: 0, timeouts: 0, checks: 0, mismatches: 0 };
  private pending: Pending | undefined;

  /** A frame reached the display at `now`; returns true when it is the seek's first. */
  frame(k: number, now: number): boolean {
    const p = this.pending;
    if (p === undefined) return false;
    const ahead = p.target + Math.ceil((now - p.t0) / PERIOD_MS) + 2;
    if (k < p.target || k > ahead) {
      this.result.stale++;
      return false;
    }
    if (p.shown) return false;
    p.shown = true;
    this.result.latenciesMs.push(now - p.t0);
    if (k !== p.target) this.result.notTargetFirst++;
    p.done();
    return true;
  }

  mismatch(message: string | null): void {
    this.result.checks++;
    if (message === null) return;
    this.result.mismatches++;
    this.result.firstMismatch ??= message;
  }

  /** Issues a seek through `send` and waits until its target is shown (or times out). */
  async seek(target: number, send: () => void): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const shown = new Promise<void>((resolve) => {
      this.pending = { target, t0: performance.now(), shown: false, done: resolve };
      timer = setTimeout(() => {
        this.result.timeouts++;
        resolve();
      }, SEEK_TIMEOUT_MS);
    });
    this.result.seeks++;
    send();
    await shown;
    clearTimeout(timer);
  }
}

function targets(truth: Truth, count: number, seed: number): { target: number; gapMs: number }[] {
  const rng = new Prng(seed);
  // Away from the end, so a seek never lands where playback stops.
  const span = truth.frameCount - 2000;
  return Array.from({ length: count }, () => ({ target: rng.int(span), gapMs: 40 + rng.int(81) }));
}

/** The real Player (in-process engine, its own WebSocket), server- or client-paced. */
export async function playerSeeks(url: string, mode: 'server' | 'client', truth: Truth, count: number, seed: number): Promise<SeekResult> {
  const book = new SeekBook();
  const mask = interpolationMask(truth.schema.fields);
  const expected = new Float64Array(truth.cells);
  const player = createPlayer({ url, timeline: CHANNEL, mode, WebSocket, worker: false });
  try {
    await player.ready({ timeoutMs: 20_000 });
    player.play();
    await player.waitFor((s) => s.playing, { timeoutMs: 20_000 });
    player.onFrame((ev: FrameEvent) => {
      if (!book.frame(ev.frame, performance.now())) return;
      // Between frames the Player interpolates numeric fields, unless the next frame is not
      // buffered yet (the last frame of a segment): then it shows the frame itself.
      const a = truth.frame(ev.frame).slice();
      const alpha = (ev.timeMs - ev.frame * PERIOD_MS) / PERIOD_MS;
      interpolateInto(expected, a, truth.frame(ev.frame + 1), alpha, mask);
      const i = firstDifference(ev.values, expected, 1e-6);
      const ok = i < 0 || firstDifference(ev.values, a) < 0;
      book.mismatch(ok ? null : `frame ${ev.frame} at ${ev.timeMs} ms, cell ${i}: ${ev.values[i]} instead of ${expected[i]}`);
    });
    for (const { target, gapMs } of targets(truth, count, seed)) {
      await sleep(gapMs);
      await book.seek(target, () => player.seek({ frame: target }));
    }
    book.result.droppedBeforeDisplay = player.metrics.framesDropped;
  } finally {
    await player.close();
  }
  return book.result;
}

/** A viewer of the original design: seek is a command; whatever arrives is drawn. */
export async function baselineSeeks(url: string, truth: Truth, count: number, seed: number): Promise<SeekResult> {
  const book = new SeekBook();
  const numbers = truth.schema.entities.map((e) => Number(e.id));
  const client = await BaselineClient.connect(url);
  try {
    let playing: () => void = () => {};
    const started = new Promise<void>((r) => (playing = r));
    client.onFrame = (msg) => {
      playing();
      // After the unpack: the frame is decoded and would be drawn now.
      if (book.frame(msg.frame, performance.now())) book.mismatch(baselineMismatch(msg, truth.frame(msg.frame), numbers));
    };
    client.send({ type: 'seek', frame: 0 });
    client.send({ type: 'play' });
    await started;
    for (const { target, gapMs } of targets(truth, count, seed)) {
      await sleep(gapMs);
      await book.seek(target, () => client.send({ type: 'seek', frame: target }));
    }
  } finally {
    client.close();
  }
  return book.result;
}
