// One viewer's playback of one timeline channel (docs/timeline-format.md §W.5): play, pause,
// seek, speed, step and live, seek epochs, credit and keyframe skipping. A session holds no
// queue: it is a position in the channel's FrameStore, and it turns the next frames into a
// TL_FRAMES message only when the viewer has credit and the socket has room (the outbox's
// state path, so events and control still overtake). At most one of its messages waits in the
// outbox; a seek drops it and refunds its credit.
import { encodeTlFramesFromBlocks, encodeTlState, ProtocolError } from '@tidewire/protocol';
import type { TimelineMode, TlControlFrame } from '@tidewire/protocol';
import type { Batch, FrameStore } from './frame-store.ts';
import type { Outbox } from './outbox.ts';
import type { PlaybackScheduler, Scheduled } from './playback-scheduler.ts';

/** What a session needs from its connection. */
export interface SessionSink {
  readonly outbox: Outbox;
  /** Queues a control frame (TL_STATE): ahead of every state frame not yet written. */
  sendControl(frame: Uint8Array): void;
}

/** A timeline channel's playback counters: plain fields its sessions bump, read by metrics. */
export interface TimelineCounters {
  /** Frames handed to sockets (all sessions), and their encoded bytes. */
  framesSent: number;
  frameBytesSent: number;
  creditStalls: number;
  keyframeSkips: number;
  framesSkipped: number;
  seeks: number;
  /** Frames of an older epoch dropped server-side (queued, never written) after a seek. */
  framesDropped: number;
}

/** What a session needs from its channel. */
export interface SessionHost extends TimelineCounters {
  readonly id: number;
  readonly store: FrameStore;
  readonly rateHz: number;
  /** Frames are still being appended (a live timeline that has not ended). */
  readonly live: boolean;
  /** A live timeline, open or ended (as opposed to one loaded from a file). */
  readonly isLiveTimeline: boolean;
  readonly scheduler: PlaybackScheduler;
  readonly config: SessionConfig;
  observeSeekLatency(seconds: number): void;
}

export interface SessionConfig {
  /** Shortest wall time between two batches of one session (frames due meanwhile are batched). */
  minBatchMs: number;
  /** Cap on one TL_FRAMES message (a batch always holds at least one frame). */
  maxMessageBytes: number;
  maxBatchFrames: number;
}

/** Credit balances saturate here (grants are additive and a client may grant generously). */
export const MAX_CREDIT_FRAMES = 2 ** 32;
export const MAX_CREDIT_BYTES = 2 ** 40;

const enum Blocked {
  None,
  Socket,
  Credit,
}

export class TimelineSession implements Scheduled {
  readonly sink: SessionSink;
  readonly host: SessionHost;
  due = Number.POSITIVE_INFINITY;
  heapIndex = -1;

  epoch = 1;
  playing = false;
  speed = 1;
  mode: TimelineMode = 'server';
  /** Following the live edge: every appended frame is due at once. */
  following = false;
  /** The frame the viewer should show; -1 while the timeline has no frames. */
  target = -1;
  /** Next frame to send in this epoch; frames before it have been sent (or skipped). */
  next = 0;
  /** Wall ms ahead of its due time a frame may be sent while playing existing frames (§W.5
   *  lead, TL_CONTROL.leadMs); 0: at its due time. */
  leadMs = 0;
  /** The last frame this session may send now: the playhead (`target`), or while playing with a
   *  lead the frame due at now + leadMs (never past the newest frame that exists). */
  horizon = -1;
  /** Playback position (fractional frames) at anchorWall; the position while paused. */
  private anchorPos = 0;
  private anchorWall = 0;
  creditFrames = 0;
  creditBytes = 0;
  /** The viewer has granted credit at least once (before that, waiting is not a stall). */
  private granted = false;
  /** Due frames were held back (credit or socket): the next send may skip to a keyframe. */
  private behind = false;
  private creditStalled = false;
  private blocked: Blocked = Blocked.None;
  /** Clock time of the seek whose keyframe has not been sent yet. */
  private seekAt: number | undefined = undefined;
  /** Credit of the last message handed to the outbox, refunded if a seek drops it unsent. */
  private lastCount = 0;
  private lastFrameBytes = 0;
  private closed = false;
  private readonly batch: Batch = { count: 0, frameBytes: 0, wireBytes: 0, blocks: [] };

