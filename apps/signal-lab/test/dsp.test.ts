// Sections (§) in test names: docs/signal-lab-dsp.md.
// The DSP core's pure modules in Node: the math behind the generators, effects, chain and
// sweep deconvolution, checked against closed forms. The browser tests (dsp-browser.test.ts)
// run the same code inside the real AudioWorklet.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Prng } from '@tidewire/random';
import { BLEP_ZC } from '../src/dsp/blep.ts';
import { EQ_HIGHPASS, EQ_HIGHSHELF, EQ_LOWPASS, EQ_LOWSHELF, EQ_PEAKING, Biquad, biquadMagnitude, rbjCoefficients } from '../src/dsp/biquad.ts';
import { BYPASS_ALL, FX_COMP, FX_DELAY, FX_EQ, FX_GAIN, P } from '../src/dsp/chain.ts';
import { Compressor, DETECT_PEAK, compressorCurve } from '../src/dsp/compressor.ts';
import { BLOCK, CONTROL, GEN, PARAMS, packOrder, unpackOrder } from '../src/dsp/constants.ts';
import { Delay } from '../src/dsp/delay.ts';
import { DEFAULT_INIT, LabEngine } from '../src/dsp/engine.ts';
import { DSP_ERROR_CODES, DspError } from '../src/dsp/errors.ts';
import { ImpulseSource } from '../src/dsp/impulse.ts';
import { PinkNoise, WhiteNoise } from '../src/dsp/noise.ts';
import { OSC_SAW, OSC_SINE, OSC_SQUARE, OSC_TRIANGLE, Oscillator } from '../src/dsp/oscillators.ts';
import type { OscShape } from '../src/dsp/oscillators.ts';
import { deconvolveSweep, designSweep, harmonicDelay, harmonicResponse, renderSweep, sweepInverseFilter, sweepSample } from '../src/dsp/sweep.ts';
import { dtftMagnitude, snrDb, toneAmplitude, worstNonHarmonicDb } from './dsp-analysis.ts';

const SR = 48000;

const k = (v: number) => Float32Array.of(v);

function renderOsc(shape: OscShape, f: number, n: number): Float64Array {
  const osc = new Oscillator(SR);
  osc.shape = shape;
  const out = new Float64Array(n);
  const blk = new Float64Array(BLOCK);
  for (let i = 0; i < n; i += BLOCK) {
    osc.render(blk, BLOCK, k(f));
    out.set(blk.subarray(0, Math.min(BLOCK, n - i)), i);
  }
  return out;
}

/** The engine's parameter list with defaults, some overridden. */
function params(over: Partial<Record<(typeof PARAMS)[number]['name'], number | Float32Array>> = {}): Float32Array[] {
  return PARAMS.map((p) => {
    const v = (over as Record<string, number | Float32Array | undefined>)[p.name];
    return v instanceof Float32Array ? v : k(v ?? p.defaultValue);
  });
}

function runEngine(e: LabEngine, p: Float32Array[], blocks: number): Float32Array {
  const out = new Float32Array(blocks * BLOCK);
  const blk = new Float32Array(BLOCK);
  for (let b = 0; b < blocks; b++) {
    e.process(p, null, blk, null);
    out.set(blk, b * BLOCK);
  }
  return out;
}

