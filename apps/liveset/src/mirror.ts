// LiveSetMirror: the server side of the Live Set mirror. Owns three channels on a Tidewire
// server — tree `liveset` (the set), events `liveset-events` (transport, beat, cursor, errors,
// Live's status; latest-wins) and events `liveset-control` (client -> Live commands) — and
// feeds the tree from the .als (re-read on every save), the OSC event port, and optionally a
// running Live through AbletonOSC. docs/liveset-osc.md describes the OSC side.
import { basename } from 'node:path';
import type { EventsChannel, TidewireServer, TreeChannel } from '@tidewire/server';
import type { AttrValue, NodeSnapshot } from '@tidewire/tree';
import { AbletonOscLink } from './abletonosc/link.ts';
import type { AbletonOscOptions } from './abletonosc/link.ts';
import { AlsError } from './als/errors.ts';
import { readAls } from './als/parse.ts';
import { ControlHandler } from './control.ts';
import type { ControlOptions } from './control.ts';
import { LiveSetError } from './errors.ts';
import { CONTROL_CHANNEL, EVENTS_CHANNEL } from './events.ts';
import type { AlsErrorEvent, LiveSetEventKey, LiveSetEvents, LiveStatus } from './events.ts';
import { IndexMap } from './index-map.ts';
import { OscIngest } from './ingest.ts';
import type { IngestSink } from './ingest.ts';
import { buildMirrorTree, emptyProject } from './live-model.ts';
import type { LiveModel } from './live-model.ts';
import { LiveSetMetrics } from './metrics.ts';
import type { OscDropCode } from './osc/errors.ts';
import type { OscArg, OscMessage } from './osc/codec.ts';
import { OscSocket } from './osc/udp.ts';
import type { OscPeer } from './osc/udp.ts';
import { LiveOverlay } from './overlay.ts';
import { AlsWatcher } from './watch.ts';

export const TREE_CHANNEL = 'liveset';

export const DEFAULT_OSC_PORT = 9002;
export const DEFAULT_LIVE_PORT = 11000;

export interface LiveSetMirrorOptions {
  /** The Live Set to mirror; re-read whenever it is saved. */
  alsPath?: string;
  /** A tree to start from instead of a file (benchmarks, tests). */
  tree?: NodeSnapshot;
  /** Re-read the .als on save (default true). */
  watch?: boolean;
  watchDebounceMs?: number;
  watchPolling?: boolean;
  /** OSC event port (default 9002; 0 picks a free port) and its interface (default 127.0.0.1). */
  oscPort?: number;
  oscHost?: string;
  /** Largest accepted datagram on the event port (default 8 KiB). */
  maxPacketBytes?: number;
  /** Client mode: sync from Live through AbletonOSC. */
  abletonOsc?: AbletonOscOptions;
  /** Where control messages go without AbletonOSC (default 127.0.0.1:11000); false for nowhere. */
  liveControl?: OscPeer | false;
  control?: ControlOptions;
  log?: (message: string) => void;
}

function defaultLog(message: string): void {
  console.error(`[liveset] ${message}`);
}

function checkPort(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65_535)
    throw new LiveSetError('LIVESET_BAD_OPTION', `${name} must be a port number (0–65535), got ${String(v)}`);
  return v;
}

export class LiveSetMirror {
  readonly channel: TreeChannel;
  readonly events: EventsChannel;
  /** Client commands for Live (`liveset-control`). */
  readonly controlChannel: EventsChannel;
  readonly metrics: LiveSetMetrics;
  private readonly opts: LiveSetMirrorOptions;
  private readonly overlay = new LiveOverlay();
  private readonly ingest: OscIngest;
  private readonly control: ControlHandler;
  private readonly log: (message: string) => void;
  private socket: OscSocket | null = null;
  private watcher: AlsWatcher | null = null;
  private link: AbletonOscLink | null = null;
  private controlPeer: OscPeer | null;
  private alsTree: NodeSnapshot | null;
  private liveModel: LiveModel | null = null;
  private indexMap: IndexMap | null = null;
  private loading: Promise<void> | null = null;
  private reloadAgain = false;
  private alsErrorShown = false;
  private closed = false;
  /** In a cluster, another node owns the tree and talks to Live: this one only serves (follow()). */
  private following = false;

