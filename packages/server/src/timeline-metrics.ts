// Timeline metrics in the server's registry (/metrics). Sessions bump plain counters on their
// channel; these metrics read them at scrape time, like the channel counters in metrics.ts.
// Only the seek latency is observed directly (a histogram needs every sample).
import { Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import { channelCounter, channelGauge } from './metrics.ts';
import type { TimelineStats } from './timeline-channel.ts';

export interface TimelineMetricsSource {
  timelines(): Iterable<{ readonly name: string; readonly stats: TimelineStats }>;
}

export class TimelineMetrics {
  private readonly seekSeconds: Histogram;

  constructor(registry: Registry, source: TimelineMetricsSource) {
    const registers = [registry];
    const timelines = () => source.timelines();
    channelGauge(registers, 'tidewire_timeline_sessions', 'Timeline playback sessions (one per subscriber)', timelines, (t) => t.stats.sessions);
    const counter = (name: string, help: string, read: (s: TimelineStats) => number) => channelCounter(registers, name, help, timelines, (t) => read(t.stats));
    counter('tidewire_timeline_frames_sent_total', 'Timeline frames sent to viewers', (s) => s.framesSent);
    counter('tidewire_timeline_frame_bytes_sent_total', 'Encoded timeline frame bytes sent to viewers (without message headers)', (s) => s.frameBytesSent);
    counter('tidewire_timeline_credit_stalls_total', 'Times a session had frames due but no credit', (s) => s.creditStalls);
    counter('tidewire_timeline_keyframe_skips_total', 'Times a session that fell behind skipped ahead to a keyframe', (s) => s.keyframeSkips);
    counter('tidewire_timeline_frames_skipped_total', 'Frames never sent because their session skipped to a keyframe', (s) => s.framesSkipped);
    counter('tidewire_timeline_frames_dropped_total', 'Frames of an older epoch dropped before they were written (seeks)', (s) => s.framesDropped);
    counter('tidewire_timeline_seeks_total', 'Seeks (including returns to live)', (s) => s.seeks);
    this.seekSeconds = new Histogram({
      name: 'tidewire_timeline_seek_latency_seconds',
      help: 'From a seek request to its keyframe handed to the socket',
      buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
  }

  observeSeek(seconds: number): void {
    this.seekSeconds.observe(seconds);
  }
}
