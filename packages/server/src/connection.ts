// One WebSocket connection: the protocol state machine (HELLO → WELCOME → subscriptions) and
// the sink of its Outbox. WebSocket events go to module-level handlers that find the
// Connection on the socket, so no closures are created per message. Every input path is
// wrapped: a client can only ever hurt its own connection.
import {
  decodeFrame,
  decodeTimelineFrame,
  encodeError,
  encodeSubscribed,
  errorFrameFor,
  FrameType,
  isTimelineFrameType,
  PROTOCOL_VERSION,
  ProtocolError,
  TimelineFrameType,
} from '@tidewire/protocol';
import type { Frame, Position, ResyncReason, TimelineFrame } from '@tidewire/protocol';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import type { ConnectionInfo } from './channel.ts';
import { RefusalCodes } from './errors.ts';
import type { EventsChannelImpl } from './events-channel.ts';
import type { ErrorComponent } from './logging.ts';
import type { ServerMetrics } from './metrics.ts';
import type { ServerLimits } from './options.ts';
import { Outbox } from './outbox.ts';
import { kFaultHandler, TidewireSocket } from './socket.ts';
import type { FaultHandler } from './socket.ts';
import type { OutboxStats } from './outbox.ts';
import type { SnapshotStart } from './tree-channel.ts';
import type { TimelineChannelImpl } from './timeline-channel.ts';
import type { TreeChannelImpl } from './tree-channel.ts';
import type { WriteTurns } from './write-turns.ts';

export type AnyChannel = TreeChannelImpl | EventsChannelImpl | TimelineChannelImpl;

/** What a connection needs from its server. */
export interface ConnectionHost {
  readonly limits: ServerLimits;
  readonly serverMetrics: ServerMetrics;
  /** Shared by every connection: bounds the time pumps take per event-loop iteration. */
  readonly writeTurns: WriteTurns;
  welcomeFrame(): Uint8Array;
  channelByName(name: string): AnyChannel | undefined;
  channelById(id: number): AnyChannel | undefined;
  connectionClosed(conn: Connection): void;
  /** An internal error (our bug or the app's): logged once at `error` and counted. */
  reportInternal(component: ErrorComponent, err: unknown, context: Record<string, unknown>, msg: string): void;
  /** For what a client did wrong: `debug` only. */
  readonly log: Logger;
}

export interface ConnectionStats extends OutboxStats {
  id: number;
  subscriptions: number;
  /** ws.bufferedAmount: bytes in ws's and the socket's buffers. */
  bufferedAmount: number;
}

const kConnection = Symbol('tidewire.connection');
type TwSocket = WebSocket & { [kConnection]?: Connection };

const SEND_OPTIONS = { binary: true } as const;
const enum State {
  Handshake,
  Open,
  Closed,
}

// Close codes outside the protocol's table.
const CLOSE_GOING_AWAY = 1001;
const CLOSE_POLICY = 1008;
const CLOSE_INTERNAL = 1011;

export class Connection implements ConnectionInfo, FaultHandler {
  readonly id: number;
  readonly remoteAddress: string;
  client = '';
  /** Handed to onMessage with every client EVENT: built once at HELLO, which sets `client`. */
  private info: Readonly<ConnectionInfo> | undefined;
  readonly outbox: Outbox;
  private readonly ws: TwSocket;
  private readonly host: ConnectionHost;
  private state = State.Handshake;
  private readonly subs = new Map<number, AnyChannel>();
  /** Tree channels whose queue is held until this snapshot's frames are ready. */
  private readonly waiting = new Map<number, SnapshotStart>();
  private handshakeTimer: NodeJS.Timeout | undefined;
  /** Armed while the connection is open and subscribed to nothing (docs/server.md §1.2). */
  private idleTimer: NodeJS.Timeout | undefined;
  /** One completion callback per connection, reused for every send. */
  private readonly onSent: (err?: Error | null) => void;

