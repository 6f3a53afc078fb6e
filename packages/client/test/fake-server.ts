// A scripted Tidewire server for client tests: a real `ws` WebSocketServer on 127.0.0.1:0 that
// speaks through @tidewire/protocol's encoders. Each test decides frame by frame what the
// server says, so replay / snapshot / gap / malformed cases are explicit.
import type { TestContext } from 'node:test';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { DEFAULT_LIMITS, FrameType, PROTOCOL_VERSION, decodeFrame, encodeWelcome } from '@tidewire/protocol';
import type { Frame, WelcomeFrame } from '@tidewire/protocol';

/** How long next(), expect() and connection() wait unless told. */
export const FAKE_WAIT_MS = 10_000;

/**
 * Queues a waiter on `queue`. If nothing arrives within `timeoutMs` it leaves the queue (so what
 * comes later is not handed to a dead waiter) and rejects with `timed out after N ms waiting for <what>`.
 */
function waitIn<T>(queue: ((v: T) => void)[], timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const waiter = (v: T) => {
      clearTimeout(timer);
      resolve(v);
    };
    const timer = setTimeout(() => {
      const i = queue.indexOf(waiter);
      if (i >= 0) queue.splice(i, 1);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    // The test's own socket or server keeps the process alive while it waits; a deadline alone
    // must not keep a finished test file running.
    timer.unref();
    queue.push(waiter);
  });
}

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

  /** The next frame the client sent (waits for it, up to `timeoutMs`). */
  next(what = 'the next frame from the client', timeoutMs = FAKE_WAIT_MS): Promise<Frame> {
    const f = this.frames.shift();
    if (f) return Promise.resolve(f);
    return waitIn(this.waiting, timeoutMs, what);
  }

  /** The next frame, asserted to be of `type`. */
  async expect<T extends Frame['type']>(type: T, timeoutMs = FAKE_WAIT_MS): Promise<Extract<Frame, { type: T }>> {
    const f = await this.next(`a frame 0x${type.toString(16)} from the client`, timeoutMs);
    if (f.type !== type) throw new Error(`expected frame 0x${type.toString(16)}, got 0x${f.type.toString(16)}: ${JSON.stringify(f)}`);
    return f as Extract<Frame, { type: T }>;
  }

  /** The close once the client closes, or `timed out after N ms waiting for the client to close the connection`. */
  closedWithin(timeoutMs = FAKE_WAIT_MS): Promise<{ code: number }> {
    const gone: ((v: { code: number }) => void)[] = [];
    void this.closed.then((v) => gone.shift()?.(v));
    return waitIn(gone, timeoutMs, 'the client to close the connection');
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
  /** The next connection, after its HELLO (and our WELCOME unless `welcome: false`); fails after `timeoutMs`. */
  connection(timeoutMs?: number): Promise<FakeConnection>;
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
      // A socket that never says HELLO (its test ended first) is simply never offered: whoever
      // awaits connection() times out with its own message.
      const hello = await conn.next('HELLO').catch(() => undefined);
      if (hello === undefined) return;
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
    connection(timeoutMs = FAKE_WAIT_MS) {
      const c = ready.shift();
      if (c) return Promise.resolve(c);
      return waitIn(waiting, timeoutMs, 'the client to connect and say HELLO');
    },
  };
}
