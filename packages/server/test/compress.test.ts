// docs/server.md §5: compression and caching across the whole server: every route and static page is compressed by
// Accept-Encoding when its type is text-like, media never is, and range requests stay exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { isCompressibleType } from '../src/index.ts';
import { startServer } from './helpers.ts';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A plain http GET that leaves the body as sent (fetch would decode it). */
function get(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function staticDir(t: { after(fn: () => void): void }): { dir: string; js: string; media: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'tw-compress-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'assets'));
  const js = `export const words = ${JSON.stringify('tidewire '.repeat(2000))};\n`;
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>app</title>${'<p>hello</p>'.repeat(300)}`);
  writeFileSync(join(dir, 'assets', 'index-BFd2x3Kq.js'), js);
  const media = Buffer.alloc(64 * 1024, 7); // compressible bytes, but served as video/mp4
  writeFileSync(join(dir, 'clip.mp4'), media);
  return { dir, js, media };
}

test('§5 static pages and hashed assets are compressed (br, gzip) with the cache headers kept', async (t) => {
  const { dir, js } = staticDir(t);
  const server = await startServer(t, {}, (s) => s.serveStatic('/app/', dir));
  const br = await get(`${server.url}/app/assets/index-BFd2x3Kq.js`, { 'accept-encoding': 'br, gzip' });
  assert.equal(br.status, 200);
  assert.equal(br.headers['content-encoding'], 'br');
  assert.match(String(br.headers.vary), /accept-encoding/i);
  assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.ok(br.body.length < js.length / 10, `compressed to ${br.body.length} of ${js.length} bytes`);
  assert.equal(brotliDecompressSync(br.body).toString(), js);
  const gz = await get(`${server.url}/app/`, { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers['cache-control'], 'no-cache');
  assert.match(gunzipSync(gz.body).toString(), /^<!doctype html>/);
  const plain = await get(`${server.url}/app/assets/index-BFd2x3Kq.js`);
  assert.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding, no compression');
  assert.equal(plain.body.toString(), js);
});

test('§5 media is never compressed and a range request answers 206 with the exact bytes', async (t) => {
  const { dir, media, js } = staticDir(t);
  const server = await startServer(t, {}, (s) => s.serveStatic('/app/', dir));
  const full = await get(`${server.url}/app/clip.mp4`, { 'accept-encoding': 'br, gzip' });
  assert.equal(full.status, 200);
  assert.equal(full.headers['content-encoding'], undefined);
  assert.equal(full.body.length, media.length);
  const part = await get(`${server.url}/app/clip.mp4`, { 'accept-encoding': 'br, gzip', range: 'bytes=100-199' });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], `bytes 100-199/${media.length}`);
  assert.equal(part.headers['content-encoding'], undefined);
  assert.deepEqual(part.body, media.subarray(100, 200));
  // A range of a compressible file is partial content too: never compressed.
  const jsPart = await get(`${server.url}/app/assets/index-BFd2x3Kq.js`, { 'accept-encoding': 'br, gzip', range: 'bytes=0-9' });
  assert.equal(jsPart.status, 206);
  assert.equal(jsPart.headers['content-encoding'], undefined);
  assert.equal(jsPart.body.toString(), js.slice(0, 10));
});

test('§5 API routes and /metrics are compressed too; compression: false turns it off', async (t) => {
  const server = await startServer(t, { defaultMetrics: true });
  const metrics = await get(`${server.url}/metrics`, { 'accept-encoding': 'gzip' });
  assert.equal(metrics.status, 200);
  assert.equal(metrics.headers['content-encoding'], 'gzip');
  assert.match(gunzipSync(metrics.body).toString(), /tidewire_connections/);
  const off = await startServer(t, { defaultMetrics: true, compression: false });
  const raw = await get(`${off.url}/metrics`, { 'accept-encoding': 'gzip' });
  assert.equal(raw.headers['content-encoding'], undefined);
});

test('§5 isCompressibleType: text-like yes, media and octet-stream no', () => {
  for (const t of [
    'text/html; charset=utf-8',
    'application/json',
    'application/javascript',
    'text/css',
    'image/svg+xml',
    'application/problem+json',
    'text/plain; version=0.0.4',
  ])
    assert.ok(isCompressibleType(t), t);
  for (const t of ['video/mp4', 'image/jpeg', 'image/png', 'audio/wav', 'application/octet-stream', 'application/msgpack', 'text/event-stream'])
    assert.ok(!isCompressibleType(t), t);
});
