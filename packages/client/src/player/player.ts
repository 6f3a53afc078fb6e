// Player: the main-thread half of timeline playback. It owns the playhead (a PlaybackClock on
// the page's clock), the decoded frames the engine posted (FrameBuffer) and the display loop:
// once per animation frame it finds the two frames around the playhead and interpolates
// between them. It never decodes: the engine (worker or in-process) does.
//
// Two pacings behind one API (docs/timeline-format.md §W.3):
// - client-paced: segments come over HTTP ahead of the playhead (prefetch.ts) and the local
//   clock is the truth; a playhead without frames under it waits (buffering).
// - server-paced (and the live edge in either mode): the server sends TL_FRAMES as they fall
//   due under our credit; the clock follows its TL_STATE and shows frames a playout delay
//   behind, never past the newest decoded frame, never a frame of an older seek epoch.
import type { TimelineMode } from '@tidewire/protocol';
import type { FieldDef, TimelineSchema } from '@tidewire/timeline';
import { callEach } from '../emitter.ts';
import { ClientError, invalidOption } from '../errors.ts';
import type { PerfMonitor } from '../perf.ts';
import type { FrameScheduler } from '../scheduler.ts';
import { realTimers } from '../timers.ts';
import type { Timers } from '../timers.ts';
import { Waiters } from '../waiters.ts';
import type { WaitOptions } from '../waiters.ts';
import { PlaybackClock } from './clock.ts';
import { FrameBuffer } from './frame-buffer.ts';
import { interpolationMask } from './interpolate.ts';
import type { InterpolationOverrides } from './interpolate.ts';
import type { EngineControl, EngineState, FromEngine, ToEngine, TransferPort } from './messages.ts';
import {
  CONSUMED_EVERY_MS,
  MAX_SPEED,
  MAX_STEPS,
  MIN_SPEED,
  SEGMENT_RETRY_MS,
  checkTarget,
  defaultFrameScheduler,
  playerOptions,
  positiveOption,
  recordSeek,
} from './options.ts';
import type { FrameEvent, PlayerMetrics, PlayerOpen, PlayerOptions, ResolvedPlayerOptions, SeekTarget } from './options.ts';
import { closedPhase, enterPhase, nextPhase, seekSince } from './phase.ts';
import type { PhaseData, PhaseEvent, PhaseName, PlayerPhase } from './phase.ts';
import { SegmentFetches } from './segment-fetches.ts';
import { initialState, PlayerStateStore } from './state.ts';
import type { PlayerState } from './state.ts';
import { Timebase } from './timebase.ts';
import type { TimelineMeta } from './timebase.ts';

export class Player {
  readonly state: PlayerStateStore;
  readonly metrics: PlayerMetrics = { framesDecoded: 0, bytesFetched: 0, segmentsFetched: 0, framesDropped: 0, seeks: 0, seekMs: [] };
  private readonly port: TransferPort;
  private readonly opts: ResolvedPlayerOptions;
  private readonly interpolate: InterpolationOverrides | undefined;
  private readonly perf: PerfMonitor | undefined;
  private readonly schedule: FrameScheduler;
  private readonly timers: Timers;
  private readonly teardown: (() => void) | undefined;
  private readonly waiters: Waiters;
  private readonly clock = new PlaybackClock();
  private readonly listeners = new Set<(ev: FrameEvent) => void>();
  private meta: TimelineMeta | null = null;
  private timebase: Timebase | null = null;
  private buffer: FrameBuffer | null = null;
  private mask: Uint8Array = new Uint8Array(0);
  private current: Float64Array | null = null;
  private readonly frameEvent: FrameEvent = { timeMs: 0, frame: 0, values: new Float64Array(0) };
  private engineHeard!: () => void;
  /**
   * Resolves when the first message from the engine arrives (it answers `open` at once): in a
   * worker, once the worker has started and taken its first messages. Chromium hands a starting
   * worker the messages posted to it from the page's main thread, so a page that keeps its main
   * thread busy (mounting, first layout) until then delays the worker's first request by as much;
   * a page can await this before such work (docs/client.md §5.7).
   */
  readonly started: Promise<void> = new Promise((resolve) => (this.engineHeard = resolve));
  private cancelTick: (() => void) | null = null;
  private seq = 0;
  /** What the display waits for (phase.ts): loading, showing, seeking, awaiting, closed. */
  private phaseNow: PlayerPhase = { name: 'loading', held: undefined };
  /** The engine holds a server session (between its `subscribed` and `unsubscribed`). */
  private subscribed = false;
  /** Engine epoch of the newest TL_STATE; streamed blocks of other epochs are stale. */
  private streamEpoch = -1;
  /** Following the live edge (server-paced display in either mode, across every phase). */
  private following = false;
  /** Where a waiting playhead stays (client-paced): the last shown time, or a seek's target. */
  private holdMs = 0;
  private shownFrame = -1;
  private shownMs = Number.NaN;
  private readonly fetches: SegmentFetches;
  private consumedFrame = -1;
  private consumedAt = Number.NEGATIVE_INFINITY;
  private bufferVersion = -1;

