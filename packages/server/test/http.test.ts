// docs/server.md §5: REST, metrics and static pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSnapshotBody, pack, unpack } from '@tidewire/protocol';
import { Tree, toColumns } from '@tidewire/tree';
import type { EventsChannel, TreeChannel } from '../src/index.ts';
import { cacheControlFor, isHashedAsset } from '../src/index.ts';
import { acceptQuality, prefersJson } from '../src/http.ts';
import { client, leaf, root, startServer } from './helpers.ts';

test('§5 GET /api/trees/:name returns the snapshot as msgpack with the root hash as ETag', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root([leaf('a', { n: 1, bin: new Uint8Array([1, 2]) })]))));
  const res = await fetch(`${server.url}/api/trees/doc`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/msgpack');
  assert.equal(res.headers.get('etag'), `"${doc.tree.rootHash}"`);
  const body = new Uint8Array(await res.arrayBuffer());
  assert.deepEqual(Buffer.from(body), Buffer.from(encodeSnapshotBody(toColumns(doc.tree, pack))), 'the snapshot body bytes');
  assert.deepEqual(Tree.fromColumns(unpack(body), unpack).toSnapshot(), doc.tree.toSnapshot());
});

test('§5 GET /api/trees/:name returns JSON when Accept prefers it', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root([leaf('a', { n: 1, bin: new Uint8Array([1, 2]) })]))));
  const res = await fetch(`${server.url}/api/trees/doc`, { headers: { Accept: 'application/json' } });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^application\/json/);
  const json = await res.json();
  assert.equal(json.id, 'root');
  assert.deepEqual(json.children[0].attrs, { n: 1, bin: { $base64: 'AQI=' } });
  assert.equal(res.headers.get('etag'), `"${doc.tree.rootHash}"`);
});

test('§5 GET /api/trees/:name answers 304 to a matching If-None-Match and 200 after a change', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root())));
  const first = await fetch(`${server.url}/api/trees/doc`);
  const etag = first.headers.get('etag')!;
  const again = await fetch(`${server.url}/api/trees/doc`, { headers: { 'If-None-Match': etag } });
  assert.equal(again.status, 304);
  doc.insert('root', 0, leaf('new')); // not flushed yet: the route publishes first
  const changed = await fetch(`${server.url}/api/trees/doc`, { headers: { 'If-None-Match': etag } });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.get('etag'), etag);
  assert.equal(changed.headers.get('x-tidewire-offset'), '1');
});

test('§5 GET /api/trees/:name answers 404 with a JSON error for an unknown or non-tree channel', async (t) => {
  const server = await startServer(t, {}, (s) => void s.events('ev'));
  for (const name of ['nope', 'ev']) {
    const res = await fetch(`${server.url}/api/trees/${name}`);
    assert.equal(res.status, 404);
    assert.equal((await res.json()).code, 'TW_UNKNOWN_CHANNEL');
  }
});

test('§5 Accept negotiation: JSON only when ranked above msgpack', () => {
  assert.equal(prefersJson(undefined), false);
  assert.equal(prefersJson('*/*'), false);
  assert.equal(prefersJson('application/json'), true);
  assert.equal(prefersJson('application/json, application/msgpack'), false);
  assert.equal(prefersJson('application/msgpack;q=0.5, application/json'), true);
  assert.equal(prefersJson('application/*;q=0.9, application/json'), true);
  assert.equal(prefersJson('text/html,application/xhtml+xml,*/*;q=0.8'), false);
  assert.equal(acceptQuality('application/json;q=0.3', 'application/json'), 0.3);
});

test('§5 GET /healthz', async (t) => {
  const server = await startServer(t);
  const res = await fetch(`${server.url}/healthz`);
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.ok, true);
  assert.equal(body.instance, server.instanceId);
});

test('§5 GET /metrics exposes per-channel metrics, protocol errors and process metrics', async (t) => {
  let doc!: TreeChannel;
  let ev!: EventsChannel;
  const server = await startServer(t, { defaultMetrics: true }, (s) => {
    doc = s.tree('doc', root());
    ev = s.events('ev');
  });
  const c = await client(t, server);
  c.subscribe('doc');
  c.subscribe('ev');
  c.subscribe('missing');
  await c.until(() => c.mirror(doc.id)?.tree !== undefined && c.errors().length === 1);
  doc.insert('root', 0, leaf('x'));
  doc.flush();
  ev.publish('k', 1);
  await c.until(() => c.mirror(doc.id)!.position!.offset === 1 && c.frames.some((f) => f.type === 0x30));
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain/);
  const text = await res.text();
  assert.match(text, /^tidewire_channel_subscribers\{channel="doc"\} 1$/m);
  assert.match(text, /^tidewire_channel_subscribers\{channel="ev"\} 1$/m);
  assert.match(text, /^tidewire_channel_messages_sent_total\{channel="doc"\} 2$/m); // snapshot + 1 batch
  assert.match(text, /^tidewire_channel_messages_sent_total\{channel="ev"\} 1$/m);
  assert.match(text, /^tidewire_channel_bytes_sent_total\{channel="doc"\} [1-9]\d*$/m);
  assert.match(text, /^tidewire_channel_queued_bytes\{channel="doc"\} 0$/m);
  assert.match(text, /^tidewire_channel_resyncs_total\{channel="doc"\} 0$/m);
  assert.match(text, /^tidewire_channel_encode_seconds_count\{channel="doc"\} 2$/m);
  assert.match(text, /^tidewire_protocol_errors_total\{code="TW_UNKNOWN_CHANNEL"\} 1$/m);
  assert.match(text, /^tidewire_connections 1$/m);
  assert.match(text, /^process_cpu_user_seconds_total /m);
});

