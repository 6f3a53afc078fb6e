// A timeline channel (docs/timeline-format.md §W): the encoded frames of a recorded or live
// timeline in a FrameStore, one playback session per subscriber, the counters metrics read,
// and the metadata served over HTTP. Recorded timelines are decoded once at load; live ones
// encode each appended frame once (timeline-live.ts) and every follower gets the same bytes.
import { createHash } from 'node:crypto';
import { encodeSubscribed } from '@tidewire/protocol';
import type { TlControlFrame } from '@tidewire/protocol';
import type { TimelineSchema } from '@tidewire/timeline';
import { ChannelBase } from './channel.ts';
import type { Connection } from './connection.ts';
import { ServerError } from './errors.ts';
import { FrameStore } from './frame-store.ts';
import type { SegmentMeta, StoredSegment } from './frame-store.ts';
import type { PlaybackScheduler } from './playback-scheduler.ts';
import type { LiveRecorder } from './timeline-live.ts';
import { TimelineSession } from './timeline-session.ts';
import type { SessionConfig, SessionHost, TimelineCounters } from './timeline-session.ts';

export interface TimelineStats extends TimelineCounters {
  sessions: number;
  frameCount: number;
  segments: number;
}

export interface TimelineChannel {
  readonly kind: 'timeline';
  readonly name: string;
  readonly id: number;
  readonly schema: TimelineSchema;
  readonly rateHz: number;
  /** Frames available now (grows while a live timeline is appended). */
  readonly frameCount: number;
  readonly durationMs: number;
  /** True while a live timeline takes appends (false for recorded ones and after end()). */
  readonly live: boolean;
  /** Live only: encodes the frame once and sends it to every follower. `timeMs` defaults to
   *  the fixed-rate time of the frame; it must not go backwards. */
  append(values: Float64Array, timeMs?: number): void;
  /** Live only: seals the last segment (viewers at the edge stop there) and resolves the
   *  complete segment file once every segment is compressed. Idempotent. */
  end(): Promise<Uint8Array>;
  readonly stats: TimelineStats;
}

export interface TimelineChannelDeps {
  scheduler: PlaybackScheduler;
  config: SessionConfig;
  observeSeekLatency(seconds: number): void;
  /** Runs `fn` when an async step fails (logging); the channel carries on. */
  logError(msg: string, err: unknown): void;
}

/** What a recorded timeline gives the channel: its schema and complete segments. */
export interface RecordedTimeline {
  schema: TimelineSchema;
  durationMs: number;
  segments: StoredSegment[];
  /** Identifies the content (a hash of the file): part of every ETag. */
  version: string;
}

/** A segment's metadata as the HTTP API lists it. */
export function segmentMeta(s: SegmentMeta): SegmentMeta {
  return { index: s.index, firstFrame: s.firstFrame, frameCount: s.frameCount, startMs: s.startMs, endMs: s.endMs };
}

export class TimelineChannelImpl extends ChannelBase implements TimelineChannel, SessionHost {
  readonly kind = 'timeline' as const;
  readonly schema: TimelineSchema;
  readonly rateHz: number;
  readonly store = new FrameStore();
  readonly scheduler: PlaybackScheduler;
  readonly config: SessionConfig;
  readonly version: string;
  private readonly sessions = new Map<Connection, TimelineSession>();
  private readonly deps: TimelineChannelDeps;
  private readonly recorder: LiveRecorder | undefined;
  private recordedDurationMs = 0;
  private ended: Promise<Uint8Array> | undefined;
  /** Bumped whenever the HTTP metadata changes (appends, sealed segments, end). */
  private revision = 0;
  private metaCache: { revision: number; body: string; etag: string } | undefined;

  framesSent = 0;
  frameBytesSent = 0;
  creditStalls = 0;
  keyframeSkips = 0;
  framesSkipped = 0;
  seeks = 0;
  framesDropped = 0;

  constructor(name: string, id: number, source: RecordedTimeline | LiveRecorder, deps: TimelineChannelDeps) {
    super(name, id);
    this.deps = deps;
    this.scheduler = deps.scheduler;
    this.config = deps.config;
    if ('segments' in source) {
      this.schema = source.schema;
      for (const seg of source.segments) this.store.add(seg);
      this.recordedDurationMs = source.durationMs;
      this.version = source.version;
      this.recorder = undefined;
    } else {
      this.schema = source.schema;
      this.recorder = source;
      // A live timeline's content is only valid for this server instance and channel.
      this.version = createHash('sha256').update(`${process.pid}:${performance.timeOrigin}:${name}:${id}`).digest('base64url').slice(0, 16);
      source.attach(
        this.store,
        {
          sealed: () => this.onSealed(),
          failed: (err) => deps.logError(`timeline ${name}: recording failed`, err),
        },
        this.version,
      );
    }
    this.rateHz = this.schema.rateHz;
  }

