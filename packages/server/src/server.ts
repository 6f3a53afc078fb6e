// createServer: one Fastify instance and one ws server (noServer) on one port, serving pages,
// REST and the Tidewire WebSocket protocol at /ws.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import Fastify from 'fastify';
import type { Logger } from 'pino';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { encodeWelcome, PROTOCOL_VERSION } from '@tidewire/protocol';
import type { TimelineSchema } from '@tidewire/timeline';
import type { NodeSnapshot } from '@tidewire/tree';
import type { Registry } from 'prom-client';
import { realClock } from './batcher.ts';
import type { BatchClock } from './batcher.ts';
import { AddressCounter } from './admission.ts';
import { checkChannelName } from './channel.ts';
import { Connection } from './connection.ts';
import type { AnyChannel, ConnectionHost, ConnectionStats } from './connection.ts';
import { WriteTurns } from './write-turns.ts';
import { OffThreadSnapshots } from './off-thread-snapshots.ts';
import { registerCompression } from './compress.ts';
import { RefusalError, ServerError } from './errors.ts';
import { EventsChannelImpl } from './events-channel.ts';
import type { EventsChannel, EventsChannelOptions } from './events-channel.ts';
import { registerRoutes } from './http.ts';
import { createLogger, InternalErrors } from './logging.ts';
import type { ErrorComponent } from './logging.ts';
import { registerMethodNotAllowed } from './methods.ts';
import { ServerMetrics } from './metrics.ts';
import { defaultOrigins, resolveOptions } from './options.ts';
import type { ResolvedOptions, ServerLimits, ServerOptions } from './options.ts';
import { PlaybackScheduler } from './playback-scheduler.ts';
import { registerRequestErrors, RequestLogController } from './request-errors.ts';
import { HostPolicy, OriginPolicy, TokenCheck } from './security.ts';
import { TidewireSocket } from './socket.ts';
import { SnapshotJsonCache } from './snapshot-json.ts';
import { serveStatic } from './static.ts';
import type { StaticOptions } from './static.ts';
import { TimelineChannelImpl } from './timeline-channel.ts';
import type { TimelineChannel } from './timeline-channel.ts';
import { registerTimelineRoutes } from './timeline-http.ts';
import { LiveRecorder } from './timeline-live.ts';
import { loadRecorded } from './timeline-load.ts';
import { TimelineMetrics } from './timeline-metrics.ts';
import { resolveTimelineOptions } from './timeline-options.ts';
import type { ResolvedTimelineOptions, TimelineSource } from './timeline-options.ts';
import { TreeChannelImpl } from './tree-channel.ts';
import type { TreeChannel } from './tree-channel.ts';
import { judgeUpgrade, refuseUpgrade } from './upgrade.ts';

export const SERVER_CAPABILITIES = ['tree', 'events', 'chunked-snapshots', 'resume'];
/** Announced in WELCOME once the server has a timeline channel (docs/timeline-format.md §W). */
export const TIMELINE_CAPABILITY = 'timeline';

/** How long close() waits for clients to answer the close handshake before cutting them off. */
const CLOSE_GRACE_MS = 1000;
/** How long a closing socket may wait for the peer's close frame before it is destroyed (ws's
 *  default is 30 s). A socket closed for a timeout belongs to a peer that stopped talking; it
 *  must not keep its connection slot that long (docs/server.md §1.2). */
const CLOSE_TIMEOUT_MS = 2000;

