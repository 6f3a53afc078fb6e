// docs/signal-lab.md §6: the page's main thread imports the DSP entry (createLab, offline
// renders), so importing its modules must not build the tables only an oscillator or a pink
// noise uses. (The entry itself imports the worklet through Vite's `?worker&url`, which Node
// cannot load: the modules that built tables are imported here directly.)
// Its own test file: node --test runs each file in a fresh process, so nothing built them before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlepAccumulator, blepTablesBuilt } from '../src/dsp/blep.ts';
import { PinkNoise, pinkNormComputed } from '../src/dsp/noise.ts';

test('§6 startup: importing the DSP modules builds no tables; the first oscillator or pink noise builds them', () => {
  assert.equal(blepTablesBuilt(), false, 'BLEP tables at import');
  assert.equal(pinkNormComputed(), false, 'pink gain at import');
  new BlepAccumulator();
  assert.equal(blepTablesBuilt(), true);
  const pink = new PinkNoise(1);
  assert.equal(pinkNormComputed(), true);
  const out = new Float64Array(4096);
  pink.render(out, out.length);
  const rms = Math.sqrt(out.reduce((a, v) => a + v * v, 0) / out.length);
  assert.ok(Math.abs(rms - 1 / Math.sqrt(3)) < 0.05, `pink RMS ${rms}`);
});
