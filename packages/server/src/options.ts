// ServerOptions: defaults and validation. Everything is checked when the server is created
// (not at the first request), and a public bind without a token is refused outright.
import { isIP } from 'node:net';
import { DEFAULT_LIMITS } from '@tidewire/protocol';
import { ServerError } from './errors.ts';
import type { ServerLogOptions } from './logging.ts';
import type { TimelineOptions } from './timeline-options.ts';

export interface ServerLimits {
  /** Largest client-to-server frame; ws closes with 1009 above it. Announced in WELCOME. */
  maxFrameBytes: number;
  /** Subscriptions per connection. Announced in WELCOME. */
  maxSubscriptions: number;
  /** Snapshot chunk size, and the socket backlog under which state frames are written. */
  chunkBytes: number;
  /** Cap on queued OPS bytes per connection; past it the connection is resynced by snapshot. */
  maxQueuedBytes: number;
  /** Open WebSocket connections per server; further upgrades get HTTP 503 (TW_UNAVAILABLE). */
  maxConnections: number;
  /** Open WebSocket connections per non-loopback client address (an IPv6 client by its /64);
   *  further upgrades from it get HTTP 503 (TW_TOO_MANY_CONNECTIONS). */
  maxConnectionsPerAddress: number;
  /** The same cap for each loopback address; default maxConnections minus a reserve of
   *  min(64, maxConnections / 8), so one local process cannot take every slot. */
  maxLoopbackConnectionsPerAddress: number;
  /** A connection that has not sent HELLO by then is closed (TW_HANDSHAKE_TIMEOUT). */
  handshakeTimeoutMs: number;
  /** A connection past HELLO subscribed to nothing for this long is closed (TW_IDLE_TIMEOUT). */
  idleTimeoutMs: number;
  /** Timeline playback sessions per connection (each is also a subscription). */
  maxTimelineSessions: number;
}

export interface OpLogOptions {
  /** Op batches kept per tree channel for replay on resume. */
  maxBatches?: number;
  /** Encoded bytes kept per tree channel for replay on resume. */
  maxBytes?: number;
}

export interface ServerOptions {
  /** Interface to bind; default 127.0.0.1. A non-loopback host requires `token`. */
  host?: string;
  /** Port; default 0 (any free port). */
  port?: number;
  /** Bearer token required on /ws, /api/* and /metrics when set. */
  token?: string;
  /** Origins allowed to open /ws; default the loopback origins of the bound port. */
  allowedOrigins?: string[];
  /** Host names a tokenless server answers besides loopback names (docs/server.md §1.1):
   *  `name` (any port) or `name:port`. Given with a token, the Host check applies too. */
  allowedHosts?: string[];
  limits?: Partial<ServerLimits>;
  /** Batching tick for tree channels under load (ms); default 1000/60, one 60 Hz display frame,
   *  so a storm costs at most 60 OPS frames a second per channel. Fractions allowed. */
  tickMs?: number;
  opLog?: OpLogOptions;
  /** Structured logging (docs/server.md §Logging): `false` is silent; `true` or absent takes the
   *  defaults (level from TIDEWIRE_LOG_LEVEL, else `info`, `silent` under TIDEWIRE_TEST=1; JSON
   *  lines on stderr). Internal errors are counted in /metrics either way. */
  logger?: boolean | ServerLogOptions;
  /** Collect prom-client's default process metrics into this server's registry; default true. */
  defaultMetrics?: boolean;
  /** Compress text-like HTTP responses (br/gzip/deflate by Accept-Encoding); default true. */
  compression?: boolean;
  /** deflate-raw for snapshot bodies of at least minBytes (default 4 KiB) at zlib `level`
   *  (default 6); bodies of at least asyncMinBytes (default 256 KiB) off the event loop. */
  snapshotCompression?: { minBytes?: number; asyncMinBytes?: number; level?: number };
  /** Encode snapshots of large trees on a worker thread (docs/server.md §4.2); default true. */
  snapshotThread?: boolean;
  /** Pacing of timeline playback (docs/timeline-format.md §W). */
  timeline?: TimelineOptions;
  /** JSON renderings of GET /api/trees/:name (docs/server.md §5.1). */
  snapshotJson?: SnapshotJsonOptions;
}

export interface SnapshotJsonOptions {
  /** Bytes of rendered JSON bodies (plain and compressed) kept; default 64 MiB. */
  cacheBytes?: number;
  /** Renders running at once; default 2. */
  maxRenders?: number;
  /** Renders waiting for a slot; past it a request gets 503 TW_BUSY; default 32. */
  maxQueuedRenders?: number;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  token: string | undefined;
  allowedOrigins: string[] | undefined;
  /** Undefined: no Host check (a token guards the server). */
  allowedHosts: string[] | undefined;
  limits: ServerLimits;
  tickMs: number;
  opLog: Required<OpLogOptions>;
  logger: false | ServerLogOptions;
  defaultMetrics: boolean;
  compression: boolean;
  snapshotCompression: { minBytes: number; asyncMinBytes: number; level: number };
  snapshotThread: boolean;
  timeline: TimelineOptions | undefined;
  snapshotJson: Required<SnapshotJsonOptions>;
}

