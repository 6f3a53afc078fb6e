// A scripted Tidewire server for client tests: a real `ws` WebSocketServer on 127.0.0.1:0 that
// speaks through @tidewire/protocol's encoders. Each test decides frame by frame what the
// server says, so replay / snapshot / gap / malformed cases are explicit.
import type { TestContext } from 'node:test';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { DEFAULT_LIMITS, FrameType, PROTOCOL_VERSION, decodeFrame, encodeWelcome } from '@tidewire/protocol';
import type { Frame, WelcomeFrame } from '@tidewire/protocol';

export class FakeConnection {
  private readonly frames: Frame[] = [];
  private readonly waiting: ((f: Frame) => void)[] = [];
  closed: Promise<{ code: number }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) throw new Error('client sent a text message');
      const f = decodeFrame(new Uint8Array(data as Buffer));
      const w = this.waiting.shift();
      if (w) w(f);
      else this.frames.push(f);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve({ code })));
  }

  /** The next frame the client sent (waits for it). */
  next(): Promise<Frame> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The next frame, asserted to be of `type`. */
  async expect<T extends Frame['type']>(type: T): Promise<Extract<Frame, { type: T }>> {
    const f = await this.next();
    if (f.type !== type) throw new Error(`expected frame 0x${type.toString(16)}, got 0x${f.type.toString(16)}: ${JSON.stringify(f)}`);
    return f as Extract<Frame, { type: T }>;
  }

  send(...frames: Uint8Array[]): void {
    for (const f of frames) this.ws.send(f);
  }

  close(code = 1000): void {
    this.ws.close(code);
  }

  /** Drops the TCP connection without a close handshake. */
  kill(): void {
    this.ws.terminate();
  }
}

export interface FakeServer {
  url: string;
  /** The next connection, after its HELLO (and our WELCOME unless `welcome: false`). */
  connection(): Promise<FakeConnection>;
  /** Connections opened so far. */
  readonly count: number;
}

export interface FakeServerOptions {
  /** false: do not answer HELLO (the test does). */
  welcome?: Partial<Omit<WelcomeFrame, 'type'>> | false;
}

export async function startFakeServer(t: TestContext, options: FakeServerOptions = {}): Promise<FakeServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const ready: FakeConnection[] = [];
  const waiting: ((c: FakeConnection) => void)[] = [];
  let count = 0;
  wss.on('connection', (ws) => {
    count++;
    const conn = new FakeConnection(ws);
    void (async () => {
      const hello = await conn.next();
      if (hello.type !== FrameType.HELLO) throw new Error(`first frame was 0x${hello.type.toString(16)}, not HELLO`);
      if (options.welcome !== false) {
        conn.send(
          encodeWelcome({
            protocol: [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor],
            instance: 'fake',
            capabilities: ['tree', 'events', 'chunked-snapshots', 'resume'],
            limits: { ...DEFAULT_LIMITS },
            channels: [],
            ...options.welcome,
          }),
        );
      }
      const w = waiting.shift();
      if (w) w(conn);
      else ready.push(conn);
    })();
  });
  t.after(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  const port = (wss.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    get count() {
      return count;
    },
    connection() {
      const c = ready.shift();
      if (c) return Promise.resolve(c);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}