  constructor(id: number, ws: WebSocket, remoteAddress: string, host: ConnectionHost) {
    this.id = id;
    this.ws = ws as TwSocket;
    this.remoteAddress = remoteAddress;
    this.host = host;
    this.outbox = new Outbox(this, { chunkBytes: host.limits.chunkBytes, maxQueuedBytes: host.limits.maxQueuedBytes, schedule: host.writeTurns.add });
    this.onSent = () => this.outbox.sent();
    this.ws[kConnection] = this;
    if (ws instanceof TidewireSocket) ws[kFaultHandler] = this;
    ws.on('message', onMessage);
    ws.on('close', onClose);
    ws.on('error', onError);
    this.handshakeTimer = setTimeout(onHandshakeTimeout, host.limits.handshakeTimeoutMs, this);
  }

  get stats(): ConnectionStats {
    return { id: this.id, subscriptions: this.subs.size, bufferedAmount: this.ws.bufferedAmount, ...this.outbox.stats };
  }

  // ---- OutboxSink ----------------------------------------------------------------------

  write(frame: Uint8Array): void {
    // docs/server.md §4.3: small messages as one buffer (the server's sockets are TidewireSockets).
    if (this.ws instanceof TidewireSocket) this.ws.sendBinary(frame, this.onSent);
    else this.ws.send(frame, SEND_OPTIONS, this.onSent);
  }

  account(channel: number, bytes: number): void {
    if (channel === 0) return;
    const ch = this.host.channelById(channel);
    if (ch) {
      ch.messagesSent++;
      ch.bytesSent += bytes;
    }
  }

  /** The state window reopened: timeline sessions blocked by the socket carry on. */
  drained(): void {
    for (const ch of this.subs.values()) if (ch.kind === 'timeline') ch.drained(this);
  }

  /** The socket drained after an overflow: a fresh snapshot for a channel still subscribed. */
  resync(channel: number): void {
    const ch = this.subs.get(channel);
    if (ch === undefined || ch.kind !== 'tree') return;
    // subscriberStart() may flush pending ops; this channel is still marked for resync in the
    // outbox, so that batch is dropped here (the snapshot or the tail after it carries it).
    const start = ch.subscriberStart();
    ch.resyncs++;
    this.startSnapshot(ch, 'gap', start);
  }

  // ---- called by channels --------------------------------------------------------------

  startReplay(ch: TreeChannelImpl, pos: Position, frames: readonly Uint8Array[]): void {
    if (this.state !== State.Open) return;
    this.outbox.restart(ch.id);
    this.waiting.delete(ch.id);
    this.control(encodeSubscribed({ name: ch.name, channel: ch.id, kind: 'tree', epoch: pos.epoch, offset: pos.offset, resume: 'replay' }));
    this.outbox.stateFrames(ch.id, frames);
  }

  /**
   * SUBSCRIBED (snapshot) now; the snapshot frames as soon as they are encoded, then `start.tail`
   * (the logged OPS from the snapshot's offset to now), then live OPS.
   */
  startSnapshot(ch: TreeChannelImpl, reason: ResyncReason, start: SnapshotStart): void {
    if (this.state !== State.Open) return;
    const { snap, tail } = start;
    this.outbox.restart(ch.id);
    this.control(encodeSubscribed({ name: ch.name, channel: ch.id, kind: 'tree', epoch: snap.epoch, offset: snap.offset, resume: 'snapshot', reason }));
    if (snap.status === 'ready') {
      this.waiting.delete(ch.id);
      this.outbox.stateFrames(ch.id, tail.length === 0 ? snap.frames! : [...snap.frames!, ...tail]);
      return;
    }
    this.outbox.hold(ch.id);
    this.waiting.set(ch.id, start);
    snap.whenSettled(() => this.onSnapshotSettled(ch, start));
  }

  private onSnapshotSettled(ch: TreeChannelImpl, start: SnapshotStart): void {
    // Only if this connection still waits for this very start (not restarted, not resynced).
    const channel = start.snap.channel;
    if (this.waiting.get(channel) !== start) return;
    this.waiting.delete(channel);
    if (start.snap.status === 'ready') {
      this.outbox.release(channel, [...start.snap.frames!, ...start.tail]);
    } else if (this.subs.get(channel) === ch) {
      // The snapshot thread could not encode it (docs/server.md §4.2): start over; the channel
      // now encodes on the event loop.
      this.startSnapshot(ch, 'gap', ch.subscriberStart());
    }
  }

