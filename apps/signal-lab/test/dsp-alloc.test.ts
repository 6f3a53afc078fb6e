// Sections (§) in test names: docs/signal-lab-dsp.md.
// process() must not allocate: a garbage collection on the audio thread is an audible glitch.
// Two checks. (1) The real worklet module runs in Node under a fake AudioWorkletGlobalScope,
// every generator through every effect with automated and constant parameters and controls
// arriving through the SharedArrayBuffer queue, while the heap is watched: no collection may
// run and the heap may not grow by more than JIT noise. The same harness is first shown to
// catch a 48-byte allocation per block. (2) A lint over the source of every function the audio
// thread calls, for the constructs that allocate in JavaScript (closures, literals, spreads,
// `new`, string building, copying array methods).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ParameterWriter, RingBuffer } from 'ringbuf.js';
import { BLOCK, CONTROL, GENERATOR_KINDS, PARAMS, PARAM_NAMES, PROCESSOR_NAME, packOrder } from '../src/dsp/constants.ts';
import { controlStorage } from '../src/dsp/controls.ts';
import { DEFAULT_INIT } from '../src/dsp/engine.ts';
import { tapStorage } from '../src/dsp/taps.ts';
import type { LabProcessorOptions } from '../src/dsp/worklet.ts';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface FakeProcessor {
  port: MessagePort;
  process(inputs: Float32Array[][], outputs: Float32Array[][], parameters: Record<string, Float32Array>): boolean;
}
type ProcessorCtor = new (options: { processorOptions: LabProcessorOptions }) => FakeProcessor;

const registered = new Map<string, ProcessorCtor>();
const ports: MessagePort[] = [];

before(async () => {
  class AudioWorkletProcessor {
    readonly port: MessagePort;
    constructor() {
      const ch = new MessageChannel();
      this.port = ch.port1;
      ports.push(ch.port1, ch.port2);
    }
  }
  Object.assign(globalThis, {
    sampleRate: 48000,
    AudioWorkletProcessor,
    registerProcessor: (name: string, ctor: ProcessorCtor) => registered.set(name, ctor),
  });
  await import('../src/dsp/worklet.ts');
});

after(() => {
  for (const p of ports) p.close();
});

/** Everything one run of the processor needs, allocated up front. */
function harness() {
  const Ctor = registered.get(PROCESSOR_NAME);
  assert.ok(Ctor, 'the module registered its processor');
  const controlSab = controlStorage();
  const scopeSab = tapStorage(1 << 14);
  const meterSab = tapStorage(3 * 256);
  const proc = new Ctor({ processorOptions: { init: { ...DEFAULT_INIT, bypass: 0 }, controlSab, scopeSab, meterSab } });
  const writer = new ParameterWriter(new RingBuffer(controlSab, Uint8Array));
  const scopeRing = new RingBuffer(scopeSab, Float32Array);
  const meterRing = new RingBuffer(meterSab, Float32Array);
  const drainBuf = new Float32Array(1 << 14);
  const input = [[new Float32Array(BLOCK)]];
  for (let i = 0; i < BLOCK; i++) input[0][0][i] = Math.sin(i / 5);
  const outputs = [[new Float32Array(BLOCK)]];
  // Two parameter sets, as the browser passes them: all constant (length 1) or all automated.
  const constant: Record<string, Float32Array> = {};
  const automated: Record<string, Float32Array> = {};
  for (const p of PARAMS) {
    constant[p.name] = Float32Array.of(p.defaultValue);
    const a = new Float32Array(BLOCK);
    for (let i = 0; i < BLOCK; i++) a[i] = p.defaultValue * (1 + 0.001 * i);
    automated[p.name] = a;
  }
  automated.level.fill(-6);
  constant['delay.time'][0] = 0.01;
  automated['delay.time'].fill(0.01);
  const orders = [packOrder([0, 1, 2, 3]), packOrder([3, 2, 1, 0]), packOrder([1, 3, 0, 2])];
  /** n blocks of generator `kind`, with a control through the queue every 16 blocks. */
  function run(kind: number, n: number, extra: ((b: number) => void) | null): void {
    writer.enqueueChange(CONTROL.GENERATOR, kind);
    for (let b = 0; b < n; b++) {
      if ((b & 15) === 0) {
        const step = (b >> 4) % 6;
        if (step === 0) writer.enqueueChange(CONTROL.CHAIN_ORDER, orders[(b >> 4) % 3]);
        else if (step === 1) writer.enqueueChange(CONTROL.EQ_TYPE, (b >> 4) % 5);
        else if (step === 2) writer.enqueueChange(CONTROL.SEED, b);
        else if (step === 3) writer.enqueueChange(CONTROL.COMP_DETECTOR, (b >> 4) & 1);
        else if (step === 4) writer.enqueueChange(CONTROL.TRIGGER, 1);
        else writer.enqueueChange(CONTROL.BYPASS, (b >> 4) & 15);
      }
      proc.process(input, outputs, (b & 1) === 0 ? constant : automated);
      if (extra !== null) extra(b);
      if ((b & 31) === 0) {
        scopeRing.pop(drainBuf);
        meterRing.pop(drainBuf);
      }
    }
  }
  return { run, outputs };
}

