// One Redis subscriber connection shared by every replica of a node: a connection in subscribe
// mode can run nothing else, and one per channel would cost a socket and a Redis client each.
import type { Redis } from 'ioredis';

export type PubListener = (message: Uint8Array) => void;

export class PubSubRouter {
  readonly #listeners = new Map<string, PubListener>();

  /** `subscriber` becomes this router's: it must not be used for other commands. */
  constructor(readonly subscriber: Redis) {
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      this.#listeners.get(channel.toString('latin1'))?.(new Uint8Array(message.buffer, message.byteOffset, message.byteLength));
    });
  }

  /** Resolves once Redis confirms the subscription: from then on no message is missed. */
  async subscribe(channel: string, listener: PubListener): Promise<void> {
    if (this.#listeners.has(channel)) throw new RangeError(`${channel} already has a listener`);
    this.#listeners.set(channel, listener);
    await this.subscriber.subscribe(channel);
  }

  /** True from the moment subscribe() is called until unsubscribe(). */
  isSubscribed(channel: string): boolean {
    return this.#listeners.has(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.#listeners.delete(channel)) return;
    // A connection that is closing or closed holds no subscription to end.
    await this.subscriber.unsubscribe(channel).catch(() => undefined);
  }
}