  startEvents(ch: EventsChannelImpl): void {
    this.outbox.addEventsChannel(ch.id);
    this.control(encodeSubscribed({ name: ch.name, channel: ch.id, kind: 'events', epoch: 0, offset: 0, resume: 'none' }), ch.id);
  }

  deliverOps(ch: TreeChannelImpl, frame: Uint8Array): void {
    if (this.outbox.broadcastState(ch.id, frame) === 'overflow') {
      this.host.serverMetrics.protocolError('TW_SLOW_CONSUMER');
      const err = new ProtocolError('TW_SLOW_CONSUMER', `more than ${this.host.limits.maxQueuedBytes} bytes queued; ops dropped, a snapshot follows`, {
        channel: ch.id,
      });
      this.control(errorFrameFor(err));
    }
  }

  /** The channel started a new history: restart this subscription from a snapshot. */
  restartTree(ch: TreeChannelImpl, reason: ResyncReason): void {
    this.startSnapshot(ch, reason, ch.subscriberStart());
  }

  // ---- inbound -------------------------------------------------------------------------

  receive(data: Uint8Array, isBinary: boolean): void {
    if (this.state === State.Closed) return;
    try {
      if (!isBinary) throw new ProtocolError('TW_TEXT_FRAME', 'text WebSocket messages are not part of the protocol');
      if (this.state === State.Handshake && data[0] !== FrameType.HELLO) {
        throw new ProtocolError('TW_HANDSHAKE_REQUIRED', `frame type 0x${(data[0] ?? 0).toString(16)} before HELLO`);
      }
      if (isTimelineFrameType(data[0]!)) this.handleTimeline(decodeTimelineFrame(data));
      else this.handle(decodeFrame(data));
    } catch (err) {
      this.fail(err);
    }
  }

  private handle(f: Frame): void {
    switch (f.type) {
      case FrameType.HELLO:
        return this.onHello(f.protocol, f.client);
      case FrameType.SUBSCRIBE:
        return this.onSubscribe(f.name, f.from);
      case FrameType.UNSUBSCRIBE:
        return this.onUnsubscribe(f.channel);
      case FrameType.EVENT:
        return this.onEvent(f.channel, f.key, f.value);
      default:
        // A server-to-client frame sent by a client: a broken peer, not a newer one.
        throw new ProtocolError('TW_BAD_FRAME', `frame type 0x${f.type.toString(16)} is server-to-client only`);
    }
  }

  /** docs/timeline-format.md §W: a timeline frame from the client. */
  private handleTimeline(f: TimelineFrame): void {
    if (this.state !== State.Open) throw new ProtocolError('TW_HANDSHAKE_REQUIRED', 'timeline frame before HELLO');
    if (f.type !== TimelineFrameType.TL_CONTROL && f.type !== TimelineFrameType.TL_CREDIT) {
      throw new ProtocolError('TW_BAD_FRAME', `frame type 0x${f.type.toString(16)} is server-to-client only`);
    }
    const ch = this.subs.get(f.channel);
    if (ch === undefined || ch.kind !== 'timeline') {
      throw new ProtocolError('TW_NOT_SUBSCRIBED', `not subscribed to a timeline channel ${f.channel}`, { channel: f.channel });
    }
    if (f.type === TimelineFrameType.TL_CONTROL) ch.control(this, f);
    else ch.credit(this, f.frames, f.bytes);
  }

  private onHello(protocol: [number, number], client: string): void {
    if (this.state !== State.Handshake) throw new ProtocolError('TW_HANDSHAKE_REQUIRED', 'second HELLO');
    if (protocol[0] !== PROTOCOL_VERSION.major) {
      throw new ProtocolError(
        'TW_PROTOCOL_VERSION',
        `client speaks protocol ${protocol[0]}.${protocol[1]}, server speaks ${PROTOCOL_VERSION.major}.${PROTOCOL_VERSION.minor}`,
      );
    }
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.client = client;
    this.info = Object.freeze({ id: this.id, remoteAddress: this.remoteAddress, client });
    this.state = State.Open;
    this.control(this.host.welcomeFrame());
    this.armIdle();
  }

