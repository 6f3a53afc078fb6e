// Acceptance (core issue): 10,000 random ops through a real server on loopback to real clients
// that are disconnected at random, with a server restart in the middle; at the end every
// client's root hash equals the server's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from '@tidewire/server';
import type { TidewireServer, TreeChannel } from '@tidewire/server';
import type { TidewireClient, TreeSubscription } from '@tidewire/client';
import type { Tree } from '@tidewire/tree';
import { Prng } from '@tidewire/random';
import { IdPool, allNodes, randomOp, randomSnapshot, counterIds } from '@tidewire/tree/testing';
import { nodeClient, sleep, testSeed } from './helpers.ts';

const CLIENTS = 4;
const OPS = 10_000;
const RESTART_AT = 5_000;

test(
  'protocol.md §4.5–§4.7, tree.md §4: 10,000 random ops with random disconnects and a server restart converge on every client',
  { timeout: 120_000 },
  async (t) => {
    const seed = testSeed();
    const rng = new Prng(seed);
    t.diagnostic(`seed ${seed} (TIDEWIRE_SEED=${seed} replays it)`);

    let server: TidewireServer = await createServer({ port: 0 });
    let channel: TreeChannel = server.tree('sync', randomSnapshot(rng, 300, counterIds('s'), 6));
    await server.listen();
    const port = server.port;
    const url = `ws://127.0.0.1:${port}/ws`;

    const clients: TidewireClient[] = [];
    const subs: TreeSubscription[] = [];
    const reasons: (string | undefined)[] = [];
    let snapshots = 0;
    for (let i = 0; i < CLIENTS; i++) {
      const c = nodeClient(url, { reconnect: { minDelayMs: 10, maxDelayMs: 100, resetAfterMs: 50 } });
      const sub = c.tree('sync');
      sub.on('snapshot', (e) => {
        snapshots++;
        reasons.push(e.reason);
      });
      clients.push(c);
      subs.push(sub);
    }
    t.after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    });
    await Promise.all(subs.map((s) => s.ready()));

    const pool = new IdPool('x');
    let disconnects = 0;
    for (let i = 0; i < OPS; i++) {
      if (i === RESTART_AT) {
        // The server loses its history (new process, new epoch) but keeps its state.
        const state = channel.tree.toSnapshot();
        await server.close();
        server = await createServer({ port });
        channel = server.tree('sync', state);
        await server.listen();
      }
      // reason: the generator only reads the tree; the channel exposes it read-only.
      const view = channel.tree as Tree;
      const op = randomOp(rng, view, pool, allNodes(view));
      if (op[0] === 2) for (const n of allNodes(view)) if (isUnder(channel, n.id, op[1])) pool.removed.add(n.id);
      channel.apply([op]);
      if (i % 50 === 49) await sleep(rng.int(3)); // let batches flush at varying sizes
      if (rng.bool(0.004)) {
        clients[rng.int(CLIENTS)]!.reconnect();
        disconnects++;
      }
    }
    channel.flush();

    const expected = channel.tree.rootHash;
    await Promise.all(
      subs.map((s, i) =>
        s
          .waitFor(() => s.rootHash === expected, { timeoutMs: 30_000 })
          .catch(() => {
            assert.fail(`seed ${seed}: client ${i} stuck at ${s.rootHash} (position ${JSON.stringify(s.position)}), server ${expected}`);
          }),
      ),
    );
    for (const s of subs) assert.equal(s.rootHash, expected);
    assert.deepEqual(subs[0]!.tree!.toSnapshot(), channel.tree.toSnapshot());
    assert.ok(reasons.includes('epoch'), `seed ${seed}: the restart should have forced epoch snapshots (${reasons.join(',')})`);
    // Reconnects resume from the op log: far fewer snapshots than connections.
    assert.ok(snapshots - CLIENTS < disconnects + CLIENTS, `seed ${seed}: ${snapshots} snapshots for ${disconnects} disconnects`);
    t.diagnostic(`${disconnects} disconnects, ${snapshots} snapshots (${reasons.join(',')})`);
  },
);

function isUnder(channel: TreeChannel, id: string, ancestor: string): boolean {
  for (let n = channel.tree.get(id) ?? null; n !== null; n = n.parent) if (n.id === ancestor) return true;
  return false;
}