/**
 * Bytes allocated in V8's young generation over `body` (where every JS allocation lands first,
 * unlike code and compiler metadata), and the collections that ran meanwhile (any collection
 * would hide allocations, so the caller asserts there were none).
 */
async function measure(body: () => void): Promise<{ allocated: number; collections: number }> {
  let collections = 0;
  const obs = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
  gc();
  gc();
  obs.observe({ entryTypes: ['gc'] });
  const before = young();
  body();
  const allocated = young() - before;
  // GC entries are delivered asynchronously.
  await new Promise((r) => setImmediate(r));
  obs.disconnect();
  return { allocated, collections };
}

const KINDS = GENERATOR_KINDS.length;
/** Blocks per generator: long enough for a 2 s sweep to end, so warm-up meets that path too. */
const BLOCKS = 1000;

describe('§8 allocation in process()', () => {
  it('runs every generator through the whole chain without allocating', async (t) => {
    const { run, outputs } = harness();
    // Warm-up meets every path the measured round takes (the same control sequence, the same
    // lengths): a path's first run makes V8 (re)optimise, which allocates, and is not ours.
    for (let round = 0; round < 2; round++) for (let kind = 0; kind < KINDS; kind++) run(kind, BLOCKS, null);
    const m = await measure(() => {
      for (let kind = 0; kind < KINDS; kind++) run(kind, BLOCKS, null);
    });
    t.diagnostic(`young generation grew ${m.allocated} B over ${KINDS * BLOCKS} blocks, ${m.collections} collections`);
    assert.equal(m.collections, 0, 'a collection ran during the measured blocks');
    // 12,000 blocks (32 s of audio): one 16-byte number per block would be 192 KB.
    assert.ok(m.allocated < 16 * 1024, `allocated ${m.allocated} B over ${KINDS * BLOCKS} blocks`);
    assert.ok(
      outputs[0][0].some((v) => v !== 0),
      'the processor produced sound',
    );
  });

  it('the young-generation watch catches 48 bytes per block', async () => {
    const { run } = harness();
    const sink: unknown[] = [];
    for (let round = 0; round < 2; round++) for (let kind = 0; kind < KINDS; kind++) run(kind, BLOCKS, null);
    const m = await measure(() => {
      for (let kind = 0; kind < KINDS; kind++)
        run(kind, BLOCKS, (b) => {
          sink[b & 1023] = new Float32Array(4);
        });
    });
    assert.ok(m.allocated > KINDS * BLOCKS * 40 || m.collections > 0, `saw ${m.allocated} B, ${m.collections} GCs`);
  });
});

// ---- the lint ----

const SRC = new URL('../src/dsp/', import.meta.url);

