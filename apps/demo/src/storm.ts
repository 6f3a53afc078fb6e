// The demo's simulated workload: what a Live set does to a mirror while someone plays it.
// Knob sweeps (one parameter moved ~60 times a second, several at once) come in bursts, clips
// start and stop, the transport beat ticks on the events channel. One drift-free 16 ms loop
// drives it all; rates are per second of real time, whatever the timer's jitter.
import type { NodeSnapshot } from '@tidewire/tree';
import { seededRandom } from '@tidewire/random';
import { paramIds } from './generate.ts';

/** The slice of a tree channel the storm mutates (TreeChannel satisfies it). */
export interface StormTarget {
  set(id: string, attrs: Record<string, string | number | boolean | null>): void;
}
export interface StormEvents {
  publish(key: string, value: unknown): void;
}

export interface StormOptions {
  /** Parameter changes per second during a sweep burst. */
  sweepRate?: number;
  /** Burst and quiet lengths, seconds. */
  burstSeconds?: number;
  quietSeconds?: number;
  tempo?: number;
  seed?: number;
}

/** The demo's workload: 600 knob moves a second in 2 s bursts, 2 s apart, at 124 BPM. */
const DEFAULT_STORM: Readonly<Required<StormOptions>> = { sweepRate: 600, burstSeconds: 2, quietSeconds: 2, tempo: 124, seed: 7 };

export class ChangeStorm {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly params: string[];
  private readonly clips: string[];
  private start = 0;
  private sweepsDone = 0;
  private clipsDone = 0;
  private lastBeat = -1;
  private rand: () => number;
  private sweepTargets: string[] = [];
  private sweepCycle = -1;
  /** Per track, the ids of its first device's first four parameters. */
  private readonly firstKnobs: string[][];
  private readonly opts: Required<StormOptions>;
  /** Changes made so far (for the HUD and tests). */
  changes = 0;

  constructor(
    project: NodeSnapshot,
    private readonly tree: StormTarget,
    private readonly events: StormEvents | null,
    options: StormOptions = {},
  ) {
    this.opts = { ...DEFAULT_STORM, ...options };
    this.params = paramIds(project);
    const byDevice = new Map<string, string[]>();
    for (const id of this.params) {
      const device = id.slice(0, id.lastIndexOf('/'));
      const list = byDevice.get(device) ?? byDevice.set(device, []).get(device)!;
      list.push(id);
    }
    this.firstKnobs = [...byDevice.entries()].filter(([d]) => d.endsWith('/d0')).map(([, ids]) => ids.slice(0, 4));
    this.clips = [];
    const walk = (n: NodeSnapshot) => {
      if (n.type === 'clip') this.clips.push(n.id);
      n.children.forEach(walk);
    };
    walk(project);
    this.rand = seededRandom(this.opts.seed);
  }

  startLoop(intervalMs = 16): void {
    if (this.timer) return;
    this.start = performance.now();
    this.timer = setInterval(() => this.tick(performance.now()), intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Advances the simulation to `now` (ms): exposed so tests can drive it without timers. */
  tick(now: number): void {
    const t = (now - this.start) / 1000;
    const { sweepRate, burstSeconds, quietSeconds, tempo } = this.opts;
    const period = burstSeconds + quietSeconds;
    const cycle = Math.floor(t / period);
    const inCycle = t - cycle * period;

    // Sweeps: during the burst part of each cycle, `sweepRate` changes/s over a few knobs.
    // Cycle k sweeps the first four knobs of track k's first device, like someone working down
    // the set (and predictable enough for a test to watch the top rows move).
    const sweepDue = Math.floor((cycle * burstSeconds + Math.min(inCycle, burstSeconds)) * sweepRate);
    if (cycle !== this.sweepCycle) {
      this.sweepCycle = cycle;
      const tracks = this.firstKnobs.length;
      this.sweepTargets = tracks > 0 ? this.firstKnobs[cycle % tracks]! : [];
    }
    for (; this.sweepsDone < sweepDue && this.sweepTargets.length > 0; this.sweepsDone++) {
      const id = this.sweepTargets[this.sweepsDone % this.sweepTargets.length]!;
      const value = 0.5 + 0.5 * Math.sin(this.sweepsDone / 40);
      this.tree.set(id, { value: Math.round(value * 1e4) / 1e4, display: `${(value * 24 - 12).toFixed(1)} dB` });
      this.changes++;
    }

    // Clips: about three launches or stops a second.
    const clipDue = Math.floor(t * 3);
    for (; this.clipsDone < clipDue && this.clips.length > 0; this.clipsDone++) {
      const id = this.clips[Math.floor(this.rand() * this.clips.length)]!;
      this.tree.set(id, { playing: this.rand() < 0.6 });
      this.changes++;
    }

    // Transport: beat position on the events channel (latest-wins, never behind state).
    const beat = Math.floor((t * tempo) / 60);
    if (beat !== this.lastBeat && this.events) {
      this.lastBeat = beat;
      this.events.publish('beat', { beat, bar: Math.floor(beat / 4) + 1, sixteenth: 1 });
    }
  }
}