  private constructor(server: TidewireServer, opts: LiveSetMirrorOptions, initial: NodeSnapshot | null, metrics: LiveSetMetrics) {
    this.opts = opts;
    this.log = opts.log ?? defaultLog;
    this.metrics = metrics;
    this.alsTree = initial;
    this.controlPeer = opts.liveControl === false ? null : (opts.liveControl ?? { address: '127.0.0.1', port: DEFAULT_LIVE_PORT });
    // Channels first: a second mirror on one server fails here, with TW_SERVER_CHANNEL_EXISTS.
    this.channel = server.tree(TREE_CHANNEL, buildMirrorTree(initial, null));
    this.events = server.events(EVENTS_CHANNEL);
    metrics.register(server.metrics);
    const self = this;
    const sink: IngestSink = {
      get map() {
        return self.map;
      },
      get rootId() {
        return self.channel.tree.root.id;
      },
      attrsOf: (id) => this.channel.tree.get(id)?.attrs,
      setAttr: (id, attr, value) => this.setAttr(id, attr, value),
      addClip: (slotId, attrs) => this.addClip(slotId, attrs),
      publish: (key, value) => this.publish(key, value),
      startup: () => void this.link?.resync(),
      liveError: (message) => {
        // A broken request can make the script report an error per message: log few.
        if (this.metrics.liveErrors++ % 100 === 0) this.log(`AbletonOSC error (${this.metrics.liveErrors} so far): ${message}`);
      },
    };
    this.ingest = new OscIngest(sink);
    this.control = new ControlHandler(
      {
        get map() {
          return self.map;
        },
        attrsOf: sink.attrsOf,
      },
      (address, args) => this.sendToLive(address, args),
      opts.control,
    );
    this.controlChannel = server.events(CONTROL_CHANNEL, {
      onMessage: (key, value, conn) => {
        const reason = this.control.handle(key, value, conn.id);
        if (reason === null) this.metrics.controlSent++;
        else this.metrics.controlRejected[reason]++;
      },
    });
  }

  /** Reads the .als (a bad initial file throws its AlsError), creates the channels, binds the ports. */
  static async start(server: TidewireServer, opts: LiveSetMirrorOptions = {}): Promise<LiveSetMirror> {
    if (opts === null || typeof opts !== 'object') throw new LiveSetError('LIVESET_BAD_OPTION', 'options must be an object');
    const oscPort = checkPort('oscPort', opts.oscPort ?? DEFAULT_OSC_PORT);
    if (opts.alsPath !== undefined && (typeof opts.alsPath !== 'string' || opts.alsPath.length === 0))
      throw new LiveSetError('LIVESET_BAD_OPTION', 'alsPath must be a non-empty string');
    const maxPacketBytes = opts.maxPacketBytes ?? 8192;
    if (!Number.isInteger(maxPacketBytes) || maxPacketBytes < 64 || maxPacketBytes > 65_507)
      throw new LiveSetError('LIVESET_BAD_OPTION', 'maxPacketBytes must be an integer in [64, 65507]');
    if (opts.abletonOsc) {
      checkPort('abletonOsc.port', opts.abletonOsc.port);
      if (opts.abletonOsc.listenPort !== undefined) checkPort('abletonOsc.listenPort', opts.abletonOsc.listenPort);
    }
    let initial: NodeSnapshot | null = opts.tree ?? null;
    if (opts.alsPath !== undefined) initial = (await readAls(opts.alsPath)).tree;

    // Everything that can fail (ports taken) happens before the channels exist: a server
    // cannot drop a channel again, so a failed start must leave it untouched.
    let mirror: LiveSetMirror | undefined;
    const log = opts.log ?? defaultLog;
    const metrics = new LiveSetMetrics();
    const socket = await OscSocket.bind({
      host: opts.oscHost ?? '127.0.0.1',
      port: oscPort,
      maxPacketBytes,
      maxMessagesPerPacket: 64,
      recvBufferBytes: 1024 * 1024,
      onMessage: (msg) => void mirror?.receive(msg),
      onDrop: (code) => void metrics.dropped[code]++,
      onError: (err) => log(`OSC event port: ${err.message}`),
    });
    let link: AbletonOscLink | null = null;
    try {
      if (opts.abletonOsc) {
        link = await AbletonOscLink.bind(
          opts.abletonOsc,
          {
            message: (msg) => void mirror?.receive(msg),
            drop: (code) => void metrics.dropped[code]++,
            mark: () => mirror?.overlay.mark() ?? 0,
            model: (model, mark) => mirror?.acceptModel(model, mark),
            status: (status) => mirror?.publish('live', status),
            log,
          },
          metrics,
        );
      }
      mirror = new LiveSetMirror(server, opts, initial, metrics);
    } catch (err) {
      await Promise.all([socket.close(), link?.close()]);
      throw err;
    }
    mirror.socket = socket;
    mirror.link = link;
    try {
      if (opts.alsPath !== undefined) {
        if (initial !== null) metrics.alsLoads.ok++;
        if (opts.watch !== false) {
          const m = mirror;
          m.watcher = await AlsWatcher.start({
            path: opts.alsPath,
            debounceMs: opts.watchDebounceMs,
            usePolling: opts.watchPolling,
            onChange: () => void m.reload(),
            onError: (err) => m.log(`watching ${opts.alsPath}: ${err.message}`),
          });
        }
      }
    } catch (err) {
      await mirror.close();
      throw err;
    }
    if (link !== null) link.begin();
    else mirror.publish('live', { mode: 'osc', oscPort: socket.port });
    return mirror;
  }

  /** Publishes one latest-wins value on `liveset-events` (the payloads of events.ts); following, the owner's values are shown instead. */
  publish<K extends LiveSetEventKey>(key: K, value: LiveSetEvents[K]): void {
    if (this.following) return;
    this.events.publish(key, value);
  }