describe('§3 noise', () => {
  it("white noise is the project's PRNG (@tidewire/random), reseedable in place", () => {
    for (const seed of [0, 1, 42, 0xdeadbeef]) {
      const ref = new Prng(seed);
      const w = new WhiteNoise(seed);
      const out = new Float64Array(256);
      w.render(out, 256);
      for (let i = 0; i < 256; i++) assert.equal(out[i], 2 * ref.next() - 1, `seed ${seed} sample ${i}`);
      w.reseed(seed);
      w.render(out, 1);
      assert.equal(out[0], 2 * new Prng(seed).next() - 1);
    }
  });

  it('white is uniform in [-1, 1) with RMS 1/√3, pink has the same RMS, and a seed replays both', () => {
    const n = 1 << 18;
    const w = new Float64Array(n),
      p = new Float64Array(n);
    new WhiteNoise(7).render(w, n);
    new PinkNoise(7).render(p, n);
    const rms = (x: Float64Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    assert.ok(w.every((v) => v >= -1 && v < 1));
    assert.ok(Math.abs(rms(w) * Math.sqrt(3) - 1) < 0.01, String(rms(w)));
    assert.ok(Math.abs(rms(p) / rms(w) - 1) < 0.05, `pink/white RMS ${rms(p) / rms(w)}`);
    const again = new Float64Array(n);
    new PinkNoise(7).render(again, n);
    assert.deepEqual(again, p);
  });
});

describe('§3 oscillators', () => {
  it('the sine is within float rounding of sin(2π·f·n/sr)', () => {
    const x = renderOsc(OSC_SINE, 1000, SR);
    const ref = Float64Array.from({ length: SR }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / SR));
    assert.ok(snrDb(x, ref) > 200, String(snrDb(x, ref)));
  });

  it('square, saw and triangle have their Fourier amplitudes and no aliases within 60 dB at 5 kHz', () => {
    const n = 65536;
    const cases: Array<[OscShape, string, number]> = [
      [OSC_SQUARE, 'square', 4 / Math.PI],
      [OSC_SAW, 'saw', 2 / Math.PI],
      [OSC_TRIANGLE, 'triangle', 8 / Math.PI ** 2],
    ];
    for (const [shape, name, fundamental] of cases) {
      const x = renderOsc(shape, 1000, n + 4096);
      const a = toneAmplitude(x, 4096, n, SR, 1000);
      assert.ok(Math.abs(a / fundamental - 1) < 1e-3, `${name} fundamental ${a} vs ${fundamental}`);
      const y = renderOsc(shape, 5000, n + 4096);
      const w = worstNonHarmonicDb(y, 4096, n, SR, 5000);
      assert.ok(w.db < -60, `${name}: ${w.db.toFixed(1)} dB at ${w.at} Hz`);
    }
  });

  it('band-limited edges come BLEP_ZC samples late and settle to the naive levels', () => {
    // A 100 Hz square: +1 for 240 samples, -1 for 240; the first falling edge sits at sample
    // 240 - 1 (the phase is advanced before each sample) plus the latency.
    const x = renderOsc(OSC_SQUARE, 100, 1200);
    const edge = 239 + BLEP_ZC;
    assert.ok(Math.abs(x[edge - 100] - 1) < 1e-3 && Math.abs(x[edge + 100] + 1) < 1e-3);
    assert.ok(Math.abs(x[edge]) < 0.1, `mid-edge ${x[edge]}`);
  });
});

describe('§3 impulses', () => {
  it('a single impulse waits for the gate, a 1 kHz train lands exactly every 48 samples', () => {
    const src = new ImpulseSource(SR);
    const out = new Float64Array(BLOCK);
    const gate = new Float32Array(BLOCK);
    gate.fill(1, 10);
    src.render(out, BLOCK, k(1000), gate);
    assert.deepEqual(
      [...out.keys()].filter((i) => out[i] !== 0),
      [10],
    );
    assert.equal(out[10], 1);
    src.render(out, BLOCK, k(1000), k(1));
    assert.ok(
      out.every((v) => v === 0),
      'fires once per arming',
    );
    src.periodic = true;
    src.arm();
    const hits: number[] = [];
    for (let b = 0; b < 10; b++) {
      src.render(out, BLOCK, k(1000), k(1));
      for (let i = 0; i < BLOCK; i++) if (out[i] !== 0) hits.push(b * BLOCK + i);
    }
    assert.deepEqual(
      hits,
      Array.from({ length: hits.length }, (_, i) => i * 48),
    );
    assert.equal(hits.length, Math.ceil(1280 / 48));
  });
});