/** The defaults; maxLoopbackConnectionsPerAddress is derived from maxConnections (loopbackCap). */
export const DEFAULT_SERVER_LIMITS: Readonly<Omit<ServerLimits, 'maxLoopbackConnectionsPerAddress'>> = {
  ...DEFAULT_LIMITS,
  maxQueuedBytes: 4 * 1024 * 1024,
  maxConnections: 1024,
  maxConnectionsPerAddress: 64,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  maxTimelineSessions: 16,
};

/** Default per-address cap of a loopback address: every slot but a reserve (1024 → 960). */
export function loopbackCap(maxConnections: number): number {
  return maxConnections - Math.min(64, Math.floor(maxConnections / 8));
}

export const DEFAULT_SNAPSHOT_JSON: Readonly<Required<SnapshotJsonOptions>> = { cacheBytes: 64 * 1024 * 1024, maxRenders: 2, maxQueuedRenders: 32 };

export const DEFAULT_OP_LOG: Readonly<Required<OpLogOptions>> = { maxBatches: 1024, maxBytes: 8 * 1024 * 1024 };

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** A Host value split into a lower-case name (IPv6 without brackets) and its port, if any. */
export interface HostName {
  name: string;
  port: number | undefined;
}

const BRACKETED = /^\[([0-9a-f:.]+)\](?::([0-9]{1,5}))?$/i;
const NAMED = /^([a-z0-9_.-]+?)\.?(?::([0-9]{1,5}))?$/i;

/** Parses `name[:port]` or `[v6][:port]` as a Host header carries it; undefined when malformed. */
export function parseHost(value: string): HostName | undefined {
  const m = BRACKETED.exec(value) ?? NAMED.exec(value);
  if (m === null || m[1] === '' || m[1]!.startsWith('.')) return undefined;
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && port > 65_535) return undefined;
  return { name: m[1]!.toLowerCase(), port };
}

