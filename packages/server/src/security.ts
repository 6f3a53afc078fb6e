// Admission checks shared by the WebSocket upgrade and the HTTP routes: Host allow-list
// (docs/server.md §1.1), Origin allow-list (browsers always send Origin on a WebSocket; a
// missing Origin is a non-browser client, which cross-site pages cannot impersonate) and the
// bearer token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost, normalizeOrigin, parseHost } from './options.ts';

/**
 * Which Host values a tokenless server answers (docs/server.md §1.1). A DNS-rebinding page
 * reaches 127.0.0.1 under the attacker's name, and that name is in Host; a page the browser
 * loaded from a loopback name cannot be rebound. So: loopback names on any port (a dev proxy
 * forwards the Host of its own port), plus the configured names (any port) and name:port
 * pairs (that port only). No Host at all is not a browser (every browser sends one).
 */
export class HostPolicy {
  private readonly anyPort = new Set<string>();
  private readonly withPort = new Set<string>();

  constructor(allowed: readonly string[]) {
    for (const entry of allowed) {
      const h = parseHost(entry);
      if (h === undefined) continue; // resolveOptions refuses these first
      if (h.port === undefined) this.anyPort.add(h.name);
      else this.withPort.add(`${h.name}:${h.port}`);
    }
  }

  allows(host: string | undefined): boolean {
    if (host === undefined) return true;
    const h = parseHost(host);
    if (h === undefined) return false;
    if (isLoopbackHost(h.name) || this.anyPort.has(h.name)) return true;
    return h.port !== undefined && this.withPort.has(`${h.name}:${h.port}`);
  }
}

export class OriginPolicy {
  private readonly allowed: Set<string>;
  constructor(origins: readonly string[]) {
    this.allowed = new Set(origins.map(normalizeOrigin));
  }
  /** A request without Origin is allowed; `Origin: null` (sandboxed, file://) is not unless listed. */
  allows(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    return this.allowed.has(normalizeOrigin(origin));
  }
  list(): string[] {
    return [...this.allowed];
  }
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export class TokenCheck {
  // Compare digests so the comparison is constant-time regardless of the candidate's length.
  private readonly expected: Buffer;
  constructor(token: string) {
    this.expected = digest(token);
  }

  /** Looks at `Authorization: Bearer <t>` first, then `?access_token=<t>` in `url`. */
  allows(headers: IncomingHttpHeaders, url: string | undefined): boolean {
    const auth = headers.authorization;
    if (typeof auth === 'string') {
      const m = /^Bearer[ \t]+(\S+)\s*$/i.exec(auth);
      if (m && this.matches(m[1]!)) return true;
    }
    const q = url === undefined ? -1 : url.indexOf('?');
    if (q >= 0) {
      const candidate = new URLSearchParams(url!.slice(q + 1)).get('access_token');
      if (candidate !== null && this.matches(candidate)) return true;
    }
    return false;
  }

  private matches(candidate: string): boolean {
    return timingSafeEqual(digest(candidate), this.expected);
  }
}
