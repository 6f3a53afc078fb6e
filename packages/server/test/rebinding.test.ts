// docs/server.md §1.1: the Host check. A DNS-rebinding page (evil.example re-pointed at
// 127.0.0.1) sends the attacker's name in Host; a tokenless loopback server answered it with
// 200 on every HTTP route (the upgrade's Origin check does not cover plain HTTP).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerError } from '../src/index.ts';
import { RefusalCodes } from '../src/errors.ts';
import type { RefusalInfo } from '../src/errors.ts';
import { resolveOptions } from '../src/options.ts';
import { HostPolicy } from '../src/security.ts';
import { root, startServer } from './helpers.ts';
import { codeOf, rawRequest, UPGRADE_HEADERS } from './http-request.ts';

const TOKEN = 'sekrit-token-123';

function staticDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tw-rebinding-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>');
  return dir;
}

test('§1.1 DNS rebinding: a foreign Host gets 403 TW_HOST_NOT_ALLOWED on pages, API, metrics, healthz, unknown paths and the upgrade', async (t) => {
  const dir = staticDir(t);
  const server = await startServer(t, {}, async (s) => {
    s.tree('doc', root());
    await s.serveStatic('/app/', dir);
  });
  const evil = { Host: `evil.example:${server.port}` };
  for (const path of ['/app/', '/app/index.html', '/api/trees/doc', '/metrics', '/healthz', '/nowhere']) {
    const r = await rawRequest(server.url, path, evil);
    assert.equal(r.status, 403, `${path}: status`);
    assert.equal(codeOf(r), 'TW_HOST_NOT_ALLOWED', `${path}: code`);
  }
  // No Origin at all (a non-browser client, or a page whose Origin check we must not rely on).
  const up = await rawRequest(server.url, '/ws', { ...UPGRADE_HEADERS, ...evil });
  assert.equal(up.status, 403);
  assert.equal(codeOf(up), 'TW_HOST_NOT_ALLOWED');
  // The same requests naming the server by a loopback name still work.
  for (const path of ['/app/', '/api/trees/doc', '/metrics', '/healthz']) {
    assert.equal((await rawRequest(server.url, path, { Host: `127.0.0.1:${server.port}` })).status, 200, path);
  }
  assert.equal((await rawRequest(server.url, '/ws', { ...UPGRADE_HEADERS, Host: `localhost:${server.port}` })).status, 101);
});

test('§1.1 loopback names pass on any port; allowedHosts adds names (any port) and name:port entries', async (t) => {
  const server = await startServer(t, { allowedHosts: ['tidewire.lan', 'Box.Example:8443'] }, (s) => void s.tree('doc', root()));
  const ok = [
    `127.0.0.1:${server.port}`,
    `localhost:${server.port}`,
    `[::1]:${server.port}`,
    'localhost',
    'LOCALHOST.:5173',
    '127.0.0.2:1',
    'tidewire.lan',
    'tidewire.lan:80',
    'box.example:8443',
  ];
  for (const host of ok) assert.equal((await rawRequest(server.url, '/api/trees/doc', { Host: host })).status, 200, host);
  const refused = [
    'evil.example',
    'box.example:9443',
    'box.example',
    'localhost.evil.example',
    '0.0.0.0',
    '127.0.0.1.evil.example',
    'tidewire.lan.evil.example',
  ];
  for (const host of refused) {
    const r = await rawRequest(server.url, '/api/trees/doc', { Host: host });
    assert.equal(r.status, 403, host);
    assert.equal(codeOf(r), 'TW_HOST_NOT_ALLOWED', host);
  }
});

test('§1.1 with a token the Host is not checked (the token guards), unless allowedHosts is given', async (t) => {
  const open = await startServer(t, { token: TOKEN }, (s) => void s.tree('doc', root()));
  const auth = { Authorization: `Bearer ${TOKEN}` };
  assert.equal((await rawRequest(open.url, '/api/trees/doc', { ...auth, Host: 'tidewire.example' })).status, 200);
  const listed = await startServer(t, { token: TOKEN, allowedHosts: ['tidewire.example'] }, (s) => void s.tree('doc', root()));
  assert.equal((await rawRequest(listed.url, '/api/trees/doc', { ...auth, Host: 'tidewire.example' })).status, 200);
  const r = await rawRequest(listed.url, '/api/trees/doc', { ...auth, Host: 'other.example' });
  assert.equal(r.status, 403);
  assert.equal(codeOf(r), 'TW_HOST_NOT_ALLOWED');
});

test('§1.1 HostPolicy parses Host values strictly', () => {
  const p = new HostPolicy(['app.example', 'pinned.example:8443', '[fd00::1]']);
  assert.ok(p.allows(undefined), 'no Host: not a browser');
  for (const h of ['127.0.0.1', '127.9.9.9:1', '[::1]:80', 'localhost:65535', 'app.example:1', '[fd00::1]:9', 'pinned.example:8443']) assert.ok(p.allows(h), h);
  for (const h of ['', ':80', 'localhost:', 'localhost:99999', 'localhost:8o', '::1', '[::1', 'a b', 'pinned.example', 'localhost:80:80'])
    assert.ok(!p.allows(h), h);
});

test('§1.1 allowedHosts is validated at creation', () => {
  for (const bad of [['ok.example', 42], [''], ['http://x.example'], ['x.example/path'], 'x.example']) {
    assert.throws(
      () => resolveOptions({ allowedHosts: bad as never }),
      (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_BAD_OPTION',
      JSON.stringify(bad),
    );
  }
});

test('§1.3 every refusal code is documented in docs/server.md with its answer', () => {
  const doc = readFileSync(new URL('../../../docs/server.md', import.meta.url), 'utf8');
  for (const [code, info] of Object.entries(RefusalCodes) as [string, RefusalInfo][]) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${code}\` |`));
    assert.ok(row, `${code} missing from §1.3`);
    const answer = row.split('|')[2]!;
    assert.ok(answer.includes(String(info.status ?? `close ${info.closeCode}`)), `${code}: ${answer}`);
    assert.ok(info.description.length > 0);
  }
});
