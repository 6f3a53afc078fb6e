// The AbletonOSC client mode: a UDP socket on Live's reply port (11001), a full sync at start,
// listeners for every property the mirror shows, a poll of the song's shape (AbletonOSC has no
// listener for tracks, scenes or devices being added or removed), and a re-sync when the shape
// changes, when /live/startup says the script restarted, or when Live answers again after
// going quiet. Listener messages go to the same ingest as the event port.
import { isIP } from 'node:net';
import { LiveSetError } from '../errors.ts';
import type { LiveModel } from '../live-model.ts';
import type { LiveStatus } from '../events.ts';
import type { LiveSetMetrics } from '../metrics.ts';
import type { OscDropCode } from '../osc/errors.ts';
import { intArg } from '../osc/args.ts';
import { int, str } from '../osc/codec.ts';
import type { OscArg, OscMessage } from '../osc/codec.ts';
import { OscSocket } from '../osc/udp.ts';
import type { OscPeer } from '../osc/udp.ts';
import { Requester } from './requester.ts';
import type { RequesterOptions } from './requester.ts';
import { DEFAULT_SYNC_LIMITS, listenerMessages, syncFromLive } from './sync.ts';
import type { SyncLimits } from './sync.ts';

export interface AbletonOscOptions {
  /** Where AbletonOSC listens (its port 11000). */
  host: string;
  port: number;
  /** Where its replies arrive: AbletonOSC always answers on port 11001 of the sender's host. */
  listenHost?: string;
  listenPort?: number;
  /** Shape poll period (ms). */
  pollMs?: number;
  requests?: Partial<RequesterOptions>;
  limits?: Partial<SyncLimits>;
  /** Cap on listeners registered per sync (parameters are cut first). */
  maxListeners?: number;
  maxPacketBytes?: number;
}

export interface LinkHooks {
  /** A message that was not a reply to a request (listeners, /live/startup, /live/error). */
  message(msg: OscMessage): void;
  drop(code: OscDropCode, detail: string): void;
  /** Position of the mirror's overlay when a sync starts (see LiveOverlay.mark). */
  mark(): number;
  /** A sync finished: build and publish the tree from it. */
  model(model: LiveModel, mark: number): void;
  status(status: LiveStatus): void;
  log(message: string): void;
}

/** Polls that may go unanswered before Live counts as gone. */
const MISSED_POLLS = 2;

export class AbletonOscLink {
  private readonly socket: OscSocket;
  private readonly requester: Requester;
  private readonly peer: OscPeer;
  /** AbletonOSC given by IP answers from exactly `peer`; a host name cannot be compared. */
  private readonly checkSender: boolean;
  private readonly hooks: LinkHooks;
  private readonly limits: SyncLimits;
  private readonly maxListeners: number;
  private readonly pollMs: number;
  private pollTimer: NodeJS.Timeout | undefined;
  private model: LiveModel | null = null;
  private deviceCounts: number[] = [];
  private syncing: Promise<void> | null = null;
  private dirty = false;
  private polling = false;
  private missed = 0;
  private closed = false;
  private _status: LiveStatus = { mode: 'abletonosc', connected: false, syncing: false, lastSync: null, tracks: null, error: null };

  private constructor(socket: OscSocket, peer: OscPeer, opts: AbletonOscOptions, hooks: LinkHooks, metrics: LiveSetMetrics) {
    this.socket = socket;
    this.peer = peer;
    this.checkSender = isIP(peer.address) !== 0;
    this.hooks = hooks;
    this.limits = { ...DEFAULT_SYNC_LIMITS, ...(opts.limits ?? {}) };
    this.maxListeners = opts.maxListeners ?? 20_000;
    this.requester = new Requester((address, args) => this.socket.send(address, args, this.peer), opts.requests ?? {}, metrics);
    this.pollMs = opts.pollMs ?? 1000;
  }

  /** Binds the reply port; nothing is sent until begin(). */
  static async bind(opts: AbletonOscOptions, hooks: LinkHooks, metrics: LiveSetMetrics): Promise<AbletonOscLink> {
    let link: AbletonOscLink | undefined;
    const socket = await OscSocket.bind({
      host: opts.listenHost ?? '127.0.0.1',
      port: opts.listenPort ?? 11001,
      maxPacketBytes: opts.maxPacketBytes ?? 65_507,
      maxMessagesPerPacket: 256,
      recvBufferBytes: 4 * 1024 * 1024,
      onMessage: (msg, from) => link?.receive(msg, from),
      onDrop: (code, detail) => hooks.drop(code, detail),
      onError: (err) => hooks.log(`AbletonOSC socket: ${err.message}`),
    });
    link = new AbletonOscLink(socket, { address: opts.host, port: opts.port }, opts, hooks, metrics);
    return link;
  }