export function int(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ServerError('TW_SERVER_BAD_OPTION', `${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

export function num(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ServerError('TW_SERVER_BAD_OPTION', `${name} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** One 60 Hz display frame. */
export const DEFAULT_TICK_MS = 1000 / 60;

export function resolveOptions(o: ServerOptions = {}): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw new ServerError('TW_SERVER_BAD_OPTION', 'options must be an object');
  const host = o.host ?? '127.0.0.1';
  if (typeof host !== 'string' || host.length === 0) throw new ServerError('TW_SERVER_BAD_OPTION', 'host must be a non-empty string');
  const token = o.token;
  if (token !== undefined && (typeof token !== 'string' || token.length < 8 || token.length > 4096)) {
    throw new ServerError('TW_SERVER_BAD_OPTION', 'token must be a string of 8–4096 characters');
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new ServerError('TW_SERVER_TOKEN_REQUIRED', `binding to ${host} exposes the server beyond this machine; pass a token`);
  }
  let allowedOrigins: string[] | undefined;
  if (o.allowedOrigins !== undefined) {
    if (!Array.isArray(o.allowedOrigins) || !o.allowedOrigins.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 2048)) {
      throw new ServerError('TW_SERVER_BAD_OPTION', 'allowedOrigins must be an array of non-empty strings');
    }
    allowedOrigins = o.allowedOrigins.map(normalizeOrigin);
  }
  let allowedHosts: string[] | undefined;
  if (o.allowedHosts !== undefined) {
    if (!Array.isArray(o.allowedHosts) || !o.allowedHosts.every((s) => typeof s === 'string' && s.length <= 255 && parseHost(s) !== undefined)) {
      throw new ServerError('TW_SERVER_BAD_OPTION', 'allowedHosts must be an array of host names, each `name` or `name:port`');
    }
    allowedHosts = [...o.allowedHosts];
  } else if (token === undefined) {
    // Tokenless (so loopback-bound): only loopback names.
    allowedHosts = [];
  }
  const l: Partial<ServerLimits> & typeof DEFAULT_SERVER_LIMITS = { ...DEFAULT_SERVER_LIMITS, ...(o.limits ?? {}) };
  const maxConnections = int('limits.maxConnections', l.maxConnections, 1, 1_000_000);
  const limits: ServerLimits = {
    maxFrameBytes: int('limits.maxFrameBytes', l.maxFrameBytes, 64, 256 * 1024 * 1024),
    maxSubscriptions: int('limits.maxSubscriptions', l.maxSubscriptions, 1, 65_536),
    chunkBytes: int('limits.chunkBytes', l.chunkBytes, 64, 64 * 1024 * 1024),
    maxQueuedBytes: int('limits.maxQueuedBytes', l.maxQueuedBytes, 1024, 1024 * 1024 * 1024),
    maxConnections,
    // A default above a small maxConnections is clamped to it; a given one is checked.
    maxConnectionsPerAddress: int(
      'limits.maxConnectionsPerAddress',
      o.limits?.maxConnectionsPerAddress ?? Math.min(l.maxConnectionsPerAddress, maxConnections),
      1,
      maxConnections,
    ),
    maxLoopbackConnectionsPerAddress: int(
      'limits.maxLoopbackConnectionsPerAddress',
      l.maxLoopbackConnectionsPerAddress ?? loopbackCap(maxConnections),
      1,
      maxConnections,
    ),
    handshakeTimeoutMs: int('limits.handshakeTimeoutMs', l.handshakeTimeoutMs, 1, 3_600_000),
    idleTimeoutMs: int('limits.idleTimeoutMs', l.idleTimeoutMs, 1, 24 * 3_600_000),
    maxTimelineSessions: int('limits.maxTimelineSessions', l.maxTimelineSessions, 1, 65_536),
  };
  const opLog = { ...DEFAULT_OP_LOG, ...(o.opLog ?? {}) };
  return {
    host,
    port: int('port', o.port ?? 0, 0, 65_535),
    token,
    allowedOrigins,
    allowedHosts,
    limits,
    tickMs: num('tickMs', o.tickMs ?? DEFAULT_TICK_MS, 1, 60_000),
    opLog: {
      maxBatches: int('opLog.maxBatches', opLog.maxBatches, 0, 10_000_000),
      maxBytes: int('opLog.maxBytes', opLog.maxBytes, 0, 4 * 1024 * 1024 * 1024),
    },
    logger: o.logger === false ? false : o.logger === true || o.logger === undefined ? {} : checkLogOptions(o.logger),
    defaultMetrics: o.defaultMetrics ?? true,
    compression: o.compression ?? true,
    snapshotCompression: {
      // Infinity-like: a minBytes above any body turns compression off.
      minBytes: int('snapshotCompression.minBytes', o.snapshotCompression?.minBytes ?? 4096, 0, Number.MAX_SAFE_INTEGER),
      asyncMinBytes: int('snapshotCompression.asyncMinBytes', o.snapshotCompression?.asyncMinBytes ?? 256 * 1024, 0, Number.MAX_SAFE_INTEGER),
      level: int('snapshotCompression.level', o.snapshotCompression?.level ?? 6, 0, 9),
    },
    snapshotThread: o.snapshotThread ?? true,
    timeline: o.timeline,
    snapshotJson: {
      cacheBytes: int('snapshotJson.cacheBytes', o.snapshotJson?.cacheBytes ?? DEFAULT_SNAPSHOT_JSON.cacheBytes, 0, Number.MAX_SAFE_INTEGER),
      maxRenders: int('snapshotJson.maxRenders', o.snapshotJson?.maxRenders ?? DEFAULT_SNAPSHOT_JSON.maxRenders, 1, 1024),
      maxQueuedRenders: int('snapshotJson.maxQueuedRenders', o.snapshotJson?.maxQueuedRenders ?? DEFAULT_SNAPSHOT_JSON.maxQueuedRenders, 0, 65_536),
    },
  };
}

function checkLogOptions(o: ServerLogOptions): ServerLogOptions {
  if (o === null || typeof o !== 'object') throw new ServerError('TW_SERVER_BAD_OPTION', 'logger must be a boolean or { level, format, stream }');
  if (o.format !== undefined && o.format !== 'json' && o.format !== 'pretty')
    throw new ServerError('TW_SERVER_BAD_OPTION', "logger.format must be 'json' or 'pretty'");
  if (o.stream !== undefined && typeof o.stream?.write !== 'function')
    throw new ServerError('TW_SERVER_BAD_OPTION', 'logger.stream must have a write() method');
  return o;
}

/** The serialisation browsers send in `Origin`: scheme://host[:port], lower case, no path. */
export function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

/** Loopback origins of the bound port (the pages this server itself serves), plus the bind host. */
export function defaultOrigins(host: string, port: number): string[] {
  const hosts = ['127.0.0.1', 'localhost', '[::1]'];
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  if (host !== '0.0.0.0' && host !== '::' && !hosts.includes(h.toLowerCase())) hosts.push(h.toLowerCase());
  const out: string[] = [];
  for (const name of hosts) {
    out.push(`http://${name}:${port}`, `https://${name}:${port}`);
    // Browsers omit default ports from Origin.
    if (port === 80) out.push(`http://${name}`);
    if (port === 443) out.push(`https://${name}`);
  }
  return out;
}
