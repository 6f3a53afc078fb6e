// Per-connection outbound scheduler (docs/protocol.md §7). Three classes of frames:
//   1. events: latest-wins per (channel, key); always first,
//   2. control: WELCOME, SUBSCRIBED, ERROR…, FIFO,
//   3. state: SNAPSHOT*/OPS, one FIFO per channel, taken round-robin one frame per channel.
// State frames are written only while the bytes in flight (written, send callback not yet
// fired) are below chunkBytes, so at most about one chunk sits between a new event and the
// wire. Events and control use a larger window so they can always overtake state, but still
// stop when the peer does not read (they then wait here, latest-wins and bounded).
//
// The outbox knows nothing about WebSockets: a sink writes bytes and reports completion by
// calling `sent()` once per written frame, in order. Tests drive it with a fake sink.

const OPS_TYPE = 0x23; // FrameType.OPS; only OPS count towards maxQueuedBytes (see state()).

export interface OutboxSink {
  /** Writes one frame. The sink calls `outbox.sent()` once when it has been flushed or failed. */
  write(frame: Uint8Array): void;
  /** A channel marked for resync may be served again: enqueue its SUBSCRIBED + snapshot now. */
  resync(channel: number): void;
  /** Accounting for metrics: a frame about `channel` (0 for connection-level) was written. */
  account(channel: number, bytes: number): void;
  /** The state window reopened after requestDrain() (pull producers: timeline sessions). */
  drained?(): void;
}

export interface OutboxOptions {
  chunkBytes: number;
  /** Cap on queued OPS bytes (all channels together) before a channel is dropped and resynced. */
  maxQueuedBytes: number;
  /** In-flight window for events and control; default 4 × chunkBytes. */
  priorityBytes?: number;
  /** Cap on queued control bytes; control() reports overflow past it. Default maxQueuedBytes. */
  maxControlBytes?: number;
  /** Defers a pump to a later turn so other sockets get theirs: default setImmediate; a server
   *  passes its WriteTurns, which bounds the time all pumps take per loop iteration. */
  schedule?: (task: () => void) => void;
}

export type StateResult = 'queued' | 'overflow' | 'dropped';

interface EventSlot {
  /** Closed until the channel's SUBSCRIBED has been written, so no EVENT precedes it. */
  open: boolean;
  readonly pending: Map<string, Uint8Array>;
}

interface StateQueue {
  readonly channel: number;
  frames: Uint8Array[];
  head: number;
  bytes: number;
  opsBytes: number;
  /** Waiting for its snapshot frames: frames queue up but are not sent (not in the ring). */
  held: boolean;
}

interface ControlEntry {
  readonly frame: Uint8Array;
  /** Events channel whose events may flow once this frame is written (0: none). */
  readonly opens: number;
}

export interface OutboxStats {
  /** Bytes written whose completion has not been reported yet. */
  inFlight: number;
  /** State bytes queued (OPS and snapshot frames; snapshot frames are shared, not copied). */
  queuedBytes: number;
  /** OPS bytes queued: the quantity capped by maxQueuedBytes. */
  queuedOpsBytes: number;
  /** Highest queuedOpsBytes ever seen. */
  peakQueuedOpsBytes: number;
  controlBytes: number;
  pendingEvents: number;
  framesWritten: number;
  bytesWritten: number;
  overflows: number;
}

function defaultSchedule(task: () => void): void {
  setImmediate(task);
}

export class Outbox {
  private readonly sink: OutboxSink;
  private readonly chunkBytes: number;
  private readonly maxQueuedBytes: number;
  private readonly priorityBytes: number;
  private readonly maxControlBytes: number;
  private readonly schedule: (task: () => void) => void;

  private inFlight = 0;
  // Sizes of written frames in write order; sent() retires the oldest.
  private sizes: number[] = [];
  private sizesHead = 0;

  private readonly events = new Map<number, EventSlot>();
  private pendingEvents = 0; // pending events of open slots only

  private control: ControlEntry[] = [];
  private controlHead = 0;
  private controlBytes = 0;

  private readonly queues = new Map<number, StateQueue>();
  private readonly ring: StateQueue[] = []; // queues with frames, in round-robin order
  private cursor = 0;
  private queuedBytes = 0;
  private queuedOpsBytes = 0;
  private peakQueuedOpsBytes = 0;
  private readonly resyncWanted = new Set<number>();

  private pumping = false;
  private scheduled = false;
  private drainWanted = false;
  private drainScheduled = false;
  private readonly drainTask: () => void;
  private closed = false;
  private framesWritten = 0;
  private bytesWritten = 0;
  private overflows = 0;
  private readonly pumpTask: () => void;

