// docs/cluster.md §9: events channels and client requests across nodes, on a real Redis with
// real Tidewire servers and a real client. An events channel follows the owner of its tree
// channel; client input reaches the owner's app from any node.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TidewireClient } from '@tidewire/client';
import { pack } from '@tidewire/protocol';
import { createServer, eventsChannelHooks, type ConnectionInfo } from '@tidewire/server';
import { startRedis, type RunningRedis } from '@tidewire/testkit';
import { WebSocket } from 'ws';
import {
  ClusterError,
  ClusterNode,
  decodeEventMessage,
  decodeRequestMessage,
  encodeEventMessage,
  encodeRequestMessage,
  MAX_FANOUT_MESSAGE_BYTES,
  PubSubRouter,
  RequestRoute,
} from '../src/index.ts';
import { connections, until } from './helpers.ts';

describe('§9.1 event and request messages', () => {
  test('round trip: what a node publishes is what the others read', () => {
    const event = { origin: 'node-a', key: 'transport', value: { playing: true, beat: 12 } };
    assert.deepEqual(decodeEventMessage(encodeEventMessage(event)), event);
    const request = { origin: 'node-b', connection: 17, remoteAddress: '127.0.0.1', client: 'page/1', key: 'mute', value: { track: 2, value: true } };
    assert.deepEqual(decodeRequestMessage(encodeRequestMessage(request)), request);
  });

  const bad = (what: RegExp) => (e: unknown) => e instanceof ClusterError && e.code === 'TW_CLUSTER_BAD_DATA' && what.test(e.message);

  test('a message that is not the record is TW_CLUSTER_BAD_DATA naming the part at fault', () => {
    assert.throws(() => decodeEventMessage(new Uint8Array([0x93, 0xa1])), bad(/^event message does not decode/));
    assert.throws(() => decodeEventMessage(pack(['a', 'k'])), bad(/^event message must be an array of 3 items$/));
    assert.throws(() => decodeEventMessage(pack({ origin: 'a' })), bad(/^event message must be an array of 3 items$/));
    assert.throws(() => decodeEventMessage(pack([1, 'k', 0])), bad(/^event message origin must be a string, got number$/));
    assert.throws(() => decodeEventMessage(pack(['a', null, 0])), bad(/^event message key must be a string, got object$/));
    assert.throws(() => decodeRequestMessage(pack(['a', 1.5, '', '', 'k', 0])), bad(/^request message connection must be an integer$/));
    assert.throws(() => decodeRequestMessage(pack(['a', 1, 2, '', 'k', 0])), bad(/^request message remoteAddress must be a string/));
    assert.throws(() => decodeRequestMessage(pack(['a', 1, '', '', 'k'])), bad(/^request message must be an array of 6 items$/));
  });

  test(`a message over ${MAX_FANOUT_MESSAGE_BYTES} bytes is refused before it is decoded`, () => {
    const atLimit = encodeEventMessage({ origin: 'a', key: 'k', value: 'x'.repeat(MAX_FANOUT_MESSAGE_BYTES - 16) });
    assert.ok(atLimit.length <= MAX_FANOUT_MESSAGE_BYTES);
    assert.equal(decodeEventMessage(atLimit).key, 'k');
    const over = new Uint8Array(MAX_FANOUT_MESSAGE_BYTES + 1);
    assert.throws(
      () => decodeEventMessage(over),
      bad(new RegExp(`^event message of ${MAX_FANOUT_MESSAGE_BYTES + 1} bytes is over the ${MAX_FANOUT_MESSAGE_BYTES}-byte limit$`)),
    );
  });
});

