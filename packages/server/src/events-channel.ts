// An events channel (docs/protocol.md §4.8): latest-wins values by key. The server keeps the
// latest value of every key and replays them to a new subscriber; publish() encodes one EVENT
// frame and hands the same bytes to every subscriber's outbox.
import { encodeEvent, MAX_KEY_BYTES } from '@tidewire/protocol';
import { ChannelBase } from './channel.ts';
import type { ConnectionInfo } from './channel.ts';
import type { Connection } from './connection.ts';
import { ServerError } from './errors.ts';
import type { EncodeTimer } from './metrics.ts';

export interface EventsChannelOptions {
  /** Client-to-server EVENTs; without it the channel is read-only (TW_READ_ONLY). */
  onMessage?(key: string, value: unknown, conn: ConnectionInfo): void;
}

export interface EventsChannel {
  readonly kind: 'events';
  readonly name: string;
  readonly id: number;
  /** Sends `value` under `key` to every subscriber (latest-wins) and remembers it. */
  publish(key: string, value: unknown): void;
  /** The last value published under `key`. */
  latest(key: string): unknown;
}

interface Latest {
  value: unknown;
  frame: Uint8Array;
}

const encoder = new TextEncoder();

/** Sees the values this process publishes on an events channel (the cluster forwards them). */
export interface EventsChannelObserver {
  published(key: string, value: unknown): void;
}

/** Where a client's EVENT goes instead of `onMessage` (the cluster routes it to the owner). */
export type EventsInputRoute = (key: string, value: unknown, conn: ConnectionInfo) => void;

/**
 * What the cluster (packages/cluster, docs/cluster.md §9) needs of an events channel: to see
 * local publishes, to publish another node's values without seeing them again, and to send
 * client input elsewhere or deliver input that came from elsewhere. Not for applications.
 */
export interface EventsChannelHooks {
  readonly name: string;
  /** Whether clients may send EVENTs (the channel has an onMessage). */
  readonly acceptsInput: boolean;
  observe(observer: EventsChannelObserver | undefined): void;
  /** Publishes like publish() without telling the observer: the value came from the cluster. */
  publishFromCluster(key: string, value: unknown): void;
  /** Every key's latest value, in publish order of first appearance. */
  entries(): IterableIterator<[string, unknown]>;
  /** Routes client EVENTs to `route` (undefined: back to onMessage). */
  routeInput(route: EventsInputRoute | undefined): void;
  /** Hands a client EVENT to onMessage as if `conn` had sent it here. */
  deliverInput(key: string, value: unknown, conn: ConnectionInfo): void;
}

export class EventsChannelImpl extends ChannelBase implements EventsChannel, EventsChannelHooks {
  readonly kind = 'events' as const;
  readonly onMessage: EventsChannelOptions['onMessage'] | undefined;
  private readonly values = new Map<string, Latest>();
  private readonly encodeTimer: EncodeTimer;
  private observer: EventsChannelObserver | undefined;
  private route: EventsInputRoute | undefined;

  constructor(name: string, id: number, opts: EventsChannelOptions, encodeTimer: EncodeTimer) {
    super(name, id);
    if (opts.onMessage !== undefined && typeof opts.onMessage !== 'function') {
      throw new ServerError('TW_SERVER_BAD_OPTION', 'events onMessage must be a function');
    }
    this.onMessage = opts.onMessage;
    this.encodeTimer = encodeTimer;
  }

  publish(key: string, value: unknown): void {
    this.publishFromCluster(key, value);
    this.observer?.published(key, value);
  }

  publishFromCluster(key: string, value: unknown): void {
    if (typeof key !== 'string' || key.length > MAX_KEY_BYTES || (key.length * 3 > MAX_KEY_BYTES && encoder.encode(key).length > MAX_KEY_BYTES)) {
      throw new ServerError('TW_SERVER_BAD_EVENT_KEY', `event key must be a string of at most ${MAX_KEY_BYTES} bytes`);
    }
    const t0 = performance.now();
    const frame = encodeEvent(this.id, key, value);
    this.encodeTimer.observe((performance.now() - t0) / 1000);
    const entry = this.values.get(key);
    if (entry) {
      entry.value = value;
      entry.frame = frame;
    } else {
      this.values.set(key, { value, frame });
    }
    for (const conn of this.subscribers) conn.outbox.event(this.id, key, frame);
  }

  latest(key: string): unknown {
    return this.values.get(key)?.value;
  }

  get acceptsInput(): boolean {
    return this.onMessage !== undefined;
  }

  observe(observer: EventsChannelObserver | undefined): void {
    this.observer = observer;
  }

  *entries(): IterableIterator<[string, unknown]> {
    for (const [key, entry] of this.values) yield [key, entry.value];
  }

  routeInput(route: EventsInputRoute | undefined): void {
    this.route = route;
  }

  /** A client's EVENT (the connection checked acceptsInput): to the route when one is set, else to onMessage. */
  input(key: string, value: unknown, conn: ConnectionInfo): void {
    if (this.route !== undefined) this.route(key, value, conn);
    else this.onMessage?.(key, value, conn);
  }

  deliverInput(key: string, value: unknown, conn: ConnectionInfo): void {
    this.onMessage?.(key, value, conn);
  }

  /** Subscribes `conn`: SUBSCRIBED (resume "none"), then the latest value of every key. */
  addSubscriber(conn: Connection): void {
    this.subscribers.add(conn);
    conn.startEvents(this);
    for (const [key, entry] of this.values) conn.outbox.event(this.id, key, entry.frame);
  }
}

/** The cluster hooks of one of this server's events channels. */
export function eventsChannelHooks(channel: EventsChannel): EventsChannelHooks {
  if (!(channel instanceof EventsChannelImpl))
    throw new ServerError('TW_SERVER_BAD_OPTION', 'eventsChannelHooks takes an events channel made by server.events()');
  return channel;
}
