// One tree channel's replica: applies SUBSCRIBED / SNAPSHOT* / OPS frames in order and keeps
// the position (epoch, offset) it resumes from after a reconnect (docs/protocol.md §4.5–4.7).
import { SnapshotAssembler, SnapshotEncoding, badFrame, decodeSnapshotBody, encodeSubscribe, encodeUnsubscribe, unpack } from '@tidewire/protocol';
import type {
  OpsFrame,
  Position,
  ResyncReason,
  SnapshotBeginFrame,
  SnapshotChunkFrame,
  SnapshotEncodingCode,
  SnapshotFrame,
  SubscribedFrame,
} from '@tidewire/protocol';
import { Tree, parseOps } from '@tidewire/tree';
import type { Op } from '@tidewire/tree';
import { collectTouched } from './changes.ts';
import { Emitter } from './emitter.ts';
import { ClientError } from './errors.ts';
import type { Inflate } from './inflate.ts';
import type { Timers } from './timers.ts';
import { Waiters } from './waiters.ts';
import type { WaitOptions } from './waiters.ts';

export type SubscriptionStatus = 'connecting' | 'loading' | 'live' | 'reconnecting' | 'error' | 'closed';

export interface SnapshotEvent {
  tree: Tree;
  position: Position;
  /** Why the server sent a snapshot (SUBSCRIBED.reason); undefined for one it sent unasked. */
  reason: ResyncReason | undefined;
  nodeCount: number;
  /** msgpack decode + validation + tree build, in ms. */
  decodeMs: number;
}

export interface OpsEvent {
  ops: readonly Op[];
  /** Position after the batch. */
  position: Position;
  /** Ids whose node view may have changed: set targets, affected parents, added and removed nodes. */
  touched: ReadonlySet<string>;
  /** Frame decode + op validation, in ms. */
  decodeMs: number;
  applyMs: number;
}

export interface ProgressEvent {
  receivedBytes: number;
  totalBytes: number;
  nodeCount: number;
}

export interface TreeSubscriptionEvents {
  snapshot: SnapshotEvent;
  ops: OpsEvent;
  progress: ProgressEvent;
  status: SubscriptionStatus;
  error: ClientError;
}

/** What a subscription needs from its client. */
export interface SubscriptionHost {
  readonly timers: Timers;
  readonly maxSnapshotBytes: number;
  readonly inflate: Inflate;
  /** Sends a frame when connected and welcomed; false otherwise. */
  send(frame: Uint8Array): boolean;
  release(sub: TreeSubscription): void;
  /** Malformed input found outside the client's frame handler (after an async decode). */
  fault(err: unknown): void;
}

/** Server errors that mean "this subscription will not start"; others are informational. */
const REFUSALS = new Set(['TW_UNKNOWN_CHANNEL', 'TW_TOO_MANY_SUBSCRIPTIONS']);

export class TreeSubscription extends Emitter<TreeSubscriptionEvents> {
  readonly name: string;
  private _tree: Tree | null = null;
  private _position: Position | null = null;
  private _status: SubscriptionStatus = 'connecting';
  private _channel: number | undefined = undefined;
  private refusal: ClientError | null = null;
  private assembler: SnapshotAssembler | null = null;
  /** A SUBSCRIBE is outstanding: frames before its SUBSCRIBED belong to the old stream. */
  private awaitingSubscribed = false;
  /** SUBSCRIBED said a snapshot follows; OPS before it are not ours to apply. */
  private awaitingSnapshot = false;
  private snapshotReason: ResyncReason | undefined = undefined;
  /** The server's offset at SUBSCRIBED: the replica is live once it reaches it. */
  private catchUpTo = 0;
  /**
   * While a compressed snapshot inflates (async), later frames of this channel wait here so
   * they apply after it, in order. Other channels are not held up.
   */
  private inflating = false;
  private backlog: (() => void)[] = [];
  /** Bumped on disconnect/close: an inflate that finishes for an older stream is dropped. */
  private stream = 0;
  private readonly waiters: Waiters;

