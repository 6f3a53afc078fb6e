// TidewireClient: one WebSocket, the HELLO/WELCOME handshake, subscriptions by channel name,
// and reconnects with backoff that resume every tree channel from its position
// (docs/protocol.md §4). Isomorphic: the WebSocket constructor is injected or global.
import {
  FrameType,
  MAX_NAME_BYTES,
  PROTOCOL_VERSION,
  ProtocolError,
  badFrame,
  decodeFrame,
  decodeTimelineFrame,
  encodeHello,
  encodeUnsubscribe,
  isTimelineFrameType,
} from '@tidewire/protocol';
import type { ErrorFrame, Frame, Limits, SubscribedFrame, TimelineFrame, WelcomeFrame } from '@tidewire/protocol';
import { Backoff, reconnectOptions } from './backoff.ts';
import type { ReconnectOptions } from './backoff.ts';
import { Emitter } from './emitter.ts';
import { ClientError, invalidOption, toClientError } from './errors.ts';
import { EventsSubscription } from './events-subscription.ts';
import { inflateRaw } from './inflate.ts';
import type { Inflate } from './inflate.ts';
import type { EventListener, EventsHost } from './events-subscription.ts';
import { TimelineSubscription } from './player/timeline-subscription.ts';
import type { TimelineHost } from './player/timeline-subscription.ts';
import { SOCKET_OPEN, closeQuietly, connectUrl, messageBytes, resolveSocketConstructor } from './socket.ts';
import type { SocketConstructor, SocketLike } from './socket.ts';
import { realTimers } from './timers.ts';
import type { TimerHandle, Timers } from './timers.ts';
import { TreeSubscription } from './tree-subscription.ts';
import type { SubscriptionHost } from './tree-subscription.ts';
import type { WaitOptions } from './waiters.ts';
import { Waiters } from './waiters.ts';

export interface ClientOptions {
  /** ws:, wss:, http: or https: URL of the server; a bare origin gets the path `/ws`. */
  url: string;
  /** WebSocket constructor; default the global one. In Node pass `WebSocket` from `ws`. */
  WebSocket?: unknown;
  /** Sent as `?access_token=` (browsers cannot set headers on a WebSocket). */
  token?: string;
  /** Free text in HELLO, for server logs. */
  clientName?: string;
  /** Backoff settings, or false to stay disconnected after a drop. */
  reconnect?: Partial<ReconnectOptions> | false;
  /** Close and retry when WELCOME has not arrived this long after the socket was created. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Largest snapshot the client assembles. Default 256 MiB. */
  maxSnapshotBytes?: number;
  /** Largest frame accepted from the server. Default 64 MiB. */
  maxIncomingFrameBytes?: number;
  /** Inflates deflate-raw snapshot bodies; default DecompressionStream. */
  inflate?: Inflate;
  /** Connect in the constructor (default true); otherwise call connect(). */
  connect?: boolean;
  /** Injected clock and timers (tests). */
  timers?: Timers;
  /** Injected randomness for jitter (tests). */
  random?: () => number;
}

/** connecting: first attempt; open: welcomed; reconnecting: waiting for or making a retry; failed: stopped by a fatal error. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' | 'failed';

export interface FrameInfo {
  type: number;
  bytes: number;
  decodeMs: number;
}

export interface ClientEvents {
  state: ConnectionState;
  welcome: WelcomeFrame;
  error: ClientError;
  /** Every frame received (for throughput meters). */
  frame: FrameInfo;
  /** The WebSocket opened; `at` in ms since the Unix epoch (performance.timeOrigin + now), so
   *  another thread can place it on its own clock (docs/client.md §4.1). */
  open: { at: number };
  disconnect: { code: number; reason: string };
}

const CAPABILITIES = ['tree', 'events', 'chunked-snapshots', 'resume', 'timeline'];
/** How long close() waits for the close handshake before cutting the socket. */
const CLOSE_TIMEOUT_MS = 1000;
const encoder = new TextEncoder();

