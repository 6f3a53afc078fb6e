// docs/fuzzing.md: the seeded short pass of every fuzz target (20,000 inputs in all, fixed
// seed), the replay of every saved corpus input, and the oracle's own verdicts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CORPUS_DIR, loadCorpus } from '../../fuzz/src/corpus.ts';
import { applyMutations } from '../../fuzz/src/mutate.ts';
import { checkInput, Finding, newStats } from '../../fuzz/src/oracle.ts';
import { fuzzTarget } from '../../fuzz/src/run.ts';
import { ContractViolation, RoundTripMismatch, type FuzzTarget } from '../../fuzz/src/target.ts';
import { TARGETS } from '../../fuzz/src/targets/index.ts';

const SEED = 20_261_207;
/** Inputs per target in `npm test`: 20,000 in all, fewer for the slow ones (docs/fuzzing.md §7). */
const SHORT_PASS: Readonly<Record<string, number>> = {
  'protocol-frame': 2500,
  'tree-ops': 2000,
  'tree-snapshot': 2000,
  'tree-columns': 2000,
  'timeline-segment': 2000,
  'timeline-file': 2000,
  osc: 2000,
  'f1-udp': 2000,
  csv: 1500,
  'als-gzip': 1200,
  'als-xml': 800,
};

describe('§6 the seeded short pass', () => {
  it('§6 covers every target and 20,000 inputs in all', () => {
    assert.deepEqual(Object.keys(SHORT_PASS).sort(), TARGETS.map((t) => t.name).sort());
    assert.equal(
      Object.values(SHORT_PASS).reduce((a, b) => a + b, 0),
      20_000,
    );
  });

  for (const target of TARGETS) {
    const runs = SHORT_PASS[target.name] ?? 0;
    it(`§2 ${target.name}: ${runs} inputs (seed ${SEED}) end in a value or a documented error`, async () => {
      const report = await fuzzTarget(target, { runs, seed: SEED });
      const f = report.failure;
      assert.equal(
        f,
        undefined,
        f &&
          `${f.error}\ninput (${f.input.length} bytes): ${Buffer.from(f.input.subarray(0, 256)).toString('hex')}\nreproduce: npm run fuzz -- ${target.name} --seed ${SEED} --runs ${runs}`,
      );
      assert.ok(report.inputs >= runs, `${report.inputs} inputs run`);
      // Both outcomes occur: a pass where every input is refused (or none is) fuzzes nothing deep.
      // decodePacket never throws (it returns drop reasons), so f1-udp has no refusals to count.
      if (target.name !== 'f1-udp') {
        assert.ok(report.rejected > 0, 'some inputs were refused');
        assert.ok(report.rejected < report.inputs, 'some inputs decoded');
      }
    });
  }
});

describe('§5 the corpus: every saved input still ends in a value or a documented error', () => {
  it('§5 every corpus folder is a target', () => {
    const folders = readdirSync(CORPUS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const d of folders)
      assert.ok(
        TARGETS.some((t) => t.name === d.name),
        `fuzz/corpus/${d.name} names no target`,
      );
  });

  for (const target of TARGETS) {
    it(`§5 ${target.name}: replays fuzz/corpus/${target.name}/`, async () => {
      for (const entry of loadCorpus(target.name)) {
        try {
          await checkInput(target, entry.input, newStats());
        } catch (err) {
          assert.fail(`${entry.file}: ${(err as Error).message}`);
        }
      }
    });
  }
});

/** A target whose decode does what it is told, to check the oracle's verdicts. */
function fake(decode: (input: Uint8Array) => unknown): FuzzTarget {
  class Documented extends Error {}
  return {
    name: 'fake',
    what: 'a test double',
    seeds: () => [Uint8Array.of(1)],
    generate: () => {
      throw new Error('not used');
    },
    decode: (input) => decode(input) ?? (input[0] === 0 ? Promise.reject(new Documented()) : undefined),
    documented: (err) => err instanceof Documented,
  };
}

describe('§4 the oracle', () => {
  const kindOf = async (decode: (input: Uint8Array) => unknown, input = Uint8Array.of(1)): Promise<string> => {
    try {
      await checkInput(fake(decode), input, newStats());
      return 'pass';
    } catch (err) {
      return err instanceof Finding ? err.kind : `other: ${String(err)}`;
    }
  };

  it('§4 a value or the documented error passes, sync or async', async () => {
    assert.equal(await kindOf(() => 1), 'pass');
    assert.equal(await kindOf(() => undefined, Uint8Array.of(0)), 'pass');
  });

  it('§4 TypeError, RangeError, a plain Error or a non-Error throw is an undocumented-error finding', async () => {
    for (const e of [new TypeError('x'), new RangeError('x'), new Error('x'), 'a string']) {
      assert.equal(
        await kindOf(() => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- a decoder that throws a non-Error is what this checks
          throw e;
        }),
        'undocumented-error',
      );
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as above, rejecting with a non-Error
      assert.equal(await kindOf(() => Promise.reject(e)), 'undocumented-error');
    }
  });

  it('§4 a failed round trip, a broken contract and a slow input are findings', async () => {
    assert.equal(
      await kindOf(() => {
        throw new RoundTripMismatch('x');
      }),
      'round-trip',
    );
    assert.equal(
      await kindOf(() => {
        throw new ContractViolation('x');
      }),
      'contract',
    );
    assert.equal(await kindOf(() => new Promise((resolve) => setTimeout(resolve, 1100))), 'slow');
  });

  it('§3.1 mutations are deterministic, stay within the input and never throw', () => {
    const seed = Uint8Array.of(0x10, 0x20, 0x30, 0x40);
    assert.deepEqual(applyMutations(seed, [{ kind: 'flip', at: 0.5, bit: 0 }], [seed]), Uint8Array.of(0x10, 0x20, 0x31, 0x40));
    assert.deepEqual(applyMutations(seed, [{ kind: 'truncate', at: 0.25 }], [seed]), Uint8Array.of(0x10));
    assert.deepEqual(applyMutations(seed, [{ kind: 'int', at: 0, value: 0xffffffff, width: 4, little: true }], [seed]), Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    assert.deepEqual(applyMutations(seed, [{ kind: 'varuint', at: 0, value: 300, insert: true }], [seed]), Uint8Array.of(0xac, 0x02, 0x10, 0x20, 0x30, 0x40));
    assert.deepEqual(applyMutations(new Uint8Array(0), [{ kind: 'byte', at: 0.9, value: 1 }], [seed]), new Uint8Array(0));
  });
});

describe('§4 the hang watchdog', () => {
  it('§4 an input still running after the limit is saved to the corpus folder and its process killed', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'fuzz-watchdog-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const watchdog = fileURLToPath(new URL('../../fuzz/src/watchdog.ts', import.meta.url));
    const script = [
      `const { startWatchdog } = await import(${JSON.stringify(watchdog)});`,
      `(await startWatchdog(${JSON.stringify(dir)}, 'a test hang', 300)).running(Uint8Array.of(1, 2, 3));`,
      'for (;;);',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.signal, 'SIGKILL', `the busy loop was not killed by the watchdog (stderr: ${r.stderr})`);
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 2, files.join(', '));
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, files[0]!))), Uint8Array.of(1, 2, 3));
    assert.match(readFileSync(join(dir, files[1]!), 'utf8'), /a test hang\nhang: one input ran for more than 300 ms/);
  });
});