  /**
   * In a cluster (docs/cluster.md §9), another node owns the tree: stop changing it. OSC
   * messages are counted and ignored, .als saves are read but not published; the cluster
   * replaces the tree with the owner's.
   */
  follow(): void {
    this.following = true;
  }

  /**
   * This node owns the tree (again): the tree is the cluster's, so the index map is rebuilt, what
   * Live reported while another node owned it is forgotten (the tree has it), and a linked Live
   * is synced afresh.
   */
  lead(): void {
    if (!this.following) return;
    this.following = false;
    this.indexMap = null;
    this.overlay.dropBefore(this.overlay.mark());
    void this.link?.resync();
  }

  /** The OSC event port actually bound. */
  get oscPort(): number {
    return this.socket?.port ?? 0;
  }

  /** AbletonOSC link status (client mode only). */
  get liveStatus(): LiveStatus | null {
    return this.link?.status ?? null;
  }

  /** Where AbletonOSC replies are received (client mode only). */
  get linkPort(): number | null {
    return this.link?.listenPort ?? null;
  }

  /** The index → node id map of the current tree. */
  get map(): IndexMap {
    this.indexMap ??= IndexMap.build(this.channel.tree.root);
    return this.indexMap;
  }

  /** Sends control messages to `peer` (the simulator's fake Live) when there is no AbletonOSC link. */
  setControlPeer(peer: OscPeer | null): void {
    this.controlPeer = peer;
  }

  /** Applies one OSC message as if it had arrived on the event port. */
  receive(msg: OscMessage): OscDropCode | null {
    if (this.following) {
      this.metrics.oscIgnoredFollowing++;
      return null;
    }
    let code: OscDropCode | null;
    try {
      code = this.ingest.handle(msg);
    } catch (err) {
      // Validation runs before any change, so a throw here is a bug: count, log, carry on.
      this.log(`ingest of ${msg.address} failed: ${(err as Error).message}`);
      code = 'OSC_BAD_VALUE';
    }
    if (code === null) this.metrics.oscMessages++;
    else this.metrics.dropped[code]++;
    return code;
  }

  /** Re-reads the .als now. Concurrent calls share one read and run once more after it. */
  reload(): Promise<void> {
    const path = this.opts.alsPath;
    if (path === undefined || this.closed) return Promise.resolve();
    if (this.loading !== null) {
      this.reloadAgain = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.reloadAgain = false;
        try {
          const set = await readAls(path);
          if (this.closed) return;
          this.metrics.alsLoads.ok++;
          this.alsTree = set.tree;
          if (this.following) continue;
          this.rebuild();
          if (this.alsErrorShown) {
            this.alsErrorShown = false;
            this.publish('error', null);
          }
        } catch (err) {
          if (this.closed) return;
          this.metrics.alsLoads.error++;
          const event: AlsErrorEvent = {
            code: AlsError.is(err) ? err.code : 'ALS_IO',
            message: (err as Error).message ?? String(err),
            file: basename(path),
          };
          this.log(`keeping the last good tree: ${event.code}: ${event.message}`);
          this.alsErrorShown = true;
          this.publish('error', event);
        }
      } while (this.reloadAgain && !this.closed);
    })().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  /** Resolves when a sync from Live (client mode) is done. */
  resyncLive(): Promise<void> {
    return this.link?.resync() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.watcher?.close(), this.link?.close(), this.socket?.close()]);
    await this.loading?.catch(() => {});
  }

  // ---- internals ------------------------------------------------------------------------

  private acceptModel(model: LiveModel, mark: number): void {
    this.metrics.liveSyncs++;
    this.liveModel = model;
    this.overlay.dropBefore(mark);
    if (!this.following) this.rebuild();
  }

  private sendToLive(address: string, args: OscArg[]): boolean {
    if (this.link !== null) return this.link.send(address, args);
    if (this.controlPeer === null || this.socket === null) return false;
    this.socket.send(address, args, this.controlPeer);
    return true;
  }

  /** Rebuilds the tree from the file and Live's model, Live's reports on top; publishes the diff. */
  private rebuild(): void {
    const next = buildMirrorTree(this.alsTree ?? (this.liveModel ? null : emptyProject()), this.liveModel);
    this.overlay.applyTo(next);
    try {
      this.channel.replace(next);
    } catch (err) {
      this.log(`could not publish the rebuilt tree: ${(err as Error).message}`);
    }
    this.indexMap = null;
  }

  private setAttr(id: string, attr: string, value: AttrValue): void {
    const node = this.channel.tree.get(id);
    if (node === undefined) return;
    this.overlay.record(id, attr, value);
    if (node.attrs[attr] === value) return;
    this.channel.set(id, { [attr]: value });
  }

  private addClip(slotId: string, attrs: Record<string, AttrValue>): void {
    const slot = this.channel.tree.get(slotId);
    if (slot === undefined) return;
    const id = `${slotId}/clip`;
    for (const [k, v] of Object.entries(attrs)) this.overlay.record(id, k, v);
    this.channel.insert(slotId, slot.children.length, { id, type: 'clip', attrs: { ...attrs }, children: [] });
  }
}