describe('§4 biquad (RBJ cookbook, TDF-II)', () => {
  it('the filtered impulse has the analytic magnitude response for every type', () => {
    const c = new Float64Array(5);
    for (const [type, gain] of [
      [EQ_PEAKING, 6],
      [EQ_PEAKING, -12],
      [EQ_LOWSHELF, 9],
      [EQ_HIGHSHELF, -6],
      [EQ_LOWPASS, 0],
      [EQ_HIGHPASS, 0],
    ]) {
      const bq = new Biquad(SR);
      bq.setType(type);
      const h = new Float64Array(8192);
      h[0] = 1;
      for (let i = 0; i < h.length; i += BLOCK) bq.process(h.subarray(i, i + BLOCK), BLOCK, k(1000), k(0.9), k(gain));
      rbjCoefficients(type, Math.fround(1000), Math.fround(0.9), gain, SR, c);
      for (const f of [50, 300, 1000, 3000, 12000]) {
        const got = dtftMagnitude(h, f, SR);
        const want = biquadMagnitude(c, f, SR);
        assert.ok(Math.abs(20 * Math.log10(got / want)) < 1e-6, `type ${type} at ${f} Hz: ${got} vs ${want}`);
      }
    }
    // Closed-form spot checks of the cookbook: a peaking filter's gain at its centre, a shelf's
    // far-band gain, a low-pass's -3 dB at Q = 1/√2.
    rbjCoefficients(EQ_PEAKING, 1000, 2, 6, SR, c);
    assert.ok(Math.abs(20 * Math.log10(biquadMagnitude(c, 1000, SR)) - 6) < 1e-9);
    rbjCoefficients(EQ_LOWSHELF, 200, Math.SQRT1_2, 9, SR, c);
    assert.ok(Math.abs(20 * Math.log10(biquadMagnitude(c, 1, SR)) - 9) < 1e-3);
    rbjCoefficients(EQ_LOWPASS, 1000, Math.SQRT1_2, 0, SR, c);
    assert.ok(Math.abs(20 * Math.log10(biquadMagnitude(c, 1000, SR)) - -3.0103) < 1e-3);
  });

  it('smooths a parameter jump and then stops recomputing at the target', () => {
    const bq = new Biquad(SR);
    const buf = new Float64Array(BLOCK);
    bq.process(buf, BLOCK, k(1000), k(1), k(6));
    const c1 = bq.coefficients().slice();
    bq.process(buf, BLOCK, k(1000), k(1), k(6));
    assert.deepEqual(bq.coefficients(), c1, 'constant parameters leave the coefficients alone');
    bq.process(buf, BLOCK, k(4000), k(1), k(6));
    const mid = new Float64Array(5);
    rbjCoefficients(EQ_PEAKING, 4000, 1, 6, SR, mid);
    assert.notDeepEqual(bq.coefficients(), mid, 'one block after a jump the filter is still gliding');
    for (let b = 0; b < 100; b++) bq.process(buf, BLOCK, k(4000), k(1), k(6));
    for (let i = 0; i < 5; i++) assert.ok(Math.abs(bq.coefficients()[i] - mid[i]) < 1e-7, 'settled on the target');
  });
});

describe('§4 delay', () => {
  it('delays by whole and fractional samples, feeds back and mixes', () => {
    const d = new Delay(SR, 1);
    const buf = new Float64Array(1536);
    buf[0] = 1;
    // 2^-7 s (exact in float32) = 375 samples, feedback 0.5, fully wet: echoes at 375, 750,
    // 1125 of 1, 0.5, 0.25.
    for (let i = 0; i < buf.length; i += BLOCK) d.process(buf.subarray(i, i + BLOCK), BLOCK, k(2 ** -7), k(0.5), k(1));
    for (let i = 0; i < 1200; i++) {
      const want = i === 375 ? 1 : i === 750 ? 0.5 : i === 1125 ? 0.25 : 0;
      assert.ok(Math.abs(buf[i] - want) < 1e-12, `sample ${i}: ${buf[i]}`);
    }
    // Half a sample more: the impulse spreads over its neighbours, centred at 100.5.
    const e = new Delay(SR, 1);
    const b2 = new Float64Array(BLOCK * 2);
    b2[0] = 1;
    for (let i = 0; i < b2.length; i += BLOCK) e.process(b2.subarray(i, i + BLOCK), BLOCK, k(Math.fround(100.5 / SR)), k(0), k(1));
    let m0 = 0,
      m1 = 0;
    for (let i = 0; i < b2.length; i++) {
      m0 += b2[i];
      m1 += i * b2[i];
    }
    assert.ok(Math.abs(m1 / m0 - 100.5) < 1e-3, `centroid ${m1 / m0}`);
    // Dry (mix 0) is the input, bit for bit.
    const dry = Float64Array.from({ length: BLOCK }, (_, i) => Math.sin(i));
    const copy = dry.slice();
    new Delay(SR, 1).process(dry, BLOCK, k(0.01), k(0.9), k(0));
    assert.deepEqual(dry, copy);
  });
});

