// §W.7 timeline REST routes: metadata with ETag/304, segments served as stored gzip bytes
// (gunzipped for clients that do not take gzip), the validated frame-range query, the token.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { unpack } from '@tidewire/protocol';
import { FrameDecoder, isKeyframe, TimelineReader } from '@tidewire/timeline';
import { acceptsGzip, MAX_RANGE_FRAMES } from '../src/timeline-http.ts';
import { startServer } from './helpers.ts';
import { buildFile, frameOf, schema } from './timeline-helpers.ts';

const s = schema(20, 25);
const TOKEN = 'secret-token-1234';

async function setup(t: TestContext, opts: { token?: string } = {}) {
  const file = await buildFile(s, 500, 50);
  const server = await startServer(t, opts, (srv) => void srv.timeline('race', { file }));
  return { server, file, reader: TimelineReader.open(file) };
}

/** A raw GET (fetch would decode gzip itself and hide Content-Encoding). */
function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('§W.7 GET /api/timelines/:name: schema, entities, static, segments; ETag and 304; cacheable', async (t) => {
  const { server, reader } = await setup(t);
  const r = await get(`${server.url}/api/timelines/race`);
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /application\/json/);
  assert.match(String(r.headers['cache-control']), /^public, max-age=60$/);
  const meta = JSON.parse(r.body.toString());
  assert.equal(meta.frameCount, 500);
  assert.equal(meta.rateHz, 25);
  assert.equal(meta.live, false);
  assert.equal(meta.durationMs, reader.durationMs);
  assert.deepEqual(meta.static, { track: 'test loop' });
  assert.deepEqual(meta.entities, s.entities);
  assert.deepEqual(meta.schema.fields, s.fields);
  assert.equal(meta.segments.length, 10);
  assert.deepEqual(meta.segments[3], { index: 3, firstFrame: 150, frameCount: 50, startMs: 6000, endMs: 7960 });
  const etag = String(r.headers.etag);
  assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
  const again = await get(`${server.url}/api/timelines/race`, { 'if-none-match': etag });
  assert.equal(again.status, 304);
  assert.equal(again.body.length, 0);
  assert.equal((await get(`${server.url}/api/timelines/nope`)).status, 404);
});

test('§W.7 GET /segments/:n serves the stored gzip bytes with Content-Encoding: gzip, immutable, ETag', async (t) => {
  const { server, reader } = await setup(t);
  const r = await get(`${server.url}/api/timelines/race/segments/3`, { 'accept-encoding': 'gzip, deflate, br' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.equal(r.headers['content-type'], 'application/x-tidewire-segment');
  assert.match(String(r.headers['cache-control']), /max-age=31536000, immutable/);
  assert.equal(r.headers.vary, 'Accept-Encoding');
  assert.deepEqual(new Uint8Array(r.body), reader.segmentBytes(3), 'byte-identical to the file');
  const etag = String(r.headers.etag);
  assert.equal((await get(`${server.url}/api/timelines/race/segments/3`, { 'if-none-match': etag })).status, 304);
  assert.notEqual(etag, (await get(`${server.url}/api/timelines/race/segments/4`)).headers.etag);
});

test('§W.7 a client that does not accept gzip gets the segment gunzipped on the fly', async (t) => {
  const { server, reader } = await setup(t);
  for (const headers of [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'gzip;q=0, br' }] as Record<string, string>[]) {
    const r = await get(`${server.url}/api/timelines/race/segments/0`, headers);
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-encoding'], undefined, JSON.stringify(headers));
    assert.deepEqual(new Uint8Array(r.body), new Uint8Array(gunzipSync(reader.segmentBytes(0))));
  }
  // A browser's fetch decodes it natively, as it would the gzip response.
  const viaFetch = new Uint8Array(await (await fetch(`${server.url}/api/timelines/race/segments/0`)).arrayBuffer());
  assert.deepEqual(viaFetch, new Uint8Array(gunzipSync(reader.segmentBytes(0))));
});

test('§W.7 acceptsGzip reads q-values and *', () => {
  assert.equal(acceptsGzip('gzip'), true);
  assert.equal(acceptsGzip('br, GZIP;q=0.5'), true);
  assert.equal(acceptsGzip('*'), true);
  assert.equal(acceptsGzip('*;q=0'), false);
  assert.equal(acceptsGzip('gzip;q=0, *'), false);
  assert.equal(acceptsGzip('identity'), false);
  assert.equal(acceptsGzip(undefined), false);
});

test('§W.7 segment numbers are validated', async (t) => {
  const { server } = await setup(t);
  for (const n of ['10', '-1', '1.5', 'x', '99999999999999999999', '01e2']) {
    const r = await get(`${server.url}/api/timelines/race/segments/${n}`);
    assert.equal(r.status, 404, n);
    assert.equal(JSON.parse(r.body.toString()).code, 'TW_UNKNOWN_SEGMENT');
  }
});

test('§W.7 GET /frames?from=&to= starts at the keyframe and decodes to exactly those frames', async (t) => {
  const { server } = await setup(t);
  const r = await get(`${server.url}/api/timelines/race/frames?from=123&to=160`);
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/msgpack');
  const body = unpack(new Uint8Array(r.body)) as { firstFrame: number; frames: Uint8Array[] };
  assert.equal(body.firstFrame, 100);
  assert.equal(body.frames.length, 61);
  assert.ok(isKeyframe(body.frames[0]!));
  const d = new FrameDecoder(s);
  const out = new Float64Array(s.entities.length * s.fields.length);
  body.frames.forEach((f, i) => assert.equal(frameOf(d.decode(f, out)), 100 + i));
  const etag = String(r.headers.etag);
  assert.equal((await get(`${server.url}/api/timelines/race/frames?from=123&to=160`, { 'if-none-match': etag })).status, 304);
});

test('§W.7 the frame range is validated and capped', async (t) => {
  const { server } = await setup(t);
  const bad = [
    '',
    '?from=1',
    '?to=1',
    '?from=a&to=2',
    '?from=5&to=4',
    '?from=0&to=500',
    '?from=-1&to=2',
    '?from=1&from=2&to=3',
    '?from=1.5&to=3',
    `?from=0&to=${MAX_RANGE_FRAMES}`,
  ];
  for (const q of bad) {
    const r = await get(`${server.url}/api/timelines/race/frames${q}`);
    assert.equal(r.status, 400, q);
    assert.equal(JSON.parse(r.body.toString()).code, 'TW_BAD_RANGE', q);
  }
  assert.equal((await get(`${server.url}/api/timelines/race/frames?from=499&to=499`)).status, 200);
});

test('§W.7 with a token, every timeline route needs it', async (t) => {
  const { server } = await setup(t, { token: TOKEN });
  for (const path of ['/api/timelines/race', '/api/timelines/race/segments/0', '/api/timelines/race/frames?from=0&to=1']) {
    assert.equal((await get(`${server.url}${path}`)).status, 401, path);
    const ok = await get(`${server.url}${path}`, { authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200, path);
    assert.match(String(ok.headers['cache-control']), /^private/, 'per-user responses are not for shared caches');
    const sep = path.includes('?') ? '&' : '?';
    assert.equal((await get(`${server.url}${path}${sep}access_token=${TOKEN}`)).status, 200, path);
  }
});