  constructor(sink: OutboxSink, options: OutboxOptions) {
    this.sink = sink;
    this.chunkBytes = options.chunkBytes;
    this.maxQueuedBytes = options.maxQueuedBytes;
    this.priorityBytes = options.priorityBytes ?? 4 * options.chunkBytes;
    this.maxControlBytes = options.maxControlBytes ?? options.maxQueuedBytes;
    this.schedule = options.schedule ?? defaultSchedule;
    // One bound task per outbox, not one closure per message.
    this.pumpTask = () => {
      this.scheduled = false;
      this.pump();
    };
    this.drainTask = () => {
      this.drainScheduled = false;
      if (!this.closed) this.sink.drained?.();
    };
  }

  // ---- enqueueing ----------------------------------------------------------------------

  /** Starts accepting events for `channel`; they flow once a control frame that opens it is written. */
  addEventsChannel(channel: number): void {
    const slot = this.events.get(channel);
    if (slot) {
      if (slot.open) this.pendingEvents -= slot.pending.size;
      slot.pending.clear();
      slot.open = false;
    } else {
      this.events.set(channel, { open: false, pending: new Map() });
    }
  }

  /** Latest-wins: a pending event with the same key is replaced in place. */
  event(channel: number, key: string, frame: Uint8Array): void {
    const slot = this.events.get(channel);
    if (slot === undefined || this.closed) return;
    const had = slot.pending.has(key);
    slot.pending.set(key, frame);
    if (!had && slot.open) this.pendingEvents++;
    // Events are fan-outs (one EVENT to every subscriber): written in a turn, not by the caller.
    // Until the turn comes, a newer value for the key replaces this one.
    this.pumpSoon();
  }

  /** Returns false when the control queue is over its cap (the peer sends but does not read). */
  controlFrame(frame: Uint8Array, opens = 0): boolean {
    if (this.closed) return true;
    if (this.controlBytes + frame.length > this.maxControlBytes) return false;
    this.control.push({ frame, opens });
    this.controlBytes += frame.length;
    this.pump();
    return true;
  }

  /**
   * Queues one state frame. OPS past maxQueuedBytes make this an 'overflow': the channel's
   * queue is dropped and it is marked for resync (the sink's resync() runs once the socket has
   * drained). While a resync is pending the channel's frames are 'dropped'.
   * Snapshot frames do not count towards the cap: they are shared with every connection and
   * the cache, and counting them would make a snapshot larger than the cap resync forever.
   */
  state(channel: number, frame: Uint8Array): StateResult {
    if (this.idleFor(channel)) {
      // Nothing queued anywhere and the window open: pump() would take this very frame next.
      this.write(frame, channel);
      return 'queued';
    }
    const result = this.queueState(channel, frame);
    if (result === 'queued') this.pump();
    return result;
  }

  /** Queues one state frame like state() and leaves the writing to a coming turn (`schedule`):
   *  for fan-outs, where one frame goes to every subscriber (docs/server.md §4.1). */
  broadcastState(channel: number, frame: Uint8Array): StateResult {
    const result = this.queueState(channel, frame);
    if (result === 'queued') this.pumpSoon();
    return result;
  }

  /** No frame of any class waits, the state window is open and `channel` is neither held nor
   *  marked for resync: a state frame for it is written at once, ahead of nothing. */
  private idleFor(channel: number): boolean {
    return (
      !this.closed &&
      !this.pumping &&
      this.inFlight < this.chunkBytes &&
      this.ring.length === 0 &&
      this.pendingEvents === 0 &&
      this.controlHead === this.control.length &&
      this.resyncWanted.size === 0 &&
      this.queues.get(channel)?.held !== true
    );
  }

  private queueState(channel: number, frame: Uint8Array): StateResult {
    if (this.closed) return 'dropped';
    if (this.resyncWanted.has(channel)) return 'dropped';
    const isOps = frame[0] === OPS_TYPE;
    // An empty queue always takes one batch, so a single batch above the cap still gets through.
    if (isOps && this.queuedOpsBytes > 0 && this.queuedOpsBytes + frame.length > this.maxQueuedBytes) {
      this.clearState(channel);
      this.resyncWanted.add(channel);
      this.overflows++;
      return 'overflow';
    }
    this.push(channel, frame, isOps);
    return 'queued';
  }

  /** Queues several state frames (a snapshot, a replay) with no cap check. */
  stateFrames(channel: number, frames: readonly Uint8Array[]): void {
    if (this.closed) return;
    this.resyncWanted.delete(channel);
    for (const f of frames) this.push(channel, f, f[0] === OPS_TYPE);
    this.pump();
  }

