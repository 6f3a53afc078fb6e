// An in-memory WebSocket for driving TidewireClient synchronously (with ManualTimers).
import { DEFAULT_LIMITS, PROTOCOL_VERSION, decodeFrame, encodeWelcome } from '@tidewire/protocol';
import type { Frame } from '@tidewire/protocol';
import type { SocketLike } from '@tidewire/client';

export class FakeSocket implements SocketLike {
  binaryType = 'blob';
  readyState = 0;
  readonly sent: Frame[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(decodeFrame(data));
  }

  close(code?: number, reason?: string): void {
    if (this.readyState === 3) return;
    this.closedWith = { code, reason };
    this.readyState = 3;
    this.onclose?.({ code: code ?? 1005, reason: reason ?? '' });
  }

  // ---- the server side ----
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(...frames: (Uint8Array | string)[]): void {
    for (const f of frames) this.onmessage?.({ data: typeof f === 'string' ? f : f.slice().buffer });
  }

  welcome(protocol: [number, number] = [PROTOCOL_VERSION.major, PROTOCOL_VERSION.minor]): void {
    this.receive(encodeWelcome({ protocol, instance: 'fake', capabilities: [], limits: { ...DEFAULT_LIMITS }, channels: [] }));
  }

  /** The server (or the network) ends the connection. */
  drop(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onerror?.({ message: 'dropped' });
    this.onclose?.({ code, reason: '' });
  }
}

/** A WebSocket constructor that records every socket it makes. */
export function socketFactory(): { WebSocket: new (url: string) => FakeSocket; sockets: FakeSocket[]; last(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  class Recorded extends FakeSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: Recorded,
    sockets,
    last() {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket yet');
      return s;
    },
  };
}