  constructor(port: TransferPort, options: PlayerOptions, open: PlayerOpen, teardown?: () => void) {
    this.opts = playerOptions(options);
    const mode = this.opts.mode;
    this.interpolate = options.interpolate;
    this.perf = options.perf;
    this.schedule = options.schedule ?? defaultFrameScheduler;
    this.timers = options.timers ?? realTimers;
    this.teardown = teardown;
    this.waiters = new Waiters(this.timers);
    this.state = new PlayerStateStore(initialState(mode));
    this.port = port;
    this.fetches = new SegmentFetches((msg) => this.post(msg), this.opts);
    port.onmessage = (ev) => this.onEngine(ev.data as FromEngine);
    this.post({
      t: 'open',
      open: {
        timeline: options.timeline,
        mode,
        httpUrl: open.httpUrl,
        ...(open.token !== undefined ? { token: open.token } : {}),
        creditFrames: Math.floor(positiveOption(options.creditFrames, 0, 'creditFrames')),
        creditBytes: Math.floor(positiveOption(options.creditBytes, 0, 'creditBytes')),
      },
      ...(open.connect ? { connect: open.connect } : {}),
    });
  }

  // ---- reading -------------------------------------------------------------------------

  get mode(): TimelineMode {
    return this.opts.mode;
  }

  /** The timeline's schema once the metadata is in; null before. */
  get schema(): TimelineSchema | null {
    return this.meta?.schema ?? null;
  }

  /** Values shown now (interpolated, entities × fields); null before the first frame. Borrowed. */
  get values(): Float64Array | null {
    return this.shownFrame >= 0 ? this.current : null;
  }

  /** @internal The phase's name (tests read it; the public view is `state`). */
  get phase(): PhaseName {
    return this.phaseNow.name;
  }

  /** Index of a field by name (-1 if none): values[e × fields + f]. */
  fieldIndex(name: string): number {
    return this.meta?.schema.fields.findIndex((f: FieldDef) => f.name === name) ?? -1;
  }

  /** Index of an entity by id (-1 if none). */
  entityIndex(id: string): number {
    return this.meta?.schema.entities.findIndex((e) => e.id === id) ?? -1;
  }

  /**
   * Values at `timeMs` from frames already decoded: numeric fields interpolated between the two
   * frames around it, the others stepped. Null when that frame is not buffered. Into `out`
   * when given (no allocation), else a new array.
   */
  frameAt(timeMs: number, out?: Float64Array): Float64Array | null {
    const tb = this.timebase;
    const buf = this.buffer;
    if (!tb || !buf || !Number.isFinite(timeMs)) return null;
    const target = out ?? new Float64Array(buf.cells);
    if (target.length !== buf.cells) throw invalidOption(`out must have entities × fields = ${buf.cells} elements`);
    return buf.sample(tb.frameForTime(timeMs), timeMs, target, this.mask, tb.periodMs) ? target : null;
  }

