// docs/server.md §5: a known path asked with a method it does not take. Fastify answered 404
// (as if the path did not exist); HTTP says 405 with the methods it does take in Allow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, startServer } from './helpers.ts';
import { codeOf, rawRequest } from './http-request.ts';

test('§5 a known path with a method it does not take answers 405 TW_METHOD_NOT_ALLOWED with Allow; an unknown path 404 TW_NOT_FOUND', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-methods-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>');
  const server = await startServer(t, {}, async (s) => {
    s.tree('doc', root());
    await s.serveStatic('/app/', dir);
    s.fastify.post('/api/things', async () => ({ ok: true }));
    s.fastify.get('/api/things/:id', async () => ({ ok: true }));
    s.fastify.delete('/api/things/:id', async () => ({ ok: true }));
  });
  const cases: [method: string, path: string, allow: string][] = [
    ['POST', '/api/trees/doc', 'GET, HEAD'],
    ['DELETE', '/metrics', 'GET, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['PUT', '/app/index.html', 'GET, HEAD'],
    ['POST', '/app/', 'GET, HEAD'],
    ['GET', '/api/things', 'POST'],
    ['PATCH', '/api/things/7?x=1', 'DELETE, GET, HEAD'],
  ];
  for (const [method, path, allow] of cases) {
    const r = await rawRequest(server.url, path, {}, method);
    assert.equal(r.status, 405, `${method} ${path}`);
    assert.equal(r.headers.allow, allow, `${method} ${path}: Allow`);
    assert.equal(codeOf(r), 'TW_METHOD_NOT_ALLOWED', `${method} ${path}: code`);
  }
  for (const [method, path] of [
    ['GET', '/nowhere'],
    ['POST', '/nowhere'],
    ['GET', '/api/trees'],
  ] as const) {
    const r = await rawRequest(server.url, path, {}, method);
    assert.equal(r.status, 404, `${method} ${path}`);
    assert.equal(codeOf(r), 'TW_NOT_FOUND', `${method} ${path}: code`);
  }
  assert.equal((await rawRequest(server.url, '/api/trees/doc', {}, 'HEAD')).status, 200);
  assert.match(await server.metrics.metrics(), /^tidewire_refusals_total\{code="TW_METHOD_NOT_ALLOWED"\} 7$/m);
});