  /** Starts the first sync and the shape poll. */
  begin(): void {
    if (this.closed || this.pollTimer !== undefined) return;
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    void this.resync();
  }

  get status(): LiveStatus {
    return this._status;
  }

  get listenPort(): number {
    return this.socket.port;
  }

  /** Sends a control message to Live (from the reply port, so Live answers to us). */
  send(address: string, args: OscArg[]): boolean {
    if (this.closed) return false;
    this.requester.fire(address, args);
    return true;
  }

  /** Starts a full sync, or queues one after the sync in progress. Resolves when none is pending. */
  resync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.dirty = true;
    this.syncing ??= this.runSyncs().finally(() => {
      this.syncing = null;
    });
    return this.syncing;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pollTimer);
    this.requester.close();
    await this.syncing?.catch(() => {});
    await this.socket.close();
  }

  private receive(msg: OscMessage, from: OscPeer): void {
    // AbletonOSC answers from the socket it listens on; anything else on this port is not Live.
    if (this.checkSender && (from.address !== this.peer.address || from.port !== this.peer.port)) {
      this.hooks.drop('OSC_UNKNOWN_SENDER', `${from.address}:${from.port}`);
      return;
    }
    if (this.requester.offer(msg)) return;
    this.hooks.message(msg);
  }

  private setStatus(patch: Partial<LiveStatus>): void {
    this._status = { ...this._status, ...patch };
    this.hooks.status(this._status);
  }

  private async runSyncs(): Promise<void> {
    while (this.dirty && !this.closed) {
      this.dirty = false;
      this.setStatus({ syncing: true });
      const mark = this.hooks.mark();
      try {
        const model = await syncFromLive(this.requester, this.limits);
        if (this.closed) return;
        this.model = model;
        this.deviceCounts = model.tracks.map((t) => t.devices.length);
        this.missed = 0;
        this.hooks.model(model, mark);
        this.setStatus({ connected: true, syncing: false, lastSync: Date.now(), tracks: model.tracks.length, error: null });
        // Registering a listener makes AbletonOSC send the current value at once, which also
        // corrects anything that changed while the sync was reading.
        for (const l of listenerMessages(model, this.maxListeners)) this.requester.fire(l.address, l.args);
      } catch (err) {
        if (this.closed || (LiveSetError.is(err) && err.code === 'LIVESET_CLOSED')) return;
        const e = LiveSetError.is(err) ? err : new LiveSetError('LIVESET_SYNC_FAILED', String(err));
        this.hooks.log(`sync from Live failed: ${e.code}: ${e.message}`);
        // A timeout means Live is not answering; the poll notices when it is back.
        this.setStatus({ syncing: false, connected: e.code !== 'LIVESET_TIMEOUT' && this._status.connected, error: { code: e.code, message: e.message } });
        if (e.code === 'LIVESET_SYNC_FAILED') this.dirty = true; // the set changed under us: try again
        if (this.dirty) await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  /** Compares the song's shape with the last model; re-syncs on a difference or a return. */
  private async poll(): Promise<void> {
    if (this.closed || this.polling || this.syncing !== null) return;
    this.polling = true;
    try {
      const [nt, ns] = await Promise.all([this.requester.request('/live/song/get/num_tracks', []), this.requester.request('/live/song/get/num_scenes', [])]);
      const tracks = intArg(nt[0]);
      const scenes = intArg(ns[0]);
      const wasGone = !this._status.connected;
      this.missed = 0;
      let changed = wasGone || this.model === null || tracks !== this.model.tracks.length || scenes !== this.model.scenes.length;
      if (!changed && tracks !== undefined && tracks > 0) {
        const counts = await this.requester.request('/live/song/get/track_data', [], [int(0), int(tracks), str('track.num_devices')]);
        changed = counts.length !== tracks || counts.some((a, i) => intArg(a) !== this.deviceCounts[i]);
      }
      if (changed && !this.closed) void this.resync();
    } catch (err) {
      if (this.closed) return;
      if (LiveSetError.is(err) && err.code === 'LIVESET_TIMEOUT' && ++this.missed >= MISSED_POLLS && this._status.connected) {
        this.setStatus({ connected: false, error: { code: err.code, message: 'Live is not answering' } });
      }
    } finally {
      this.polling = false;
    }
  }
}
