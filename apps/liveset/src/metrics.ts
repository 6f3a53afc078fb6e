// Prometheus counters of the mirror, registered on the server's own registry (GET /metrics).
// Hot paths bump plain numbers; prom-client reads them at scrape time, as the server does.
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { OSC_DROP_CODES, type OscDropCode } from './osc/errors.ts';

/** Why an incoming OSC packet or message was dropped: the codes of docs/liveset-osc.md §5. */
export const DROP_CODES = Object.keys(OSC_DROP_CODES) as OscDropCode[];

/** Why a control message from a client was refused (docs/liveset-osc.md §4). */
export const CONTROL_REJECT_REASONS = ['unknown_key', 'bad_value', 'out_of_range', 'not_armable', 'rate_limited', 'no_live'] as const;
export type ControlRejectReason = (typeof CONTROL_REJECT_REASONS)[number];

const LIVE_REQUEST_RESULTS = ['ok', 'retry', 'timeout'] as const;
export type LiveRequestResult = (typeof LIVE_REQUEST_RESULTS)[number];

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of keys) out[k] = 0;
  return out;
}

export class LiveSetMetrics {
  /** OSC messages that were applied (tree, events, or a reply to a request). */
  oscMessages = 0;
  readonly dropped = zeros(DROP_CODES);
  controlSent = 0;
  readonly controlRejected = zeros(CONTROL_REJECT_REASONS);
  readonly alsLoads = { ok: 0, error: 0 };
  readonly liveRequests = zeros(LIVE_REQUEST_RESULTS);
  liveSyncs = 0;
  /** /live/error messages from AbletonOSC. */
  liveErrors = 0;
  /** OSC messages ignored because another node of the cluster owns the tree. */
  oscIgnoredFollowing = 0;

  /** Registers the counters on `registry` (a server's own: GET /metrics). */
  register(registry: Registry): void {
    const registers = [registry];
    // reason: prom-client's collect() runs with `this` bound to the metric, so these are
    // plain functions reading the counts through `self`.
    const self = this;
    const labelled = (name: string, help: string, label: string, read: () => Record<string, number>) =>
      new Counter({
        name,
        help,
        labelNames: [label],
        registers,
        collect() {
          this.reset();
          for (const [k, v] of Object.entries(read())) this.inc({ [label]: k }, v);
        },
      });
    const plain = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    plain('tidewire_liveset_osc_messages_total', 'OSC messages applied to the mirror', () => self.oscMessages);
    labelled('tidewire_liveset_osc_dropped_total', 'OSC packets or messages dropped, by code', 'code', () => self.dropped);
    plain('tidewire_liveset_control_sent_total', 'Control messages sent to Live', () => self.controlSent);
    labelled('tidewire_liveset_control_rejected_total', 'Control messages from clients refused, by reason', 'reason', () => self.controlRejected);
    labelled('tidewire_liveset_als_loads_total', 'Reads of the .als file, by result', 'result', () => self.alsLoads);
    labelled('tidewire_liveset_live_requests_total', 'Requests to AbletonOSC, by result', 'result', () => self.liveRequests);
    plain('tidewire_liveset_live_syncs_total', 'Completed full syncs from Live', () => self.liveSyncs);
    plain('tidewire_liveset_live_errors_total', '/live/error messages from AbletonOSC', () => self.liveErrors);
    plain('tidewire_liveset_osc_ignored_following_total', 'OSC messages ignored: another node of the cluster owns the tree', () => self.oscIgnoredFollowing);
  }
}
