// Events channels and client requests across nodes (docs/cluster.md §9). An events channel
// follows the owner of a tree channel: the owner's app publishes, every other node republishes
// what the owner published (latest-wins, with the latest value of each key kept in Redis for a
// node that joins later). Client input on a request channel goes to the owner's app, wherever
// the client is connected.
import type { ConnectionInfo, EventsChannelHooks } from '@tidewire/server';
import { pack, unpack } from '@tidewire/protocol';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { ClusterError } from './errors.ts';
import { eventsKeys, type EventsKeys } from './keys.ts';
import type { PubSubRouter } from './pubsub.ts';

/** The largest event or request message accepted from Redis (a client's EVENT frame is far smaller). */
export const MAX_FANOUT_MESSAGE_BYTES = 1024 * 1024;

/** event := msgpack([origin, key, value]) — origin is the publishing node's id. */
export interface EventMessage {
  origin: string;
  key: string;
  value: unknown;
}

/** request := msgpack([origin, connection, remoteAddress, client, key, value]) */
export interface RequestMessage {
  origin: string;
  connection: number;
  remoteAddress: string;
  client: string;
  key: string;
  value: unknown;
}

function decodeArray(bytes: Uint8Array, what: string, length: number): unknown[] {
  if (bytes.length > MAX_FANOUT_MESSAGE_BYTES) {
    throw new ClusterError('TW_CLUSTER_BAD_DATA', `${what} of ${bytes.length} bytes is over the ${MAX_FANOUT_MESSAGE_BYTES}-byte limit`);
  }
  let v: unknown;
  try {
    v = unpack(bytes, what);
  } catch (err) {
    throw new ClusterError('TW_CLUSTER_BAD_DATA', `${what} does not decode: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(v) || v.length !== length) throw new ClusterError('TW_CLUSTER_BAD_DATA', `${what} must be an array of ${length} items`);
  return v;
}

function text(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new ClusterError('TW_CLUSTER_BAD_DATA', `${what} must be a string, got ${typeof v}`);
  return v;
}

export function encodeEventMessage(m: EventMessage): Uint8Array {
  return pack([m.origin, m.key, m.value]);
}

export function decodeEventMessage(bytes: Uint8Array): EventMessage {
  const [origin, key, value] = decodeArray(bytes, 'event message', 3);
  return { origin: text(origin, 'event message origin'), key: text(key, 'event message key'), value };
}

export function encodeRequestMessage(m: RequestMessage): Uint8Array {
  return pack([m.origin, m.connection, m.remoteAddress, m.client, m.key, m.value]);
}

export function decodeRequestMessage(bytes: Uint8Array): RequestMessage {
  const [origin, connection, remoteAddress, client, key, value] = decodeArray(bytes, 'request message', 6);
  if (!Number.isSafeInteger(connection)) throw new ClusterError('TW_CLUSTER_BAD_DATA', 'request message connection must be an integer');
  return {
    origin: text(origin, 'request message origin'),
    connection: connection as number,
    remoteAddress: text(remoteAddress, 'request message remoteAddress'),
    client: text(client, 'request message client'),
    key: text(key, 'request message key'),
    value,
  };
}

/** What a fanout or a route needs of its node. */
export interface FanoutContext {
  readonly redis: Redis;
  readonly router: PubSubRouter;
  readonly nodeId: string;
  readonly keyPrefix: string;
  report(error: unknown): void;
}

/** Counters of one events channel or request channel on this node. */
export interface FanoutStats {
  /** Messages sent to Redis (owner: events; edge: requests). */
  sent: number;
  /** Messages taken from Redis and applied here (edge: events; owner: requests). */
  received: number;
  /** Edge requests no owner was listening for (PUBLISH reached nobody: a failover was under way). */
  unrouted: number;
  /** Messages from Redis that did not decode (TW_CLUSTER_BAD_DATA). */
  bad: number;
}

const zeroStats = (): FanoutStats => ({ sent: 0, received: 0, unrouted: 0, bad: 0 });

/**
 * An events channel following its tree channel's owner. Owning: every local publish goes to
 * Redis (`HSET last` + `PUBLISH ev`, one MULTI) and the channel's current values replace
 * `last`. Following: the channel takes the owner's values (`last` once, then `ev`).
 */
export class EventsFanout {
  readonly keys: EventsKeys;
  readonly stats = zeroStats();
  #leading = false;

  constructor(
    readonly context: FanoutContext,
    readonly hooks: EventsChannelHooks,
  ) {
    this.keys = eventsKeys(hooks.name, context.keyPrefix);
  }

  async lead(): Promise<void> {
    this.#leading = true;
    await this.context.router.unsubscribe(this.keys.pub);
    const tx = this.context.redis.multi().del(this.keys.last);
    for (const [key, value] of this.hooks.entries()) tx.hset(this.keys.last, key, this.#message(key, value));
    this.hooks.observe({ published: (key, value) => this.#send(key, value) });
    await tx.exec();
  }

  async follow(): Promise<void> {
    this.#leading = false;
    this.hooks.observe(undefined);
    const { router } = this.context;
    if (!router.isSubscribed(this.keys.pub)) await router.subscribe(this.keys.pub, (message) => this.#receive(message));
    // After the subscription: a value published meanwhile arrives again on `pub`, in order, and
    // the last one per key wins either way (docs/cluster.md §9).
    const last = await this.context.redis.hgetallBuffer(this.keys.last);
    for (const message of Object.values(last)) this.#receive(message);
  }

  /** One event message: what `pub` carries and what `last` keeps per key, encoded once. */
  #message(key: string, value: unknown): Buffer {
    const m = encodeEventMessage({ origin: this.context.nodeId, key, value });
    return Buffer.from(m.buffer, m.byteOffset, m.byteLength);
  }

  #send(key: string, value: unknown): void {
    if (!this.#leading) return;
    const message = this.#message(key, value);
    this.stats.sent++;
    this.context.redis
      .multi()
      .hset(this.keys.last, key, message)
      .publish(this.keys.pub, message)
      .exec()
      .catch((err: unknown) => this.context.report(err));
  }

  #receive(bytes: Uint8Array): void {
    let m: EventMessage;
    try {
      m = decodeEventMessage(bytes);
    } catch (err) {
      this.stats.bad++;
      this.context.report(err);
      return;
    }
    if (this.#leading || m.origin === this.context.nodeId) return;
    this.stats.received++;
    this.hooks.publishFromCluster(m.key, m.value);
  }

  async close(): Promise<void> {
    this.#leading = false;
    this.hooks.observe(undefined);
    await this.context.router.unsubscribe(this.keys.pub);
  }
}

/** Most remote connections an owner tells apart at once (their numbers for the app's rate limits). */
const MAX_REMOTE_CONNECTIONS = 4096;

/**
 * Client input on an events channel, handled by the owner's app. Following: a client's EVENT is
 * published to `req` with the connection it came from. Owning: this node listens on `req` and
 * hands each request to the app as if a connection of its own had sent it; remote connections get
 * negative numbers, so an app's per-connection state (rate limits) never mixes them with local ones.
 */
export class RequestRoute {
  readonly keys: EventsKeys;
  readonly stats = zeroStats();
  readonly #remote = new LRUCache<string, ConnectionInfo>({ max: MAX_REMOTE_CONNECTIONS });
  #nextRemote = -1;

  constructor(
    readonly context: FanoutContext,
    readonly hooks: EventsChannelHooks,
  ) {
    if (!hooks.acceptsInput) throw new ClusterError('TW_CLUSTER_BAD_OPTION', `events channel ${hooks.name} takes no client input: nothing to route`);
    this.keys = eventsKeys(hooks.name, context.keyPrefix);
  }

  async lead(): Promise<void> {
    this.hooks.routeInput(undefined);
    const { router } = this.context;
    if (!router.isSubscribed(this.keys.req)) await router.subscribe(this.keys.req, (message) => this.#deliver(message));
  }

  async follow(): Promise<void> {
    await this.context.router.unsubscribe(this.keys.req);
    this.hooks.routeInput((key, value, conn) => this.#forward(key, value, conn));
  }

  #forward(key: string, value: unknown, conn: ConnectionInfo): void {
    const message = encodeRequestMessage({
      origin: this.context.nodeId,
      connection: conn.id,
      remoteAddress: conn.remoteAddress,
      client: conn.client,
      key,
      value,
    });
    this.stats.sent++;
    this.context.redis.publish(this.keys.req, Buffer.from(message)).then(
      (listeners) => {
        if (listeners === 0) this.stats.unrouted++;
      },
      (err: unknown) => {
        this.stats.unrouted++;
        this.context.report(err);
      },
    );
  }

  #deliver(bytes: Uint8Array): void {
    let m: RequestMessage;
    try {
      m = decodeRequestMessage(bytes);
    } catch (err) {
      this.stats.bad++;
      this.context.report(err);
      return;
    }
    const id = `${m.origin}/${m.connection}`;
    let conn = this.#remote.get(id);
    if (conn === undefined) {
      conn = { id: this.#nextRemote--, remoteAddress: m.remoteAddress, client: m.client };
      this.#remote.set(id, conn);
    }
    this.stats.received++;
    try {
      this.hooks.deliverInput(m.key, m.value, conn);
    } catch (err) {
      this.context.report(err);
    }
  }

  async close(): Promise<void> {
    this.hooks.routeInput(undefined);
    await this.context.router.unsubscribe(this.keys.req);
  }
}