export class TidewireClient extends Emitter<ClientEvents> {
  readonly url: string;
  readonly timers: Timers;
  readonly maxSnapshotBytes: number;
  private readonly Socket: SocketConstructor;
  private readonly clientName: string;
  private readonly reconnectOpts: ReconnectOptions | false;
  private readonly backoff: Backoff;
  private readonly handshakeTimeoutMs: number;
  private readonly maxIncomingFrameBytes: number;
  private readonly trees = new Map<string, TreeSubscription>();
  private readonly eventSubs = new Map<string, EventsSubscription>();
  private readonly timelineSubs = new Map<string, TimelineSubscription>();
  private readonly channels = new Map<number, TreeSubscription | EventsSubscription | TimelineSubscription>();
  private readonly waiters: Waiters;
  private socket: SocketLike | null = null;
  private _welcome: WelcomeFrame | null = null;
  /**
   * HELLO went out on the current socket. Subscriptions are pipelined right behind it instead of
   * waiting for WELCOME (docs/protocol.md §4.1): one round trip less on every (re)connect.
   */
  private helloSent = false;
  /** HELLO never changes for a client: encoded once, while the first socket connects. */
  private helloFrame: Uint8Array | undefined = undefined;
  private _state: ConnectionState = 'idle';
  private _fatal: ClientError | null = null;
  private everOpened = false;
  private retryTimer: TimerHandle | undefined = undefined;
  private handshakeTimer: TimerHandle | undefined = undefined;
  private stableTimer: TimerHandle | undefined = undefined;
  private lastSocketError = '';
  private closeResolvers: (() => void)[] = [];
  /** The socket close() is waiting for. */
  private closingSocket: SocketLike | null = null;
  /** What TreeSubscription / EventsSubscription / TimelineSubscription call back into. */
  private readonly host: SubscriptionHost & EventsHost;
  private readonly timelineHost: TimelineHost;

  constructor(options: ClientOptions) {
    super();
    if (!options || typeof options !== 'object') throw invalidOption('options must be an object');
    this.url = connectUrl(options.url, options.token);
    this.Socket = resolveSocketConstructor(options.WebSocket);
    this.timers = options.timers ?? realTimers;
    this.clientName = options.clientName ?? 'tidewire-client';
    if (typeof this.clientName !== 'string' || encoder.encode(this.clientName).length > MAX_NAME_BYTES) {
      throw invalidOption(`clientName must be a string of at most ${MAX_NAME_BYTES} bytes`);
    }
    this.reconnectOpts = options.reconnect === false ? false : reconnectOptions(options.reconnect);
    this.backoff = new Backoff(this.reconnectOpts || reconnectOptions(undefined), options.random);
    this.handshakeTimeoutMs = positive(options.handshakeTimeoutMs, 10_000, 'handshakeTimeoutMs');
    this.maxSnapshotBytes = positive(options.maxSnapshotBytes, 256 * 1024 * 1024, 'maxSnapshotBytes');
    this.maxIncomingFrameBytes = positive(options.maxIncomingFrameBytes, 64 * 1024 * 1024, 'maxIncomingFrameBytes');
    this.host = {
      timers: this.timers,
      maxSnapshotBytes: this.maxSnapshotBytes,
      inflate: options.inflate ?? inflateRaw,
      send: (frame) => this.sendFrame(frame),
      fault: (err) => {
        if (this.socket) this.drop(badFrameError(err), 1002, 'TW_BAD_FRAME');
      },
      release: (sub) => this.releaseTree(sub),
      maxFrameBytes: () => this._welcome?.limits.maxFrameBytes ?? Infinity,
      report: (err) => this.emit('error', err),
    };
    this.timelineHost = {
      send: (frame) => this.sendFrame(frame),
      report: (err) => this.emit('error', err),
      release: (sub) => this.releaseTimeline(sub),
    };
    this.waiters = new Waiters(this.timers);
    if (options.connect !== false) this.connect();
  }

  get state(): ConnectionState {
    return this._state;
  }

  /** The server's WELCOME on the current connection; null while not connected. */
  get welcome(): WelcomeFrame | null {
    return this._welcome;
  }

  get limits(): Limits | null {
    return this._welcome?.limits ?? null;
  }

  /** The error that stopped the client (state 'failed'), if any. */
  get fatalError(): ClientError | null {
    return this._fatal;
  }

  /** Starts connecting (only needed with `connect: false`). */
  connect(): void {
    if (this._state !== 'idle') return;
    this.setState('connecting');
    this.openSocket();
  }

  /**
   * The replica of tree channel `name` (one per name per client). It subscribes now when
   * connected, else as soon as the connection is welcomed.
   */
  tree(name: string): TreeSubscription {
    return this.obtain(this.trees, name, () => new TreeSubscription(name, this.host));
  }

