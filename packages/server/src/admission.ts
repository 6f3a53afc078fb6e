// Per-client-address connection counts (docs/server.md §1.2): one client must not be able to
// take every WebSocket slot. A "client address" is the remote IPv4 address (IPv4-mapped IPv6
// unwrapped) or, for IPv6, its /64: one host usually owns a whole /64 and could otherwise
// spread its sockets over as many addresses as it likes.
import { isIP } from 'node:net';
import { isLoopbackHost } from './options.ts';

/** The key a remote address is counted under. */
export function clientKey(remoteAddress: string): string {
  const a = remoteAddress.toLowerCase().replace(/%.*$/, '');
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) return a.slice(7);
  if (isIP(a) !== 6 || isLoopbackHost(a)) return a;
  const halves = a.split('::');
  const groups = (s: string | undefined): string[] => (s === undefined || s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  // A dotted-quad tail (::ffff:… forms aside) takes two groups.
  const tailGroups = tail.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const full = [...head, ...new Array<string>(Math.max(0, 8 - head.length - tailGroups)).fill('0'), ...tail];
  return `${full
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export interface AddressCaps {
  /** Cap of a non-loopback client address. */
  remote: number;
  /** Cap of each loopback address. */
  loopback: number;
}

/** Open sockets per client address. */
export class AddressCounter {
  private readonly counts = new Map<string, number>();
  private readonly caps: AddressCaps;

  constructor(caps: AddressCaps) {
    this.caps = caps;
  }

  hasRoom(remoteAddress: string | undefined): boolean {
    // A socket without an address is already gone; the upgrade will fail on its own.
    if (remoteAddress === undefined) return true;
    const key = clientKey(remoteAddress);
    return (this.counts.get(key) ?? 0) < (isLoopbackHost(key) ? this.caps.loopback : this.caps.remote);
  }

  /** Counts a socket; returns the key to release it with. */
  acquire(remoteAddress: string): string {
    const key = clientKey(remoteAddress);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    return key;
  }

  release(key: string): void {
    const n = (this.counts.get(key) ?? 0) - 1;
    if (n > 0) this.counts.set(key, n);
    else this.counts.delete(key);
  }

  count(remoteAddress: string): number {
    return this.counts.get(clientKey(remoteAddress)) ?? 0;
  }
}