  /** Starts the idle clock when nothing is subscribed (at HELLO, after the last UNSUBSCRIBE). */
  private armIdle(): void {
    if (this.state !== State.Open || this.subs.size > 0 || this.idleTimer !== undefined) return;
    this.idleTimer = setTimeout(onIdleTimeout, this.host.limits.idleTimeoutMs, this);
  }

  private disarmIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** A connection past HELLO that holds a slot and subscribes to nothing: give the slot back. */
  idleTimedOut(): void {
    this.idleTimer = undefined;
    if (this.state !== State.Open || this.subs.size > 0) return;
    this.host.serverMetrics.refused('TW_IDLE_TIMEOUT');
    const frame = encodeError({ code: 'TW_IDLE_TIMEOUT', message: `subscribed to nothing for ${this.host.limits.idleTimeoutMs} ms`, fatal: true });
    this.close(RefusalCodes.TW_IDLE_TIMEOUT.closeCode, 'TW_IDLE_TIMEOUT', frame);
  }

  private onSubscribe(name: string, from: Position | undefined): void {
    const ch = this.host.channelByName(name);
    if (ch === undefined) throw new ProtocolError('TW_UNKNOWN_CHANNEL', `no channel named ${JSON.stringify(name)}`, { channelName: name });
    if (this.subs.has(ch.id)) {
      this.drop(ch); // subscribing again restarts the subscription
    } else if (this.subs.size >= this.host.limits.maxSubscriptions) {
      throw new ProtocolError('TW_TOO_MANY_SUBSCRIPTIONS', `at most ${this.host.limits.maxSubscriptions} subscriptions`, { channelName: name });
    } else if (ch.kind === 'timeline' && this.timelineSessions() >= this.host.limits.maxTimelineSessions) {
      throw new ProtocolError('TW_TOO_MANY_SUBSCRIPTIONS', `at most ${this.host.limits.maxTimelineSessions} timeline sessions`, { channelName: name });
    }
    this.subs.set(ch.id, ch);
    this.disarmIdle();
    if (ch.kind === 'tree') ch.addSubscriber(this, from);
    else ch.addSubscriber(this);
  }

  private onUnsubscribe(channel: number): void {
    const ch = this.subs.get(channel);
    if (ch === undefined) throw new ProtocolError('TW_NOT_SUBSCRIBED', `not subscribed to channel ${channel}`, { channel });
    this.drop(ch);
  }

  private onEvent(channel: number, key: string, value: unknown): void {
    const ch = this.subs.get(channel);
    if (ch === undefined) throw new ProtocolError('TW_NOT_SUBSCRIBED', `not subscribed to channel ${channel}`, { channel });
    if (ch.kind !== 'events' || !ch.acceptsInput) {
      throw new ProtocolError('TW_READ_ONLY', `channel ${JSON.stringify(ch.name)} takes no input`, { channel });
    }
    try {
      ch.input(key, value, this.info!);
    } catch (err) {
      // The application's bug, not the client's: log it and keep the connection.
      this.host.reportInternal('events', err, { channel: ch.name, key, connection: this.id, client: this.client }, 'events handler threw');
    }
  }

  private timelineSessions(): number {
    let n = 0;
    for (const ch of this.subs.values()) if (ch.kind === 'timeline') n++;
    return n;
  }

  private drop(ch: AnyChannel): void {
    ch.removeSubscriber(this);
    this.subs.delete(ch.id);
    this.waiting.delete(ch.id);
    this.outbox.dropChannel(ch.id);
    this.armIdle();
  }

  /** Queues a control frame (SUBSCRIBED, TL_STATE…): written ahead of every state frame. */
  sendControl(frame: Uint8Array): void {
    this.control(frame);
  }

  private control(frame: Uint8Array, opens = 0): void {
    if (!this.outbox.controlFrame(frame, opens)) {
      // The peer keeps asking for replies it does not read.
      this.host.serverMetrics.protocolError('TW_SLOW_CONSUMER');
      this.close(CLOSE_POLICY, 'control queue overflow');
    }
  }

