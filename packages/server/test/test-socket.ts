// What the raw test clients (RawClient, TimelineViewer) share: the `ws` socket, waiting for a
// condition on what has arrived, pausing reads (a slow consumer) and closing.
import type { WebSocket } from 'ws';

export class TestSocket {
  readonly ws: WebSocket;
  closeCode: number | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  protected constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.wake();
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('error', () => {});
  }

  /** Re-checks every pending until(); subclasses call it after each received message. */
  protected wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }

  /** Resolves when `cond` holds (checked after every message and on close). */
  until(cond: () => boolean, what = 'condition'): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (cond()) resolve();
        else if (this.closeCode !== undefined) reject(new Error(`connection closed (${this.closeCode}) while waiting for ${what}`));
        else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  /** Pauses or resumes reading from the socket (a slow consumer). */
  setReading(on: boolean): void {
    const socket = (this.ws as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
    if (on) socket?.resume();
    else socket?.pause();
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.closeCode === undefined) {
      this.setReading(true); // a paused socket would never see the close handshake finish
      this.ws.close();
    }
    return this.closed;
  }
}
