// Sections (§) in test names: docs/signal-lab.md.
// The Faust build step in Node: every bundled .dsp compiles with faustwasm's libfaust to valid
// wasm whose metadata the chain can use; compiler errors surface as LAB_FAUST_COMPILE; the cache
// is keyed by content and survives damage; the Vite plugin's virtual module lists every effect.
// FaustHost runs the compiled modules block by block. The browser half (the production build
// rendering audio through each effect) is in test/faust-browser.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileFaust, compileFaustDir, type CompiledFaust } from '../src/faust/compile.ts';
import { FAUST_BLOCK, FaustHost } from '../src/faust/host.ts';
import { checkEffectMeta } from '../src/faust/meta.ts';
import { effectsModuleSource, FAUST_EFFECTS_MODULE, faustEffectsPlugin } from '../src/faust/vite-plugin.ts';

const FAUST_DIR = fileURLToPath(new URL('../faust/', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'signal-lab-faust-'));
let bundled: CompiledFaust[];

before(async () => {
  bundled = await compileFaustDir(FAUST_DIR, { cacheDir: join(tmp, 'cache') });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const code = (p: Promise<unknown>, c: string) => assert.rejects(p, (e: { code?: string }) => e.code === c);

describe('§3.1 the bundled Faust effects', () => {
  it('§3.3 compile to valid wasm with stereo in/out and ranged parameters', () => {
    assert.deepEqual(
      bundled.map((e) => e.id),
      ['ladder', 'phaser', 'reverb'],
    );
    for (const e of bundled) {
      assert.ok(WebAssembly.validate(e.wasm), `${e.id} is valid wasm`);
      assert.equal(e.meta.inputs, 2);
      assert.equal(e.meta.outputs, 2);
      assert.ok(e.meta.params.length >= 3, `${e.id} has parameters`);
      assert.match(JSON.parse(e.json).compile_options, /-ftz 2/);
    }
    const ladder = bundled[0]!.meta;
    assert.equal(ladder.name, 'Ladder');
    const { index, ...cutoff } = ladder.params[0]!;
    assert.deepEqual(cutoff, { address: '/Ladder/cutoff', label: 'cutoff', min: 20, max: 20000, init: 2000, step: 1, unit: 'Hz', scale: 'log' });
    assert.ok(index >= 0 && index < ladder.size);
    assert.deepEqual(
      bundled[2]!.meta.params.map((p) => p.address),
      ['/Freeverb/room_size', '/Freeverb/damping', '/Freeverb/width', '/Freeverb/wet'],
    );
  });

  it('keeps one cache entry per effect: a new version replaces the old, a look-alike id is left alone', async () => {
    const cacheDir = join(tmp, 'versions');
    await compileFaust('gain', 'process = *(0.5);', { cacheDir });
    await compileFaust('gain-2', 'process = *(0.25);', { cacheDir });
    await compileFaust('gain', 'process = *(0.75);', { cacheDir });
    const names = readdirSync(cacheDir).sort();
    assert.equal(names.length, 4, names.join(' '));
    assert.equal(names.filter((n) => /^gain-[0-9a-f]{16}\./.test(n)).length, 2);
    assert.equal(names.filter((n) => n.startsWith('gain-2-')).length, 2);
  });

  it('are cached by content: a second compile reads the cache, a damaged entry is rebuilt', async () => {
    const cacheDir = join(tmp, 'cache');
    const again = await compileFaustDir(FAUST_DIR, { cacheDir });
    assert.ok(again.every((e) => e.fromCache));
    assert.deepEqual(
      again.map((e) => e.hash),
      bundled.map((e) => e.hash),
    );
    const wasm = readdirSync(cacheDir).find((n) => n.startsWith('ladder-') && n.endsWith('.wasm'))!;
    writeFileSync(join(cacheDir, wasm), 'garbage');
    const rebuilt = await compileFaustDir(FAUST_DIR, { cacheDir });
    assert.equal(rebuilt[0]!.fromCache, false);
    assert.deepEqual(rebuilt[0]!.wasm, bundled[0]!.wasm);
  });
});

describe('§3.1 compileFaust', () => {
  it('reports compiler errors as LAB_FAUST_COMPILE with the diagnostics', async () => {
    await assert.rejects(compileFaust('broken', 'process = nosuchfunction;', { cacheDir: null }), (e: { code?: string; message: string }) => {
      assert.equal(e.code, 'LAB_FAUST_COMPILE');
      assert.match(e.message, /nosuchfunction/);
      return true;
    });
  });

  it('refuses programs the chain cannot host and bad names', async () => {
    await code(compileFaust('synth', 'import("stdfaust.lib"); process = os.osc(440);', { cacheDir: null }), 'LAB_FAUST_BAD_META');
    await code(compileFaust('Bad Name', 'process = _;', { cacheDir: null }), 'LAB_BAD_OPTION');
    await code(compileFaust('big', `process = _; // ${'x'.repeat(300 * 1024)}`, { cacheDir: null }), 'LAB_BAD_OPTION');
  });

  it('compiles a mono pass-through with a checkbox as a 0/1 parameter', async () => {
    const r = await compileFaust('mono', 'declare name "Mute"; process = *(1 - checkbox("mute"));', { cacheDir: null });
    assert.equal(r.meta.inputs, 1);
    const { index, ...param } = r.meta.params[0]!;
    assert.deepEqual(param, { address: '/Mute/mute', label: 'mute', min: 0, max: 1, init: 0, step: 1, unit: '', scale: 'lin' });
    assert.ok(Number.isInteger(index) && index >= 0 && index < r.meta.size, `struct offset ${index} in ${r.meta.size} bytes`);
  });
});

describe('§3.1 checkEffectMeta', () => {
  const ok = {
    inputs: 2,
    outputs: 2,
    size: 16,
    meta: [{ name: 'X' }],
    ui: [{ type: 'vgroup', label: 'X', items: [{ type: 'hslider', label: 'a', address: '/X/a', index: 4, min: 0, max: 1, init: 0.5, step: 0.1 }] }],
  };

  it('accepts a well-formed description', () => {
    assert.equal(checkEffectMeta('x', ok).params[0]!.address, '/X/a');
  });

  it('refuses missing ranges, too many channels and non-objects', () => {
    const bad = (j: unknown) =>
      assert.throws(
        () => checkEffectMeta('x', j),
        (e: { code?: string }) => e.code === 'LAB_FAUST_BAD_META',
      );
    bad(null);
    bad({ ...ok, inputs: 3 });
    bad({ ...ok, outputs: 0 });
    bad({ ...ok, ui: [{ type: 'hslider', label: 'a', address: '/X/a', min: 1, max: 0, init: 0, step: 0 }] });
    bad({ ...ok, ui: [{ type: 'hslider', label: 'a', min: 0, max: 1, init: 0, step: 0 }] });
    bad({ ...ok, ui: 'no' });
    // The host writes parameters at these offsets: they must lie inside the struct.
    bad({ ...ok, size: -1 });
    bad({ ...ok, size: 1e12 });
    bad({ ...ok, ui: [{ type: 'hslider', label: 'a', address: '/X/a', index: 16, min: 0, max: 1, init: 0, step: 0 }] });
    bad({ ...ok, ui: [{ type: 'hslider', label: 'a', address: '/X/a', index: 2, min: 0, max: 1, init: 0, step: 0 }] });
    bad({ ...ok, ui: [{ type: 'hslider', label: 'a', address: '/X/a', min: 0, max: 1, init: 0, step: 0 }] });
  });
});

// The host the `tidewire-faust` worklet runs, driven block by block in Node with the real
// compiled modules (the browser half is test/faust-browser.test.ts).
describe('§3.2 FaustHost', () => {
  const spec = (r: CompiledFaust) => ({ size: r.meta.size, inputs: r.meta.inputs, outputs: r.meta.outputs, paramIndex: r.meta.params.map((p) => p.index) });
  const block = (v: number) => new Float32Array(FAUST_BLOCK).fill(v);

  it('runs a program: parameters by struct offset, mono input fed to both channels', async () => {
    const r = await compileFaust('halver', 'declare name "Halver"; g = hslider("gain", 0.5, 0, 1, 0.01); process = *(g), *(g);', { cacheDir: null });
    const host = new FaustHost(new WebAssembly.Module(r.wasm), spec(r), 48000);
    const out = [new Float32Array(FAUST_BLOCK), new Float32Array(FAUST_BLOCK)];
    host.process([block(0.8)], out, FAUST_BLOCK);
    assert.ok(Math.abs(out[0]![5]! - 0.4) < 1e-6 && Math.abs(out[1]![5]! - 0.4) < 1e-6, `${out[0]![5]} ${out[1]![5]}`);
    const gain = r.meta.params[0]!.index;
    assert.equal(host.setParam(gain, 0.25), true);
    assert.equal(host.getParam(gain), 0.25);
    host.process([block(0.8), block(-0.4)], out, FAUST_BLOCK);
    assert.ok(Math.abs(out[0]![0]! - 0.2) < 1e-6 && Math.abs(out[1]![0]! + 0.1) < 1e-6);
    // No input channels (an unconnected node): silence in, silence out.
    host.process([], out, FAUST_BLOCK);
    assert.equal(out[0]![0], 0);
    // Offsets it does not have, and non-finite values, are refused and change nothing.
    assert.equal(host.setParam(gain + 4, 1), false);
    assert.equal(host.setParam(gain, Number.NaN), false);
    assert.equal(host.getParam(gain), 0.25);
  });

  it('runs every bundled effect on a block of noise with finite output', () => {
    for (const r of bundled) {
      const host = new FaustHost(new WebAssembly.Module(r.wasm), spec(r), 48000);
      const input = [new Float32Array(FAUST_BLOCK).map((_, i) => Math.sin(i * 0.3) * 0.5)];
      const out = [new Float32Array(FAUST_BLOCK), new Float32Array(FAUST_BLOCK)];
      for (let b = 0; b < 50; b++) host.process(input, out, FAUST_BLOCK);
      assert.ok(
        out.every((ch) => ch.every(Number.isFinite)),
        `${r.id} output is finite`,
      );
      assert.ok(
        out[0]!.some((v) => v !== 0),
        `${r.id} output is not silent`,
      );
    }
  });

  it('refuses a module that is not a Faust effect, naming what is missing', () => {
    // (module) (func (export "compute")): no memory, no init.
    const bytes = Uint8Array.from([
      0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 11, 1, 7, 99, 111, 109, 112, 117, 116, 101, 0, 0, 10, 4, 1, 2, 0, 11,
    ]);
    assert.throws(() => new FaustHost(new WebAssembly.Module(bytes), { size: 0, inputs: 1, outputs: 1, paramIndex: [] }, 48000), /does not export init/);
  });
});

describe('§3.1 the Vite plugin', () => {
  it('resolves the virtual module to one ?url import per wasm and the JSON inline', async () => {
    const plugin = faustEffectsPlugin({ dir: FAUST_DIR, cacheDir: join(tmp, 'cache') });
    const resolveId = plugin.resolveId as (id: string, importer?: string) => string | null;
    const load = plugin.load as (id: string) => Promise<string | null>;
    const resolved = resolveId(FAUST_EFFECTS_MODULE);
    assert.ok(resolved?.startsWith('\0'));
    assert.equal(resolveId('fs', '/x/node_modules/@grame/faustwasm/dist/esm/index.js')?.startsWith('\0'), true, "faustwasm's Node branch is stubbed");
    assert.equal(resolveId('fs', '/x/ui/main.ts'), null);
    const src = (await load(resolved!))!;
    assert.match(src.split('\n')[0]!, /^\/\/ Generated by/);
    assert.equal(src.match(/\.wasm\?url"/g)?.length, 3);
    assert.equal(src, effectsModuleSource(bundled, join(tmp, 'cache')));
    assert.ok(src.includes('\\"name\\": \\"Freeverb\\"'), 'the metadata rides in the module');
  });
});