  get live(): boolean {
    return this.recorder !== undefined && this.ended === undefined;
  }

  get isLiveTimeline(): boolean {
    return this.recorder !== undefined;
  }

  get frameCount(): number {
    return this.store.frameCount;
  }

  get durationMs(): number {
    if (this.recorder === undefined) return this.recordedDurationMs;
    const n = this.store.frameCount;
    return n === 0 ? 0 : this.store.timeOf(n - 1) - this.store.segments[0]!.startMs + 1000 / this.rateHz;
  }

  get stats(): TimelineStats {
    return {
      sessions: this.sessions.size,
      frameCount: this.store.frameCount,
      segments: this.store.segments.length,
      framesSent: this.framesSent,
      frameBytesSent: this.frameBytesSent,
      creditStalls: this.creditStalls,
      keyframeSkips: this.keyframeSkips,
      framesSkipped: this.framesSkipped,
      seeks: this.seeks,
      framesDropped: this.framesDropped,
    };
  }

  observeSeekLatency(seconds: number): void {
    this.deps.observeSeekLatency(seconds);
  }

  // ---- subscribers ---------------------------------------------------------------------

  addSubscriber(conn: Connection): void {
    this.subscribers.add(conn);
    const session = new TimelineSession(conn, this);
    this.sessions.set(conn, session);
    conn.sendControl(encodeSubscribed({ name: this.name, channel: this.id, kind: 'timeline', epoch: 0, offset: 0, resume: 'none' }));
    session.start(this.scheduler.now());
  }

  override removeSubscriber(conn: Connection): void {
    super.removeSubscriber(conn);
    this.sessions.get(conn)?.close();
    this.sessions.delete(conn);
  }

  control(conn: Connection, f: TlControlFrame): void {
    this.sessions.get(conn)?.control(f, this.scheduler.now());
  }

  drained(conn: Connection): void {
    this.sessions.get(conn)?.drained(this.scheduler.now());
  }

  credit(conn: Connection, frames: number, bytes: number): void {
    this.sessions.get(conn)?.credit(frames, bytes, this.scheduler.now());
  }

  // ---- live ----------------------------------------------------------------------------

  append(values: Float64Array, timeMs?: number): void {
    if (this.recorder === undefined)
      throw new ServerError('TW_SERVER_STATE', `timeline ${JSON.stringify(this.name)} is recorded; append() is for live timelines`);
    if (this.ended !== undefined) throw new ServerError('TW_SERVER_STATE', `timeline ${JSON.stringify(this.name)} has ended`);
    // Encodes, stores and (at a segment boundary) seals; throws TimelineError on bad values.
    this.recorder.append(values, timeMs);
    this.revision++;
    const now = this.scheduler.now();
    for (const s of this.sessions.values()) s.appended(now);
  }

  end(): Promise<Uint8Array> {
    if (this.recorder === undefined)
      return Promise.reject(new ServerError('TW_SERVER_STATE', `timeline ${JSON.stringify(this.name)} is recorded; end() is for live timelines`));
    if (this.ended === undefined) {
      this.ended = this.recorder.finish();
      this.revision++;
      const now = this.scheduler.now();
      for (const s of this.sessions.values()) s.announce(now, true);
    }
    return this.ended;
  }

  private onSealed(): void {
    this.revision++;
    // Viewers away from the live edge learn the new frameCount with every sealed segment.
    const now = this.scheduler.now();
    for (const s of this.sessions.values()) if (!s.following) s.announce(now, false);
  }

  /** Stops every session's pacing (server closing). */
  close(): void {
    for (const s of this.sessions.values()) s.close();
  }

  // ---- HTTP ----------------------------------------------------------------------------

  /** GET /api/timelines/:name: JSON body and ETag, rebuilt only when something changed. */
  metadata(): { body: string; etag: string } {
    const rev = this.revision;
    if (this.metaCache?.revision === rev) return this.metaCache;
    const s = this.schema;
    const segments: SegmentMeta[] = [];
    for (const seg of this.store.segments) if (seg.sealed) segments.push(segmentMeta(seg));
    const body = JSON.stringify({
      name: this.name,
      channel: this.id,
      version: this.version,
      // A complete schema for `new FrameDecoder(meta.schema)`; `static` once, below.
      schema: { name: s.name, rateHz: s.rateHz, fields: s.fields, entities: s.entities },
      entities: s.entities,
      static: s.static ?? {},
      rateHz: this.rateHz,
      frameCount: this.store.frameCount,
      durationMs: this.durationMs,
      live: this.live,
      segments,
    });
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    this.metaCache = { revision: rev, body, etag };
    return this.metaCache;
  }
}
