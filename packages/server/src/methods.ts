// Which methods a path takes, for 405 answers (docs/server.md §5). Fastify's router looks a
// route up by method and path together and reports only "not found"; this index keeps every
// route's pattern (seen through the onRoute hook) so the 404 handler can tell "no such path"
// from "not with this method", and name the methods in Allow.
import type { FastifyInstance } from 'fastify';
import { RefusalError } from './errors.ts';
import type { RefusalCode } from './errors.ts';

interface RoutePattern {
  readonly match: RegExp;
  readonly methods: Set<string>;
}

/** find-my-way's syntax as a RegExp: `:param` (with an optional `(regex)`) is one segment, `*` the rest. */
export function routeRegExp(url: string): RegExp {
  let out = '';
  for (let i = 0; i < url.length;) {
    const c = url[i]!;
    if (c === ':' && url[i + 1] !== ':') {
      // A parameter runs to the next '/', '-' or '.' (find-my-way's separators); skip its regex.
      let j = i + 1;
      while (j < url.length && /[A-Za-z0-9_]/.test(url[j]!)) j++;
      if (url[j] === '(') {
        let depth = 0;
        for (; j < url.length; j++) {
          if (url[j] === '(') depth++;
          else if (url[j] === ')' && --depth === 0) break;
        }
        j++;
      }
      out += '[^/]+?';
      i = j;
    } else if (c === '*') {
      out += '.*';
      i++;
    } else {
      // '::' is a literal colon.
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += c === ':' ? 2 : 1;
    }
  }
  return new RegExp(`^${out}$`);
}

export class RouteMethods {
  private readonly byUrl = new Map<string, RoutePattern>();

  add(url: string, method: string | readonly string[]): void {
    let p = this.byUrl.get(url);
    if (p === undefined) {
      p = { match: routeRegExp(url), methods: new Set() };
      this.byUrl.set(url, p);
    }
    for (const m of typeof method === 'string' ? [method] : method) p.methods.add(m.toUpperCase());
  }

  /** The methods some route takes at `path` (sorted; empty when no route matches it). */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const p of this.byUrl.values()) if (p.match.test(path)) for (const m of p.methods) out.add(m);
    return [...out].sort();
  }
}

/** Records every route, and answers what no route matches: 405 with Allow, or 404. */
export function registerMethodNotAllowed(fastify: FastifyInstance, onRefused: (code: RefusalCode) => void): RouteMethods {
  const index = new RouteMethods();
  fastify.addHook('onRoute', (route) => index.add(route.url, route.method));
  fastify.setNotFoundHandler((req, reply) => {
    const q = req.url.indexOf('?');
    const path = q < 0 ? req.url : req.url.slice(0, q);
    const allow = index.allowed(path);
    if (allow.length > 0 && !allow.includes(req.method)) {
      const refusal = new RefusalError('TW_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}`);
      onRefused(refusal.code);
      return reply.code(refusal.status).header('allow', allow.join(', ')).header('cache-control', 'no-store').send(refusal.body());
    }
    const refusal = new RefusalError('TW_NOT_FOUND', `no route ${req.method} ${path}`);
    return reply.code(refusal.status).send(refusal.body());
  });
  return index;
}
