// Request/response over UDP with AbletonOSC. A getter's reply comes back on the same address,
// prefixed with the ids of the object queried (`/live/track/get/mute 3` -> `… 3 <mute>`), so a
// request is keyed by address + ids, and requests with the same key go one at a time. UDP
// loses packets: every request has a timeout and is resent a few times before it fails.
// Sends are paced (AbletonOSC reads its socket once per Live tick, ~100 ms, and a burst of
// thousands of datagrams overflows its receive buffer) and in-flight requests are capped.
import { LiveSetError } from '../errors.ts';
import type { LiveSetMetrics } from '../metrics.ts';
import { intArg } from '../osc/args.ts';
import { int } from '../osc/codec.ts';
import type { OscArg, OscMessage } from '../osc/codec.ts';

export interface RequesterOptions {
  /** Wait for one attempt's reply (ms). */
  timeoutMs: number;
  /** Resends after the first attempt before the request fails. */
  retries: number;
  maxInFlight: number;
  /** Datagrams per second, requests and fire-and-forget messages together. */
  sendPerSecond: number;
}

export const DEFAULT_REQUESTER: Readonly<RequesterOptions> = { timeoutMs: 400, retries: 3, maxInFlight: 32, sendPerSecond: 2000 };

/** How many leading arguments of a reply on `address` identify the object (and the request). */
export function idCount(address: string): number {
  if (address.startsWith('/live/device/get/parameter/')) return 3;
  if (address.startsWith('/live/device/') || address.startsWith('/live/clip/') || address.startsWith('/live/clip_slot/')) return 2;
  if (address.startsWith('/live/track/') || address.startsWith('/live/scene/')) return 1;
  return 0;
}

interface Pending {
  key: string;
  address: string;
  args: OscArg[];
  ids: number;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  resolve(args: OscArg[]): void;
  reject(err: Error): void;
}

type Outgoing = { address: string; args: OscArg[]; pending?: Pending };

export class Requester {
  private readonly sendRaw: (address: string, args: OscArg[]) => void;
  private readonly opts: RequesterOptions;
  private readonly metrics: LiveSetMetrics;
  /** Requests not yet sent (waiting for a slot or for their key to be free). */
  private readonly waiting: Pending[] = [];
  private readonly inflight = new Map<string, Pending>();
  /** Datagrams ready to go, paced by the token bucket. */
  private readonly outbox: Outgoing[] = [];
  private tokens: number;
  private tokensAt = performance.now();
  private pumpTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(send: (address: string, args: OscArg[]) => void, opts: Partial<RequesterOptions>, metrics: LiveSetMetrics) {
    this.sendRaw = send;
    this.opts = { ...DEFAULT_REQUESTER, ...opts };
    this.metrics = metrics;
    this.tokens = Math.max(1, this.opts.sendPerSecond / 20);
  }

  /** Sends `address ids… extra…`; resolves with the reply's arguments after the ids. */
  request(address: string, ids: readonly number[], extra: readonly OscArg[] = []): Promise<OscArg[]> {
    if (this.closed) return Promise.reject(new LiveSetError('LIVESET_CLOSED', 'the AbletonOSC link is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({
        key: `${address}|${ids.join(',')}`,
        address,
        args: [...ids.map(int), ...extra],
        ids: ids.length,
        attempts: 0,
        timer: undefined,
        resolve,
        reject,
      });
      this.admit();
    });
  }

  /** Queues a message that expects no reply (start_listen, set, fire). */
  fire(address: string, args: OscArg[]): void {
    if (this.closed) return;
    this.outbox.push({ address, args });
    this.pump();
  }

  /** Offers an incoming message; true when it was the reply to a pending request. */
  offer(msg: OscMessage): boolean {
    const n = idCount(msg.address);
    if (msg.args.length < n) return false;
    let key = `${msg.address}|`;
    for (let i = 0; i < n; i++) {
      const id = intArg(msg.args[i]);
      if (id === undefined) return false;
      key += i === 0 ? `${id}` : `,${id}`;
    }
    const p = this.inflight.get(key);
    if (p === undefined) return false;
    this.inflight.delete(key);
    clearTimeout(p.timer);
    this.metrics.liveRequests.ok++;
    p.resolve(msg.args.slice(n) as OscArg[]);
    this.admit();
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.pumpTimer);
    const err = new LiveSetError('LIVESET_CLOSED', 'the AbletonOSC link is closed');
    for (const p of [...this.inflight.values(), ...this.waiting]) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.inflight.clear();
    this.waiting.length = 0;
    this.outbox.length = 0;
  }

  /** Moves waiting requests in flight while there is room and their key is free. */
  private admit(): void {
    for (let i = 0; i < this.waiting.length && this.inflight.size < this.opts.maxInFlight;) {
      const p = this.waiting[i]!;
      if (this.inflight.has(p.key)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.inflight.set(p.key, p);
      this.outbox.push({ address: p.address, args: p.args, pending: p });
    }
    this.pump();
  }

  private pump(): void {
    if (this.closed || this.pumpTimer !== undefined) return;
    const now = performance.now();
    const cap = Math.max(1, this.opts.sendPerSecond / 20); // at most 50 ms worth in one burst
    this.tokens = Math.min(cap, this.tokens + ((now - this.tokensAt) / 1000) * this.opts.sendPerSecond);
    this.tokensAt = now;
    while (this.outbox.length > 0 && this.tokens >= 1) {
      const o = this.outbox.shift()!;
      this.tokens -= 1;
      if (o.pending !== undefined) {
        if (this.inflight.get(o.pending.key) !== o.pending) continue; // answered or failed meanwhile
        this.arm(o.pending);
      }
      this.sendRaw(o.address, o.args);
    }
    if (this.outbox.length > 0) {
      this.pumpTimer = setTimeout(() => {
        this.pumpTimer = undefined;
        this.pump();
      }, 5);
    }
  }

  private arm(p: Pending): void {
    p.attempts++;
    clearTimeout(p.timer);
    p.timer = setTimeout(() => this.timedOut(p), this.opts.timeoutMs);
  }

  private timedOut(p: Pending): void {
    if (this.inflight.get(p.key) !== p) return;
    if (p.attempts <= this.opts.retries) {
      this.metrics.liveRequests.retry++;
      this.outbox.push({ address: p.address, args: p.args, pending: p });
      this.pump();
      return;
    }
    this.inflight.delete(p.key);
    this.metrics.liveRequests.timeout++;
    p.reject(new LiveSetError('LIVESET_TIMEOUT', `no reply to ${p.address} ${p.args.map((a) => String(a.value)).join(' ')} after ${p.attempts} attempts`));
    this.admit();
  }
}
