// Admission checks shared by the WebSocket upgrade and the protected HTTP routes: Origin
// allow-list (browsers always send Origin on a WebSocket; a missing Origin is a non-browser
// client, which cross-site pages cannot impersonate) and the bearer token.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { normalizeOrigin } from './options.ts';

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
