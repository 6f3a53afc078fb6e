// One timeline channel on the connection (docs/timeline-format.md §W): SUBSCRIBE on every
// (re)connect, TL_CONTROL and TL_CREDIT out, TL_STATE and TL_FRAMES in. It keeps no playback
// state of its own: the player engine decides what to send and what to make of what arrives.
import { encodeSubscribe, encodeTlControl, encodeTlCredit, encodeUnsubscribe, TimelineFrameType } from '@tidewire/protocol';
import type { SubscribedFrame, TimelineFrame, TlControlFrame, TlFramesFrame, TlStateFrame } from '@tidewire/protocol';
import { Emitter } from '../emitter.ts';
import { ClientError } from '../errors.ts';

export type TimelineControl = Omit<TlControlFrame, 'type' | 'channel'>;

export interface TimelineSubscriptionEvents {
  /** SUBSCRIBED arrived: a fresh server session (epoch 1, no credit) on a new channel id. */
  subscribed: { channel: number };
  /** The connection dropped or the server ended the channel; a reconnect subscribes again. */
  unsubscribed: { reason: string };
  state: TlStateFrame;
  /** `frames` are borrowed views into the message: decode or copy them inside the listener. */
  frames: TlFramesFrame;
}

/** What a TimelineSubscription needs from its client. */
export interface TimelineHost {
  send(frame: Uint8Array): boolean;
  report(err: ClientError): void;
  release(sub: TimelineSubscription): void;
}

export class TimelineSubscription extends Emitter<TimelineSubscriptionEvents> {
  readonly name: string;
  private readonly host: TimelineHost;
  private _channel: number | undefined = undefined;
  private released = false;

  constructor(name: string, host: TimelineHost) {
    super();
    this.name = name;
    this.host = host;
  }

  /** The server's channel id while subscribed. */
  get channel(): number | undefined {
    return this._channel;
  }

  get subscribed(): boolean {
    return this._channel !== undefined;
  }

  /** Sends TL_CONTROL; false when not subscribed (the caller restores its state on `subscribed`). */
  control(body: TimelineControl): boolean {
    if (this._channel === undefined) return false;
    return this.host.send(encodeTlControl(this._channel, body));
  }

  /** Grants credit (additive, §W.1); false when not subscribed (a new session starts at zero). */
  credit(frames: number, bytes: number): boolean {
    if (this._channel === undefined || (frames <= 0 && bytes <= 0)) return false;
    return this.host.send(encodeTlCredit(this._channel, Math.max(0, Math.floor(frames)), Math.max(0, Math.floor(bytes))));
  }

  /** Unsubscribes and forgets the subscription (the client makes a new one on the next call). */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this._channel !== undefined) this.host.send(encodeUnsubscribe(this._channel));
    this._channel = undefined;
    this.host.release(this);
    this.removeAll();
  }

  /** @internal */
  connected(): void {
    this.host.send(encodeSubscribe({ name: this.name }));
  }

  /** @internal */
  disconnected(reason = 'disconnected'): void {
    if (this._channel === undefined) return;
    this._channel = undefined;
    this.emit('unsubscribed', { reason });
  }

  /** @internal */
  onSubscribed(f: SubscribedFrame): void {
    if (f.kind !== 'timeline') {
      this.host.send(encodeUnsubscribe(f.channel));
      this.host.report(new ClientError('TW_WRONG_KIND', `channel ${this.name} is a ${f.kind} channel, not a timeline channel`, { channelName: this.name }));
      return;
    }
    this._channel = f.channel;
    this.emit('subscribed', { channel: f.channel });
  }

  /** @internal */
  onTimelineFrame(f: TimelineFrame): void {
    if (f.type === TimelineFrameType.TL_STATE) this.emit('state', f);
    else if (f.type === TimelineFrameType.TL_FRAMES) this.emit('frames', f);
    else throw new ClientError('TW_BAD_FRAME', `timeline frame type 0x${f.type.toString(16)} is client-to-server`);
  }
}