  /** Reports an error to the peer: non-fatal as an ERROR frame, fatal by ERROR + close. */
  fail(err: unknown): void {
    if (this.state === State.Closed) return;
    if (!(err instanceof ProtocolError)) {
      this.host.reportInternal('ws', err, { connection: this.id, client: this.client }, 'message handling failed');
      this.close(CLOSE_INTERNAL, 'internal error');
      return;
    }
    this.host.serverMetrics.protocolError(err.code);
    // The client's mistake, not ours: counted above, logged for whoever debugs that client.
    this.host.log.debug({ code: err.code, connection: this.id, client: this.client, fatal: err.fatal }, err.message);
    if (!err.fatal) {
      this.control(errorFrameFor(err));
      return;
    }
    // Bypass the queues: the ERROR must precede the close frame, and nothing else matters now.
    const frame = errorFrameFor(err);
    this.close(err.closeCode ?? 1002, err.code, frame);
  }

  /** Closes the WebSocket (optionally after one last frame) and forgets all subscriptions. */
  close(code: number = CLOSE_GOING_AWAY, reason = '', lastFrame?: Uint8Array): void {
    if (this.state === State.Closed) return;
    this.cleanup();
    try {
      if (lastFrame && this.ws.readyState === 1) this.ws.send(lastFrame, SEND_OPTIONS);
      this.ws.close(code, reason);
    } catch (err) {
      this.host.reportInternal('ws', err, { connection: this.id, client: this.client }, 'close failed');
      this.ws.terminate();
    }
  }

  /** ws's receiver rejected the peer's input (1009: above maxFrameBytes; 1002, 1007: broken
   *  framing or UTF-8) and asks to close: the coded ERROR goes first, the code is the reason. */
  receiverFault(closeCode: number): boolean {
    if (this.state === State.Closed) return false;
    const err =
      closeCode === 1009
        ? new ProtocolError('TW_FRAME_TOO_LARGE', `a frame above maxFrameBytes (${this.host.limits.maxFrameBytes} bytes)`)
        : new ProtocolError('TW_BAD_FRAME', `invalid WebSocket framing (ws closes with ${closeCode})`);
    this.host.serverMetrics.protocolError(err.code);
    this.close(closeCode, err.code, errorFrameFor(err));
    return true;
  }

  /** ws rejected a frame itself (oversized, bad WebSocket framing) and is closing the socket. */
  transportFailed(code: 'TW_FRAME_TOO_LARGE' | 'TW_BAD_FRAME'): void {
    if (this.state === State.Closed) return;
    this.host.serverMetrics.protocolError(code);
    this.host.log.debug({ code, connection: this.id, client: this.client, fatal: true }, 'WebSocket framing error');
    this.cleanup();
  }

  /** Idempotent: detach from channels, release queues, tell the server. */
  cleanup(): void {
    if (this.state === State.Closed) return;
    this.state = State.Closed;
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.disarmIdle();
    for (const ch of this.subs.values()) ch.removeSubscriber(this);
    this.subs.clear();
    this.waiting.clear();
    this.outbox.close();
    this.host.connectionClosed(this);
  }
}

// ---- module-level WebSocket handlers ------------------------------------------------------

function onMessage(this: TwSocket, data: RawData, isBinary: boolean): void {
  const conn = this[kConnection];
  if (conn === undefined) return;
  // binaryType is 'nodebuffer', so data is one Buffer (ws concatenates fragments).
  conn.receive(data as Buffer, isBinary);
}

function onClose(this: TwSocket): void {
  this[kConnection]?.cleanup();
}

function onError(this: TwSocket, err: Error & { code?: string }): void {
  const conn = this[kConnection];
  if (conn === undefined) return;
  // ws has already failed the connection (and chosen the close code, 1009 for maxPayload).
  conn.transportFailed(err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'TW_FRAME_TOO_LARGE' : 'TW_BAD_FRAME');
}

function onIdleTimeout(conn: Connection): void {
  conn.idleTimedOut();
}

function onHandshakeTimeout(conn: Connection): void {
  conn.fail(new ProtocolError('TW_HANDSHAKE_TIMEOUT', 'no HELLO within the handshake timeout'));
}
