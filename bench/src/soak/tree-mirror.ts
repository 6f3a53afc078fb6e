// One soak client of a tree channel over a real WebSocket: HELLO and SUBSCRIBE pipelined, every
// frame decoded with @tidewire/protocol, the channel mirrored with @tidewire/tree (snapshots,
// chunked snapshots, OPS in order), as packages/server/test/raw-client.ts does. For the final
// convergence check it takes its root hash at one given position (`watch()`, or `record()` for
// the last few positions already passed), so it can be compared with the server's hash there
// while the server keeps changing.
import { inflateRawSync } from 'node:zlib';
import { WebSocket } from 'ws';
import {
  decodeFrame,
  decodeSnapshotBody,
  encodeHello,
  encodeSubscribe,
  FrameType,
  PROTOCOL_VERSION,
  SnapshotAssembler,
  SnapshotEncoding,
  unpack,
} from '@tidewire/protocol';
import type { Frame, Position, SnapshotEncodingCode } from '@tidewire/protocol';
import { parseOps, Tree } from '@tidewire/tree';

/** Non-fatal ERROR codes that are part of the load, not failures: a paused reader is resynced. */
const EXPECTED_ERRORS = new Set(['TW_SLOW_CONSUMER']);
/** How long a graceful close may wait for the server's close frame before the socket is dropped. */
export const CLOSE_WAIT_MS = 5000;
/** Positions remembered while recording (a few seconds of a storm at 60 batches a second). */
const RECENT = 512;

export interface MirrorStats {
  snapshots: number;
  opsApplied: number;
  slowResyncs: number;
  /** Connections opened (the first and every churn reconnect). */
  connects: number;
}

export interface MirrorHooks {
  error(message: string): void;
}

function inflateBody(encoding: SnapshotEncodingCode, body: Uint8Array): Uint8Array {
  return encoding === SnapshotEncoding.DEFLATE_RAW ? inflateRawSync(body) : body;
}

function key(p: Position): string {
  return `${p.epoch}:${p.offset}`;
}

/** Named states: what the socket is doing (churn closes and reopens it). */
type SocketState = 'closed' | 'opening' | 'open' | 'closing';

export class TreeMirror {
  tree: Tree | undefined;
  position: Position | undefined;
  readonly stats: MirrorStats = { snapshots: 0, opsApplied: 0, slowResyncs: 0, connects: 0 };
  private ws: WebSocket | undefined;
  private state: SocketState = 'closed';
  private channel = -1;
  private assembler: SnapshotAssembler | undefined;
  /** The position watched for the convergence check, and the root hash taken there. */
  private target: Position | undefined;
  private targetHash: string | undefined;
  /** Root hashes at the last RECENT positions since record() (undefined: not recording). */
  private recent: Map<string, string> | undefined;

  constructor(
    private readonly url: string,
    readonly channelName: string,
    private readonly localAddress: string,
    private readonly hooks: MirrorHooks,
  ) {}

  get isOpen(): boolean {
    return this.state === 'open';
  }

