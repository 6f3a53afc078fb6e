// Client process of the cluster suite (docs/cluster.md §10): hosts Tidewire clients (raw
// WebSocket, @tidewire/protocol frames, resume by position) or Socket.IO clients (raw
// WebSocket, Engine.IO v4 packets), and measures
// what they receive: change→client latency from the send time each change carries, messages
// and bytes, and — when a server dies — how long its clients take to be live again on another
// node and whether they needed a snapshot. Never writes to stdout.
import { performance } from 'node:perf_hooks';
import { inflateRawSync } from 'node:zlib';
import { decodeFrame, decodeSnapshotBody, encodeHello, encodeSubscribe, FrameType, PROTOCOL_VERSION, SnapshotEncoding, unpack } from '@tidewire/protocol';
import type { Frame, Position } from '@tidewire/protocol';
import { OpKind, Tree } from '@tidewire/tree';
import { WebSocket } from 'ws';
import { sleep, wallNow } from '../stats.ts';
import { LatencyHistogram } from './histogram.ts';
import type { ClientCommand, ClientKind, ClientReport, RecoveryReport } from './messages.ts';

const NODES = 100;
const CHANNEL = 'bench';
/** A change younger than this means a moved client is live again. */
const LIVE_MS = 100;
const MAX_ERROR_TEXTS = 10;

const histogram = new LatencyHistogram();
let messages = 0;
let bytes = 0;
let since = performance.now();
let elu = performance.eventLoopUtilization();
let errors = 0;
const firstErrors: string[] = [];

function error(message: string): void {
  errors++;
  if (firstErrors.length < MAX_ERROR_TEXTS) firstErrors.push(message);
}

/** What both kinds of client keep: the last change seen per node, and the story of a move. */
abstract class BenchClient {
  readonly lastSeq = new Float64Array(NODES).fill(-1);
  connected = false;
  closing = false;
  urlIndex: number;
  /** When this client's server went away (undefined: it never did, or it was counted already). */
  movedAt: number | undefined;
  convergedAt: number | undefined;
  snapshotsAfterMove = 0;

  constructor(
    readonly urls: readonly string[],
    index: number,
  ) {
    this.urlIndex = index % urls.length;
  }

  #ws: WebSocket | undefined;

  /** Connects to the current URL; resolves once the subclass's handshake says the client is live. */
  abstract open(): Promise<void>;

  /**
   * Opens a WebSocket to `path` on the current URL. `handshake` runs on open; `receive` gets every
   * message (counted here) and returns true once the client is subscribed, which resolves the
   * promise. An error or close before that rejects it; a close after it is a lost server.
   */
  protected socket(path: string, handshake: (ws: WebSocket) => void, receive: (data: Buffer, ws: WebSocket) => boolean): Promise<void> {
    const ws = new WebSocket(`${this.urls[this.urlIndex]!.replace(/^http/, 'ws')}${path}`, { perMessageDeflate: false });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      let opening = true;
      const fail = (err: Error) => {
        if (!opening) return false;
        opening = false;
        reject(err);
        return true;
      };
      ws.on('open', () => handshake(ws));
      ws.on('message', (data: Buffer) => {
        messages++;
        bytes += data.byteLength;
        if (receive(data, ws) && opening) {
          opening = false;
          this.connected = true;
          resolve();
        }
      });
      ws.on('error', (err) => void fail(err));
      ws.on('close', () => {
        if (!fail(new Error('closed while opening')) && this.#ws === ws) this.lost();
      });
    });
  }

  close(): void {
    this.closing = true;
    this.#ws?.terminate();
  }

  /** One change arrived: its latency, and whether it ends a move. */
  protected change(id: string, attrs: { t?: unknown; s?: unknown }): void {
    const t = attrs.t;
    const s = attrs.s;
    if (typeof t !== 'number' || typeof s !== 'number') return;
    const age = wallNow() - t;
    histogram.record(age);
    const n = Number(id.slice(1));
    if (s > this.lastSeq[n]!) this.lastSeq[n] = s;
    if (this.movedAt !== undefined && this.convergedAt === undefined && age < LIVE_MS) this.convergedAt = wallNow();
  }

  /** The server went away: go to the next URL (the dead one refuses; the loop tries on). */
  protected lost(): void {
    this.connected = false;
    if (this.closing) return;
    if (this.movedAt === undefined) this.movedAt = wallNow();
    this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    void (async () => {
      for (let attempt = 0; !this.closing && attempt < 50; attempt++) {
        try {
          await this.open();
          return;
        } catch {
          this.urlIndex = (this.urlIndex + 1) % this.urls.length;
          await sleep(50);
        }
      }
    })();
  }
}

class TidewireBenchClient extends BenchClient {
  #channel = -1;
  #position: Position | undefined;