  private push(channel: number, frame: Uint8Array, isOps: boolean): void {
    let q = this.queues.get(channel);
    if (q === undefined) {
      q = { channel, frames: [], head: 0, bytes: 0, opsBytes: 0, held: false };
      this.queues.set(channel, q);
    }
    if (q.head === q.frames.length) {
      q.frames.length = 0;
      q.head = 0;
      if (!q.held) this.joinRing(q);
    }
    q.frames.push(frame);
    q.bytes += frame.length;
    this.queuedBytes += frame.length;
    if (isOps) {
      q.opsBytes += frame.length;
      this.queuedOpsBytes += frame.length;
      if (this.queuedOpsBytes > this.peakQueuedOpsBytes) this.peakQueuedOpsBytes = this.queuedOpsBytes;
    }
  }

  /** An empty queue rejoins the round-robin ring just behind the cursor, so it waits its turn. */
  private joinRing(q: StateQueue): void {
    this.ring.splice(this.cursor, 0, q);
    this.cursor++;
  }

  /** Holds the channel's state frames (queued, not sent) until release() puts `front` ahead of
   *  them: a snapshot still being encoded must precede the OPS that follow it. */
  hold(channel: number): void {
    if (this.closed) return;
    this.clearState(channel);
    this.queues.set(channel, { channel, frames: [], head: 0, bytes: 0, opsBytes: 0, held: true });
  }

  /** Ends a hold: `front` goes ahead of whatever queued meanwhile. False if no longer held
   *  (restarted, overflowed or closed since). */
  release(channel: number, front: readonly Uint8Array[]): boolean {
    const q = this.queues.get(channel);
    if (this.closed || q === undefined || !q.held) return false;
    q.held = false;
    q.frames = [...front, ...q.frames.slice(q.head)];
    q.head = 0;
    for (const f of front) {
      q.bytes += f.length;
      this.queuedBytes += f.length;
      // A snapshot may bring the op-log tail that follows it (tree-channel.ts subscriberStart()).
      if (f[0] === OPS_TYPE) {
        q.opsBytes += f.length;
        this.queuedOpsBytes += f.length;
      }
    }
    if (q.frames.length > 0) this.joinRing(q);
    this.pump();
    return true;
  }

  /** Drops the channel's queued state frames (restart, reset, overflow). Partly sent snapshots are
   *  fine to cut: the client discards a partial assembly on the next SNAPSHOT/SNAPSHOT_BEGIN. */
  clearState(channel: number): void {
    const q = this.queues.get(channel);
    if (q === undefined) return;
    if (!q.held && q.head < q.frames.length) {
      const i = this.ring.indexOf(q);
      this.ring.splice(i, 1);
      if (i < this.cursor) this.cursor--;
      if (this.cursor >= this.ring.length) this.cursor = 0;
    }
    this.queuedBytes -= q.bytes;
    this.queuedOpsBytes -= q.opsBytes;
    this.queues.delete(channel);
  }

  /** Starts the channel over (SUBSCRIBED + snapshot or replay follow): no queue, no resync mark. */
  restart(channel: number): void {
    this.clearState(channel);
    this.resyncWanted.delete(channel);
  }

  /** Asks for a resync of `channel` once the socket has drained (see state()). */
  markResync(channel: number): void {
    this.clearState(channel);
    this.resyncWanted.add(channel);
    this.pump();
  }

  /** Forgets everything about `channel` (unsubscribe). */
  dropChannel(channel: number): void {
    this.clearState(channel);
    this.resyncWanted.delete(channel);
    const slot = this.events.get(channel);
    if (slot) {
      if (slot.open) this.pendingEvents -= slot.pending.size;
      this.events.delete(channel);
    }
  }

  /** Stops all writing and releases queued frames (connection closed). */
  close(): void {
    this.closed = true;
    this.events.clear();
    this.pendingEvents = 0;
    this.control = [];
    this.controlHead = 0;
    this.controlBytes = 0;
    this.queues.clear();
    this.ring.length = 0;
    this.queuedBytes = 0;
    this.queuedOpsBytes = 0;
    this.resyncWanted.clear();
  }

  // ---- completion ----------------------------------------------------------------------

  /** The sink reports that the oldest outstanding frame has been flushed (or failed). */
  sent(): void {
    if (this.sizesHead < this.sizes.length) {
      this.inFlight -= this.sizes[this.sizesHead++]!;
      if (this.sizesHead === this.sizes.length) {
        this.sizes.length = 0;
        this.sizesHead = 0;
      } else if (this.sizesHead > 1024) {
        this.sizes = this.sizes.slice(this.sizesHead);
        this.sizesHead = 0;
      }
    }
    if (this.hasWork()) this.pumpSoon();
    if (this.drainWanted && !this.drainScheduled && !this.closed && this.inFlight < this.chunkBytes) {
      // After the pump above (same queue, later): what was already queued goes first.
      this.drainWanted = false;
      this.drainScheduled = true;
      this.schedule(this.drainTask);
    }
  }