describe('§4 compressor', () => {
  it('has a continuous soft-knee curve and settles on it', () => {
    for (const x of [-40, -30, -23, -20, -17, -10, 0]) {
      const y = compressorCurve(x, -20, 4, 6);
      if (x <= -23) assert.equal(y, x);
      if (x >= -17) assert.ok(Math.abs(y - (-20 + (x + 20) / 4)) < 1e-12);
    }
    for (const edge of [-23, -17]) {
      assert.ok(Math.abs(compressorCurve(edge - 1e-9, -20, 4, 6) - compressorCurve(edge + 1e-9, -20, 4, 6)) < 1e-6, `continuous at ${edge}`);
    }
    // DC at -6.02 dBFS, threshold -20, ratio 4, hard knee, peak detector: output -16.5 dB + 3 dB makeup.
    const c = new Compressor(SR);
    c.detector = DETECT_PEAK;
    const buf = new Float64Array(BLOCK);
    for (let b = 0; b < 200; b++) {
      buf.fill(0.5);
      c.process(buf, BLOCK, k(-20), k(4), k(0), k(0.001), k(0.05), k(3));
    }
    const out = 20 * Math.log10(buf[BLOCK - 1]);
    const want = -20 + (20 * Math.log10(0.5) + 20) / 4 + 3;
    assert.ok(Math.abs(out - want) < 1e-6, `${out} vs ${want}`);
    assert.ok(Math.abs(c.gainReduction() - (want - 3 - 20 * Math.log10(0.5))) < 1e-6);
  });

  it('attacks with its time constant', () => {
    const c = new Compressor(SR);
    c.detector = DETECT_PEAK;
    const attack = 0.01;
    const n = Math.round(attack * SR);
    const buf = new Float64Array(n).fill(1);
    for (let i = 0; i < n; i += 80) c.process(buf.subarray(i, i + 80), 80, k(-20), k(1e9), k(0), k(attack), k(0.1), k(0));
    // Target reduction 20 dB; after one time constant 1 − 1/e of it is reached.
    assert.ok(Math.abs(c.gainReduction() / -20 - (1 - Math.exp(-1))) < 1e-3, String(c.gainReduction()));
  });
});

describe('§3.1 exponential sweep', () => {
  const d = designSweep(20, 20000, 2, SR);

  it('is synchronised: f1·L is an integer and the duration is close to the request', () => {
    assert.ok(Math.abs(d.f1 * d.rate - Math.round(d.f1 * d.rate)) < 1e-9);
    assert.ok(Math.abs(d.duration - 2) < 0.2);
    assert.equal(sweepSample(d, 0), 0);
    assert.equal(d.samples, Math.ceil(d.duration * SR));
    assert.throws(
      () => designSweep(20, 30000, 2, SR),
      (e: unknown) => e instanceof DspError && e.code === 'DSP_BAD_OPTION',
    );
    assert.throws(
      () => designSweep(100, 50, 2, SR),
      (e: unknown) => e instanceof DspError && e.code === 'DSP_BAD_OPTION',
    );
  });

  it('deconvolves into a unit impulse, a filter response, and harmonics at −L·ln(k)', () => {
    const x = renderSweep(d);
    const ir = deconvolveSweep(x, d);
    // A band-limited unit impulse, ringing on both sides of 0: flat in [f1, f2], its peak
    // (f2 − f1)/(sr/2) ≈ 0.83.
    const around0 = harmonicResponse(ir, d, 1, 8192, 4096);
    for (const f of [50, 100, 1000, 10000]) assert.ok(Math.abs(20 * Math.log10(dtftMagnitude(around0, f, SR))) < 0.01, `flat at ${f} Hz`);
    assert.ok(Math.abs(ir[0] - (d.f2 - d.f1) / (SR / 2)) < 0.01, `peak ${ir[0]}`);
    // Through a peaking EQ: the response measured from 100 Hz to 10 kHz is the analytic one.
    const c = new Float64Array(5);
    rbjCoefficients(EQ_PEAKING, 1000, 1.5, 8, SR, c);
    const y = new Float64Array(d.samples + 4800);
    y.set(x);
    const bq = new Biquad(SR);
    for (let i = 0; i + BLOCK <= y.length; i += BLOCK) bq.process(y.subarray(i, i + BLOCK), BLOCK, k(1000), k(1.5), k(8));
    const h = harmonicResponse(deconvolveSweep(y, d), d, 1, 8192, 4096);
    for (let f = 100; f <= 10000; f *= 1.2) {
      const err = 20 * Math.log10(dtftMagnitude(h, f, SR) / biquadMagnitude(c, f, SR));
      assert.ok(Math.abs(err) < 0.01, `${f.toFixed(0)} Hz: ${err} dB`);
    }
    // y = x + 0.1·x²: x² = (1 − cos 2φ)/2, a second harmonic of amplitude 0.05 whose response
    // lands L·ln 2 before the linear one.
    const z = Float64Array.from(x, (v) => v + 0.1 * v * v);
    const zi = deconvolveSweep(z, d);
    const h2 = harmonicResponse(zi, d, 2, 1024, 512);
    for (const f of [200, 1000, 5000]) {
      const a = dtftMagnitude(h2, f, SR);
      assert.ok(Math.abs(20 * Math.log10(a / 0.05)) < 0.5, `2nd harmonic at ${f} Hz: ${a}`);
    }
    assert.ok(harmonicDelay(d, 2) * SR > 1024, 'the harmonics are apart from the linear response');
    // The FIR form puts the linear response at d.samples.
    const fir = sweepInverseFilter(d);
    let acc = 0;
    for (let i = 0; i < x.length; i++) acc += x[i] * fir[d.samples - i + 0];
    assert.ok(Math.abs(acc - ir[0]) < 1e-6, `FIR peak ${acc} vs ${ir[0]}`);
  });
});