  /**
   * Timeline channel `name` (docs/timeline-format.md §W; one per name per client): subscribed
   * on every (re)connect. The player engine drives it (src/player); `release()` ends it.
   */
  timeline(name: string): TimelineSubscription {
    return this.obtain(this.timelineSubs, name, () => new TimelineSubscription(name, this.timelineHost));
  }

  /** Listens to events channel `name`; returns the function that stops listening. */
  events(name: string, listener: EventListener): () => void {
    if (typeof listener !== 'function') throw invalidOption('events() needs a listener function');
    const sub = this.eventsSubscription(name);
    sub.listeners.add(listener);
    return () => {
      sub.listeners.delete(listener);
      if (sub.listeners.size === 0 && !sub.sendOnly) this.releaseEvents(sub);
    };
  }

  /**
   * Sends an EVENT to the application behind events channel `name`, subscribing to it if
   * needed. While disconnected the latest value per key is held and sent after resubscribing.
   */
  send(name: string, key: string, value: unknown): void {
    if (typeof key !== 'string') throw invalidOption('event key must be a string');
    const sub = this.eventsSubscription(name);
    sub.sendOnly = true;
    sub.send(key, value);
  }

  /** Drops the current connection and connects again at once (backoff reset). */
  reconnect(): void {
    if (this.isEnded()) return;
    this.backoff.reset();
    if (this.retryTimer !== undefined) {
      this.timers.clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.openSocket();
      return;
    }
    if (this.socket) this.drop(null, 1000, 'reconnect', true);
  }

  /** Resolves when the client reaches `state` (rejects if it fails or closes first). */
  waitForState(state: ConnectionState, options?: WaitOptions): Promise<void> {
    return this.waiters.wait(
      () => {
        if (this._state === state) return true;
        if (this._state === 'failed') throw this._fatal!;
        if (this._state === 'closed') throw new ClientError('TW_CLOSED', 'the client is closed');
        return false;
      },
      `state ${state}`,
      options,
    );
  }