  /** Asks for one sink.drained() call once the state window has room again (after a sent()). */
  requestDrain(): void {
    this.drainWanted = true;
  }

  /** Runs pump() in a coming turn (once, however often it is asked before the turn comes). */
  private pumpSoon(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    this.schedule(this.pumpTask);
  }

  private hasWork(): boolean {
    return this.pendingEvents > 0 || this.controlHead < this.control.length || this.ring.length > 0 || this.resyncWanted.size > 0;
  }

  // ---- writing -------------------------------------------------------------------------

  /** Writes whatever the windows allow, highest priority first. Re-entrant calls are no-ops. */
  pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.closed) return;
        if (this.pendingEvents > 0) this.writeEvents();
        if (this.inFlight >= this.priorityBytes) return;
        if (this.controlHead < this.control.length) {
          this.writeControl();
          continue;
        }
        if (this.inFlight >= this.chunkBytes) return;
        if (this.resyncWanted.size > 0) {
          // The socket has drained below one chunk: serve the channels that overflowed.
          // The mark stays set during resync(): a batch flushed while the snapshot is taken
          // is then dropped for this channel (the snapshot already contains it).
          for (const ch of [...this.resyncWanted]) {
            this.sink.resync(ch);
            this.resyncWanted.delete(ch);
          }
          continue;
        }
        if (this.ring.length === 0) return;
        this.writeState();
      }
    } finally {
      this.pumping = false;
    }
  }

  private writeEvents(): void {
    for (const [channel, slot] of this.events) {
      if (!slot.open || slot.pending.size === 0) continue;
      for (const [key, frame] of slot.pending) {
        if (this.inFlight >= this.priorityBytes) return;
        slot.pending.delete(key);
        this.pendingEvents--;
        this.write(frame, channel);
      }
    }
  }

  private writeControl(): void {
    const entry = this.control[this.controlHead]!;
    this.control[this.controlHead++] = undefined as unknown as ControlEntry;
    if (this.controlHead === this.control.length) {
      this.control.length = 0;
      this.controlHead = 0;
    }
    this.controlBytes -= entry.frame.length;
    this.write(entry.frame, 0);
    if (entry.opens !== 0) {
      const slot = this.events.get(entry.opens);
      if (slot && !slot.open) {
        slot.open = true;
        this.pendingEvents += slot.pending.size;
      }
    }
  }

  private writeState(): void {
    if (this.cursor >= this.ring.length) this.cursor = 0;
    const q = this.ring[this.cursor]!;
    const frame = q.frames[q.head]!;
    q.frames[q.head++] = undefined as unknown as Uint8Array; // let the bytes go once written
    q.bytes -= frame.length;
    this.queuedBytes -= frame.length;
    if (frame[0] === OPS_TYPE) {
      q.opsBytes -= frame.length;
      this.queuedOpsBytes -= frame.length;
    }
    if (q.head === q.frames.length) {
      q.frames.length = 0;
      q.head = 0;
      this.ring.splice(this.cursor, 1); // the next queue slides into the cursor's place
    } else {
      this.cursor++;
    }
    this.write(frame, q.channel);
  }

  private write(frame: Uint8Array, channel: number): void {
    this.inFlight += frame.length;
    this.sizes.push(frame.length);
    this.framesWritten++;
    this.bytesWritten += frame.length;
    this.sink.account(channel, frame.length);
    this.sink.write(frame);
  }

  // ---- introspection -------------------------------------------------------------------

  /** A state frame queued now would be written at once (nothing ahead of it holds the window).
   *  Producers that pull (timeline sessions) build a frame only when this holds. */
  stateWritable(): boolean {
    return !this.closed && this.inFlight < this.chunkBytes;
  }

  queuedBytesOf(channel: number): number {
    return this.queues.get(channel)?.bytes ?? 0;
  }

  isResyncPending(channel: number): boolean {
    return this.resyncWanted.has(channel);
  }

  private heldEvents(): number {
    let n = 0;
    for (const slot of this.events.values()) n += slot.pending.size;
    return n;
  }

  get stats(): OutboxStats {
    return {
      inFlight: this.inFlight,
      queuedBytes: this.queuedBytes,
      queuedOpsBytes: this.queuedOpsBytes,
      peakQueuedOpsBytes: this.peakQueuedOpsBytes,
      controlBytes: this.controlBytes,
      pendingEvents: this.heldEvents(),
      framesWritten: this.framesWritten,
      bytesWritten: this.bytesWritten,
      overflows: this.overflows,
    };
  }
}