  /** Calls `fn` on every displayed frame (once per animation frame while something moves). */
  onFrame(fn: (ev: FrameEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves when `check(state)` holds (checked on every state change). */
  waitFor(check: (state: PlayerState) => boolean, options?: WaitOptions): Promise<void> {
    return this.waiters.wait(
      () => {
        if (this.closed) throw new ClientError('TW_CLOSED', 'the player is closed');
        return check(this.state.get());
      },
      'player state',
      options,
    );
  }

  /** Resolves when the first frame is on screen. */
  ready(options?: WaitOptions): Promise<void> {
    return this.waitFor((s) => s.status === 'ready', options);
  }

  // ---- controls ------------------------------------------------------------------------

  play(): void {
    if (this.closed) return;
    const now = this.timers.now();
    const tb = this.timebase;
    if (tb && !this.serverPaced && this.clock.position(now) >= tb.endMs && !this.meta!.live) {
      this.clock.set(tb.startMs, now); // at the end: play again from the start
      this.holdMs = tb.startMs;
    }
    this.clock.play(now);
    if (this.serverPaced) this.control({ op: 'play' });
    this.publishControls();
    this.requestTick();
  }

  pause(): void {
    if (this.closed) return;
    const now = this.timers.now();
    if (this.following) this.leaveLive();
    // Client-paced: the playhead stops where it is shown, so pause never jumps.
    if (!this.serverPaced && this.clock.playing && !Number.isNaN(this.shownMs)) this.clock.set(this.shownMs, now);
    this.clock.pause(now);
    this.holdMs = this.clock.anchor;
    if (this.opts.mode === 'server') this.control({ op: 'pause' });
    this.publishControls();
    this.requestTick();
  }

  setSpeed(speed: number): void {
    if (typeof speed !== 'number' || !(speed >= MIN_SPEED && speed <= MAX_SPEED))
      throw invalidOption(`speed must be in [${MIN_SPEED}, ${MAX_SPEED}], got ${String(speed)}`);
    if (this.closed) return;
    this.clock.setSpeed(speed, this.timers.now());
    if (this.opts.mode === 'server') this.control({ op: 'speed', speed });
    this.publishControls();
    this.requestTick();
  }

  /** Jumps to a time (ms, or { timeMs }) or a frame ({ frame }); keeps playing if playing. */
  seek(target: SeekTarget): void {
    const t = checkTarget(target);
    if (this.closed) return;
    const tb = this.timebase;
    if (!tb) {
      this.go('hold', { held: t });
      return;
    }
    const now = this.timers.now();
    this.metrics.seeks++;
    if (this.following) this.leaveLive();
    const lastFrame = Math.max(0, tb.frameCount - 1);
    const ms = 'frame' in t ? tb.timeOf(Math.min(t.frame, lastFrame)) : Math.max(tb.startMs, Math.min(t.timeMs, tb.endMs));
    this.clock.set(ms, now);
    this.holdMs = ms;
    if (this.opts.mode === 'server') {
      // The server answers with a new epoch whose first batch starts at a keyframe (§W.2).
      this.buffer?.dropStreamExcept(-2);
      if (this.subscribed)
        this.go('ask', {
          seq: this.control('frame' in t ? { op: 'seek', frame: Math.min(t.frame, lastFrame) } : { op: 'seek', timeMs: Math.max(0, ms) }),
          since: now,
          frame: undefined,
        });
      else this.go('seek', { since: now, frame: undefined });
    } else {
      this.go('seek', { since: now, frame: tb.frameForTime(ms) });
    }
    this.state.set({ seeking: true, live: false });
    this.waiters.notify();
    // Within buffered data the target shows now, not at the next animation frame.
    this.tick(now);
  }

  /** Pauses and moves `n` frames (negative: back). */
  step(n: number): void {
    if (!Number.isSafeInteger(n) || n === 0 || Math.abs(n) > MAX_STEPS)
      throw invalidOption(`step needs a non-zero integer within ±${MAX_STEPS}, got ${String(n)}`);
    if (this.closed || !this.timebase) return;
    const tb = this.timebase;
    const from = this.shownFrame >= 0 ? this.shownFrame : tb.frameForTime(this.clock.position(this.timers.now()));
    if (this.opts.mode === 'server' && this.subscribed) {
      const now = this.timers.now();
      if (this.following) this.following = false;
      this.clock.pause(now);
      const to = Math.max(0, Math.min(tb.frameCount - 1, from + n));
      this.clock.set(tb.timeOf(to), now);
      this.holdMs = tb.timeOf(to);
      this.control({ op: 'step', steps: n });
      this.publishControls();
      this.requestTick();
      return;
    }
    this.pauseQuietly();
    this.seek({ frame: Math.max(0, Math.min(tb.frameCount - 1, from + n)) });
  }

  /** Follows the live edge of a live timeline (false if the timeline is not live). */
  goLive(): boolean {
    if (this.closed || !this.meta?.live) return false;
    const now = this.timers.now();
    this.following = true;
    this.metrics.seeks++;
    this.buffer?.dropStreamExcept(-2);
    if (this.subscribed) this.go('ask', { seq: this.control({ op: 'live' }), since: now, frame: undefined });
    else this.go('seek', { since: now, frame: undefined });
    this.state.set({ live: true, seeking: true });
    this.requestTick();
    return true;
  }

  close(): Promise<void> {
    const p = this.phaseNow;
    if (p.name === 'closed') return p.done;
    nextPhase(p.name, 'close');
    this.cancelTick?.();
    this.cancelTick = null;
    this.listeners.clear();
    // Closed before the engine hears of it: an in-process engine confirms synchronously.
    const closed = closedPhase(this.timers, () => {
      this.teardown?.();
      this.buffer?.clear();
    });
    this.phaseNow = closed;
    this.post({ t: 'close' });
    this.state.set({ status: 'closed', playing: false });
    this.waiters.rejectAll(new ClientError('TW_CLOSED', 'the player is closed'));
    return closed.done;
  }

  // ---- phase ---------------------------------------------------------------------------

  private get closed(): boolean {
    return this.phaseNow.name === 'closed';
  }

  /** Takes `event`: the table refuses an illegal one with TW_PLAYER_STATE (phase.ts). */
  private go(event: Exclude<PhaseEvent, 'close'>, data?: PhaseData): void {
    this.phaseNow = enterPhase(this.phaseNow, event, data);
  }

  // ---- display loop --------------------------------------------------------------------

  private get serverPaced(): boolean {
    return this.opts.mode === 'server' || this.following;
  }

  private requestTick(): void {
    if (this.cancelTick !== null || this.closed) return;
    this.cancelTick = this.schedule(() => {
      this.cancelTick = null;
      this.tick();
    });
  }

  /** One display frame. Runs from the scheduler; tests with a manual scheduler call it. */
  tick(now: number = this.timers.now()): void {
    if (this.closed) return;
    const tb = this.timebase;
    const buf = this.buffer;
    if (!tb || !buf) return;
    let active = this.clock.playing || seekSince(this.phaseNow) !== undefined;
    if (this.serverPaced) this.tickServerPaced(now, tb, buf);
    else active = this.tickClientPaced(now, tb, buf) || active;
    if (buf.version !== this.bufferVersion) {
      this.bufferVersion = buf.version;
      this.state.set({ buffered: buf.ranges() });
    }
    if (active || this.clock.playing || this.following) this.requestTick();
  }

  private tickClientPaced(now: number, tb: Timebase, buf: FrameBuffer): boolean {
    let pos = this.clock.position(now);
    const end = tb.endMs;
    if (pos >= end && this.clock.playing && !this.meta!.live) {
      this.clock.set(end, now);
      this.clock.pause(now);
      pos = end;
    }
    pos = Math.max(tb.startMs, Math.min(pos, end));
    const i = tb.frameForTime(pos);
    let buffering = false;
    if (buf.has(i)) {
      this.show(i, pos, now);
    } else if (this.clock.playing) {
      // Wait where we are: the clock restarts from here when the frames come.
      this.clock.set(this.holdMs, now);
      buffering = true;
    }
    this.fetches.update(now, this.clock.position(now), this.clock.speed, this.meta!.live, tb, buf);
    this.state.set({ buffering, playing: this.clock.playing });
    return buffering;
  }

  private tickServerPaced(now: number, tb: Timebase, buf: FrameBuffer): void {
    if (this.phaseNow.name === 'awaiting') return; // hold the last frame until the new epoch speaks
    const newest = buf.newestStreamFrame(this.streamEpoch);
    if (newest < 0) return;
    let pos = this.clock.position(now);
    if (this.clock.playing) {
      // Trail the server by a frame plus the jitter allowance, so the next frame is usually here.
      pos = Math.max(this.clock.anchor, pos - tb.periodMs - this.opts.playoutDelayMs * this.clock.speed);
    }
    const newestBlock = buf.blockOf(newest)!;
    pos = Math.min(pos, newestBlock.times[newest - newestBlock.firstFrame]!);
    let i = tb.frameForTime(pos);
    if (i > newest) i = newest;
    if (!buf.has(i)) return;
    this.show(i, pos, now);
    // Credit back what has been shown (and everything before it in this epoch).
    if (i > this.consumedFrame && (now - this.consumedAt >= CONSUMED_EVERY_MS || !this.clock.playing)) {
      this.consumedFrame = i;
      this.consumedAt = now;
      this.post({ t: 'consumed', epoch: this.streamEpoch, frame: i });
      buf.dropStreamBefore(i - Math.ceil((this.opts.keepBehindSeconds * 1000) / tb.periodMs));
    }
  }

  /** Puts frame i (interpolated to pos) on screen and tells the listeners. */
  private show(i: number, pos: number, now: number): void {
    const out = this.current!;
    if (!this.buffer!.sample(i, pos, out, this.mask, this.timebase!.periodMs)) return;
    const moved = i !== this.shownFrame || pos !== this.shownMs;
    this.shownFrame = i;
    this.shownMs = pos;
    this.holdMs = pos;
    const p = this.phaseNow;
    // A seeking phase ends at its target frame (any frame while playing, or when it has none);
    // one that times no seek (a restate's answer) ends at the first frame shown.
    if (
      (p.name === 'seeking' || (p.name === 'awaiting' && p.since !== undefined)) &&
      (p.since === undefined || p.frame === undefined || p.frame === i || this.clock.playing)
    ) {
      this.go('shown', { since: undefined, frame: undefined });
      if (p.since !== undefined) recordSeek(this.metrics, this.perf, now - p.since);
    }
    this.state.set({
      status: 'ready',
      timeMs: pos,
      frame: i,
      seeking: seekSince(this.phaseNow) !== undefined,
      playing: this.clock.playing,
      speed: this.clock.speed,
    });
    this.waiters.notify();
    if (!moved) return;
    const ev = this.frameEvent;
    ev.timeMs = pos;
    ev.frame = i;
    ev.values = out;
    callEach(this.listeners, ev);
  }

  // ---- engine messages -----------------------------------------------------------------

  private post(msg: ToEngine): void {
    this.port.postMessage(msg);
  }

  /** Sends a TL_CONTROL through the engine; returns its seq. */
  private control(c: Omit<EngineControl, 'seq'>): number {
    const seq = (this.seq = (this.seq % 0xffff_fffe) + 1);
    this.post({ t: 'control', control: { ...c, seq } });
    return seq;
  }

  private onEngine(msg: FromEngine): void {
    if (!msg || typeof msg !== 'object') return;
    this.engineHeard();
    if (msg.t === 'closed') {
      if (this.phaseNow.name === 'closed') this.phaseNow.confirm();
      return;
    }
    if (this.closed) return;
    switch (msg.t) {
      case 'meta':
        this.onMeta(msg.meta);
        if (msg.prefetching !== undefined) this.fetches.started(msg.prefetching);
        return;
      case 'subscribed':
        this.subscribed = true;
        this.restate(msg.first);
        return;
      case 'unsubscribed':
        this.subscribed = false;
        // Nothing will answer the outstanding control; a seek it carried still waits to show.
        if (this.phaseNow.name === 'awaiting') this.go('drop');
        return;
      case 'state':
        this.onState(msg.state);
        return;
      case 'segment': {
        this.fetches.settled(msg.index);
        this.metrics.framesDecoded += msg.count;
        this.metrics.bytesFetched += msg.bytes;
        this.metrics.segmentsFetched++;
        this.perf?.recordTimelineFrames(msg.count, msg.bytes);
        this.buffer?.addSegment(msg.index, msg.firstFrame, msg.times, msg.values);
        this.afterData();
        return;
      }
      case 'segmentError':
        if (msg.aborted) {
          this.fetches.settled(msg.index);
        } else {
          this.fetches.failed(msg.index, this.timers.now());
          this.state.set({ error: { code: msg.code, message: msg.message } });
          this.timers.setTimeout(() => this.requestTick(), SEGMENT_RETRY_MS);
        }
        return;
      case 'stream':
        this.metrics.framesDecoded += msg.count;
        this.perf?.recordTimelineFrames(msg.count, 0);
        if (this.phaseNow.name === 'awaiting' || msg.epoch !== this.streamEpoch) {
          this.metrics.framesDropped += msg.count;
          return;
        }
        this.buffer?.addStream(msg.epoch, msg.firstFrame, msg.times, msg.values);
        // The live edge moves with every appended frame; TL_STATE does not announce each one.
        if (this.timebase && msg.firstFrame + msg.count > this.timebase.frameCount) {
          this.timebase.frameCount = msg.firstFrame + msg.count;
          this.publishTimeline();
        }
        this.afterData();
        return;
      case 'dropped':
        this.metrics.framesDropped += msg.frames;
        return;
      case 'connection':
        this.state.set({ connection: msg.state });
        return;
      case 'error':
        this.state.set({ error: { code: msg.code, message: msg.message } });
        // A broken stream heals from a keyframe: ask for the frame on screen again.
        if (
          msg.code === 'TW_BAD_TIMELINE' &&
          this.serverPaced &&
          this.subscribed &&
          this.phaseNow.name !== 'awaiting' &&
          this.shownFrame >= 0 &&
          !this.following
        ) {
          this.go('ask', { seq: this.control({ op: 'seek', frame: this.shownFrame }) });
        }
        return;
    }
  }

  /** New frames: a seek or a stall waiting for them ends now; otherwise at the next animation frame. */
  private afterData(): void {
    if (seekSince(this.phaseNow) !== undefined || this.shownFrame < 0 || this.state.get().buffering) this.tick();
    else this.requestTick();
  }

  private onMeta(meta: TimelineMeta): void {
    const first = this.meta === null;
    const held = this.phaseNow.name === 'loading' ? this.phaseNow.held : undefined;
    this.meta = meta;
    this.go('meta');
    const frameCount = Math.max(meta.frameCount, this.timebase?.frameCount ?? 0);
    this.timebase = new Timebase(meta.rateHz, meta.segments, frameCount);
    if (first) {
      const cells = meta.schema.entities.length * meta.schema.fields.length;
      this.buffer = new FrameBuffer(cells);
      this.current = new Float64Array(cells);
      this.mask = interpolationMask(meta.schema.fields, this.interpolate);
      // A live timeline starts at its live edge (as the server's session does).
      this.following = meta.live && held === undefined;
      const now = this.timers.now();
      this.clock.set(this.timebase.startMs, now);
      this.holdMs = this.timebase.startMs;
    }
    this.publishTimeline();
    if (first && held !== undefined) this.seek(held);
    this.requestTick();
  }

  /** A server session began: state our mode, and where we are unless the server already is. */
  private restate(first: boolean): void {
    const mode = this.opts.mode;
    const tb = this.timebase;
    // The lead goes with the first control of every session: it holds for the session (§W.5).
    const leadMs = this.opts.leadMs;
    if (this.following && this.meta?.live) {
      this.go('ask', { seq: this.control({ op: 'live', mode, leadMs }) });
      return;
    }
    if (mode === 'client') {
      // Nothing to stream: stop a live session from following (it starts at the live edge).
      this.control({ op: 'pause', mode });
      return;
    }
    this.control({ op: 'speed', speed: this.clock.speed, mode, leadMs });
    // The clock, not the frame on screen: a seek made while disconnected moved only the clock.
    const frame = tb ? tb.frameForTime(this.clock.position(this.timers.now())) : 0;
    if (!first || frame > 0 || seekSince(this.phaseNow) !== undefined || this.meta?.live) {
      this.go('ask', { seq: this.control({ op: 'seek', frame: Math.min(frame, Math.max(0, (tb?.frameCount ?? 1) - 1)) }) });
    }
    if (this.clock.playing) this.control({ op: 'play' });
  }

  private onState(s: EngineState): void {
    const tb = this.timebase;
    if (!tb) return;
    tb.frameCount = Math.max(tb.frameCount, s.frameCount, s.liveFrame !== undefined ? s.liveFrame + 1 : 0);
    const newEpoch = s.epoch !== this.streamEpoch;
    if (newEpoch) {
      this.streamEpoch = s.epoch;
      this.buffer?.dropStreamExcept(s.epoch);
      this.consumedFrame = -1;
    }
    const p = this.phaseNow;
    if (p.name === 'awaiting') {
      if (s.ack === undefined || s.ack < p.seq) {
        this.publishTimeline();
        return; // an answer to something older: the seek's own answer is still coming
      }
      this.go('answer', { frame: s.frame });
    }
    const now = this.timers.now();
    const wasFollowing = this.following;
    if (this.opts.mode === 'server' || s.live || wasFollowing) {
      this.following = s.live;
      const at = tb.timeOf(s.frame);
      const slack = 2 * tb.periodMs + 100 * s.speed;
      if (this.clock.speed !== s.speed) this.clock.setSpeed(s.speed, now);
      if (newEpoch || !s.playing || s.live || Math.abs(this.clock.position(now) - at) > slack) this.clock.set(at, now);
      if (s.playing) this.clock.play(now);
      else this.clock.pause(now);
      this.holdMs = this.clock.anchor;
    }
    this.publishTimeline();
    this.publishControls();
    this.requestTick();
  }

  /** Leaves the live edge: the server stops streaming (client-paced) or holds (server-paced). */
  private leaveLive(): void {
    this.following = false;
    if (this.opts.mode !== 'client') return;
    // Client-paced from here: segments over HTTP; the live epoch's frames go with it.
    this.buffer?.dropStreamExcept(-2);
    if (this.subscribed) this.control({ op: 'pause' });
  }

  private pauseQuietly(): void {
    const now = this.timers.now();
    this.clock.pause(now);
    this.publishControls();
  }

  private publishControls(): void {
    this.state.set({ playing: this.clock.playing, speed: this.clock.speed, live: this.following });
    this.waiters.notify();
  }

  private publishTimeline(): void {
    const tb = this.timebase!;
    const meta = this.meta!;
    this.state.set({
      startMs: tb.startMs,
      endMs: tb.endMs,
      durationMs: tb.frameCount === 0 ? 0 : tb.endMs - tb.startMs + tb.periodMs,
      frameCount: tb.frameCount,
      liveTimeline: meta.live,
      live: this.following,
    });
    this.waiters.notify();
  }
}
