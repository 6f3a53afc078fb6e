// docs/timeline-format.md §W: smoke test of the timeline benchmark: `bench/src/main.ts timeline --quick --json` in a child
// process (a 30,000-frame session, ladder 10/50, 20 seeks per system) prints one JSON object
// of the documented shape, and every frame the run checked matched the file. Speeds are not
// asserted here (targets live in the benchmark's own output).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSuiteJson } from './run-suite.ts';

const SYSTEMS = ['baseline', 'tidewire-ws', 'tidewire-http'] as const;
const FIELDS = ['bytesPerSecPerStream', 'serverCpuPctPerStream', 'maxStreamsAt25fps', 'seekP50Ms', 'seekP99Ms', 'staleFramesAfterSeeks'] as const;

test('§W timeline bench --quick --json prints the three systems, ratios, targets and a clean correctness check', { timeout: 120_000 }, async () => {
  const r = await runSuiteJson<Record<string, unknown>>(['timeline', '--quick', '--json']);
  assert.equal(r.suite, 'timeline');
  assert.equal(r.quick, true);
  const session = r.session as Record<string, number>;
  assert.equal(session.frames, 30_000);
  assert.equal(session.entities, 20);

  for (const name of SYSTEMS) {
    const s = r[name] as Record<string, unknown>;
    assert.ok(s, `${name} present`);
    for (const f of FIELDS) assert.equal(typeof s[f], 'number', `${name}.${f} is a number`);
    for (const f of FIELDS) assert.ok(Number.isFinite(s[f] as number) && (s[f] as number) >= 0, `${name}.${f} = ${String(s[f])}`);
    const ladder = s.ladder as Record<string, unknown>[];
    assert.ok(Array.isArray(ladder) && ladder.length >= 1, `${name} has ladder rows`);
    assert.deepEqual(
      ladder.filter((row) => !row.outsideLadder).map((row) => row.K),
      [10, 50].slice(0, ladder.filter((row) => !row.outsideLadder).length),
    );
    for (const row of ladder) {
      assert.equal(typeof row.pass, 'boolean');
      assert.ok((row.framesPerSecPerStream as number) > 0, `${name} K=${row.K}: frames arrived`);
      assert.ok((row.bytesPerSecPerStream as number) > 0, `${name} K=${row.K}: bytes counted`);
      assert.equal(row.errors, 0, `${name} K=${row.K}: ${String(row.firstError)}`);
    }
    assert.equal(typeof s.capacityDisturbed, 'boolean');
    const seeks = s.seeks as Record<string, number>;
    assert.equal(seeks.seeks, 20);
    assert.equal(seeks.timeouts, 0, `${name}: every seek showed its target`);
    assert.equal(seeks.checks, 20, `${name}: every seek's first frame was checked`);
  }
  // Server-paced systems report lateness; the client-paced one reports underruns instead.
  assert.equal(typeof (r['tidewire-ws'] as { ladder: Record<string, unknown>[] }).ladder[0]!.latenessP99Ms, 'number');
  assert.equal((r['tidewire-http'] as { ladder: Record<string, unknown>[] }).ladder[0]!.latenessP99Ms, null);

  const ratios = r.ratios as Record<string, Record<string, unknown>>;
  for (const name of ['tidewire-ws', 'tidewire-http']) {
    assert.equal(typeof ratios[name]!.bytesPerSecPerStreamVsBaseline, 'number');
    assert.ok((ratios[name]!.bytesPerSecPerStreamVsBaseline as number) < 1, `${name} sends fewer bytes than the baseline`);
  }
  const targets = r.targets as Record<string, unknown>;
  assert.ok(Object.keys(targets).length >= 11);
  for (const [k, v] of Object.entries(targets)) assert.equal(typeof v, 'boolean', `targets.${k}`);

  const correctness = r.correctness as { framesChecked: number; mismatches: number };
  assert.ok(correctness.framesChecked > 60, `${correctness.framesChecked} frames checked against the file`);
  assert.equal(correctness.mismatches, 0);
  assert.equal(targets.framesMatchFile, true);
});
