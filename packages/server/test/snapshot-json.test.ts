// docs/server.md §5.1: JSON snapshots under load. Twenty clients fetching a large tree as JSON
// in a loop had every response compressed again, synchronously (event-loop lag past 200 ms,
// RSS toward 480 MB). Each (tree, version, coding) is now rendered once; the assertion is the
// render count against the versions served, not timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServerError } from '../src/index.ts';
import type { TidewireServer, TreeChannel } from '../src/index.ts';
import { resolveOptions } from '../src/options.ts';
import { pickCoding } from '../src/snapshot-json.ts';
import { bigTree, root, startServer } from './helpers.ts';

async function renders(server: TidewireServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await server.metrics.metrics()).matchAll(/^tidewire_snapshot_json_renders_total\{encoding="(\w+)"\} (\d+)$/gm)) out[m[1]!] = Number(m[2]);
  return out;
}

test('§5.1 twenty clients polling a large tree as JSON: one render per version and coding, not per request', async (t) => {
  let doc!: TreeChannel;
  // About 1 MB of JSON; a new version every 400 ms.
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', bigTree(3000, 300))));
  let v = 0;
  const storm = setInterval(() => doc.set('n1', { tick: ++v }), 400);
  t.after(() => clearInterval(storm));
  const served = new Map<string, Set<string>>(); // coding → versions (epoch:offset) served in it
  let requests = 0;
  const end = Date.now() + 3000;
  const codings = ['gzip', 'br', 'identity'];
  await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const coding = codings[i % 3]!;
      while (Date.now() < end) {
        const res = await fetch(`${server.url}/api/trees/doc`, { headers: { Accept: 'application/json', 'Accept-Encoding': coding } });
        assert.equal(res.status, 200);
        // Parsing every body would make the clients, not the server, the bottleneck.
        if (requests % 8 === 0) assert.equal(((await res.json()) as { id: string }).id, 'root');
        else await res.arrayBuffer();
        assert.equal(res.headers.get('content-encoding') ?? 'identity', coding);
        requests++;
        const set = served.get(coding) ?? new Set<string>();
        set.add(`${res.headers.get('x-tidewire-epoch')}:${res.headers.get('x-tidewire-offset')}`);
        served.set(coding, set);
      }
    }),
  );
  clearInterval(storm);
  const versions = new Set([...served.values()].flatMap((s) => [...s]));
  const r = await renders(server);
  // JSON.stringify once per version served (in any coding); each compression once per version served in it.
  assert.equal(r.identity, versions.size, `identity renders for ${versions.size} versions (${requests} requests)`);
  assert.equal(r.gzip, served.get('gzip')!.size);
  assert.equal(r.br, served.get('br')!.size);
  assert.ok(requests >= 3 * versions.size, `${requests} requests for ${versions.size} versions: the test must ask more often than the tree changes`);
});

test('§5.1 past maxRenders running and maxQueuedRenders waiting, a render is refused with 503 TW_BUSY and Retry-After', async (t) => {
  const server = await startServer(t, { snapshotJson: { maxRenders: 1, maxQueuedRenders: 0 } }, (s) => void s.tree('doc', bigTree(5000, 400)));
  const get = (coding: string) => fetch(`${server.url}/api/trees/doc`, { headers: { Accept: 'application/json', 'Accept-Encoding': coding } });
  // Two bodies not yet made, asked at once: the first holds the only slot while it compresses.
  const [first, second] = await Promise.all([get('gzip'), get('br')]);
  assert.equal(first.status, 200);
  assert.equal(second.status, 503);
  assert.equal(second.headers.get('retry-after'), '1');
  assert.equal(((await second.json()) as { code: string }).code, 'TW_BUSY');
  // Once made, the body is served from the cache without a slot.
  assert.equal((await get('gzip')).status, 200);
  assert.equal((await get('br')).status, 200);
  assert.match(await server.metrics.metrics(), /^tidewire_refusals_total\{code="TW_BUSY"\} 1$/m);
});

test('§5.1 the JSON body is the tree at the version its ETag names, in every coding; compression: false sends identity', async (t) => {
  let doc!: TreeChannel;
  const server = await startServer(t, {}, (s) => void (doc = s.tree('doc', root())));
  const plain = await startServer(t, { compression: false }, (s) => void s.tree('doc', bigTree(200, 50)));
  for (let i = 0; i < 3; i++) {
    doc.set('root', { i });
    for (const coding of ['gzip', 'br', 'identity']) {
      const res = await fetch(`${server.url}/api/trees/doc`, { headers: { Accept: 'application/json', 'Accept-Encoding': coding } });
      assert.equal(res.headers.get('etag'), `"${doc.tree.rootHash}"`);
      assert.deepEqual(await res.json(), doc.tree.toSnapshot());
    }
  }
  const res = await fetch(`${plain.url}/api/trees/doc`, { headers: { Accept: 'application/json', 'Accept-Encoding': 'br, gzip' } });
  assert.equal(res.headers.get('content-encoding'), null);
});

test('§5.1 Accept-Encoding negotiation and option validation', () => {
  assert.equal(pickCoding(undefined, true), 'identity');
  assert.equal(pickCoding('gzip, deflate, br', true), 'br');
  assert.equal(pickCoding('gzip;q=1, br;q=0.5', true), 'gzip');
  assert.equal(pickCoding('br;q=0, gzip;q=0', true), 'identity');
  assert.equal(pickCoding('deflate', true), 'identity');
  assert.equal(pickCoding('*', true), 'br');
  assert.equal(pickCoding('x-gzip', true), 'gzip');
  assert.equal(pickCoding('gzip', false), 'identity');
  assert.deepEqual(resolveOptions({}).snapshotJson, { cacheBytes: 64 * 1024 * 1024, maxRenders: 2, maxQueuedRenders: 32 });
  for (const snapshotJson of [{ cacheBytes: -1 }, { maxRenders: 0 }, { maxQueuedRenders: 1.5 }]) {
    assert.throws(
      () => resolveOptions({ snapshotJson }),
      (e: unknown) => e instanceof ServerError && e.code === 'TW_SERVER_BAD_OPTION',
    );
  }
});