  open(): Promise<void> {
    this.#channel = -1;
    return this.socket(
      '/ws',
      (ws) => {
        ws.send(encodeHello({ protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor], client: 'bench-cluster', capabilities: [] }));
        ws.send(encodeSubscribe(this.#position ? { name: CHANNEL, from: this.#position } : { name: CHANNEL }));
      },
      (data) => {
        try {
          this.#frame(decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
        } catch (err) {
          error(`frame: ${(err as Error).message}`);
        }
        return this.#position !== undefined && this.#channel >= 0;
      },
    );
  }

  #frame(f: Frame): void {
    switch (f.type) {
      case FrameType.SUBSCRIBED:
        this.#channel = f.channel;
        if (f.resume === 'replay' || f.resume === 'none') this.#position ??= { epoch: f.epoch, offset: f.offset };
        return;
      case FrameType.SNAPSHOT: {
        if (f.channel !== this.#channel) return;
        const body = f.encoding === SnapshotEncoding.DEFLATE_RAW ? inflateRawSync(f.body) : f.body;
        const tree = Tree.fromColumns(decodeSnapshotBody(body), unpack);
        for (let n = 0; n < NODES; n++) {
          const s = tree.get(`n${n}`)?.attrs.s;
          if (typeof s === 'number') this.lastSeq[n] = s;
        }
        this.#position = { epoch: f.epoch, offset: f.offset };
        if (this.movedAt !== undefined) this.snapshotsAfterMove++;
        return;
      }
      case FrameType.SNAPSHOT_BEGIN:
        error('a chunked snapshot of a 100-node tree');
        return;
      case FrameType.OPS: {
        if (f.channel !== this.#channel || this.#position === undefined) return;
        if (f.epoch !== this.#position.epoch || f.offset !== this.#position.offset + 1) {
          error(`OPS at ${f.epoch}:${f.offset} after ${this.#position.epoch}:${this.#position.offset}`);
          return;
        }
        this.#position = { epoch: f.epoch, offset: f.offset };
        for (const op of f.ops as unknown[][]) {
          if (op[0] === OpKind.SET) this.change(op[1] as string, op[2] as { t?: unknown; s?: unknown });
        }
        return;
      }
      case FrameType.ERROR:
        error(`ERROR ${f.code}: ${f.message}`);
        return;
      default:
    }
  }
}

/**
 * A Socket.IO client at the wire (Engine.IO v4 over WebSocket, the main namespace): what
 * socket.io-client does, without its per-packet machinery, so that 100 clients in one process
 * measure the servers rather than the client library. Answers pings, parses each EVENT packet.
 */
class SocketIoBenchClient extends BenchClient {
  open(): Promise<void> {
    return this.socket(
      '/socket.io/?EIO=4&transport=websocket',
      () => undefined, // the server speaks first (its OPEN packet)
      (data, ws) => {
        const text = data.toString();
        if (text.startsWith('42')) {
          try {
            const [name, change] = JSON.parse(text.slice(2)) as [string, { id: string; attrs: { t?: unknown; s?: unknown } }];
            if (name === 'change') this.change(change.id, change.attrs);
          } catch (err) {
            error(`packet: ${(err as Error).message}`);
          }
        } else if (text === '2') ws.send('3');
        else if (text.startsWith('0')) ws.send('40');
        return text.startsWith('40');
      },
    );
  }
}

const clients: BenchClient[] = [];

async function openClients(kind: ClientKind, urls: string[], count: number): Promise<void> {
  const make = (i: number): BenchClient => (kind === 'tidewire' ? new TidewireBenchClient(urls, i) : new SocketIoBenchClient(urls, i));
  const start = clients.length;
  // At most 200 handshakes at once: 10,000 at a time would trip the server's upgrade limits.
  for (let i = 0; i < count; i += 200) {
    const batch = Array.from({ length: Math.min(200, count - i) }, (_, j) => make(start + i + j));
    clients.push(...batch);
    const results = await Promise.allSettled(batch.map((c) => c.open()));
    for (const r of results) if (r.status === 'rejected') error(`open: ${(r.reason as Error).message}`);
  }
}

function report(): ClientReport {
  const now = performance.now();
  const window = performance.eventLoopUtilization(elu);
  return {
    clients: clients.length,
    connected: clients.filter((c) => c.connected).length,
    messages,
    bytes,
    seconds: (now - since) / 1000,
    latency: histogram.sparse(),
    errors,
    firstErrors,
    loopUtilization: window.utilization,
  };
}

function recovery(): RecoveryReport {
  const moved = clients.filter((c) => c.movedAt !== undefined);
  const first = Math.min(...moved.map((c) => c.movedAt!));
  const converged = moved.filter((c) => c.convergedAt !== undefined);
  const r: RecoveryReport = {
    moved: moved.length,
    converged: converged.length,
    maxMs: converged.length === 0 ? NaN : Math.max(...converged.map((c) => c.convergedAt!)) - first,
    snapshots: moved.reduce((n, c) => n + c.snapshotsAfterMove, 0),
  };
  for (const c of moved) {
    c.movedAt = undefined;
    c.convergedAt = undefined;
    c.snapshotsAfterMove = 0;
  }
  return r;
}

function lostUpdates(lastPerNode: readonly number[]): number {
  let lost = 0;
  for (const c of clients) for (let n = 0; n < NODES; n++) if (c.lastSeq[n]! < lastPerNode[n]!) lost++;
  return lost;
}

process.on('message', (raw) => {
  const cmd = raw as ClientCommand;
  void (async () => {
    switch (cmd.cmd) {
      case 'open':
        await openClients(cmd.kind, cmd.urls, cmd.count);
        process.send!({ opened: clients.filter((c) => c.connected).length, errors, firstErrors });
        return;
      case 'measure':
        histogram.reset();
        messages = 0;
        bytes = 0;
        since = performance.now();
        elu = performance.eventLoopUtilization();
        process.send!({ ok: true });
        return;
      case 'report':
        process.send!(report());
        return;
      case 'lost':
        process.send!({ lost: lostUpdates(cmd.lastPerNode) });
        return;
      case 'recovery':
        process.send!(recovery());
        return;
      case 'close':
        for (const c of clients.splice(0)) c.close();
        process.send!({ ok: true });
        return;
      case 'exit':
        for (const c of clients) c.close();
        process.exit(0);
    }
  })().catch((err: unknown) => process.send!({ error: (err as Error).message }));
});

process.send!({ ready: true });