  constructor(
    name: string,
    private readonly host: SubscriptionHost,
  ) {
    super();
    this.name = name;
    this.waiters = new Waiters(host.timers);
  }

  /** The replica; null until the first snapshot. Read it, never mutate it. */
  get tree(): Tree | null {
    return this._tree;
  }

  /** The position the replica is at; null before the first snapshot. */
  get position(): Position | null {
    return this._position ? { ...this._position } : null;
  }

  get rootHash(): string | null {
    return this._tree ? this._tree.rootHash : null;
  }

  get status(): SubscriptionStatus {
    return this._status;
  }

  /** The server's channel id while subscribed on the current connection. */
  get channel(): number | undefined {
    return this._channel;
  }

  /** Resolves once the replica holds a tree and has caught up with the server. */
  async ready(options?: WaitOptions): Promise<this> {
    await this.waiters.wait(() => this.check() && this._tree !== null && this._status === 'live', `${this.name} to be live`, options);
    return this;
  }

  /** Resolves once the replica's offset reaches `offset` (in `epoch`, when given). */
  waitForOffset(offset: number, options: WaitOptions & { epoch?: number } = {}): Promise<void> {
    return this.waiters.wait(
      () => {
        this.check();
        const p = this._position;
        return p !== null && p.offset >= offset && (options.epoch === undefined || p.epoch === options.epoch);
      },
      `${this.name} to reach offset ${offset}`,
      options,
    );
  }

  /** Resolves once `predicate(this)` holds; re-checked after every snapshot, batch and status change. */
  waitFor(predicate: (sub: TreeSubscription) => boolean, options?: WaitOptions): Promise<void> {
    return this.waiters.wait(() => this.check() && predicate(this), `${this.name} to satisfy a predicate`, options);
  }

  /** Stops the subscription; pending waits reject with TW_CLOSED. */
  unsubscribe(): void {
    if (this._status === 'closed') return;
    this.host.release(this);
    this.end(new ClientError('TW_CLOSED', `subscription ${this.name} was closed`, { channelName: this.name }));
  }

  // ---- called by the client ----------------------------------------------------------

  /** @internal The SUBSCRIBE frame that resumes from the replica's position. */
  subscribeFrame(): Uint8Array {
    return encodeSubscribe(this._position ? { name: this.name, from: this._position } : { name: this.name });
  }

  /** @internal A connection sent HELLO: (re)subscribe from the current position (pipelined). */
  connected(): void {
    if (this._status === 'closed') return;
    this.refusal = null;
    this.resubscribe();
  }

  /** @internal The connection is gone; the replica and position stay for the resume. */
  disconnected(): void {
    if (this._status === 'closed') return;
    this.resetStream();
    if (this._status !== 'error') this.setStatus(this._tree ? 'reconnecting' : 'connecting');
  }

  /** @internal The client closed or failed: nothing more will arrive. */
  end(err: ClientError, status: 'closed' | 'error' = 'closed'): void {
    this.resetStream();
    if (status === 'error') this.refusal = err;
    this.setStatus(status);
    this.waiters.rejectAll(err);
  }

  /** @internal */
  onSubscribed(f: SubscribedFrame): void {
    if (this.inflating) return this.defer(this.onSubscribed, f);
    this.awaitingSubscribed = false;
    this.assembler = null;
    if (f.kind !== 'tree') {
      this._channel = undefined;
      this.host.send(encodeUnsubscribe(f.channel));
      this.fail(new ClientError('TW_WRONG_KIND', `channel ${this.name} is a ${f.kind} channel, not a tree`, { channelName: this.name }));
      return;
    }
    this._channel = f.channel;
    this.catchUpTo = f.offset;
    if (f.resume === 'replay') {
      const p = this._position;
      if (!p || p.epoch !== f.epoch || p.offset > f.offset) {
        // The server offers a replay the replica cannot take: start over from a snapshot.
        this._position = null;
        this.resubscribe();
        return;
      }
      this.awaitingSnapshot = false;
      if (p.offset >= f.offset) this.setStatus('live');
      else if (this._status !== 'live') this.setStatus(this._tree ? 'reconnecting' : 'loading');
    } else if (f.resume === 'snapshot') {
      this.awaitingSnapshot = true;
      this.snapshotReason = f.reason;
      this.setStatus('loading');
    } else {
      throw badFrame(`SUBSCRIBED for tree channel ${this.name} has resume "none"`);
    }
  }

