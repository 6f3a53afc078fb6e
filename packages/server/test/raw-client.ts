// A tiny raw protocol client for server tests: a `ws` socket, every received frame decoded
// with @tidewire/protocol, and tree channels mirrored with @tidewire/tree so tests can compare
// root hashes with the server's.
import { inflateRawSync } from 'node:zlib';
import { WebSocket } from 'ws';
import {
  decodeFrame,
  decodeSnapshotBody,
  unpack,
  encodeHello,
  encodeSubscribe,
  FrameType,
  PROTOCOL_VERSION,
  SnapshotAssembler,
  SnapshotEncoding,
} from '@tidewire/protocol';
import type { Frame, Position, SnapshotEncodingCode } from '@tidewire/protocol';
import { parseOps, Tree } from '@tidewire/tree';
import { describeCondition, TestSocket } from './test-socket.ts';

export interface Mirror {
  name: string;
  tree: Tree | undefined;
  position: Position | undefined;
  assembler: SnapshotAssembler | undefined;
  /** Chunks received for the current snapshot (progress). */
  chunks: number;
  snapshots: number;
  opsApplied: number;
  /** OPS frames skipped because they did not follow the mirror's position. */
  outOfOrder: number;
}

export interface ConnectOptions {
  /** Keep every decoded frame and its bytes in `frames`/`raw` (default true). */
  retain?: boolean;
  origin?: string;
  headers?: Record<string, string>;
  query?: string;
  /** Source address to connect from (127.0.0.2 … act as other clients on this machine). */
  localAddress?: string;
}

export function inflateBody(encoding: SnapshotEncodingCode, body: Uint8Array): Uint8Array {
  return encoding === SnapshotEncoding.DEFLATE_RAW ? inflateRawSync(body) : body;
}

export class RawClient extends TestSocket {
  readonly frames: Frame[] = [];
  /** The bytes of each received message, parallel to `frames`. */
  readonly raw: Uint8Array[] = [];
  readonly mirrors = new Map<number, Mirror>();
  /** Decode failures of server frames (must stay empty: the server only sends valid frames). */
  readonly badFrames: unknown[] = [];

  private readonly retain: boolean;
  private errorCodes: string[] = [];

  private constructor(ws: WebSocket, retain: boolean) {
    super(ws);
    this.retain = retain;
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        this.badFrames.push(new Error('text frame from server'));
        return;
      }
      try {
        const f = decodeFrame(new Uint8Array(data));
        if (f.type === FrameType.SNAPSHOT_CHUNK) f.bytes = f.bytes.slice(); // borrowed: copy to keep
        if (f.type === FrameType.ERROR) this.errorCodes.push(f.code);
        if (this.retain || f.type !== FrameType.OPS) {
          this.frames.push(f);
          this.raw.push(new Uint8Array(data));
        }
        this.track(f);
      } catch (err) {
        this.badFrames.push(err);
      }
      this.wake();
    });
  }

  static connect(url: string, opts: ConnectOptions = {}): Promise<RawClient> {
    const wsUrl = `${url.replace(/^http/, 'ws')}/ws${opts.query ? `?${opts.query}` : ''}`;
    const ws = new WebSocket(wsUrl, { origin: opts.origin, headers: opts.headers, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const client = new RawClient(ws, opts.retain ?? true);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  /** Connects and completes the handshake. */
  static async open(url: string, opts: ConnectOptions = {}): Promise<RawClient> {
    const c = await RawClient.connect(url, opts);
    c.send(encodeHello({ protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor], client: 'test', capabilities: [] }));
    await c.next((f) => f.type === FrameType.WELCOME);
    return c;
  }

  send(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  subscribe(name: string, from?: Position): void {
    this.send(encodeSubscribe(from ? { name, from } : { name }));
  }

  /** The first received frame matching `pred` (already received or future). */
  async next<F extends Frame>(pred: (f: Frame) => f is F): Promise<F>;
  async next(pred: (f: Frame) => boolean): Promise<Frame>;
  async next(pred: (f: Frame) => boolean): Promise<Frame> {
    let found: Frame | undefined;
    await this.until(() => (found = this.frames.find(pred)) !== undefined, `a frame matching ${describeCondition(pred)}`);
    return found!;
  }

  /** Raw bytes of the received frames matching `pred`. */
  rawOf(pred: (f: Frame) => boolean): string[] {
    return this.frames.flatMap((f, i) => (pred(f) ? [Buffer.from(this.raw[i]!).toString('hex')] : []));
  }

  errors(): string[] {
    return this.errorCodes;
  }

  mirror(channel: number): Mirror | undefined {
    return this.mirrors.get(channel);
  }

  mirrorByName(name: string): Mirror | undefined {
    for (const m of this.mirrors.values()) if (m.name === name) return m;
    return undefined;
  }

  private track(f: Frame): void {
    switch (f.type) {
      case FrameType.SUBSCRIBED: {
        if (f.kind !== 'tree') return;
        let m = this.mirrors.get(f.channel);
        if (!m) {
          m = { name: f.name, tree: undefined, position: undefined, assembler: undefined, chunks: 0, snapshots: 0, opsApplied: 0, outOfOrder: 0 };
          this.mirrors.set(f.channel, m);
        }
        if (f.resume === 'snapshot') {
          m.assembler = undefined;
          m.position = undefined; // ops before the snapshot must not apply
        }
        return;
      }
      case FrameType.SNAPSHOT: {
        const m = this.mirrors.get(f.channel);
        if (!m) return;
        m.assembler = undefined;
        this.installSnapshot(m, { epoch: f.epoch, offset: f.offset }, inflateBody(f.encoding, f.body));
        return;
      }
      case FrameType.SNAPSHOT_BEGIN: {
        const m = this.mirrors.get(f.channel);
        if (!m) return;
        m.assembler = new SnapshotAssembler(f);
        m.chunks = 0;
        return;
      }
      case FrameType.SNAPSHOT_CHUNK: {
        const m = this.mirrors.get(f.channel);
        if (!m?.assembler) return;
        m.chunks++;
        const body = m.assembler.push(f);
        if (body) {
          const a = m.assembler;
          m.assembler = undefined;
          this.installSnapshot(m, a.position, inflateBody(a.encoding, body));
        }
        return;
      }
      case FrameType.OPS: {
        const m = this.mirrors.get(f.channel);
        if (!m?.tree || !m.position) return;
        if (f.epoch !== m.position.epoch || f.offset !== m.position.offset + 1) {
          m.outOfOrder++;
          return;
        }
        m.tree.applyBatch(parseOps(f.ops));
        m.position = { epoch: f.epoch, offset: f.offset };
        m.opsApplied++;
        return;
      }
      default:
    }
  }

  private installSnapshot(m: Mirror, pos: Position, body: Uint8Array): void {
    m.tree = Tree.fromColumns(decodeSnapshotBody(body), unpack);
    m.position = pos;
    m.snapshots++;
  }
}