  constructor(sink: SessionSink, host: SessionHost) {
    this.sink = sink;
    this.host = host;
  }

  /** SUBSCRIBED has been queued: announce the state; a live timeline starts at the live edge. */
  start(now: number): void {
    const last = this.host.store.lastFrame;
    if (this.host.live) {
      // A late joiner: the last keyframe and the deltas since, then every new frame.
      this.following = true;
      this.playing = true;
      this.jump(last, now);
    } else {
      this.jump(Math.min(0, last), now);
    }
    this.sendState(undefined);
    this.service(now);
  }

  close(): void {
    this.closed = true;
    this.host.scheduler.remove(this);
  }

  // ---- client input --------------------------------------------------------------------

  /** Applies a decoded TL_CONTROL. Throws ProtocolError (TW_BAD_FRAME) for a target outside
   *  the timeline; the caller turns that into a fatal error for this connection. */
  control(f: TlControlFrame, now: number): void {
    const store = this.host.store;
    const last = store.lastFrame;
    // Validate before changing anything.
    if (f.op === 'seek' && f.frame !== undefined && f.frame > Math.max(0, last)) throw this.badTarget(`seek frame ${f.frame} is beyond the last frame ${last}`);
    if (f.op === 'live' && !this.host.isLiveTimeline) throw this.badTarget('op live on a recorded timeline');
    const epoch = this.epoch;
    const toServer = f.mode === 'server' && this.mode === 'client';
    if (f.mode !== undefined) this.mode = f.mode;
    if (f.leadMs !== undefined) this.leadMs = f.leadMs;
    if (f.mode === 'client' && !this.following) this.dropQueued();
    if (f.speed !== undefined) this.setSpeed(f.speed, now);
    switch (f.op) {
      case 'play':
        if (!this.playing) {
          this.playing = true;
          this.anchorWall = now;
        }
        break;
      case 'pause':
        this.pause(now);
        break;
      case 'seek':
        this.seek(Math.min(f.frame ?? store.frameAtTime(f.timeMs!), last), now);
        break;
      case 'speed':
        break; // applied above
      case 'step':
        this.step(f.steps ?? 1, now);
        break;
      case 'live':
        this.seek(last, now);
        // A live timeline that has just ended (the viewer had not heard yet): its last frame.
        this.following = this.host.live;
        this.playing = this.host.live;
        break;
    }
    // Server-paced again: the viewer has none of our frames for this position.
    if (toServer && this.epoch === epoch && !this.following) this.seek(this.target, now);
    this.sendState(f.seq);
    this.service(now);
  }

  credit(frames: number, bytes: number, now: number): void {
    this.granted = true;
    this.creditFrames = Math.min(MAX_CREDIT_FRAMES, this.creditFrames + frames);
    this.creditBytes = Math.min(MAX_CREDIT_BYTES, this.creditBytes + bytes);
    if (this.blocked === Blocked.Credit || this.next <= this.horizon) this.service(now);
  }

  // ---- channel events ------------------------------------------------------------------

  /** A frame was appended to a live timeline. */
  appended(now: number): void {
    if (this.following) this.service(now);
  }

  /** A live timeline sealed a segment (frameCount news for viewers not at the edge) or ended. */
  announce(now: number, ended: boolean): void {
    if (ended && this.following) {
      this.following = false;
      this.playing = false;
      this.anchorPos = this.target;
    }
    this.sendState(undefined);
    if (ended) this.service(now);
  }

  /** Scheduler callback. */
  wake(now: number): void {
    this.service(now);
  }

