// docs/cluster.md §10: smoke test of the cluster benchmark: `bench/src/main.ts cluster --quick
// --json --seconds 1 --max-clients 100` in a child process (a real redis-server, three server
// processes per design, two client processes) prints one JSON object of the documented shape.
// Speeds are not asserted (targets live in the benchmark's own output); what must hold whatever
// the machine's speed is: the Tidewire designs lose nothing, and an edge's clients resume on the
// other edge without a snapshot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redisAvailable } from '@tidewire/testkit';
import { runSuiteJson } from './run-suite.ts';

const FIELDS = ['p50Ms', 'p99Ms', 'messagesPerSecPerClient', 'bytesPerSecPerClient', 'lostUpdates'] as const;
const CLUSTER_FIELDS = [
  'redisBytesPerSec',
  'redisMemoryStartMb',
  'redisMemoryEndMb',
  'edgeRecoveryMs',
  'edgeRecoverySnapshots',
  'maxClientsOneNode',
  'rssPerConnectionKb',
] as const;

test(
  '§10 cluster bench --quick --json: three designs side by side, nothing lost, an edge death without snapshots',
  { skip: redisAvailable() ? false : 'no redis-server', timeout: 300_000 },
  async () => {
    const r = await runSuiteJson<Record<string, Record<string, unknown>>>(['cluster', '--quick', '--json', '--seconds', '1', '--max-clients', '100']);
    for (const name of ['single', 'cluster', 'socketio']) {
      const d = r[name]!;
      for (const f of FIELDS) assert.ok(typeof d[f] === 'number' && Number.isFinite(d[f]) && d[f] >= 0, `${name}.${f} = ${String(d[f])}`);
      assert.equal(d.clients, 100, `${name}: 100 clients`);
      assert.ok((d.messagesPerSecPerClient as number) > 0, `${name}: messages arrived`);
    }
    for (const name of ['single', 'cluster']) {
      assert.equal(r[name]!.lostUpdates, 0, `${name}: every client has every node's last change`);
      assert.equal(r[name]!.errors, 0, `${name}: ${JSON.stringify(r[name]!.firstErrors)}`);
    }
    const c = r.cluster!;
    for (const f of CLUSTER_FIELDS) assert.equal(typeof c[f], 'number', `cluster.${f}`);
    const moved = c.edgeRecoveryClients as { moved: number; converged: number };
    assert.equal(moved.moved, 50, "the dead edge's clients moved");
    assert.equal(moved.converged, 50, 'and every one of them is live again');
    assert.equal(c.edgeRecoverySnapshots, 0, 'by resuming, not by a snapshot');
    assert.equal(c.maxClientsOneNode, 100);
    assert.equal(typeof (r.targets as Record<string, unknown>).clusterP99, 'boolean');
  },
);