  /** Closes the connection and every subscription. Resolves when the socket has closed. */
  close(): Promise<void> {
    if (this.isEnded() && !this.socket) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.closeResolvers.push(resolve));
    const wasFailed = this._state === 'failed';
    this.clearTimers();
    const err = new ClientError('TW_CLOSED', 'the client is closed');
    for (const sub of this.trees.values()) sub.end(err);
    this.trees.clear();
    this.eventSubs.clear();
    for (const sub of this.timelineSubs.values()) sub.disconnected('client closed');
    this.timelineSubs.clear();
    this.channels.clear();
    if (!wasFailed) this.setState('closed');
    const socket = this.socket;
    // Detached first: frames still arriving during the close handshake must not be handled.
    this.socket = null;
    this._welcome = null;
    this.helloSent = false;
    if (socket) {
      this.closingSocket = socket;
      closeQuietly(socket, 1000, 'client closed');
      // A peer that never answers the close handshake must not hold close() (ws waits 30 s).
      const timer = this.timers.setTimeout(() => {
        (socket as { terminate?: () => void }).terminate?.();
        this.resolveClosed();
      }, CLOSE_TIMEOUT_MS);
      this.closeResolvers.push(() => this.timers.clearTimeout(timer));
    } else {
      this.resolveClosed();
    }
    return done;
  }

  // ---- connection --------------------------------------------------------------------

  private openSocket(): void {
    this.retryTimer = undefined;
    let ws: SocketLike;
    try {
      ws = new this.Socket(this.url);
    } catch (err) {
      this.emit('error', toClientError(err, 'TW_CONNECT_FAILED'));
      this.afterDisconnect();
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.socket = ws;
    this.lastSocketError = '';
    // Encoded here, not in onopen: the connect is under way, and in a fresh worker the first
    // encode (msgpackr's code compiling) took ~7 ms between the socket opening and HELLO leaving.
    const hello = (this.helloFrame ??= encodeHello({
      protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor],
      client: this.clientName,
      capabilities: CAPABILITIES,
    }));
    ws.onopen = () => {
      if (this.socket !== ws) return;
      if (this.listenerCount('open') > 0) this.emit('open', { at: performance.timeOrigin + performance.now() });
      ws.send(hello);
      this.helloSent = true;
      for (const sub of this.trees.values()) sub.connected();
      for (const sub of this.eventSubs.values()) sub.connected();
      for (const sub of this.timelineSubs.values()) sub.connected();
    };
    ws.onmessage = (ev) => {
      if (this.socket === ws) this.onMessage(ev.data);
    };
    ws.onerror = (ev) => {
      const e = ev as { message?: unknown; error?: { message?: unknown } };
      this.lastSocketError = String(e.message ?? e.error?.message ?? 'socket error');
    };
    ws.onclose = (ev) => {
      if (this.socket === ws) this.onClosed(ev.code, ev.reason);
      else if (ws === this.closingSocket) this.resolveClosed();
    };
    this.handshakeTimer = this.timers.setTimeout(() => {
      this.handshakeTimer = undefined;
      if (this.socket === ws && !this._welcome) {
        this.drop(new ClientError('TW_HANDSHAKE_TIMEOUT', `no WELCOME within ${this.handshakeTimeoutMs} ms`), 1000, 'handshake timeout');
      }
    }, this.handshakeTimeoutMs);
  }

  private onMessage(data: unknown): void {
    const bytes = messageBytes(data);
    if (!bytes) {
      this.drop(new ClientError('TW_TEXT_FRAME', 'the server sent a text message'), 1003, 'TW_TEXT_FRAME');
      return;
    }
    if (bytes.length > this.maxIncomingFrameBytes) {
      this.drop(
        new ClientError('TW_FRAME_TOO_LARGE', `a ${bytes.length}-byte frame is above maxIncomingFrameBytes ${this.maxIncomingFrameBytes}`),
        1009,
        'TW_FRAME_TOO_LARGE',
      );
      return;
    }
    const t0 = this.timers.now();
    // docs/timeline-format.md §W: frame types 0x40–0x4F have a decoder of their own.
    const timeline = isTimelineFrameType(bytes[0]!);
    let frame: Frame | TimelineFrame;
    try {
      frame = timeline ? decodeTimelineFrame(bytes) : decodeFrame(bytes);
    } catch (err) {
      if (err instanceof ProtocolError && !err.fatal) {
        // TW_UNKNOWN_FRAME_TYPE: a newer server's addition; ignore it (§4).
        this.emit('error', toClientError(err, 'TW_UNKNOWN_FRAME_TYPE'));
        return;
      }
      this.drop(badFrameError(err), 1002, 'TW_BAD_FRAME');
      return;
    }
    const decodeMs = this.timers.now() - t0;
    // Checked first so an unmetered client allocates nothing per frame here.
    if (this.listenerCount('frame') > 0) this.emit('frame', { type: frame.type, bytes: bytes.length, decodeMs });
    const socket = this.socket;
    try {
      if (timeline) this.dispatchTimeline(frame as TimelineFrame);
      else this.dispatch(frame as Frame, decodeMs);
    } catch (err) {
      // Frames that decode but do not fit (invalid tree, chunk out of order, frame in the
      // wrong state) are malformed input too: report, close, reconnect (§6).
      if (this.socket === socket && socket) this.drop(badFrameError(err), 1002, 'TW_BAD_FRAME');
      else this.emit('error', badFrameError(err));
    }
  }

  /** Timeline frames go to the timeline subscription of their channel. */
  private dispatchTimeline(frame: TimelineFrame): void {
    if (!this._welcome) throw badFrame(`frame type 0x${frame.type.toString(16)} before WELCOME`);
    const sub = this.channels.get(frame.channel);
    // A channel we left (UNSUBSCRIBE in flight) may still deliver: ignore it.
    if (sub instanceof TimelineSubscription) sub.onTimelineFrame(frame);
  }

  private dispatch(frame: Frame, decodeMs: number): void {
    if (frame.type === FrameType.ERROR) {
      this.onServerError(frame);
      return;
    }
    if (frame.type === FrameType.WELCOME) {
      this.onWelcome(frame);
      return;
    }
    if (!this._welcome) throw badFrame(`frame type 0x${frame.type.toString(16)} before WELCOME`);
    switch (frame.type) {
      case FrameType.SUBSCRIBED:
        this.onSubscribed(frame);
        return;
      case FrameType.UNSUBSCRIBED: {
        const sub = this.channels.get(frame.channel);
        this.channels.delete(frame.channel);
        if (sub instanceof TreeSubscription) sub.onUnsubscribed(frame.reason);
        else if (sub) {
          sub.disconnected();
          this.emit('error', new ClientError('TW_CLOSED', `server ended ${sub.name}: ${frame.reason}`, { channelName: sub.name }));
        }
        return;
      }
      case FrameType.SNAPSHOT:
        this.treeFor(frame.channel)?.onSnapshot(frame);
        return;
      case FrameType.SNAPSHOT_BEGIN:
        this.treeFor(frame.channel)?.onSnapshotBegin(frame);
        return;
      case FrameType.SNAPSHOT_CHUNK:
        this.treeFor(frame.channel)?.onSnapshotChunk(frame);
        return;
      case FrameType.OPS:
        this.treeFor(frame.channel)?.onOps(frame, decodeMs);
        return;
      case FrameType.EVENT: {
        const sub = this.channels.get(frame.channel);
        if (sub instanceof EventsSubscription) sub.onEvent(frame);
        return;
      }
      default:
        throw badFrame(`frame type 0x${frame.type.toString(16)} is client-to-server`);
    }
  }

  private onWelcome(f: WelcomeFrame): void {
    if (this._welcome) throw badFrame('a second WELCOME');
    if (f.protocol[0] !== PROTOCOL_VERSION.major) {
      this.stop(
        new ClientError(
          'TW_PROTOCOL_VERSION',
          `server speaks protocol ${f.protocol.join('.')}, this client ${PROTOCOL_VERSION.major}.${PROTOCOL_VERSION.minor}`,
          { fatal: true },
        ),
      );
      return;
    }
    if (this.handshakeTimer !== undefined) this.timers.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this._welcome = f;
    this.everOpened = true;
    if (this.reconnectOpts) {
      this.stableTimer = this.timers.setTimeout(() => {
        this.stableTimer = undefined;
        this.backoff.reset();
      }, this.reconnectOpts.resetAfterMs);
    }
    this.setState('open');
    this.emit('welcome', f);
  }

  private onSubscribed(f: SubscribedFrame): void {
    const sub = this.byName(f.name);
    if (!sub) {
      // Answer to a SUBSCRIBE whose subscription was dropped meanwhile.
      this.sendFrame(encodeUnsubscribe(f.channel));
      return;
    }
    this.channels.set(f.channel, sub);
    sub.onSubscribed(f);
  }

  private onServerError(f: ErrorFrame): void {
    const err = new ClientError(f.code, f.message, { source: 'server', fatal: f.fatal && f.code === 'TW_PROTOCOL_VERSION', channelName: f.name });
    if (f.fatal) {
      if (f.code === 'TW_PROTOCOL_VERSION') this.stop(err);
      else this.drop(err, 1000, f.code);
      return;
    }
    const target = (f.channel !== undefined ? this.channels.get(f.channel) : undefined) ?? (f.name !== undefined ? this.byName(f.name) : undefined);
    if (target) err.channelName = target.name;
    if (target instanceof TreeSubscription) target.onServerError(err);
    else this.emit('error', err);
  }

  private onClosed(code: number, reason: string): void {
    if (code === 4001 && !this._fatal) {
      this._fatal = new ClientError('TW_PROTOCOL_VERSION', `server closed with 4001 (protocol version): ${reason}`, { fatal: true });
      this.emit('error', this._fatal);
    } else if (!this._welcome && !this.isEnded()) {
      this.emit(
        'error',
        new ClientError('TW_CONNECT_FAILED', `connection closed before WELCOME (code ${code}${this.lastSocketError ? `, ${this.lastSocketError}` : ''})`),
      );
    }
    this.socket = null;
    this.emit('disconnect', { code, reason });
    this.afterDisconnect();
  }

  /** Closes the current socket from this side and carries on as if it had dropped. */
  private drop(err: ClientError | null, code: number, reason: string, immediate = false): void {
    if (err) this.emit('error', err);
    const ws = this.socket;
    this.socket = null;
    if (ws) {
      closeQuietly(ws, code, reason);
      this.emit('disconnect', { code, reason });
    }
    this.afterDisconnect(immediate);
  }

  /** A fatal error: stop, no reconnect. */
  private stop(err: ClientError): void {
    this._fatal = err;
    this.drop(err, 4001, err.code);
  }

  private afterDisconnect(immediate = false): void {
    this.clearTimers();
    this._welcome = null;
    this.helloSent = false;
    this.channels.clear();
    for (const sub of this.trees.values()) sub.disconnected();
    for (const sub of this.eventSubs.values()) sub.disconnected();
    for (const sub of this.timelineSubs.values()) sub.disconnected();
    if (this.isEnded()) {
      if (this._state === 'closed') this.resolveClosed();
      return;
    }
    if (this._fatal) {
      for (const sub of this.trees.values()) sub.end(this._fatal, 'error');
      this.setState('failed');
      return;
    }
    if (this.reconnectOpts === false) {
      this.setState('closed');
      return;
    }
    this.setState(this.everOpened ? 'reconnecting' : this._state === 'connecting' ? 'connecting' : 'reconnecting');
    if (immediate) {
      this.openSocket();
      return;
    }
    this.retryTimer = this.timers.setTimeout(() => this.openSocket(), this.backoff.next());
  }

  private sendFrame(frame: Uint8Array): boolean {
    const ws = this.socket;
    if (!ws || !this.helloSent || ws.readyState !== SOCKET_OPEN) return false;
    ws.send(frame);
    return true;
  }

  // ---- subscriptions -----------------------------------------------------------------

  private treeFor(channel: number): TreeSubscription | undefined {
    const sub = this.channels.get(channel);
    return sub instanceof TreeSubscription ? sub : undefined;
  }

  private eventsSubscription(name: string): EventsSubscription {
    return this.obtain(this.eventSubs, name, () => new EventsSubscription(name, this.host));
  }

  /** The subscription `name` in `subs`; a new one is made, and subscribed once HELLO is out. */
  private obtain<S extends { connected(): void }>(subs: Map<string, S>, name: string, make: () => S): S {
    checkName(name);
    let sub = subs.get(name);
    if (!sub) {
      if (this.isEnded()) throw new ClientError('TW_CLOSED', 'the client is closed');
      sub = make();
      subs.set(name, sub);
      if (this.helloSent) sub.connected();
    }
    return sub;
  }

  /** The subscription of any kind named `name`. */
  private byName(name: string): TreeSubscription | EventsSubscription | TimelineSubscription | undefined {
    return this.trees.get(name) ?? this.eventSubs.get(name) ?? this.timelineSubs.get(name);
  }

  private releaseTree(sub: TreeSubscription): void {
    if (this.trees.get(sub.name) !== sub) return;
    this.trees.delete(sub.name);
    this.unsubscribeChannel(sub.channel);
  }

  private releaseEvents(sub: EventsSubscription): void {
    if (this.eventSubs.get(sub.name) !== sub) return;
    this.eventSubs.delete(sub.name);
    for (const [channel, s] of this.channels) if (s === sub) this.unsubscribeChannel(channel);
  }

  private releaseTimeline(sub: TimelineSubscription): void {
    if (this.timelineSubs.get(sub.name) !== sub) return;
    this.timelineSubs.delete(sub.name);
    // release() already sent UNSUBSCRIBE for the channel it knew.
    for (const [channel, s] of this.channels) if (s === sub) this.channels.delete(channel);
  }

  private unsubscribeChannel(channel: number | undefined): void {
    if (channel === undefined) return;
    this.channels.delete(channel);
    this.sendFrame(encodeUnsubscribe(channel));
  }

  // ---- misc --------------------------------------------------------------------------

  private isEnded(): boolean {
    return this._state === 'closed' || this._state === 'failed';
  }

  private setState(s: ConnectionState): void {
    if (s === this._state) return;
    this._state = s;
    this.emit('state', s);
    this.waiters.notify();
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.handshakeTimer, this.stableTimer]) if (t !== undefined) this.timers.clearTimeout(t);
    this.retryTimer = this.handshakeTimer = this.stableTimer = undefined;
  }

  private resolveClosed(): void {
    const rs = this.closeResolvers;
    this.closeResolvers = [];
    for (const r of rs) r();
  }
}

function badFrameError(err: unknown): ClientError {
  return new ClientError('TW_BAD_FRAME', err instanceof Error ? err.message : String(err), { cause: err });
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || encoder.encode(name).length > MAX_NAME_BYTES) {
    throw invalidOption(`channel name must be a non-empty string of at most ${MAX_NAME_BYTES} bytes`);
  }
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalidOption(`${name} must be a positive number, got ${String(value)}`);
  return value;
}