export interface TidewireServer {
  /** Register routes, hooks and static roots here before listen(). */
  readonly fastify: FastifyInstance;
  /** Random id of this server instance (WELCOME.instance). */
  readonly instanceId: string;
  /** Creates a tree channel; throws TW_SERVER_CHANNEL_EXISTS if the name is taken. */
  tree(name: string, initial: NodeSnapshot): TreeChannel;
  /** Creates an events channel; throws TW_SERVER_CHANNEL_EXISTS if the name is taken. */
  events(name: string, opts?: EventsChannelOptions): EventsChannel;
  /** Creates a timeline channel from a segment file (decoded once, here) or a live schema.
   *  Throws TW_SERVER_CHANNEL_EXISTS, or TimelineError for a corrupt file or schema. */
  timeline(name: string, source: TimelineSource): TimelineChannel;
  channel(name: string): TreeChannel | EventsChannel | TimelineChannel | undefined;
  /** Serves `dir` under `prefix` with cache headers (and extra headers); call before listen(). */
  serveStatic(prefix: string, dir: string, options?: StaticOptions): Promise<void>;
  /** Fastify onRequest hook that answers 401 unless the request carries the token. */
  requireToken(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** Starts listening; resolves the base URL (http://127.0.0.1:PORT for a loopback bind). */
  listen(): Promise<string>;
  readonly url: string;
  readonly port: number;
  /** Origins allowed to open /ws (known after listen() when defaulted). */
  readonly allowedOrigins: readonly string[];
  /** Per-connection queue statistics (tests, diagnostics). */
  connectionStats(): ConnectionStats[];
  /** Closes every connection and the listener. Idempotent. */
  close(): Promise<void>;
  readonly metrics: Registry;
  /** The server's logger (Fastify's own pino logger, docs/server.md §Logging). Apps log their
   *  background work through a child: `server.log.child({ app: 'liveset' })`. */
  readonly log: Logger;
  /** Reports an internal error of work outside a request (an app's background task, a promise
   *  nobody handled): logged once at `error` with its code and `context`, counted in
   *  tidewire_internal_errors_total with component `app` when `context.app` names one, else `process`. */
  reportError(err: unknown, context: Record<string, unknown>, msg: string): void;
}

/** Test hooks; not part of the supported API. */
export interface InternalServerOptions {
  clock?: BatchClock;
  /** Clock of the timeline playback scheduler (tests drive it by hand). */
  timelineClock?: BatchClock;
}

export async function createServer(options?: ServerOptions, internal: InternalServerOptions = {}): Promise<TidewireServer> {
  const server = new Server(resolveOptions(options), internal);
  await server.fastify.after();
  return server;
}

class Server implements TidewireServer, ConnectionHost {
  readonly fastify: FastifyInstance;
  readonly instanceId = randomBytes(8).toString('hex');
  readonly limits: ServerLimits;
  readonly serverMetrics: ServerMetrics;
  readonly internalErrors: InternalErrors;
  readonly log: Logger;
  /** Every connection's outbox writes fan-outs in these turns (docs/server.md §4.1). */
  readonly writeTurns = new WriteTurns();
  /** Undefined when ServerOptions.snapshotThread is false. */
  private readonly offThread: OffThreadSnapshots | undefined;
  private readonly opts: ResolvedOptions;
  private readonly internal: InternalServerOptions;
  private readonly byName = new Map<string, AnyChannel>();
  private readonly byId: (AnyChannel | undefined)[] = [undefined];
  private readonly connections = new Set<Connection>();
  /** Every socket until it has fully closed (a closing one may still wait for the peer). */
  private readonly sockets = new Set<WebSocket>();
  private readonly wss: WebSocketServer;
  private readonly tokenCheck: TokenCheck | undefined;
  /** Undefined: any Host (a token guards the server). */
  private readonly hostPolicy: HostPolicy | undefined;
  private readonly perAddress: AddressCounter;
  private readonly playback: PlaybackScheduler;
  private readonly timelineMetrics: TimelineMetrics;
  private readonly timelineOpts: ResolvedTimelineOptions;
  private origins: OriginPolicy | undefined;
  private welcome: Uint8Array | undefined;
  private nextConnectionId = 1;
  private boundPort = 0;
  private baseUrl = '';
  private state: 'new' | 'listening' | 'closing' | 'closed' = 'new';
  private closePromise: Promise<void> | undefined;

  constructor(opts: ResolvedOptions, internal: InternalServerOptions) {
    this.opts = opts;
    this.internal = internal;
    this.limits = opts.limits;
    this.tokenCheck = opts.token === undefined ? undefined : new TokenCheck(opts.token);
    this.hostPolicy = opts.allowedHosts === undefined ? undefined : new HostPolicy(opts.allowedHosts);
    this.perAddress = new AddressCounter({ remote: opts.limits.maxConnectionsPerAddress, loopback: opts.limits.maxLoopbackConnectionsPerAddress });
    this.serverMetrics = new ServerMetrics({ channelCounters: () => this.byName.values(), connectionCount: () => this.connections.size }, opts.defaultMetrics);
    const log = (this.log = createLogger(opts.logger));
    // reason: Fastify types an instance by its logger's type; the server's API keeps the base one.
    this.fastify = Fastify({ loggerInstance: log, logController: new RequestLogController(), forceCloseConnections: true }) as unknown as FastifyInstance;
    this.internalErrors = new InternalErrors(log, this.serverMetrics.registry);
    this.offThread = opts.snapshotThread
      ? new OffThreadSnapshots((err, context) => this.reportInternal('snapshot', err, context, 'snapshot thread failed; encoding on the event loop'))
      : undefined;
    // At the root and first, so it covers every route, static root and the 404 handler.
    if (this.hostPolicy !== undefined) this.fastify.addHook('onRequest', this.checkHost.bind(this));
    // Before any route, so every route and plugin inherits the hooks.
    registerRequestErrors(this.fastify, this.internalErrors);
    // Before any route, so it sees them all.
    registerMethodNotAllowed(this.fastify, (code) => this.serverMetrics.refused(code));
    // First, so its onSend hook covers every route and static root registered after it.
    if (opts.compression) registerCompression(this.fastify);
    this.wss = new WebSocketServer({
      WebSocket: TidewireSocket,
      noServer: true,
      maxPayload: opts.limits.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
      // reason: closeTimeout is in ws 8.23 but not yet in @types/ws 8.18.
      ...({ closeTimeout: CLOSE_TIMEOUT_MS } as object),
    });
    this.requireToken = this.requireToken.bind(this);
    this.timelineOpts = resolveTimelineOptions(opts.timeline, opts.limits.chunkBytes);
    this.playback = new PlaybackScheduler(
      internal.timelineClock ?? realClock,
      (err, entry) => this.internalErrors.report('timeline', err, this.sessionContext(entry), 'playback session failed'),
      this.timelineOpts.tickMs,
    );
    this.timelineMetrics = new TimelineMetrics(this.serverMetrics.registry, { timelines: () => this.timelines() });
    this.fastify.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    // In a plugin, so the routes load after (and are covered by) the compression plugin.
    void this.fastify.register(async (scope) => {
      registerRoutes(scope, {
        instanceId: this.instanceId,
        metrics: this.serverMetrics.registry,
        channel: (name) => this.byName.get(name),
        connectionCount: () => this.connections.size,
        requireToken: this.requireToken,
        snapshotJson: new SnapshotJsonCache(opts.snapshotJson, (coding) => this.serverMetrics.jsonRendered(coding)),
        compression: opts.compression,
        refused: (code) => this.serverMetrics.refused(code),
      });
      registerTimelineRoutes(scope, {
        timeline: (name) => {
          const ch = this.byName.get(name);
          return ch?.kind === 'timeline' ? ch : undefined;
        },
        requireToken: this.requireToken,
        hasToken: this.tokenCheck !== undefined,
      });
    });
  }

  get metrics(): Registry {
    return this.serverMetrics.registry;
  }

  get url(): string {
    return this.baseUrl;
  }

  get port(): number {
    return this.boundPort;
  }

  get allowedOrigins(): readonly string[] {
    return this.origins?.list() ?? [];
  }

  // ---- channels ------------------------------------------------------------------------

  tree(name: string, initial: NodeSnapshot): TreeChannel {
    this.checkNewChannel(name);
    const ch = new TreeChannelImpl(name, this.byId.length, initial, {
      tickMs: this.opts.tickMs,
      maxReplayBytes: this.limits.maxQueuedBytes,
      snapshot: {
        chunkBytes: this.limits.chunkBytes,
        compressMinBytes: this.opts.snapshotCompression.minBytes,
        asyncMinBytes: this.opts.snapshotCompression.asyncMinBytes,
        level: this.opts.snapshotCompression.level,
      },
      opLog: this.opts.opLog,
      encodeTimer: this.serverMetrics.encodeTimer(name),
      writeTurns: this.writeTurns,
      offThread: this.offThread,
      clock: this.internal.clock,
    });
    this.addChannel(ch);
    return ch;
  }

  events(name: string, opts: EventsChannelOptions = {}): EventsChannel {
    this.checkNewChannel(name);
    const ch = new EventsChannelImpl(name, this.byId.length, opts, this.serverMetrics.encodeTimer(name));
    this.addChannel(ch);
    return ch;
  }

  timeline(name: string, source: TimelineSource): TimelineChannel {
    this.checkNewChannel(name);
    const s = resolveTimelineSourceArg(source);
    const ch = new TimelineChannelImpl(name, this.byId.length, s.live ? new LiveRecorder(s.schema, s.keyframeInterval) : loadRecorded(s.file), {
      scheduler: this.playback,
      config: this.timelineOpts.session,
      observeSeekLatency: (seconds) => this.timelineMetrics.observeSeek(seconds),
      logError: (msg, err) => this.internalErrors.report('timeline', err, { channel: name }, msg),
    });
    this.addChannel(ch);
    return ch;
  }

  private *timelines(): Iterable<TimelineChannelImpl> {
    for (const ch of this.byName.values()) if (ch.kind === 'timeline') yield ch;
  }

  private hasTimelines(): boolean {
    for (const _ of this.timelines()) return true;
    return false;
  }

  channel(name: string): TreeChannel | EventsChannel | TimelineChannel | undefined {
    return this.byName.get(name);
  }

  private checkNewChannel(name: string): void {
    checkChannelName(name);
    if (this.byName.has(name)) throw new ServerError('TW_SERVER_CHANNEL_EXISTS', `channel ${JSON.stringify(name)} already exists`);
    if (this.state === 'closing' || this.state === 'closed') throw new ServerError('TW_SERVER_STATE', 'server is closed');
  }

  private addChannel(ch: AnyChannel): void {
    this.byName.set(ch.name, ch);
    this.byId.push(ch);
    this.welcome = undefined; // the channel list changed
  }

  // ---- ConnectionHost ------------------------------------------------------------------

  channelByName(name: string): AnyChannel | undefined {
    return this.byName.get(name);
  }

  channelById(id: number): AnyChannel | undefined {
    return this.byId[id];
  }

  welcomeFrame(): Uint8Array {
    this.welcome ??= encodeWelcome({
      protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor],
      instance: this.instanceId,
      capabilities: this.hasTimelines() ? [...SERVER_CAPABILITIES, TIMELINE_CAPABILITY] : SERVER_CAPABILITIES,
      limits: { maxFrameBytes: this.limits.maxFrameBytes, maxSubscriptions: this.limits.maxSubscriptions, chunkBytes: this.limits.chunkBytes },
      channels: [...this.byName.values()].map((c) => ({ name: c.name, kind: c.kind })),
    });
    return this.welcome;
  }

  connectionClosed(conn: Connection): void {
    this.connections.delete(conn);
  }

  reportInternal(component: ErrorComponent, err: unknown, context: Record<string, unknown>, msg: string): void {
    this.internalErrors.report(component, err, context, msg);
  }

  /** Which channel and connection a failed playback entry (a TimelineSession) served. */
  private sessionContext(entry: object): Record<string, unknown> {
    const s = entry as { host?: { id?: unknown }; sink?: { id?: unknown; client?: unknown } };
    const channel = typeof s.host?.id === 'number' ? this.byId[s.host.id]?.name : undefined;
    return { channel, connection: s.sink?.id, client: s.sink?.client };
  }

  reportError(err: unknown, context: Record<string, unknown>, msg: string): void {
    this.internalErrors.report(typeof context.app === 'string' ? 'app' : 'process', err, context, msg);
  }

  connectionStats(): ConnectionStats[] {
    return [...this.connections].map((c) => c.stats);
  }

  // ---- HTTP ----------------------------------------------------------------------------

  /** onRequest hook (docs/server.md §1.1): 403 TW_HOST_NOT_ALLOWED for a Host outside the policy. */
  private async checkHost(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (this.hostPolicy!.allows(req.headers.host)) return;
    const refusal = new RefusalError('TW_HOST_NOT_ALLOWED', 'this server does not answer to that Host name');
    this.serverMetrics.refused(refusal.code);
    await reply.code(refusal.status).header('cache-control', 'no-store').send(refusal.body());
  }

  async requireToken(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    if (this.tokenCheck === undefined || this.tokenCheck.allows(req.headers, req.raw.url)) return;
    await reply.code(401).header('www-authenticate', 'Bearer').send({ code: 'TW_UNAUTHORIZED', message: 'a bearer token is required' });
  }

  serveStatic(prefix: string, dir: string, options?: StaticOptions): Promise<void> {
    if (this.state !== 'new') return Promise.reject(new ServerError('TW_SERVER_STATE', 'serveStatic() must be called before listen()'));
    return serveStatic(this.fastify, prefix, dir, options);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A reset during the handshake must not become an unhandled 'error'.
    socket.on('error', ignoreSocketError);
    try {
      const verdict = judgeUpgrade(req, {
        allowsHost: (h) => this.hostPolicy === undefined || this.hostPolicy.allows(h),
        allowsOrigin: (o) => this.origins !== undefined && this.origins.allows(o),
        allowsToken: (r) => this.tokenCheck === undefined || this.tokenCheck.allows(r.headers, r.url),
        // Closing sockets still hold resources until the peer answers (or ws gives up).
        hasRoom: () => this.sockets.size < this.limits.maxConnections,
        addressHasRoom: (r) => this.perAddress.hasRoom(r.socket.remoteAddress),
        closing: () => this.state !== 'listening',
      });
      if (verdict !== undefined) {
        this.serverMetrics.upgradeRefused(verdict);
        refuseUpgrade(socket, verdict);
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
    } catch (err) {
      this.internalErrors.report('upgrade', err, { url: req.url?.split('?')[0] }, 'upgrade failed');
      socket.destroy();
    }
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    if (this.state !== 'listening') {
      ws.terminate();
      return;
    }
    const conn = new Connection(this.nextConnectionId++, ws, req.socket.remoteAddress ?? '', this);
    this.connections.add(conn);
    this.sockets.add(ws);
    // Counted until the socket has fully closed, like the global cap.
    const key = this.perAddress.acquire(req.socket.remoteAddress ?? '');
    ws.once('close', () => {
      this.sockets.delete(ws);
      this.perAddress.release(key);
    });
  }

  // ---- lifecycle -----------------------------------------------------------------------

  async listen(): Promise<string> {
    if (this.state !== 'new') throw new ServerError('TW_SERVER_STATE', `listen() called on a ${this.state} server`);
    this.state = 'listening';
    await this.fastify.listen({ host: this.opts.host, port: this.opts.port });
    const addr = this.fastify.server.address() as AddressInfo;
    this.boundPort = addr.port;
    this.origins = new OriginPolicy(this.opts.allowedOrigins ?? defaultOrigins(this.opts.host, this.boundPort));
    const host = addr.family === 'IPv6' ? (addr.address === '::' ? '127.0.0.1' : `[${addr.address}]`) : addr.address === '0.0.0.0' ? '127.0.0.1' : addr.address;
    this.baseUrl = `http://${host}:${this.boundPort}`;
    return this.baseUrl;
  }

  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  private async shutdown(): Promise<void> {
    this.state = 'closing';
    for (const ch of this.byName.values()) if (ch.kind === 'tree' || ch.kind === 'timeline') ch.close();
    this.playback.close();
    const threadClosed = this.offThread?.close();
    for (const c of [...this.connections]) c.close(1001, 'server shutting down');
    const open = [...this.sockets];
    const closed = open.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()))));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    for (const ws of open) ws.terminate();
    this.wss.close();
    await this.fastify.close();
    await threadClosed;
    this.state = 'closed';
  }
}

function ignoreSocketError(): void {}

type CheckedSource = { live: true; schema: TimelineSchema; keyframeInterval: number | undefined } | { live: false; file: Uint8Array };

function resolveTimelineSourceArg(source: TimelineSource): CheckedSource {
  if (source === null || typeof source !== 'object')
    throw new ServerError('TW_SERVER_BAD_OPTION', 'timeline source must be { file } or { schema, live: true }');
  if ('file' in source) {
    if (!(source.file instanceof Uint8Array)) throw new ServerError('TW_SERVER_BAD_OPTION', 'timeline source.file must be a Uint8Array');
    return { live: false, file: source.file };
  }
  if (source.live !== true) throw new ServerError('TW_SERVER_BAD_OPTION', 'a timeline source without a file must say live: true');
  const k = source.keyframeInterval;
  if (k !== undefined && (!Number.isSafeInteger(k) || k < 1 || k > 65_535))
    throw new ServerError('TW_SERVER_BAD_OPTION', 'keyframeInterval must be an integer in [1, 65535]');
  return { live: true, schema: source.schema, keyframeInterval: k };
}