  /** The connection's state window reopened (after requestDrain). */
  drained(now: number): void {
    if (this.blocked === Blocked.Socket) this.service(now);
  }

  // ---- state changes -------------------------------------------------------------------

  private framesPerMs(): number {
    return (this.host.rateHz * this.speed) / 1000;
  }

  private positionAt(now: number): number {
    return this.playing && !this.following ? this.anchorPos + (now - this.anchorWall) * this.framesPerMs() : this.anchorPos;
  }

  private setSpeed(speed: number, now: number): void {
    if (this.playing && !this.following) {
      // Re-anchor at the exact (fractional) position so a speed change neither loses nor gains time.
      this.anchorPos = this.positionAt(now);
      this.anchorWall = now;
    }
    this.speed = speed;
  }

  private pause(now: number): void {
    if (this.playing) {
      const last = this.host.store.lastFrame;
      this.anchorPos = this.following ? this.target : Math.min(this.positionAt(now), Math.max(0, last));
      this.target = Math.min(Math.floor(this.anchorPos), last);
    }
    this.playing = false;
    this.following = false;
  }

  private step(steps: number, now: number): void {
    this.pause(now);
    const last = this.host.store.lastFrame;
    if (last < 0) return;
    const to = Math.max(0, Math.min(last, this.target + steps));
    // Forward within what the viewer can decode from frames it has (or will get): same epoch.
    if (to >= this.target && this.host.store.keyframeAtOrBefore(to) <= this.next) {
      this.target = to;
      this.anchorPos = to;
    } else {
      this.seek(to, now);
    }
  }

  private seek(frame: number, now: number): void {
    this.dropQueued();
    this.epoch++;
    this.host.seeks++;
    this.following = false;
    this.jump(frame, now);
    this.seekAt = frame >= 0 ? now : undefined;
  }

  /** Positions the session at `frame` (a new epoch has begun or the session starts). */
  private jump(frame: number, now: number): void {
    this.target = frame;
    this.next = frame >= 0 ? this.host.store.keyframeAtOrBefore(frame) : 0;
    this.anchorPos = Math.max(0, frame);
    this.anchorWall = now;
    this.behind = false;
  }

  /** Drops our message still waiting in the outbox (a stale epoch) and refunds its credit. */
  private dropQueued(): void {
    const outbox = this.sink.outbox;
    if (outbox.queuedBytesOf(this.host.id) > 0) {
      this.creditFrames += this.lastCount;
      this.creditBytes += this.lastFrameBytes;
      this.host.framesSent -= this.lastCount;
      this.host.frameBytesSent -= this.lastFrameBytes;
      this.host.framesDropped += this.lastCount;
      outbox.clearState(this.host.id);
    }
    this.lastCount = 0;
    this.lastFrameBytes = 0;
  }

  private badTarget(message: string): ProtocolError {
    return new ProtocolError('TW_BAD_FRAME', `TL_CONTROL: ${message}`, { channel: this.host.id });
  }

  private sendState(ack: number | undefined): void {
    const store = this.host.store;
    this.sink.sendControl(
      encodeTlState(this.host.id, {
        seekEpoch: this.epoch,
        playing: this.playing,
        speed: this.speed,
        frame: Math.max(0, this.target),
        frameCount: store.frameCount,
        live: this.following,
        liveFrame: this.host.live && store.frameCount > 0 ? store.lastFrame : undefined,
        rateHz: this.host.rateHz,
        mode: this.mode,
        ack,
      }),
    );
  }

  // ---- sending -------------------------------------------------------------------------

