// Smoke test of the soak benchmark: `bench/src/main.ts soak --quick --json` with a few seconds of
// load and a few dozen clients, in a child process (the real `tidewire serve` in a grandchild,
// two client processes). It prints one JSON object of the documented shape (docs/soak-bench.md
// §5); every mirror converged to the server's root hash, nothing went wrong, the server's fds
// came back to where they started and every connection was gone. Slopes and lag are not
// asserted here: seconds of samples on a shared machine say nothing about them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSuiteJson } from './run-suite.ts';

const ARGS = ['soak', '--quick', '--json', '--minutes', '0.2', '--clients', '24', '--sample-seconds', '3'];

interface SoakResult {
  suite: string;
  quick: boolean;
  minutes: number;
  clients: number;
  rssSlopeMbPerHour: number;
  heapSlopeMbPerHour: number;
  fdsStart: number;
  fdsEnd: number;
  maxEventLoopLagMs: number;
  errors: number;
  converged: boolean;
  clientKinds: Record<'mirror' | 'slow' | 'churn' | 'replay', number>;
  convergence: { mirrors: number; verified: number; mismatched: number; rounds: number };
  load: Record<string, number>;
  server: Record<string, unknown> & { connectionsEnd: number; exitCode: number; failedApps: string[] };
  firstErrors: string[];
  samples: Record<string, number>[];
  targets: Record<string, unknown>;
}

test(
  'docs/soak-bench.md §5 soak bench --quick --json: the documented fields, every mirror converged, no errors, fds back to start',
  { timeout: 240_000 },
  async () => {
    const r = await runSuiteJson<SoakResult>(ARGS);
    assert.equal(r.suite, 'soak');
    assert.equal(r.quick, true);
    assert.equal(r.minutes, 0.2);
    assert.equal(r.clients, 24);

    // The fields, each of its type.
    for (const f of ['rssSlopeMbPerHour', 'heapSlopeMbPerHour'] as const) assert.ok(Number.isFinite(r[f]), `${f} = ${r[f]}`);
    for (const f of ['fdsStart', 'fdsEnd', 'maxEventLoopLagMs', 'errors'] as const) assert.ok(Number.isFinite(r[f]) && r[f] >= 0, `${f} = ${r[f]}`);
    assert.equal(typeof r.converged, 'boolean');
    assert.deepEqual(Object.keys(r.targets).sort(), ['converged', 'errors', 'fdsBackToStart', 'heapSlope', 'maxEventLoopLag', 'rssSlope']);
    for (const [k, v] of Object.entries(r.targets)) assert.equal(typeof v, 'boolean', `targets.${k}`);

    // Every kind of client ran and did its thing.
    const k = r.clientKinds;
    assert.equal(k.mirror + k.slow + k.churn + k.replay, 24);
    for (const kind of ['mirror', 'slow', 'churn', 'replay'] as const) assert.ok(k[kind] >= 2, `${kind}: ${k[kind]}`);
    assert.ok(r.load.oscSent > 0, 'the OSC flood ran');
    assert.ok(r.load.opsBatchesApplied > 0, 'mirrors applied OPS');
    assert.ok(r.load.churnReconnects > 0, 'churners reconnected');
    assert.ok(r.load.replayFrames > 0 && r.load.seeksAcked > 0, 'viewers played and seeks were acknowledged');
    assert.ok(r.samples.length >= 3, `${r.samples.length} samples`);
    for (const s of r.samples)
      for (const f of ['t', 'rssMb', 'heapUsedMb', 'fds', 'lagMaxMs', 'queuedBytes', 'connections']) assert.ok(Number.isFinite(s[f]), `sample.${f}`);

    // The end checks.
    assert.equal(r.errors, 0, `errors: ${r.firstErrors.join(' | ')}`);
    assert.deepEqual(r.server.failedApps, []);
    assert.equal(r.convergence.mismatched, 0);
    assert.equal(r.convergence.verified, r.convergence.mirrors);
    assert.equal(r.convergence.mirrors, k.mirror + k.slow + k.churn);
    assert.equal(r.converged, true);
    assert.ok(r.fdsEnd <= r.fdsStart, `fds ${r.fdsStart} → ${r.fdsEnd}`);
    assert.equal(r.server.connectionsEnd, 0);
    assert.equal(r.server.exitCode, 0);
  },
);