  /** @internal */
  onSnapshot(f: SnapshotFrame): void {
    if (this.inflating) return this.defer(this.onSnapshot, { ...f, body: f.body.slice() });
    if (this.awaitingSubscribed) return;
    // A new SNAPSHOT discards a partial assembly (§4.6).
    this.assembler = null;
    this.receiveBody(f.encoding, f.body, { epoch: f.epoch, offset: f.offset }, f.nodeCount);
  }

  /** @internal */
  onSnapshotBegin(f: SnapshotBeginFrame): void {
    if (this.inflating) return this.defer(this.onSnapshotBegin, f);
    if (this.awaitingSubscribed) return;
    this.assembler = new SnapshotAssembler(f, this.host.maxSnapshotBytes);
    this.setStatus('loading');
    this.emit('progress', { receivedBytes: 0, totalBytes: f.totalBytes, nodeCount: f.nodeCount });
  }

  /** @internal */
  onSnapshotChunk(f: SnapshotChunkFrame): void {
    if (this.inflating) return this.defer(this.onSnapshotChunk, { ...f, bytes: f.bytes.slice() });
    if (this.awaitingSubscribed) return;
    const a = this.assembler;
    if (!a) throw badFrame(`SNAPSHOT_CHUNK ${f.index} for channel ${f.channel} without SNAPSHOT_BEGIN`);
    const body = a.push(f);
    this.emit('progress', { receivedBytes: a.receivedBytes, totalBytes: a.totalBytes, nodeCount: a.nodeCount });
    if (!body) return;
    this.assembler = null;
    this.receiveBody(a.encoding, body, a.position, a.nodeCount);
  }

  /** @internal */
  onOps(f: OpsFrame, decodeMs: number): void {
    if (this.inflating) return this.defer(this.onOps, f, decodeMs);
    if (this.awaitingSubscribed || this.awaitingSnapshot) return;
    const p = this._position;
    const tree = this._tree;
    if (!p || !tree) {
      this.resubscribe();
      return;
    }
    // A batch the replica already has (same history, offset not ahead) is redundant: it can
    // follow a restart that crossed a snapshot, and resubscribing on it could loop.
    if (f.epoch === p.epoch && f.offset <= p.offset) return;
    if (f.epoch !== p.epoch || f.offset !== p.offset + 1) {
      this.resubscribe();
      return;
    }
    const t0 = this.host.timers.now();
    const ops = parseOps(f.ops);
    const t1 = this.host.timers.now();
    const touched = new Set<string>();
    try {
      for (const op of ops) {
        collectTouched(tree, op, touched);
        tree.apply(op);
      }
    } catch (err) {
      // The replica no longer matches the server: its position means nothing, so the next
      // SUBSCRIBE carries no `from` and the server answers with a fresh snapshot.
      this._position = null;
      this.emit('error', new ClientError('TW_DIVERGED', `batch ${f.offset} of ${this.name} did not apply; reloading`, { channelName: this.name, cause: err }));
      this.resubscribe();
      return;
    }
    const t2 = this.host.timers.now();
    this._position = { epoch: f.epoch, offset: f.offset };
    if (this._status !== 'live' && f.offset >= this.catchUpTo) this.setStatus('live');
    this.emit('ops', { ops, position: { ...this._position }, touched, decodeMs: decodeMs + (t1 - t0), applyMs: t2 - t1 });
    this.waiters.notify();
  }

