// PlayerEngine: the half of the player that touches bytes. It fetches the timeline's metadata
// and segments over HTTP, holds the timeline subscription (TL_CONTROL / TL_CREDIT out,
// TL_STATE / TL_FRAMES in), decodes every frame with @tidewire/timeline and posts decoded
// blocks to the Player. In a browser it runs in a Web Worker (player/worker.ts); in Node on
// the caller's thread (player/local.ts). Either way the main thread never decodes a frame.
import { FrameDecoder, isKeyframe, parseSegmentPayload } from '@tidewire/timeline';
import type { TlFramesFrame, TlStateFrame } from '@tidewire/protocol';
import type { TidewireClient } from '../client.ts';
import { ClientError, toClientError } from '../errors.ts';
import { realTimers } from '../timers.ts';
import type { TimerHandle, Timers } from '../timers.ts';
import { parseTimelineMeta } from './meta.ts';
import type { EngineControl, EngineOpen, FromEngine, ToEngine } from './messages.ts';
import { Timebase } from './timebase.ts';
import type { TimelineMeta } from './timebase.ts';
import type { TimelineSubscription } from './timeline-subscription.ts';

/** The part of fetch() the engine uses (browsers, workers and Node ≥ 18 have it). */
export type FetchLike = (
  url: string,
  init?: { headers?: Record<string, string>; signal?: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export interface EngineDeps {
  client: TidewireClient;
  /** Close `client` with the engine (it was made for it). */
  ownsClient?: boolean;
  fetch?: FetchLike;
  timers?: Timers;
  post(msg: FromEngine, transfer?: Transferable[]): void;
}

/** Largest metadata answer accepted (a JSON of a million segments is ~80 MB; this is plenty). */
const MAX_META_BYTES = 64 * 1024 * 1024;
/** Retry delays for the metadata request. */
const META_RETRY_MS = [250, 1000, 2000, 5000];

interface Outstanding {
  epoch: number;
  last: number;
  count: number;
  bytes: number;
}

export class PlayerEngine {
  private readonly deps: EngineDeps;
  private readonly timers: Timers;
  private readonly fetch: FetchLike;
  private open: EngineOpen | null = null;
  private meta: TimelineMeta | null = null;
  private timebase: Timebase | null = null;
  private sub: TimelineSubscription | null = null;
  private readonly offs: (() => void)[] = [];
  private streamDecoder: FrameDecoder | null = null;
  private segmentDecoder: FrameDecoder | null = null;
  private cells = 0;
  /** The server's seekEpoch in the current session; -1 until its first TL_STATE. */
  private serverEpoch = -1;
  /** Our epoch: bumped by every server epoch change and every new session. */
  private epoch = 0;
  private sessions = 0;
  /** seq of a seek (or live) whose TL_STATE has not come: frames arriving meanwhile are stale. */
  private pendingSeek: number | undefined = undefined;
  private expectNext = -1;
  /** The credit window went to the current session (client-paced sessions need it only live). */
  private credited = false;
  private readonly outstanding: Outstanding[] = [];
  private readonly inflight = new Map<number, AbortController | null>();
  private metaTimer: TimerHandle | undefined = undefined;
  private metaAttempt = 0;
  private metaLoading = false;
  private closed = false;

  constructor(deps: EngineDeps) {
    this.deps = deps;
    this.timers = deps.timers ?? realTimers;
    const f = deps.fetch ?? (globalThis as { fetch?: FetchLike }).fetch;
    if (typeof f !== 'function') throw new ClientError('TW_INVALID_OPTION', 'no fetch in this environment: pass the `fetch` option');
    // The global fetch must be called on the global object ("Illegal invocation" otherwise).
    this.fetch = deps.fetch ?? ((url, init) => f.call(globalThis, url, init));
    this.offs.push(deps.client.on('state', (state) => this.post({ t: 'connection', state })));
  }

  handle(msg: ToEngine): void {
    if (this.closed) return;
    switch (msg.t) {
      case 'open':
        if (this.open) return;
        this.open = msg.open;
        this.post({ t: 'connection', state: this.deps.client.state });
        void this.loadMeta();
        return;
      case 'control':
        this.control(msg.control);
        return;
      case 'load':
        for (const n of msg.segments) this.loadSegment(n);
        return;
      case 'cancel':
        for (const n of msg.segments) {
          const ctrl = this.inflight.get(n);
          if (ctrl) ctrl.abort();
        }
        return;
      case 'consumed':
        this.consumed(msg.epoch, msg.frame);
        return;
      case 'refreshMeta':
        if (!this.metaLoading) void this.loadMeta();
        return;
      case 'close':
        void this.close();
        return;
    }
  }

  private post(msg: FromEngine, transfer?: Transferable[]): void {
    if (!this.closed || msg.t === 'closed') this.deps.post(msg, transfer);
  }

  private fail(err: unknown, fallback: 'TW_HTTP' | 'TW_BAD_TIMELINE'): void {
    const e = toClientError(err, fallback);
    this.post({ t: 'error', code: e.code, message: e.message });
  }

  private headers(): Record<string, string> {
    const token = this.open?.token;
    return token === undefined ? {} : { authorization: `Bearer ${token}` };
  }

  private url(path: string): string {
    return `${this.open!.httpUrl}/api/timelines/${encodeURIComponent(this.open!.timeline)}${path}`;
  }

  // ---- metadata ------------------------------------------------------------------------

  private async loadMeta(): Promise<void> {
    this.metaLoading = true;
    try {
      const res = await this.fetch(this.url(''), { headers: { ...this.headers(), accept: 'application/json' } });
      if (!res.ok) throw new ClientError('TW_HTTP', `GET timeline metadata answered ${res.status}`);
      const buf = await res.arrayBuffer();
      if (buf.byteLength > MAX_META_BYTES) throw new ClientError('TW_BAD_TIMELINE', `timeline metadata of ${buf.byteLength} bytes is above ${MAX_META_BYTES}`);
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(buf));
      } catch (err) {
        throw new ClientError('TW_BAD_TIMELINE', 'timeline metadata is not JSON', { cause: err });
      }
      const meta = parseTimelineMeta(json, this.open!.timeline);
      if (this.closed) return;
      this.metaAttempt = 0;
      this.setMeta(meta);
    } catch (err) {
      if (this.closed) return;
      this.fail(err, 'TW_HTTP');
      // Without metadata there is nothing to play: keep trying, backing off.
      if (this.meta === null) {
        const delay = META_RETRY_MS[Math.min(this.metaAttempt++, META_RETRY_MS.length - 1)]!;
        this.metaTimer = this.timers.setTimeout(() => {
          this.metaTimer = undefined;
          void this.loadMeta();
        }, delay);
      }
    } finally {
      this.metaLoading = false;
    }
  }

  private setMeta(meta: TimelineMeta): void {
    const first = this.meta === null;
    if (!first && meta.version !== this.meta!.version) {
      // The timeline was replaced under us: stored frames no longer match. Report, keep going.
      this.post({ t: 'error', code: 'TW_BAD_TIMELINE', message: `timeline ${meta.name} changed version` });
    }
    this.meta = meta;
    const frameCount = Math.max(meta.frameCount, this.timebase?.frameCount ?? 0);
    this.timebase = new Timebase(meta.rateHz, meta.segments, frameCount);
    if (first) {
      this.cells = meta.schema.entities.length * meta.schema.fields.length;
      this.streamDecoder = new FrameDecoder(meta.schema);
      this.segmentDecoder = new FrameDecoder(meta.schema);
    }
    // Client-paced playback of a recorded timeline starts at its first frame: fetch that segment
    // now rather than after the player's first display frame asks for it (a round trip through
    // the main thread and an animation frame). The meta message says so, and the player counts
    // it as in flight: its own request, crossing the answer, fetched the segment twice (a trace
    // of /replay/, issue 14). A player that seeked meanwhile evicts it like any other segment.
    const early = first && this.open!.mode === 'client' && !meta.live && this.timebase.segmentCount > 0;
    const prefetching = early ? this.timebase.segmentForTime(this.timebase.startMs) : undefined;
    this.post(prefetching === undefined ? { t: 'meta', meta } : { t: 'meta', meta, prefetching });
    if (first) {
      if (prefetching !== undefined) this.loadSegment(prefetching);
      this.subscribe();
    }
  }

  // ---- WebSocket session -----------------------------------------------------------------

  private subscribe(): void {
    const sub = this.deps.client.timeline(this.open!.timeline);
    this.sub = sub;
    this.offs.push(
      sub.on('subscribed', () => this.onSubscribed()),
      sub.on('unsubscribed', () => this.onUnsubscribed()),
      sub.on('state', (s) => this.onState(s)),
      sub.on('frames', (f) => this.onFrames(f)),
    );
    if (sub.subscribed) this.onSubscribed();
  }

  private onSubscribed(): void {
    // A new server session: epoch 1, no credit, nothing sent yet.
    this.serverEpoch = -1;
    this.pendingSeek = undefined;
    this.outstanding.length = 0;
    this.credited = false;
    if (this.open!.mode === 'server') this.grantWindow();
    this.post({ t: 'subscribed', first: this.sessions++ === 0 });
  }

  private onUnsubscribed(): void {
    this.pendingSeek = undefined;
    this.outstanding.length = 0;
    this.post({ t: 'unsubscribed' });
  }

  private control(c: EngineControl): void {
    const sub = this.sub;
    if (!sub?.subscribed) return; // the player restates everything on `subscribed`
    // Frames flow once there is credit: server-paced always, client-paced for the live tail.
    if (c.op === 'live' || c.mode === 'server') this.grantWindow();
    // encodeTlControl writes only TL_CONTROL's own fields, whatever else the message carries.
    if (sub.control(c) && (c.op === 'seek' || c.op === 'live')) this.pendingSeek = c.seq;
  }

  private onState(s: TlStateFrame): void {
    if (s.seekEpoch !== this.serverEpoch) {
      this.serverEpoch = s.seekEpoch;
      this.epoch++;
      this.streamDecoder?.reset();
      this.expectNext = -1;
      // Frames of earlier epochs still unconsumed will never be shown: their credit goes back.
      this.grant(this.outstanding.splice(0));
    }
    if (this.pendingSeek !== undefined && s.ack !== undefined && s.ack >= this.pendingSeek) this.pendingSeek = undefined;
    if (this.timebase) this.timebase.frameCount = Math.max(this.timebase.frameCount, s.frameCount);
    this.post({
      t: 'state',
      state: {
        epoch: this.epoch,
        playing: s.playing,
        speed: s.speed,
        frame: s.frame,
        frameCount: s.frameCount,
        live: s.live,
        ...(s.liveFrame !== undefined ? { liveFrame: s.liveFrame } : {}),
        ...(s.ack !== undefined ? { ack: s.ack } : {}),
      },
    });
  }

  private onFrames(f: TlFramesFrame): void {
    const n = f.frames.length;
    let bytes = 0;
    for (let i = 0; i < n; i++) bytes += f.frames[i]!.length;
    const decoder = this.streamDecoder;
    const tb = this.timebase;
    if (this.pendingSeek !== undefined || f.seekEpoch !== this.serverEpoch || !decoder || !tb) {
      this.drop(n, bytes);
      return;
    }
    if (f.firstFrame !== this.expectNext && !isKeyframe(f.frames[0]!)) {
      // §W.2: a batch that does not continue the last one starts with a keyframe.
      decoder.reset();
      this.drop(n, bytes);
      this.post({
        t: 'error',
        code: 'TW_BAD_TIMELINE',
        message: `TL_FRAMES at ${f.firstFrame} neither continues at ${this.expectNext} nor starts with a keyframe`,
      });
      return;
    }
    const C = this.cells;
    const t0 = this.timers.now();
    const values = new Float64Array(n * C);
    const times = new Float64Array(n);
    try {
      for (let i = 0; i < n; i++) {
        decoder.decode(f.frames[i]!, values.subarray(i * C, (i + 1) * C));
        times[i] = tb.timeOf(f.firstFrame + i);
      }
    } catch (err) {
      decoder.reset();
      this.expectNext = -1;
      this.drop(n, bytes);
      this.fail(err, 'TW_BAD_TIMELINE');
      return;
    }
    const decodeMs = this.timers.now() - t0;
    this.expectNext = f.firstFrame + n;
    if (this.expectNext > tb.frameCount) tb.frameCount = this.expectNext;
    this.outstanding.push({ epoch: this.epoch, last: f.firstFrame + n - 1, count: n, bytes });
    this.post({ t: 'stream', epoch: this.epoch, firstFrame: f.firstFrame, count: n, times, values, bytes, decodeMs }, [values.buffer, times.buffer]);
  }

  /** The initial grant of a session: 2 s of frames at 16× by default (§W.1 grants are additive). */
  private grantWindow(): void {
    if (this.credited || !this.sub?.subscribed) return;
    const o = this.open!;
    const frames = o.creditFrames > 0 ? o.creditFrames : Math.max(256, Math.ceil(this.meta!.rateHz * 32));
    const bytes = o.creditBytes > 0 ? o.creditBytes : 8 * 1024 * 1024;
    this.credited = this.sub.credit(frames, bytes);
  }

  private drop(frames: number, bytes: number): void {
    this.sub?.credit(frames, bytes);
    this.post({ t: 'dropped', frames });
  }

  private consumed(epoch: number, frame: number): void {
    const q = this.outstanding;
    let k = 0;
    while (k < q.length && (q[k]!.epoch < epoch || (q[k]!.epoch === epoch && q[k]!.last <= frame))) k++;
    if (k > 0) this.grant(q.splice(0, k));
  }

  private grant(done: Outstanding[]): void {
    let frames = 0;
    let bytes = 0;
    for (const o of done) {
      frames += o.count;
      bytes += o.bytes;
    }
    if (frames > 0) this.sub?.credit(frames, bytes);
  }

  // ---- segments over HTTP ----------------------------------------------------------------

  private loadSegment(n: number): void {
    const tb = this.timebase;
    if (!tb || !Number.isSafeInteger(n) || n < 0 || n >= tb.segmentCount || this.inflight.has(n)) return;
    const ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    this.inflight.set(n, ctrl);
    void this.fetchSegment(n, ctrl).finally(() => this.inflight.delete(n));
  }

  private async fetchSegment(n: number, ctrl: AbortController | null): Promise<void> {
    const meta = this.meta!;
    const entry = meta.segments[n]!;
    try {
      // The server answers with the stored gzip bytes and Content-Encoding: gzip; fetch inflates them.
      const res = await this.fetch(this.url(`/segments/${n}`), { headers: this.headers(), ...(ctrl ? { signal: ctrl.signal } : {}) });
      if (!res.ok) throw new ClientError('TW_HTTP', `GET segment ${n} answered ${res.status}`);
      const buf = await res.arrayBuffer();
      if (this.closed) return;
      const wire = Number(res.headers.get('content-length'));
      const bytes = Number.isSafeInteger(wire) && wire > 0 ? wire : buf.byteLength;
      const t0 = this.timers.now();
      const seg = parseSegmentPayload(new Uint8Array(buf), meta.rateHz);
      if (seg.index !== n || seg.firstFrame !== entry.firstFrame || seg.frameCount !== entry.frameCount || seg.startMs !== entry.startMs) {
        throw new ClientError(
          'TW_BAD_TIMELINE',
          `segment ${n} holds segment ${seg.index} (frames ${seg.firstFrame}+${seg.frameCount}), not what the metadata lists`,
        );
      }
      const C = this.cells;
      const count = seg.frameCount;
      const values = new Float64Array(count * C);
      const decoder = this.segmentDecoder!;
      decoder.reset();
      for (let k = 0; k < count; k++) decoder.decode(seg.frames[k]!, values.subarray(k * C, (k + 1) * C));
      const times = seg.times;
      const decodeMs = this.timers.now() - t0;
      this.post({ t: 'segment', index: n, firstFrame: seg.firstFrame, count, times, values, bytes, decodeMs }, [values.buffer, times.buffer]);
    } catch (err) {
      if (this.closed) return;
      const aborted = ctrl?.signal.aborted === true;
      const e = toClientError(err, 'TW_HTTP');
      // TimelineError codes (TL_…) mean the bytes were wrong, not the transfer.
      const code = e.code.startsWith('TL_') ? 'TW_BAD_TIMELINE' : e.code;
      this.post({ t: 'segmentError', index: n, code, message: e.message, aborted });
    }
  }

  // ---- teardown --------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.metaTimer !== undefined) this.timers.clearTimeout(this.metaTimer);
    for (const ctrl of this.inflight.values()) ctrl?.abort();
    for (const off of this.offs) off();
    this.offs.length = 0;
    this.sub?.release();
    this.sub = null;
    if (this.deps.ownsClient) await this.deps.client.close();
    this.deps.post({ t: 'closed' });
  }
}
