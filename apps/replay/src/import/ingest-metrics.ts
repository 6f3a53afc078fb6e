// The ingest's counters in the server's /metrics (docs/replay-import.md §3.5). As in the server's
// own metrics, the hot path bumps plain numbers on the ingest; prom-client reads them at scrape
// time. The metrics are registered once per registry and report every ingest mounted on it.
import { Counter, type Registry } from 'prom-client';

export interface IngestCounters {
  readonly channelName: string;
  /** Accepted datagrams by packet name. */
  readonly packets: ReadonlyMap<string, number>;
  /** Dropped datagrams by reason. */
  readonly dropped: ReadonlyMap<string, number>;
  readonly bytesReceived: number;
  readonly captureDropped: number;
  /** Failed writes of the recording files, keyed "<file> <code>" (file: capture, timeline). */
  readonly writeErrors: ReadonlyMap<string, number>;
}

const mounted = new WeakMap<Registry, Set<IngestCounters>>();

/** Adds an ingest to its server's metrics; returns the function that removes it. */
export function registerIngestMetrics(registry: Registry, ingest: IngestCounters): () => void {
  let set = mounted.get(registry);
  if (!set) {
    const ingests = new Set<IngestCounters>();
    set = ingests;
    mounted.set(registry, set);
    const registers = [registry];
    new Counter({
      name: 'tidewire_replay_udp_packets_total',
      help: 'F1 UDP datagrams accepted by the replay ingest, by packet type',
      labelNames: ['channel', 'type'],
      registers,
      collect() {
        this.reset();
        for (const g of ingests) for (const [type, n] of g.packets) this.inc({ channel: g.channelName, type }, n);
      },
    });
    new Counter({
      name: 'tidewire_replay_udp_dropped_total',
      help: 'F1 UDP datagrams dropped by the replay ingest, by reason (truncated, bad-length, unsupported-format, unknown-packet, bad-value, other-session, oversized)',
      labelNames: ['channel', 'reason'],
      registers,
      collect() {
        this.reset();
        for (const g of ingests) for (const [reason, n] of g.dropped) this.inc({ channel: g.channelName, reason }, n);
      },
    });
    new Counter({
      name: 'tidewire_replay_udp_bytes_total',
      help: 'Bytes of F1 UDP datagrams received by the replay ingest',
      labelNames: ['channel'],
      registers,
      collect() {
        this.reset();
        for (const g of ingests) this.inc({ channel: g.channelName }, g.bytesReceived);
      },
    });
    new Counter({
      name: 'tidewire_replay_capture_dropped_total',
      help: 'Datagrams not written to the --record capture because the disk fell behind',
      labelNames: ['channel'],
      registers,
      collect() {
        this.reset();
        for (const g of ingests) this.inc({ channel: g.channelName }, g.captureDropped);
      },
    });
    new Counter({
      name: 'tidewire_replay_record_errors_total',
      help: 'Recording files (file: capture, timeline) that stopped on a write error, by code (IMPORT_DISK_FULL, IMPORT_WRITE_FAILED)',
      labelNames: ['channel', 'file', 'code'],
      registers,
      collect() {
        this.reset();
        for (const g of ingests) {
          for (const [key, n] of g.writeErrors) {
            const [file, code] = key.split(' ');
            this.inc({ channel: g.channelName, file, code }, n);
          }
        }
      },
    });
  }
  set.add(ingest);
  const s = set;
  return () => void s.delete(ingest);
}