  /** Connects and subscribes; resolves once the first snapshot is installed. */
  open(): Promise<void> {
    this.state = 'opening';
    this.tree = undefined;
    this.position = undefined;
    this.assembler = undefined;
    this.channel = -1;
    const ws = new WebSocket(`${this.url.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false, localAddress: this.localAddress });
    this.ws = ws;
    this.stats.connects++;
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      };
      ws.on('open', () => {
        ws.send(encodeHello({ protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor], client: 'bench-soak', capabilities: [] }));
        ws.send(encodeSubscribe({ name: this.channelName }));
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) return this.hooks.error(`${this.channelName}: text frame from the server`);
        try {
          this.onFrame(decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength)));
        } catch (err) {
          this.hooks.error(`${this.channelName}: ${(err as Error).message}`);
        }
        if (this.state === 'opening' && this.position !== undefined) {
          this.state = 'open';
          settle();
        }
      });
      ws.on('unexpected-response', (_req, res) => settle(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
      ws.on('error', (err) => {
        if (this.state === 'opening') settle(err);
        else if (this.state !== 'closing') this.hooks.error(`${this.channelName}: socket error ${err.message}`);
      });
      ws.on('close', (code, reason) => {
        if (this.state === 'opening') settle(new Error(`closed while opening: ${code} ${reason.toString()}`));
        else if (this.state !== 'closing') this.hooks.error(`${this.channelName}: closed by the server: ${code} ${reason.toString()}`);
        this.state = 'closed';
      });
    });
  }

  /** Stops reading the socket for `ms` (a slow consumer: the server's queue for it grows). */
  pauseReading(ms: number): Promise<void> {
    const ws = this.ws;
    if (!ws || this.state !== 'open') return Promise.resolve();
    ws.pause();
    return new Promise((r) =>
      setTimeout(() => {
        ws.resume();
        r();
      }, ms),
    );
  }

  /** Closes the connection (gracefully, or abruptly as a dropped network would) and waits for it. */
  close(abrupt = false): Promise<void> {
    const ws = this.ws;
    if (!ws || this.state === 'closed') return Promise.resolve();
    this.state = 'closing';
    return new Promise((r) => {
      ws.once('close', () => {
        clearTimeout(timer);
        r();
      });
      // A client process far behind would read its backlog before the server's close frame:
      // past CLOSE_WAIT_MS the socket is dropped instead (the server sees the connection end either way).
      const timer = setTimeout(() => ws.terminate(), abrupt ? 0 : CLOSE_WAIT_MS);
      if (!abrupt) ws.close(1000, 'bye');
    });
  }

  /**
   * From now on, keep the root hash at each of the last RECENT positions reached: a mirror may
   * pass the server's version in the moment between the bench reading it and the watch arriving.
   */
  record(): void {
    this.recent = new Map();
    this.remember();
  }

  /**
   * Watches for `target`: the root hash is taken when the mirror stands exactly there (now, or
   * when it gets there). Only that one position is hashed, so watching costs nothing per op.
   */
  watch(target: Position): void {
    this.target = target;
    this.targetHash = undefined;
    this.capture();
  }

  /**
   * The mirror's root hash at the watched position if it stood there; 'pending' if it has not got
   * there yet; 'missed' if it is past it without having stopped there (a snapshot jumped over it,
   * or it was already past when the watch began).
   */
  hashAtTarget(): string | 'pending' | 'missed' {
    const p = this.target;
    if (!p) return 'missed';
    const h = this.targetHash ?? this.recent?.get(key(p));
    if (h !== undefined) return h;
    if (!this.position || this.position.epoch < p.epoch || (this.position.epoch === p.epoch && this.position.offset < p.offset)) return 'pending';
    return 'missed';
  }

  private remember(): void {
    const r = this.recent;
    if (!r || !this.tree || !this.position) return;
    r.set(key(this.position), this.tree.rootHash);
    if (r.size > RECENT) r.delete(r.keys().next().value!);
  }

  private capture(): void {
    const t = this.target;
    if (t && this.targetHash === undefined && this.tree && this.position?.epoch === t.epoch && this.position.offset === t.offset) {
      this.targetHash = this.tree.rootHash;
    }
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case FrameType.SUBSCRIBED:
        if (f.kind !== 'tree' || f.name !== this.channelName) return;
        this.channel = f.channel;
        // A resync (or the first subscription) is served by a snapshot: ops before it must not apply.
        if (f.resume === 'snapshot') {
          this.assembler = undefined;
          this.position = undefined;
        }
        return;
      case FrameType.SNAPSHOT:
        if (f.channel !== this.channel) return;
        this.assembler = undefined;
        this.install({ epoch: f.epoch, offset: f.offset }, inflateBody(f.encoding, f.body));
        return;
      case FrameType.SNAPSHOT_BEGIN:
        if (f.channel !== this.channel) return;
        this.assembler = new SnapshotAssembler(f);
        return;
      case FrameType.SNAPSHOT_CHUNK: {
        if (f.channel !== this.channel || !this.assembler) return;
        const body = this.assembler.push(f); // copies the borrowed chunk bytes
        if (body) {
          const a = this.assembler;
          this.assembler = undefined;
          this.install(a.position, inflateBody(a.encoding, body));
        }
        return;
      }
      case FrameType.OPS: {
        if (f.channel !== this.channel || !this.tree || !this.position) return;
        if (f.epoch !== this.position.epoch || f.offset !== this.position.offset + 1) {
          this.hooks.error(`${this.channelName}: OPS at ${f.epoch}:${f.offset} after ${key(this.position)}`);
          return;
        }
        this.tree.applyBatch(parseOps(f.ops));
        this.position = { epoch: f.epoch, offset: f.offset };
        this.stats.opsApplied++;
        this.remember();
        this.capture();
        return;
      }
      case FrameType.ERROR:
        if (EXPECTED_ERRORS.has(f.code)) this.stats.slowResyncs++;
        // While opening, a refusal is the open's failure (its close reason names the code): one error, not two.
        else if (this.state !== 'opening') this.hooks.error(`${this.channelName}: ERROR ${f.code}: ${f.message}`);
        return;
      default:
    }
  }

  private install(p: Position, body: Uint8Array): void {
    this.tree = Tree.fromColumns(decodeSnapshotBody(body), unpack);
    this.position = p;
    this.stats.snapshots++;
    this.remember();
    this.capture();
  }
}