/** Functions the audio thread runs, per file. */
const HOT: Record<string, string[]> = {
  'worklet.ts': ['process'],
  'engine.ts': ['applyControl', 'control', 'setSweep', 'trigger', 'process', 'applyLevel', 'isCode'],
  'chain.ts': ['setOrder', 'setBypass', 'reset', 'process'],
  'constants.ts': ['unpackOrder'],
  'oscillators.ts': ['reset', 'render', 'renderSine', 'renderSaw', 'renderSquare', 'renderTriangle', 'incAt'],
  'blep.ts': ['reset', 'addStep', 'addRamp', 'finish'],
  'noise.ts': ['reseed', 'render'],
  // The noise's generator lives in @tidewire/random.
  '../../../../packages/random/src/prng.ts': ['reseed', 'nextU32', 'fillUniform'],
  'impulse.ts': ['arm', 'render'],
  'sweep.ts': ['sweepRate', 'configure', 'start', 'render'],
  'biquad.ts': ['rbjFromArray', 'setType', 'reset', 'process'],
  'delay.ts': ['reset', 'process'],
  'compressor.ts': ['compressorCurve', 'gainReduction', 'reset', 'process'],
  'gain.ts': ['applyGainDb'],
  'controls.ts': ['drain'],
  'taps.ts': ['write'],
};

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bnew\s+[A-Za-z_$]/, '`new`'],
  [/=>/, 'an arrow function (closure)'],
  [/\bfunction\b/, 'a nested function (closure)'],
  [/`/, 'a template string'],
  [/(?:^|[=(,:?]|\breturn)\s*\[/m, 'an array literal'],
  // `case X: {` and `default: {` open blocks, not objects.
  [/(?:^|[=(,?]|\breturn|(?<!\b(?:case\s+[\w.]+|default)\s*):)\s*\{/m, 'an object literal'],
  [/\.\.\./, 'a spread'],
  [/\.(?:slice|map|filter|reduce|concat|subarray|from|of|split|join|toString|toFixed|bind|apply|call)\(/, 'a copying or closure-taking method'],
  [/['"][^'"]*['"]\s*\+|\+\s*['"]/, 'string concatenation'],
  [/\barguments\b/, '`arguments`'],
];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

/** Bodies of every function or method declared as `name` in src (calls are skipped). */
function bodies(src: string, name: string): string[] {
  const out: string[] = [];
  const decl = new RegExp(`^\\s*(?:export\\s+)?(?:private\\s+|static\\s+|readonly\\s+)*(?:function\\s+)?${name}\\s*\\(`, 'gm');
  for (let m = decl.exec(src); m !== null; m = decl.exec(src)) {
    let i = m.index + m[0].length;
    for (let depth = 1; depth > 0 && i < src.length; i++) depth += src[i] === '(' ? 1 : src[i] === ')' ? -1 : 0;
    const open = src.indexOf('{', i);
    // A declaration goes on to an optional return type and its body; a call to `;` or more code.
    if (open < 0 || !/^\s*(?::[^;{}=]+)?$/.test(src.slice(i, open))) continue;
    let j = open + 1;
    for (let depth = 1; depth > 0 && j < src.length; j++) depth += src[j] === '{' ? 1 : src[j] === '}' ? -1 : 0;
    out.push(src.slice(open + 1, j - 1));
  }
  return out;
}

describe('§8 allocation lint of the audio-thread code', () => {
  it('finds every listed function and none of them allocates', () => {
    const problems: string[] = [];
    for (const [file, names] of Object.entries(HOT)) {
      const src = stripComments(readFileSync(new URL(file, SRC), 'utf8'));
      for (const name of names) {
        const found = bodies(src, name);
        assert.ok(found.length > 0, `${file}: no function ${name}`);
        for (const body of found) {
          for (const [re, what] of FORBIDDEN) if (re.test(body)) problems.push(`${file} ${name}(): ${what}: ${re.exec(body)![0]}`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it('the lint flags what it is meant to flag', () => {
    const bad = [
      'const a = [1, 2];',
      'f(() => 1);',
      'const o = { a: 1 };',
      'x = new Float32Array(4);',
      'g(...xs);',
      "s = 'a' + b;",
      'y = a.slice(0);',
      'const t = `x`;',
      'return [a];',
    ];
    for (const line of bad)
      assert.ok(
        FORBIDDEN.some(([re]) => re.test(line)),
        line,
      );
    for (const ok of ['a[i] = b[i * s];', 'if (x) { y = 1; }', 'for (let i = 0; i < n; i++) {', 'switch (k) {', 'out.fill(0, 0, n);']) {
      assert.ok(!FORBIDDEN.some(([re]) => re.test(ok)), ok);
    }
    assert.equal(PARAM_NAMES.length, PARAMS.length);
  });
});