test('§5 each server has its own metrics registry', async (t) => {
  const a = await startServer(t, {}, (s) => void s.tree('only-in-a', root()));
  const b = await startServer(t, {}, (s) => void s.tree('only-in-b', root()));
  assert.notEqual(a.metrics, b.metrics);
  const textB = await b.metrics.metrics();
  assert.doesNotMatch(textB, /only-in-a/);
  assert.match(textB, /only-in-b/);
});

test('§5 serveStatic: long cache for hashed assets, no-cache for index.html, extra headers under the prefix', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-static-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>lab</title>');
  writeFileSync(join(dir, 'assets', 'index-BFd2x3Kq.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
  const plain = mkdtempSync(join(tmpdir(), 'tw-static-'));
  t.after(() => rmSync(plain, { recursive: true, force: true }));
  writeFileSync(join(plain, 'index.html'), 'demo');
  const server = await startServer(t, {}, async (s) => {
    await s.serveStatic('/lab', dir, { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } });
    await s.serveStatic('/', plain);
  });
  const index = await fetch(`${server.url}/lab/`);
  assert.equal(index.status, 200);
  assert.equal(await index.text(), '<!doctype html><title>lab</title>');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.equal(index.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(index.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const asset = await fetch(`${server.url}/lab/assets/index-BFd2x3Kq.js`);
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(asset.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const icon = await fetch(`${server.url}/lab/favicon.svg`);
  assert.equal(icon.headers.get('cache-control'), 'no-cache');
  const root = await fetch(`${server.url}/`);
  assert.equal(await root.text(), 'demo');
  assert.equal(root.headers.get('cross-origin-opener-policy'), null, 'headers stay under their prefix');
  // The API still wins over the static root at '/'.
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

/** GET with the path sent byte for byte (fetch's URL parser would resolve `..` and `%2e%2e`). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('§5 serveStatic: a path that climbs out of the root answers 403 in every encoding, a double-encoded one 404', async (t) => {
  // site/ is served at /lab and at /; secret.txt sits next to it, one level up.
  const base = mkdtempSync(join(tmpdir(), 'tw-static-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const site = join(base, 'site');
  mkdirSync(join(site, 'assets'), { recursive: true });
  writeFileSync(join(site, 'index.html'), 'lab');
  writeFileSync(join(base, 'secret.txt'), 'SECRET');
  const server = await startServer(t, {}, async (s) => {
    await s.serveStatic('/lab', site);
    await s.serveStatic('/', site);
  });
  const cases: [string, number][] = [
    ['/lab/../secret.txt', 403],
    ['/lab/..%2fsecret.txt', 403],
    ['/lab/%2e%2e/secret.txt', 403],
    ['/lab/%2e%2e%2fsecret.txt', 403],
    ['/lab/%2E%2E%2Fsecret.txt', 403],
    ['/lab/..\\secret.txt', 403],
    ['/lab/..%5csecret.txt', 403],
    ['/lab/assets/../../secret.txt', 403],
    ['/lab/..%2f..%2fetc%2fpasswd', 403],
    ['/..%2fsecret.txt', 403],
    ['/%2e%2e/secret.txt', 403],
    // Decoded once, a double-encoded path is a file name with a literal `%2f` in it: not there.
    ['/lab/..%252fsecret.txt', 404],
    ['/lab/%252e%252e%252fsecret.txt', 404],
  ];
  for (const [path, status] of cases) {
    const r = await rawGet(server.url, path);
    assert.equal(r.status, status, `GET ${path}`);
    assert.ok(!r.body.includes('SECRET'), `GET ${path} does not leak the file`);
  }
  assert.equal((await rawGet(server.url, '/lab/index.html')).body, 'lab', 'the root itself is served');
});

test('§5 serveStatic after listen() is refused', async (t) => {
  const server = await startServer(t);
  await assert.rejects(server.serveStatic('/x', tmpdir()), (e: unknown) => (e as { code?: string }).code === 'TW_SERVER_STATE');
});

test('§5 hashed-asset detection', () => {
  assert.ok(isHashedAsset('/a/assets/index-BFd2x3Kq.js'));
  assert.ok(isHashedAsset('style.3f9a8b7c.css'));
  assert.ok(!isHashedAsset('index.html'));
  assert.ok(!isHashedAsset('my-component.js'));
  assert.ok(!isHashedAsset('favicon.svg'));
  assert.equal(cacheControlFor('x-ABCDEFGH.js'), 'public, max-age=31536000, immutable');
});