describe('§9 across nodes', () => {
  let redis: RunningRedis;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis.stop();
  });

  /** A server with the app's three channels, in the cluster under `nodeId`. */
  async function node(t: import('node:test').TestContext, nodeId: string, prefix: string) {
    const server = await createServer({ port: 0, defaultMetrics: false, snapshotThread: false, logger: { level: 'warn' } });
    const tree = server.tree('set', { id: 'root', type: 'root', attrs: {}, children: [] });
    const events = server.events('set-events');
    const received: { key: string; value: unknown; conn: ConnectionInfo }[] = [];
    const control = server.events('set-control', { onMessage: (key, value, conn) => void received.push({ key, value, conn }) });
    const roles: string[] = [];
    const url = await server.listen();
    const cluster = await ClusterNode.connect({ url: redis.url, nodeId, leaseTtlMs: 600, keyPrefix: prefix });
    cluster.registerMetrics(server.metrics);
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await cluster.close();
      await server.close();
    };
    t.after(close);
    const serve = () => cluster.serve(tree, { events: [events], requests: [control], onRole: (role) => void roles.push(role) });
    return { server, tree, events, control, received, roles, cluster, url, serve, close };
  }

  test('§9.2 events follow the owner: later nodes get the latest values, edges never publish their own', async (t) => {
    const a = await node(t, 'a', 't1');
    a.events.publish('transport', { beat: 1 }); // before the cluster: written to `last` when A leads
    assert.equal(await a.serve(), 'owner');
    assert.deepEqual(a.roles, ['owner']);
    a.events.publish('tempo', 120);
    const b = await node(t, 'b', 't1');
    b.events.publish('transport', { beat: 99 }); // the edge's own value: replaced by the owner's
    assert.equal(await b.serve(), 'replica');
    assert.deepEqual(b.roles, ['replica']);
    await until("B's copy of A's values", () => b.events.latest('tempo') === 120 && (b.events.latest('transport') as { beat: number }).beat === 1);
    a.events.publish('tempo', 121);
    await until('the next value on B', () => b.events.latest('tempo') === 121);
    b.events.publish('tempo', 7); // an edge's publish stays on the edge
    const c = await node(t, 'c', 't1');
    assert.equal(await c.serve(), 'replica');
    await until("C's copy", () => c.events.latest('tempo') === 121);
    assert.equal(a.events.latest('tempo'), 121);

    // A leaves: one of B and C takes over, and its values now go to the other.
    await a.close();
    await until('a new owner', () => b.roles.at(-1) === 'owner' || c.roles.at(-1) === 'owner');
    const [owner, edge] = b.roles.at(-1) === 'owner' ? [b, c] : [c, b];
    owner.events.publish('tempo', 130);
    await until("the new owner's value on the edge", () => edge.events.latest('tempo') === 130);
  });

  test('§9.3 a client request on an edge reaches the owner, under a connection number of its own', async (t) => {
    const a = await node(t, 'a', 't2');
    const b = await node(t, 'b', 't2');
    assert.equal(await a.serve(), 'owner');
    assert.equal(await b.serve(), 'replica');
    a.received.push({ key: 'local', value: 0, conn: { id: 1, remoteAddress: '', client: '' } });
    const client = new TidewireClient({ url: b.url, WebSocket: WebSocket as never, reconnect: false, clientName: 'phone' });
    t.after(() => client.close());
    client.send('set-control', 'mute', { track: 3, value: true });
    client.send('set-control', 'solo', { track: 4, value: false }); // another key: a client keeps only the latest per key while connecting
    await until('both requests at the owner', () => a.received.length === 3);
    assert.deepEqual(b.received, [], "the edge's own handler never runs");
    const [first, second] = a.received.slice(1).sort((x, y) => x.key.localeCompare(y.key));
    assert.deepEqual([first!.key, first!.value], ['mute', { track: 3, value: true }]);
    assert.deepEqual([second!.key, second!.value], ['solo', { track: 4, value: false }]);
    assert.ok(first!.conn.id < 0, 'remote connections are numbered below zero, apart from local ones');
    assert.equal(second!.conn.id, first!.conn.id, 'one remote connection keeps one number');
    assert.equal(first!.conn.client, 'phone');
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    assert.match(metrics, /^tidewire_cluster_fanout_sent_total\{channel="set"\} 2$/m);
  });

  test('§9.3 a request no owner listens for is counted as unrouted; a channel without input cannot be routed', async (t) => {
    const server = await createServer({ port: 0, defaultMetrics: false, snapshotThread: false, logger: { level: 'warn' } });
    t.after(() => server.close());
    const control = server.events('ctl', { onMessage: () => undefined });
    const url = await server.listen();
    const conns = connections(redis.url);
    t.after(() => conns.closeAll());
    const errors: unknown[] = [];
    const context = { redis: conns.open(), router: new PubSubRouter(conns.open()), nodeId: 'x', keyPrefix: 't3', report: (e: unknown) => void errors.push(e) };
    const route = new RequestRoute(context, eventsChannelHooks(control));
    await route.follow();
    const client = new TidewireClient({ url, WebSocket: WebSocket as never, reconnect: false });
    t.after(() => client.close());
    client.send('ctl', 'mute', 1);
    await until('the request to be counted unrouted', () => route.stats.unrouted === 1);
    assert.equal(route.stats.sent, 1);
    assert.deepEqual(errors, []);
    assert.throws(
      () => new RequestRoute(context, eventsChannelHooks(server.events('read-only'))),
      (e: unknown) => e instanceof ClusterError && e.code === 'TW_CLUSTER_BAD_OPTION' && /read-only takes no client input/.test(e.message),
    );
    await route.close();
  });
});