describe('§4 engine and chain', () => {
  it('§6 refuses invalid controls without throwing, and counts them', () => {
    const e = new LabEngine(SR);
    assert.equal(e.applyControl(CONTROL.GENERATOR, 99), false);
    assert.equal(e.applyControl(CONTROL.CHAIN_ORDER, packOrder([0, 0, 1, 2])), false);
    assert.equal(e.applyControl(CONTROL.BYPASS, 16), false);
    assert.equal(e.applyControl(CONTROL.EQ_TYPE, 1.5), false);
    assert.equal(e.applyControl(CONTROL.SEED, -1), false);
    assert.equal(e.applyControl(CONTROL.PROBE, PARAMS.length), false);
    assert.equal(e.applyControl(200, 0), false);
    assert.equal(e.rejected, 7);
    assert.equal(e.applyControl(CONTROL.GENERATOR, GEN.saw), true);
    assert.equal(e.kind, GEN.saw);
  });

  it('§6 packs a chain order into one exact float32 value', () => {
    const out = new Int32Array(4);
    for (const order of [
      [0, 1, 2, 3],
      [3, 2, 1, 0],
      [2, 0, 3, 1],
    ]) {
      const v = packOrder(order);
      assert.equal(Math.fround(v), v);
      assert.ok(unpackOrder(v, out));
      assert.deepEqual([...out], order);
    }
    assert.equal(unpackOrder(packOrder([1, 1, 2, 3]), out), false);
    assert.equal(unpackOrder(256, out), false);
    assert.equal(unpackOrder(NaN, out), false);
  });

  it('with everything bypassed, outputs the generator times the level; order changes the result', () => {
    const e = new LabEngine(SR, { ...DEFAULT_INIT, generator: GEN.dc });
    const out = runEngine(e, params({ level: -6 }), 2);
    assert.ok(out.every((v) => v === Math.fround(Math.pow(10, -6 / 20))));
    // gain +20 dB then a hard compressor, versus the compressor first: different levels.
    const run = (order: number[]) => {
      const en = new LabEngine(SR, { ...DEFAULT_INIT, generator: GEN.dc, detector: 1, chainOrder: packOrder(order), bypass: (1 << FX_EQ) | (1 << FX_DELAY) });
      const o = runEngine(en, params({ level: -20, 'gain.db': 20, 'comp.threshold': -10, 'comp.ratio': 10, 'comp.knee': 0, 'comp.attack': 0 }), 20);
      return 20 * Math.log10(o[o.length - 1]);
    };
    const gainFirst = run([FX_GAIN, FX_COMP, FX_EQ, FX_DELAY]);
    const compFirst = run([FX_COMP, FX_GAIN, FX_EQ, FX_DELAY]);
    assert.ok(Math.abs(gainFirst - (-10 + 10 / 10)) < 1e-4, `gain → comp ${gainFirst}`);
    assert.ok(Math.abs(compFirst - 0) < 1e-4, `comp → gain ${compFirst}`);
    assert.equal(BYPASS_ALL, 15);
    assert.equal(FX_GAIN, 0);
    assert.equal(FX_COMP, 3);
  });

  it('§4.1 silences a block that goes non-finite and resets the chain', () => {
    const e = new LabEngine(SR, { ...DEFAULT_INIT, generator: GEN.dc, bypass: BYPASS_ALL & ~(1 << FX_GAIN) });
    const out = runEngine(e, params({ level: 0, 'gain.db': Float32Array.from({ length: BLOCK }, (_, i) => (i === 5 ? Infinity : 0)) }), 1);
    assert.equal(e.faults, 1);
    assert.ok(out.every((v) => v === 0));
    assert.equal(P.gainDb, 3);
  });
});

describe('§9 errors', () => {
  it('every error code is documented in docs/signal-lab-dsp.md', () => {
    const doc = readFileSync(new URL('../../../docs/signal-lab-dsp.md', import.meta.url), 'utf8');
    for (const code of Object.keys(DSP_ERROR_CODES)) assert.ok(doc.includes(`\`${code}\``), `${code} is not documented`);
  });
});
