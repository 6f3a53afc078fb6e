// docs/server.md §1.2: nobody can lock everyone out. One process holding idle WebSocket
// sockets took every slot (maxConnections) and every newcomer got 503; a socket past HELLO
// that subscribed to nothing held its slot forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { encodeUnsubscribe, FrameType } from '@tidewire/protocol';
import { ServerError } from '../src/index.ts';
import { AddressCounter, clientKey } from '../src/admission.ts';
import { resolveOptions } from '../src/options.ts';
import { client, root, startServer } from './helpers.ts';
import { codeOf, rawRequest, UPGRADE_HEADERS } from './http-request.ts';
import { RawClient } from './raw-client.ts';

/** Opens /ws without ever sending HELLO; undefined when the upgrade is refused. */
async function idleSocket(url: string, localAddress?: string): Promise<RawClient | undefined> {
  try {
    return await RawClient.connect(url, localAddress ? { localAddress } : {});
  } catch {
    return undefined;
  }
}

/** A raw TCP socket that completes the upgrade and then never reads nor answers anything. */
function deafSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      const head = Object.entries({ Host: `127.0.0.1:${port}`, ...UPGRADE_HEADERS }).map(([k, v]) => `${k}: ${v}`);
      s.write(`GET /ws HTTP/1.1\r\n${head.join('\r\n')}\r\n\r\n`);
    });
    s.once('data', (d) => {
      if (!d.toString('latin1').startsWith('HTTP/1.1 101')) reject(new Error(d.toString('latin1')));
      else {
        s.pause(); // from here on it reads nothing
        resolve(s);
      }
    });
    s.on('error', () => {});
  });
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new assert.AssertionError({ message: `${what} not within ${ms} ms` })), ms);
    }),
  ]);
}

test('§1.2 one address flooding idle sockets cannot lock out a client from another address (TW_TOO_MANY_CONNECTIONS)', async (t) => {
  const server = await startServer(t, { limits: { maxConnections: 20 } }, (s) => void s.tree('doc', root()));
  const flood: RawClient[] = [];
  t.after(() => Promise.all(flood.map((c) => c.close())));
  for (let i = 0; i < 25; i++) {
    const c = await idleSocket(server.url, '127.0.0.1');
    if (c === undefined) break;
    flood.push(c);
  }
  assert.ok(flood.length < 20, `one address took ${flood.length} of 20 slots`);
  const refused = await rawRequest(server.url, '/ws', { ...UPGRADE_HEADERS, Host: `127.0.0.1:${server.port}` });
  assert.equal(refused.status, 503);
  assert.equal(codeOf(refused), 'TW_TOO_MANY_CONNECTIONS');
  // Another client on this machine (another source address) still gets in and is served.
  const newcomer = await client(t, server, { localAddress: '127.0.0.2' });
  newcomer.subscribe('doc');
  await newcomer.next((f) => f.type === FrameType.SUBSCRIBED);
  assert.match(await server.metrics.metrics(), /^tidewire_refusals_total\{code="TW_TOO_MANY_CONNECTIONS"\} 2$/m);
});

test('§1.2 a socket that never sends HELLO loses its slot at the handshake deadline, even if it never answers the close', async (t) => {
  const server = await startServer(t, { limits: { maxConnections: 1, handshakeTimeoutMs: 100 } });
  const deaf = await deafSocket(server.port);
  t.after(() => deaf.destroy());
  assert.equal(
    (await rawRequest(server.url, '/ws', { ...UPGRADE_HEADERS, Host: `127.0.0.1:${server.port}` })).status,
    503,
    'the deaf socket holds the only slot',
  );
  const t0 = Date.now();
  let newcomer: RawClient | undefined;
  while (newcomer === undefined && Date.now() - t0 < 8000) {
    await new Promise((r) => setTimeout(r, 100));
    newcomer = await idleSocket(server.url);
  }
  assert.ok(newcomer !== undefined, 'the slot was still held 8 s after the handshake deadline');
  await newcomer.close();
  assert.match(await server.metrics.metrics(), /^tidewire_protocol_errors_total\{code="TW_HANDSHAKE_TIMEOUT"\} [12]$/m);
});

test('§1.2 a connection subscribed to nothing for idleTimeoutMs after HELLO is closed with TW_IDLE_TIMEOUT (1008); a subscribed one stays', async (t) => {
  const server = await startServer(t, { limits: { idleTimeoutMs: 150 } }, (s) => void s.tree('doc', root()));
  const idle = await client(t, server);
  const busy = await client(t, server);
  busy.subscribe('doc');
  const sub = await busy.next((f) => f.type === FrameType.SUBSCRIBED);
  const closed = await within(idle.closed, 3000, 'the idle connection closed');
  assert.equal(closed.code, 1008);
  assert.equal(closed.reason, 'TW_IDLE_TIMEOUT');
  assert.deepEqual(idle.errors(), ['TW_IDLE_TIMEOUT']);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(busy.closeCode, undefined, 'a subscribed connection is not idle');
  // Leaving its last channel starts the clock again.
  busy.send(encodeUnsubscribe((sub as { channel: number }).channel));
  assert.equal((await within(busy.closed, 3000, 'the connection that unsubscribed closed')).reason, 'TW_IDLE_TIMEOUT');
});

test('§1.2 client addresses: IPv4-mapped IPv6 is its IPv4 address, IPv6 counts by /64; loopback and remote caps differ', () => {
  assert.equal(clientKey('::ffff:127.0.0.2'), '127.0.0.2');
  assert.equal(clientKey('10.1.2.3'), '10.1.2.3');
  assert.equal(clientKey('::1'), '::1');
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8:1:2::ffff'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  const counter = new AddressCounter({ remote: 2, loopback: 3 });
  const keys = [counter.acquire('10.0.0.1'), counter.acquire('::ffff:10.0.0.1')];
  assert.ok(!counter.hasRoom('10.0.0.1'), 'remote cap 2');
  assert.ok(counter.hasRoom('10.0.0.2'));
  for (let i = 0; i < 3; i++) counter.acquire('127.0.0.1');
  assert.ok(!counter.hasRoom('127.0.0.1'), 'loopback cap 3');
  assert.ok(counter.hasRoom('127.0.0.2'));
  counter.release(keys[0]!);
  assert.ok(counter.hasRoom('10.0.0.1'), 'a released socket frees its slot');
});

test('§1.2 defaults: 64 per remote address, every slot but a reserve per loopback address, 60 s idle; all validated', () => {
  const d = resolveOptions({}).limits;
  assert.equal(d.maxConnectionsPerAddress, 64);
  assert.equal(d.maxLoopbackConnectionsPerAddress, 1024 - 64);
  assert.equal(d.idleTimeoutMs, 60_000);
  assert.equal(d.handshakeTimeoutMs, 10_000);
  assert.equal(resolveOptions({ limits: { maxConnections: 20 } }).limits.maxLoopbackConnectionsPerAddress, 18);
  for (const limits of [
    { maxConnectionsPerAddress: 0 },
    { maxConnections: 10, maxConnectionsPerAddress: 11 },
    { maxLoopbackConnectionsPerAddress: 2000 },
    { idleTimeoutMs: 0 },
  ]) {
    assert.throws(
      () => resolveOptions({ limits }),
      (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_BAD_OPTION',
      JSON.stringify(limits),
    );
  }
});