  /** @internal The server ended the subscription (channel closed). */
  onUnsubscribed(reason: string): void {
    if (this.inflating) return this.defer(this.onUnsubscribed, reason);
    this.host.release(this);
    this.end(new ClientError('TW_CLOSED', `server ended ${this.name}: ${reason}`, { channelName: this.name }));
  }

  /** @internal A non-fatal ERROR frame about this channel. */
  onServerError(err: ClientError): void {
    if (this.inflating) return this.defer(this.onServerError, err);
    if (REFUSALS.has(err.code)) {
      this.awaitingSubscribed = false;
      this.fail(err);
    } else {
      this.emit('error', err);
    }
  }

  // ---- internals ---------------------------------------------------------------------

  /**
   * Queues a frame handler behind an inflating snapshot. The callers test `inflating` first and
   * build no closure of their own, so a frame that is not held back allocates nothing here; the
   * arguments are taken now, which is when borrowed frame bytes must already have been copied.
   */
  private defer<A extends unknown[]>(handler: (this: TreeSubscription, ...args: A) => void, ...args: A): void {
    this.backlog.push(() => handler.apply(this, args));
  }

  private resetStream(): void {
    this.stream++;
    this._channel = undefined;
    this.assembler = null;
    this.awaitingSubscribed = false;
    this.awaitingSnapshot = false;
    this.inflating = false;
    this.backlog = [];
  }

  private receiveBody(encoding: SnapshotEncodingCode, body: Uint8Array, position: Position, nodeCount: number): void {
    const t0 = this.host.timers.now();
    if (encoding === SnapshotEncoding.MSGPACK) {
      this.install(decodeSnapshotBody(body), position, nodeCount, t0);
      return;
    }
    this.inflating = true;
    const stream = this.stream;
    this.host.inflate(body, this.host.maxSnapshotBytes).then(
      (raw) => {
        if (stream !== this.stream) return;
        this.inflating = false;
        try {
          this.install(decodeSnapshotBody(raw), position, nodeCount, t0);
        } catch (err) {
          this.host.fault(err);
          return;
        }
        this.drainBacklog();
      },
      (err: unknown) => {
        if (stream !== this.stream) return;
        this.inflating = false;
        this.backlog = [];
        this.host.fault(err);
      },
    );
  }

  private drainBacklog(): void {
    const stream = this.stream;
    while (!this.inflating && this.backlog.length > 0 && stream === this.stream) {
      const fn = this.backlog.shift()!;
      try {
        fn();
      } catch (err) {
        this.backlog = [];
        this.host.fault(err);
        return;
      }
    }
  }

  private install(raw: unknown, position: Position, nodeCount: number, startedAt: number): void {
    // Columnar snapshot (docs/tree.md §9): structure validated now, attribute values decoded
    // and validated when first read.
    const tree = Tree.fromColumns(raw, unpack);
    this._tree = tree;
    this._position = { ...position };
    this.awaitingSnapshot = false;
    this.catchUpTo = Math.max(this.catchUpTo, position.offset);
    this.setStatus('live');
    const reason = this.snapshotReason;
    this.snapshotReason = undefined;
    this.emit('snapshot', { tree, position: { ...position }, reason, nodeCount, decodeMs: this.host.timers.now() - startedAt });
    this.waiters.notify();
  }

  private resubscribe(): void {
    this.assembler = null;
    this.awaitingSnapshot = false;
    if (this.host.send(this.subscribeFrame())) {
      this.awaitingSubscribed = true;
      if (this._status === 'error') this.setStatus(this._tree ? 'reconnecting' : 'connecting');
    }
  }

  private fail(err: ClientError): void {
    this.refusal = err;
    this.setStatus('error');
    this.emit('error', err);
    this.waiters.notify();
  }

  /** Throws the refusal that makes waiting pointless. */
  private check(): true {
    if (this.refusal) throw this.refusal;
    return true;
  }

  private setStatus(s: SubscriptionStatus): void {
    if (s === this._status) return;
    this._status = s;
    this.emit('status', s);
    this.waiters.notify();
  }
}
