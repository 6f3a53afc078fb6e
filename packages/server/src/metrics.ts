// Prometheus metrics for one server instance. Each server has its own Registry (tests run many
// servers in one process). Hot paths only bump plain numbers on the channel objects; the
// prom-client metrics read them at scrape time through `collect`, so sending a frame costs no
// label lookup.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { refusalStatus } from './errors.ts';
import type { RefusalCode } from './errors.ts';

/** What a channel exposes to metrics; the counters are plain fields bumped on hot paths. */
export interface ChannelCounters {
  readonly name: string;
  messagesSent: number;
  bytesSent: number;
  resyncs: number;
  subscriberCount(): number;
  queuedBytes(): number;
}

export interface MetricsSource {
  channelCounters(): Iterable<ChannelCounters>;
  connectionCount(): number;
}

export interface EncodeTimer {
  observe(seconds: number): void;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly protocolErrors: Counter<'code'>;
  private readonly refusals: Counter<'status'>;
  private readonly refusalsByCode: Counter<'code'>;
  private readonly jsonRenders: Counter<'encoding'>;
  private readonly encodeSeconds: Histogram<'channel'>;

  constructor(source: MetricsSource, defaultMetrics: boolean) {
    const registers = [this.registry];
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'tidewire_connections',
      help: 'Open WebSocket connections',
      registers,
      collect() {
        this.set(source.connectionCount());
      },
    });
    const channels = () => source.channelCounters();
    channelGauge(registers, 'tidewire_channel_subscribers', 'Subscribers per channel', channels, (c) => c.subscriberCount());
    channelGauge(registers, 'tidewire_channel_queued_bytes', 'State bytes queued for the channel across all connections', channels, (c) => c.queuedBytes());
    channelCounter(registers, 'tidewire_channel_messages_sent_total', 'Frames written for the channel (all connections)', channels, (c) => c.messagesSent);
    channelCounter(registers, 'tidewire_channel_bytes_sent_total', 'Bytes written for the channel (all connections)', channels, (c) => c.bytesSent);
    channelCounter(registers, 'tidewire_channel_resyncs_total', 'Snapshot resyncs of slow consumers', channels, (c) => c.resyncs);
    this.encodeSeconds = new Histogram({
      name: 'tidewire_channel_encode_seconds',
      help: 'Time to encode an OPS batch or a snapshot',
      labelNames: ['channel'],
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.protocolErrors = new Counter({
      name: 'tidewire_protocol_errors_total',
      help: 'Protocol errors by code (sent to clients, or detected on their frames)',
      labelNames: ['code'],
      registers,
    });
    this.refusals = new Counter({
      name: 'tidewire_upgrade_refusals_total',
      help: 'WebSocket upgrades refused before the handshake, by HTTP status (401 token, 403 host or origin, 404 path, 503 full, address over its cap, or closing)',
      labelNames: ['status'],
      registers,
    });
    this.refusalsByCode = new Counter({
      name: 'tidewire_refusals_total',
      help: 'Requests and connections turned away, by refusal code (docs/server.md §1.3)',
      labelNames: ['code'],
      registers,
    });
    this.jsonRenders = new Counter({
      name: 'tidewire_snapshot_json_renders_total',
      help: 'JSON renderings of GET /api/trees/:name made, by content coding (identity, gzip, br); cached per tree version',
      labelNames: ['encoding'],
      registers,
    });
  }

  upgradeRefused(code: RefusalCode): void {
    this.refusals.inc({ status: String(refusalStatus(code)) });
    this.refused(code);
  }

  refused(code: RefusalCode): void {
    this.refusalsByCode.inc({ code });
  }

  jsonRendered(encoding: string): void {
    this.jsonRenders.inc({ encoding });
  }

  protocolError(code: string): void {
    this.protocolErrors.inc({ code });
  }

  /** A per-channel histogram child, fetched once per channel rather than per observation. */
  encodeTimer(channel: string): EncodeTimer {
    return this.encodeSeconds.labels({ channel });
  }
}

/** A per-channel gauge read from the channels at scrape time. */
export function channelGauge<C extends { readonly name: string }>(
  registers: Registry[],
  name: string,
  help: string,
  channels: () => Iterable<C>,
  read: (c: C) => number,
): void {
  new Gauge({
    name,
    help,
    labelNames: ['channel'],
    registers,
    collect() {
      for (const c of channels()) this.set({ channel: c.name }, read(c));
    },
  });
}

/** A per-channel counter whose totals live on the channels (plain fields bumped on hot paths). */
export function channelCounter<C extends { readonly name: string }>(
  registers: Registry[],
  name: string,
  help: string,
  channels: () => Iterable<C>,
  read: (c: C) => number,
): void {
  new Counter({
    name,
    help,
    labelNames: ['channel'],
    registers,
    collect() {
      // The totals live on the channels; republish them as-is.
      this.reset();
      for (const c of channels()) this.inc({ channel: c.name }, read(c));
    },
  });
}
