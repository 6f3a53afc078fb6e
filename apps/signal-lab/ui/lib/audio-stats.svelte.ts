// The audio half of the HUD: what the browser says about the output (base/output latency,
// playbackStats where it exists — Chromium has underruns and latency there), the audio thread's
// own counters, memory (performance.measureUserAgentSpecificMemory needs cross-origin
// isolation; performance.memory is Chromium's JS heap), and the last offline render's speed.
// Polled once a second; memory measurement (slow, async) every 10 s.
import type { LabState } from './lab.svelte.ts';

export interface PlaybackStats {
  underrunEvents: number;
  underrunDuration: number;
  totalDuration: number;
  averageLatency: number;
  maximumLatency: number;
}

interface ChromiumPerformance {
  memory?: { usedJSHeapSize: number; totalJSHeapSize: number };
  measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>;
}

export function readPlaybackStats(ctx: AudioContext): PlaybackStats | null {
  const ps = (ctx as unknown as { playbackStats?: Partial<PlaybackStats> }).playbackStats;
  if (!ps || typeof ps.underrunEvents !== 'number') return null;
  return {
    underrunEvents: ps.underrunEvents,
    underrunDuration: ps.underrunDuration ?? 0,
    totalDuration: ps.totalDuration ?? 0,
    averageLatency: ps.averageLatency ?? 0,
    maximumLatency: ps.maximumLatency ?? 0,
  };
}

export class AudioStats {
  baseLatencyMs = $state<number | null>(null);
  outputLatencyMs = $state<number | null>(null);
  playback = $state<PlaybackStats | null>(null);
  playbackSupported = $state(false);
  heapMb = $state<number | null>(null);
  uaMemoryMb = $state<number | null>(null);
  thread = $state<{ rejected: number; faults: number; dropped: number } | null>(null);
  private timer: ReturnType<typeof setInterval> | null = null;
  private memTimer: ReturnType<typeof setInterval> | null = null;
  private readonly lab: LabState;

  constructor(lab: LabState) {
    this.lab = lab;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), 1000);
    void this.poll();
    const perf = performance as unknown as ChromiumPerformance;
    if (this.lab.isolated && typeof perf.measureUserAgentSpecificMemory === 'function') {
      const measure = () =>
        perf.measureUserAgentSpecificMemory!().then(
          (m) => (this.uaMemoryMb = m.bytes / 1048576),
          () => {},
        );
      void measure();
      this.memTimer = setInterval(measure, 10_000);
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.memTimer) clearInterval(this.memTimer);
    this.timer = this.memTimer = null;
  }

  async poll(): Promise<void> {
    const ctx = this.lab.context;
    if (ctx) {
      this.baseLatencyMs = Number.isFinite(ctx.baseLatency) ? ctx.baseLatency * 1000 : null;
      this.outputLatencyMs = Number.isFinite(ctx.outputLatency) ? ctx.outputLatency * 1000 : null;
      const ps = readPlaybackStats(ctx);
      this.playbackSupported = ps !== null;
      this.playback = ps;
    }
    const mem = (performance as unknown as ChromiumPerformance).memory;
    this.heapMb = mem ? mem.usedJSHeapSize / 1048576 : null;
    const lab = this.lab.graph?.lab;
    if (lab && this.lab.status === 'running') this.thread = await lab.stats();
  }
}
