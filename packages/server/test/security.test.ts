// Safe defaults (docs/server.md §1; the upgrade rules are docs/protocol.md §2): loopback bind, Origin allow-list, bearer token,
// frame size limit, connection cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { decodeFrame, FrameType } from '@tidewire/protocol';
import { createServer, isLoopbackHost, ServerError } from '../src/index.ts';
import { defaultOrigins, resolveOptions } from '../src/options.ts';
import { OriginPolicy, TokenCheck } from '../src/security.ts';
import { client, root, startServer, waitFor } from './helpers.ts';
import { RawClient } from './raw-client.ts';

const TOKEN = 'sekrit-token-123';

async function upgradeStatus(url: string, opts: Parameters<typeof RawClient.connect>[1] = {}): Promise<number> {
  try {
    const c = await RawClient.connect(url, opts);
    await c.close();
    return 101;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

/** Sends a raw upgrade request and returns the status line's code and the body. */
function rawUpgrade(url: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

test('§1 binds to 127.0.0.1 by default', async (t) => {
  const server = await startServer(t);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const addr = server.fastify.server.address();
  assert.ok(addr && typeof addr === 'object' && addr.address === '127.0.0.1');
});

test('§1 a non-loopback host without a token is refused with TW_SERVER_TOKEN_REQUIRED', async () => {
  await assert.rejects(createServer({ host: '0.0.0.0' }), (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_TOKEN_REQUIRED');
  await assert.rejects(createServer({ host: '::' }), (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_TOKEN_REQUIRED');
  const s = await createServer({ host: '0.0.0.0', token: TOKEN, defaultMetrics: false });
  await s.close();
});

test('§1 options are validated at creation', async () => {
  const bad: unknown[] = [{ port: -1 }, { port: 70000 }, { tickMs: 0 }, { limits: { chunkBytes: 1.5 } }, { token: 'short' }, { allowedOrigins: [42] }];
  for (const o of bad) {
    assert.throws(
      () => resolveOptions(o as never),
      (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_BAD_OPTION',
      JSON.stringify(o),
    );
  }
});

test('§1 isLoopbackHost knows the loopback spellings', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '128.0.0.1']) assert.ok(!isLoopbackHost(h), h);
});

test('§1 default allowed origins are the loopback origins of the bound port', () => {
  const o = defaultOrigins('127.0.0.1', 8080);
  for (const x of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080', 'https://localhost:8080']) assert.ok(o.includes(x), x);
  assert.ok(!o.includes('http://localhost:8081'));
  const p = new OriginPolicy(o);
  assert.ok(p.allows(undefined), 'no Origin: a non-browser client');
  assert.ok(p.allows('HTTP://LOCALHOST:8080'));
  assert.ok(!p.allows('null'));
  assert.ok(!p.allows('http://evil.example'));
});

test('§1 an upgrade from a foreign Origin is refused with HTTP 403 before the handshake', async (t) => {
  const server = await startServer(t);
  assert.equal(await upgradeStatus(server.url, { origin: 'http://evil.example' }), 403);
  assert.equal(await upgradeStatus(server.url, { origin: `http://localhost:${server.port}` }), 101);
  assert.equal(await upgradeStatus(server.url, { origin: `http://127.0.0.1:${server.port}` }), 101);
  assert.equal(await upgradeStatus(server.url), 101, 'no Origin header is allowed');
  // A foreign Origin under a loopback Host (a rebound Host is refused before: §1.1).
  const r = await rawUpgrade(server.url, '/ws', { Origin: `http://rebind.example:${server.port}`, Host: `localhost:${server.port}` });
  assert.equal(r.status, 403);
  assert.equal(JSON.parse(r.body).code, 'TW_ORIGIN_NOT_ALLOWED');
  assert.match(await server.metrics.metrics(), /^tidewire_upgrade_refusals_total\{status="403"\} 2$/m);
});

test('§1 allowedOrigins replaces the defaults', async (t) => {
  const server = await startServer(t, { allowedOrigins: ['https://app.example'] });
  assert.equal(await upgradeStatus(server.url, { origin: 'https://app.example' }), 101);
  assert.equal(await upgradeStatus(server.url, { origin: `http://127.0.0.1:${server.port}` }), 403);
});

test('§1 with a token, upgrades need Authorization: Bearer or ?access_token= (else 401)', async (t) => {
  const server = await startServer(t, { token: TOKEN });
  assert.equal(await upgradeStatus(server.url), 401);
  assert.equal(await upgradeStatus(server.url, { headers: { Authorization: 'Bearer wrong-token-000' } }), 401);
  assert.equal(await upgradeStatus(server.url, { query: 'access_token=nope' }), 401);
  assert.equal(await upgradeStatus(server.url, { headers: { Authorization: `Bearer ${TOKEN}` } }), 101);
  assert.equal(await upgradeStatus(server.url, { query: `access_token=${encodeURIComponent(TOKEN)}` }), 101);
});

test('§1 with a token, /api and /metrics need it too; /healthz does not', async (t) => {
  const server = await startServer(t, { token: TOKEN }, (s) => void s.tree('doc', root()));
  assert.equal((await fetch(`${server.url}/api/trees/doc`)).status, 401);
  assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${server.url}/api/trees/doc`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 200);
  assert.equal((await fetch(`${server.url}/api/trees/doc?access_token=${TOKEN}`)).status, 200);
  assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
});

test('§1 TokenCheck compares the whole token', () => {
  const check = new TokenCheck(TOKEN);
  assert.ok(check.allows({ authorization: `Bearer ${TOKEN}` }, '/ws'));
  assert.ok(check.allows({ authorization: `bearer ${TOKEN}` }, '/ws'));
  assert.ok(!check.allows({ authorization: `Bearer ${TOKEN}x` }, '/ws'));
  assert.ok(!check.allows({ authorization: `Bearer ${TOKEN.slice(0, -1)}` }, '/ws'));
  assert.ok(!check.allows({ authorization: TOKEN }, '/ws'));
  assert.ok(check.allows({}, `/ws?x=1&access_token=${TOKEN}`));
  assert.ok(!check.allows({}, '/ws'));
});

test('§1 upgrades on other paths are refused with 404', async (t) => {
  const server = await startServer(t);
  const r = await rawUpgrade(server.url, '/other', {});
  assert.equal(r.status, 404);
});

test('§1 connections above maxConnections are refused with 503; a closed one frees its slot', async (t) => {
  const server = await startServer(t, { limits: { maxConnections: 2 } });
  await client(t, server);
  const second = await client(t, server);
  assert.equal(await upgradeStatus(server.url), 503);
  await second.close();
  await waitFor(() => server.connectionStats().length === 1);
  assert.equal(await upgradeStatus(server.url), 101);
});

test('§1 a frame above maxFrameBytes closes that connection with 1009; others are unaffected', async (t) => {
  const server = await startServer(t, { limits: { maxFrameBytes: 1024 } }, (s) => void s.tree('doc', root()));
  const other = await client(t, server);
  const c = await client(t, server);
  c.send(new Uint8Array(2000).fill(0x10));
  const { code } = await c.closedWithin();
  assert.equal(code, 1009);
  other.subscribe('doc');
  await other.next((f) => f.type === FrameType.SUBSCRIBED);
  const metrics = await server.metrics.metrics();
  assert.match(metrics, /tidewire_protocol_errors_total\{code="TW_FRAME_TOO_LARGE"\} 1/);
});

// ws failed an oversized frame by itself: close 1009 with an empty reason and no ERROR frame,
// so a client could not tell it from any other 1009.
test('§1 a frame above maxFrameBytes gets ERROR TW_FRAME_TOO_LARGE, then close 1009 with the code as reason', async (t) => {
  const server = await startServer(t, { limits: { maxFrameBytes: 1024 } });
  const whole = await client(t, server);
  whole.send(new Uint8Array(2000).fill(0x10));
  const closed = await whole.closed;
  assert.deepEqual(whole.errors(), ['TW_FRAME_TOO_LARGE']);
  assert.equal(closed.code, 1009);
  assert.equal(closed.reason, 'TW_FRAME_TOO_LARGE');
  // A message whose fragments only add up to more than the cap is the same fault.
  const fragmented = await client(t, server);
  fragmented.ws.send(new Uint8Array(700), { fin: false });
  fragmented.ws.send(new Uint8Array(700), { fin: true });
  const closed2 = await fragmented.closed;
  assert.deepEqual(fragmented.errors(), ['TW_FRAME_TOO_LARGE']);
  assert.deepEqual([closed2.code, closed2.reason], [1009, 'TW_FRAME_TOO_LARGE']);
  assert.match(await server.metrics.metrics(), /tidewire_protocol_errors_total\{code="TW_FRAME_TOO_LARGE"\} 2/);
});

test('§1 broken WebSocket framing (an unmasked client frame) gets ERROR TW_BAD_FRAME, then close 1002 with the code as reason', async (t) => {
  const server = await startServer(t);
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1', () => {
      s.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
    });
    t.after(() => s.destroy());
    let got = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      const head = got.indexOf('\r\n\r\n');
      if (head >= 0 && got.subarray(0, 12).toString('latin1') === 'HTTP/1.1 101' && !s.destroyed && got.length === head + 4) {
        // fin + binary, no mask bit, 1-byte payload: clients must mask (RFC 6455 §5.1).
        s.write(Buffer.from([0x82, 0x01, 0x00]));
      }
    });
    s.on('end', () => resolve(got.subarray(got.indexOf('\r\n\r\n') + 4)));
    s.on('error', reject);
  });
  // Server frames are unmasked; both are short (7-bit lengths).
  assert.equal(bytes[0], 0x82, 'a binary frame first');
  const error = decodeFrame(new Uint8Array(bytes.subarray(2, 2 + bytes[1]!)));
  assert.ok(error.type === FrameType.ERROR && error.code === 'TW_BAD_FRAME' && error.fatal);
  const close = bytes.subarray(2 + bytes[1]!);
  assert.equal(close[0], 0x88, 'then the close frame');
  assert.equal(close.readUInt16BE(2), 1002);
  assert.equal(close.subarray(4, 2 + close[1]!).toString('utf8'), 'TW_BAD_FRAME');
});
