// docs/liveset-osc.md §10: smoke test of `npm run bench -- liveset --json --quick`: it runs end to end and reports
// every number. Speeds are not asserted here (they live in the benchmark's `targets`);
// correctness is: no update lost, no OSC event dropped.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));

it('§10 bench liveset --quick prints one JSON object with every measure', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/src/main.ts', 'liveset', '--json', '--quick'], {
    cwd: root,
    timeout: 240_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one line on stdout');
  const r = JSON.parse(lines[0]!);
  for (const k of ['parseMBps', 'parsePeakHeapMB']) assert.ok(Number.isFinite(r[k]) && r[k] > 0, k);
  assert.ok(Number.isFinite(r.baseline.initialLoadMs));
  for (const k of ['initialLoadMs', 'oscToStoreP50Ms', 'oscToStoreP99Ms', 'stormOscToStoreP99Ms', 'messagesPerSecPerClient']) {
    assert.ok(Number.isFinite(r.tidewire[k]) && r.tidewire[k] > 0, k);
  }
  assert.equal(r.set.devices, 200);
  assert.equal(r.tidewire.lostUpdates, 0);
  assert.equal(r.tidewire.oscDropped, 0);
  assert.deepEqual(Object.keys(r.targets).sort(), [
    'initialLoadMs',
    'lostUpdates',
    'messagesPerSecPerClient',
    'oscToStoreP99Ms',
    'parseMBps',
    'stormOscToStoreP99Ms',
  ]);
});
