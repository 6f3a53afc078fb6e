// One events channel: latest-wins messages keyed by a string (docs/protocol.md §4.8).
import { encodeEvent, encodeSubscribe, encodeUnsubscribe } from '@tidewire/protocol';
import type { EventFrame, SubscribedFrame } from '@tidewire/protocol';
import { ClientError } from './errors.ts';

export type EventListener = (key: string, value: unknown) => void;

export interface EventsHost {
  send(frame: Uint8Array): boolean;
  maxFrameBytes(): number;
  report(err: ClientError): void;
}

/** Outgoing values held while disconnected, latest per key; beyond this many keys the oldest goes. */
const MAX_PENDING_KEYS = 256;

export class EventsSubscription {
  readonly listeners = new Set<EventListener>();
  /** Kept for send() even without listeners. */
  sendOnly = false;
  private channel: number | undefined = undefined;
  private readonly pending = new Map<string, unknown>();

  constructor(
    readonly name: string,
    private readonly host: EventsHost,
  ) {}

  get subscribed(): boolean {
    return this.channel !== undefined;
  }

  /** @internal */
  connected(): void {
    this.host.send(encodeSubscribe({ name: this.name }));
  }

  /** @internal */
  disconnected(): void {
    this.channel = undefined;
  }

  /** @internal */
  onSubscribed(f: SubscribedFrame): void {
    if (f.kind !== 'events') {
      this.host.send(encodeUnsubscribe(f.channel));
      this.host.report(new ClientError('TW_WRONG_KIND', `channel ${this.name} is a ${f.kind} channel, not an events channel`, { channelName: this.name }));
      return;
    }
    this.channel = f.channel;
    const held = [...this.pending];
    this.pending.clear();
    for (const [key, value] of held) this.send(key, value);
  }

  /** @internal */
  onEvent(f: EventFrame): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(f.key, f.value);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /** Sends now when subscribed, else holds the value (latest wins) until SUBSCRIBED. */
  send(key: string, value: unknown): void {
    if (this.channel !== undefined) {
      const frame = encodeEvent(this.channel, key, value);
      if (frame.length > this.host.maxFrameBytes()) {
        throw new ClientError('TW_FRAME_TOO_LARGE', `EVENT ${key} on ${this.name} is ${frame.length} bytes, above maxFrameBytes ${this.host.maxFrameBytes()}`, {
          channelName: this.name,
        });
      }
      if (this.host.send(frame)) return;
    }
    this.pending.delete(key);
    this.pending.set(key, value);
    if (this.pending.size > MAX_PENDING_KEYS) this.pending.delete(this.pending.keys().next().value!);
  }
}
