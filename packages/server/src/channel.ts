// What tree and events channels share: identity, subscribers and the plain counters that
// metrics read at scrape time.
import type { ChannelKind } from '@tidewire/protocol';
import type { Connection } from './connection.ts';
import type { ChannelCounters } from './metrics.ts';
import { ServerError } from './errors.ts';

/** What an application learns about the connection behind a client message. */
export interface ConnectionInfo {
  /** Server-unique connection number. */
  readonly id: number;
  readonly remoteAddress: string;
  /** The `client` string from HELLO (free text, untrusted). */
  readonly client: string;
}

export abstract class ChannelBase implements ChannelCounters {
  abstract readonly kind: ChannelKind;
  readonly name: string;
  readonly id: number;
  readonly subscribers = new Set<Connection>();
  messagesSent = 0;
  bytesSent = 0;
  resyncs = 0;

  constructor(name: string, id: number) {
    this.name = name;
    this.id = id;
  }

  subscriberCount(): number {
    return this.subscribers.size;
  }

  queuedBytes(): number {
    let n = 0;
    for (const c of this.subscribers) n += c.outbox.queuedBytesOf(this.id);
    return n;
  }

  /** Forgets a subscriber (unsubscribe, restart, connection closed). */
  removeSubscriber(conn: Connection): void {
    this.subscribers.delete(conn);
  }
}

const encoder = new TextEncoder();

export function checkChannelName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || encoder.encode(name).length > 128) {
    throw new ServerError('TW_SERVER_BAD_CHANNEL_NAME', `channel name must be 1–128 bytes of UTF-8, got ${JSON.stringify(name)?.slice(0, 200)}`);
  }
  return name;
}
