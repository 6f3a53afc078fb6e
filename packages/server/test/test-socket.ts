// What the raw test clients (RawClient, TimelineViewer) share: the `ws` socket, waiting for a
// condition on what has arrived, pausing reads (a slow consumer) and closing.
import type { WebSocket } from 'ws';

/** How long until() waits unless told: far above any wait on loopback, far below the runner's limit. */
export const UNTIL_TIMEOUT_MS = 10_000;

export interface UntilOptions {
  /** Fail after this long (default UNTIL_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * The source of a condition without its `() =>`, e.g. `c.errors().length === 2`: what a timed-out
 * wait names when its caller gave no words for it.
 */
export function describeCondition(cond: (...args: never[]) => unknown): string {
  const src = cond
    .toString()
    .replace(/^\s*(async\s*)?(\([^)]*\)|[\w$]+)\s*=>\s*/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return src.length > 200 ? `${src.slice(0, 199)}…` : src;
}

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

  /**
   * Resolves when `cond` holds (checked now, after every message and on close). Rejects when the
   * connection closes first, or after `timeoutMs` with `timed out after N ms waiting for <what>`
   * (`what` defaults to the condition's source), so a message that never comes fails the test
   * with its name instead of hanging it.
   */
  until(cond: () => boolean, what = describeCondition(cond), options: UntilOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? UNTIL_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (err?: Error) => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        if (err) reject(err);
        else resolve();
      };
      const check = () => {
        let met: boolean;
        try {
          met = cond();
        } catch (err) {
          settle(err as Error);
          return;
        }
        if (met) settle();
        else if (this.closeCode !== undefined) settle(new Error(`connection closed (${this.closeCode}) while waiting for ${what}`));
        else this.waiters.push(check);
      };
      check();
      if (this.waiters.includes(check)) timer = setTimeout(() => settle(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    });
  }

  /** The close (code, reason) once the peer closes, or `timed out after N ms waiting for the connection to close`. */
  async closedWithin(timeoutMs = UNTIL_TIMEOUT_MS): Promise<{ code: number; reason: string }> {
    await this.until(() => this.closeCode !== undefined, 'the connection to close', { timeoutMs });
    return this.closed;
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