  /** Advances the playhead to `now`, sends what is due and allowed, and schedules the next wake. */
  private service(now: number): void {
    if (this.closed) return;
    const last = this.host.store.lastFrame;
    let ended = false;
    if (this.following) {
      this.target = last;
    } else if (this.playing) {
      const pos = this.positionAt(now);
      if (pos >= last) {
        this.target = last;
        this.anchorPos = Math.max(0, last);
        this.anchorWall = now;
        if (this.host.live) {
          this.following = true; // caught up with the live edge
        } else {
          this.playing = false; // the end of a recorded timeline
        }
        ended = true;
      } else {
        this.target = Math.floor(pos);
      }
    }
    this.horizon = this.target;
    if (this.playing && !this.following && this.leadMs > 0) {
      // §W.5 lead: every existing frame due by now + leadMs goes now, in as few messages as the
      // caps allow; the viewer's playout buffer holds it until its time.
      this.horizon = Math.max(this.target, Math.min(last, Math.floor(this.positionAt(now + this.leadMs))));
    }
    this.send(now);
    if (ended) this.sendState(undefined);
    this.reschedule(now);
  }

  private send(now: number): void {
    this.blocked = Blocked.None;
    if (this.mode === 'client' && !this.following) {
      this.next = this.target + 1; // the viewer fetches frames over HTTP
      this.seekAt = undefined;
      return;
    }
    const host = this.host;
    const outbox = this.sink.outbox;
    const config = host.config;
    while (this.next <= this.horizon) {
      if (!outbox.stateWritable() || outbox.queuedBytesOf(host.id) > 0) {
        this.blocked = Blocked.Socket;
        break;
      }
      if (this.creditFrames < 1 || this.creditBytes <= 0) {
        this.blocked = Blocked.Credit;
        if (!this.creditStalled && this.granted) {
          this.creditStalled = true;
          host.creditStalls++;
        }
        break;
      }
      this.creditStalled = false;
      if (this.behind) {
        // Fell behind: rather than queue stale deltas, resume at the newest keyframe due.
        const k = host.store.keyframeAtOrBefore(this.target);
        if (k > this.next) {
          host.keyframeSkips++;
          host.framesSkipped += k - this.next;
          this.next = k;
        }
        this.behind = false;
      }
      const b = host.store.batch(
        this.next,
        this.horizon,
        Math.min(this.creditFrames, config.maxBatchFrames),
        this.creditBytes,
        config.maxMessageBytes,
        this.batch,
      );
      const msg = encodeTlFramesFromBlocks(host.id, this.epoch, this.next, b.count, b.blocks);
      this.creditFrames -= b.count;
      this.creditBytes -= b.frameBytes;
      this.lastCount = b.count;
      this.lastFrameBytes = b.frameBytes;
      this.next += b.count;
      host.framesSent += b.count;
      host.frameBytesSent += b.frameBytes;
      outbox.state(host.id, msg);
      if (this.seekAt !== undefined) {
        host.observeSeekLatency((now - this.seekAt) / 1000);
        this.seekAt = undefined;
      }
    }
    if (this.blocked !== Blocked.None && (this.playing || this.following)) this.behind = true;
  }

  private reschedule(now: number): void {
    if (this.closed) return;
    let due = Number.POSITIVE_INFINITY;
    if (this.blocked === Blocked.Socket) {
      // No timer while the socket is full: the outbox calls drained() when it has room, and the
      // position then comes from the clock as always.
      this.sink.outbox.requestDrain();
    } else if (this.playing && !this.following) {
      // Wall times come from the anchor (drift-free). Without a lead: when frame horizon+1 falls
      // due. With one: when the frames sent ahead cover only half the lead, so each wake sends
      // about leadMs/2 of frames (one message, not one per frame). Once the newest frame is sent:
      // when the playhead reaches it (the end of a recording; on a live timeline, the edge).
      const last = this.host.store.lastFrame;
      const perMs = this.framesPerMs();
      const at =
        this.horizon >= last
          ? this.anchorWall + (last - this.anchorPos) / perMs
          : this.anchorWall + (this.horizon + 1 - this.anchorPos) / perMs - this.leadMs / 2;
      due = Math.max(at, now + this.host.config.minBatchMs);
    }
    this.host.scheduler.at(this, due);
  }
}
