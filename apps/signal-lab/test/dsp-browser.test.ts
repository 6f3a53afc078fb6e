// Sections (§) in test names: docs/signal-lab-dsp.md.
// Acceptance tests of the DSP core: the real worklet module, bundled by a production Vite build
// of test/dsp-page, rendered by Chromium's OfflineAudioContext at 48 kHz; the analysis runs
// here in double precision with the helpers of dsp-analysis.ts (themselves tested against
// synthetic signals). Each test prints its measured numbers as diagnostics.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromiumAvailable } from '@tidewire/testkit';
import { BLEP_ZC } from '../src/dsp/blep.ts';
import { EQ_LOWSHELF, EQ_PEAKING, biquadMagnitude, rbjCoefficients } from '../src/dsp/biquad.ts';
import { BLOCK, GEN, PARAMS, packOrder } from '../src/dsp/constants.ts';
import { DEFAULT_INIT, LabEngine } from '../src/dsp/engine.ts';
import { deconvolveSweep, designSweep, harmonicResponse, sweepFrequencyAt, sweepSample } from '../src/dsp/sweep.ts';
import { bandDb, dtftMagnitude, psdSlopePerOctave, sineFit, snrDb, thdDb, welch, worstNonHarmonicDb } from './dsp-analysis.ts';
import { createServer } from 'vite';
import { PAGE_DIR, decode, startHarness } from './dsp-browser-harness.ts';
import type { Harness } from './dsp-browser-harness.ts';

const SR = 48000;
const dbg = (v: number) => Math.pow(10, v / 20);

describe('§10 acceptance: the lab worklet in Chromium', { skip: !chromiumAvailable() && 'no Chromium' }, () => {
  let h: Harness;

  before(async () => {
    h = await startHarness();
    await h.open('iso');
  });

  after(async () => {
    await h?.close();
  });

  it('§2 builds into one self-contained worklet file and runs with SharedArrayBuffer when isolated', async () => {
    const assets = readdirSync(join(h.outDir, 'assets'));
    const worklets = assets.filter((f) => /^worklet.*\.js$/.test(f));
    assert.equal(worklets.length, 1, `worklet bundles: ${assets.join(', ')}`);
    const code = readFileSync(join(h.outDir, 'assets', worklets[0]), 'utf8');
    assert.ok(!/\bimport\s*[{("'*]|\bimport\(/.test(code), 'the worklet bundle imports nothing (a worklet cannot resolve bare chunks)');
    assert.ok(code.includes('tidewire-lab'));
    const r = await h.render({ seconds: 0.05, options: { generator: 'sine' } });
    assert.equal(r.result.crossOriginIsolated, true);
    assert.equal(r.result.shared, true);
    assert.deepEqual(r.result.stats, { type: 'stats', rejected: 0, faults: 0, dropped: 0 });
  });

  it('§2 the worklet URL also works from the Vite dev server', async () => {
    const server = await createServer({
      root: PAGE_DIR,
      configFile: false,
      logLevel: 'warn',
      server: { host: '127.0.0.1', port: 0, headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } },
      worker: { format: 'es' },
    });
    const page = await h.browser.context.newPage();
    try {
      await server.listen();
      const addr = server.httpServer!.address();
      await page.goto(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/`);
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 30_000 });
      const r = await page.evaluate(() => window.labTest.render({ seconds: 0.05, options: { generator: 'sine', params: { level: -6 } } }));
      assert.equal(r.shared, true);
      const x = decode(r.channels[0]);
      assert.ok(Math.abs(x[12] - dbg(-6) * Math.sin((2 * Math.PI * 1000 * 12) / SR)) < 1e-7);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it('§3 sine at 1 kHz: frequency error < 0.01 Hz, SNR ≥ 120 dB against double precision, THD < -120 dB', async (t) => {
    const seconds = 1.5;
    const r = await h.render({ seconds, options: { generator: 'sine', params: { frequency: 1000, level: -6 } } });
    const x = r.channels[0];
    const g = dbg(-6);
    const ref = Float64Array.from({ length: x.length }, (_, n) => g * Math.sin((2 * Math.PI * 1000 * n) / SR));
    const fit = sineFit(x, 0, x.length, SR, 999.9);
    const snr = snrDb(x, ref);
    const thd = thdDb(x, 0, 65536, SR, 1000);
    t.diagnostic(
      `frequency ${fit.freq.toFixed(9)} Hz (error ${(fit.freq - 1000).toExponential(2)} Hz over ${seconds} s), amplitude ${fit.amplitude.toFixed(9)}, SNR ${snr.toFixed(1)} dB, THD ${thd.toFixed(1)} dB`,
    );
    assert.ok(Math.abs(fit.freq - 1000) < 0.01, `frequency ${fit.freq}`);
    assert.ok(snr >= 120, `SNR ${snr}`);
    assert.ok(thd < -120, `THD ${thd}`);
  });

  it('§3 band-limited saw and square at 5 kHz: every non-harmonic component ≥ 60 dB below the fundamental', async (t) => {
    for (const generator of ['saw', 'square', 'triangle'] as const) {
      const r = await h.render({ seconds: 1.5, options: { generator, params: { frequency: 5000, level: -3 } } });
      const w = worstNonHarmonicDb(r.channels[0], 4096, 65536, SR, 5000);
      // Blackman-Harris bottoms out near -92 dB; the Kaiser (β = 20) window shows the actual level.
      const deep = worstNonHarmonicDb(r.channels[0], 4096, 65536, SR, 5000, 12, 'kaiser20');
      t.diagnostic(
        `${generator} 5 kHz: worst non-harmonic ${w.db.toFixed(1)} dB at ${w.at.toFixed(0)} Hz (Blackman-Harris, 65536 points; its floor), ${deep.db.toFixed(1)} dB at ${deep.at.toFixed(0)} Hz (Kaiser β=20)`,
      );
      assert.ok(w.db <= -60, `${generator}: ${w.db} dB at ${w.at} Hz`);
      assert.ok(deep.db <= -60, `${generator}: ${deep.db} dB at ${deep.at} Hz`);
    }
  });

  it('§3 pink noise slopes -3.01 ± 0.1 dB/octave from 50 Hz to 10 kHz; white noise is flat within ±0.5 dB per octave', async (t) => {
    const nfft = 8192;
    const pink = await h.render({ seconds: 10, options: { generator: 'pink', seed: 1234, params: { level: 0 } } });
    const slope = psdSlopePerOctave(welch(pink.channels[0], nfft), nfft, SR, 50, 10000);
    const white = await h.render({ seconds: 10, options: { generator: 'white', seed: 1234, params: { level: 0 } } });
    const wpsd = welch(white.channels[0], nfft);
    const overall = bandDb(wpsd, nfft, SR, 20, 20000);
    const bands: string[] = [];
    let worst = 0;
    for (let lo = 31.25; lo < 16000; lo *= 2) {
      const d = bandDb(wpsd, nfft, SR, lo, lo * 2) - overall;
      bands.push(`${lo}-${lo * 2}: ${d >= 0 ? '+' : ''}${d.toFixed(2)}`);
      worst = Math.max(worst, Math.abs(d));
    }
    const wslope = psdSlopePerOctave(wpsd, nfft, SR, 50, 10000);
    t.diagnostic(
      `pink slope ${slope.toFixed(3)} dB/octave (10 s, Welch ${nfft}, seed 1234); white slope ${wslope.toFixed(3)}; white octave bands vs mean (dB): ${bands.join(', ')}`,
    );
    assert.ok(Math.abs(slope - -3.01) <= 0.1, `pink slope ${slope}`);
    assert.ok(worst <= 0.5, `white octave bands ${bands.join(', ')}`);
  });

  it('§3 impulses are exact: one sample at the level, a 1 kHz train every 48 samples', async () => {
    const one = (await h.render({ seconds: 0.1, options: { generator: 'impulse', params: { level: -6 } } })).channels[0];
    assert.equal(one[0], Math.fround(dbg(-6)));
    assert.equal(
      one.subarray(1).findIndex((v) => v !== 0),
      -1,
      'nothing after the impulse',
    );
    const train = (await h.render({ seconds: 0.1, options: { generator: 'impulse-train', params: { level: 0, frequency: 1000 } } })).channels[0];
    const hits = [...train.keys()].filter((i) => train[i] !== 0);
    assert.deepEqual(
      hits,
      Array.from({ length: 100 }, (_, i) => i * 48),
    );
    assert.ok(hits.every((i) => train[i] === 1));
  });

  it("§3 the sweep's samples and instantaneous frequency follow f(t) = f1·exp(t/L)", async (t) => {
    const d = designSweep(20, 20000, 2, SR);
    const r = await h.render({ seconds: d.duration + 0.1, options: { generator: 'sweep', sweep: { f1: 20, f2: 20000, duration: 2 }, params: { level: 0 } } });
    const x = r.channels[0];
    let maxErr = 0;
    for (let n = 0; n < x.length; n++) maxErr = Math.max(maxErr, Math.abs(x[n] - sweepSample(d, n)));
    // The phase law, measured: φ(t) = 2π·f1·L·(exp(t/L) − 1) crosses kπ at
    // t_k = L·ln(1 + k/(2·f1·L)). Zero crossings (linear interpolation between samples, accurate
    // while a half-period spans many samples) are compared with t_k up to 2 kHz, and the
    // frequency between consecutive crossings, 1/(2·Δt), with f(t) at their midpoint.
    let k = 0;
    let worstT = 0;
    let worstRel = 0;
    let prev = 0;
    for (let n = 1; n < d.samples; n++) {
      if (x[n - 1] === 0 || x[n - 1] < 0 === x[n] < 0) continue;
      k++;
      const tc = (n - 1 + x[n - 1] / (x[n - 1] - x[n])) / SR;
      const tk = d.rate * Math.log1p(k / (2 * d.f1 * d.rate));
      if (sweepFrequencyAt(d, tc) > 2000) break;
      worstT = Math.max(worstT, Math.abs(tc - tk));
      if (k > 1) worstRel = Math.max(worstRel, Math.abs(1 / (2 * (tc - prev)) / sweepFrequencyAt(d, (tc + prev) / 2) - 1));
      prev = tc;
    }
    t.diagnostic(
      `sweep 20 Hz → 20 kHz, L = ${d.rate} s, T = ${d.duration.toFixed(6)} s: max |x − formula| ${maxErr.toExponential(2)}; ${k} zero crossings up to 2 kHz within ${(worstT * 1e6).toFixed(3)} µs of the formula's; instantaneous frequency from them within ${(worstRel * 100).toFixed(4)} % of f1·exp(t/L)`,
    );
    assert.ok(maxErr < 1.2e-7, `max sample error ${maxErr}`);
    assert.ok(k > 1000, `only ${k} crossings`);
    assert.ok(worstT < 1e-6, `zero crossings off by ${worstT} s`);
    assert.ok(worstRel < 1e-3, `instantaneous frequency off by ${worstRel}`);
  });

  it("§3.1 deconvolving the sweep through the chain's biquad recovers its magnitude within 0.1 dB from 100 Hz to 10 kHz", async (t) => {
    const d = designSweep(20, 20000, 2, SR);
    for (const [eqType, code, q, gain] of [
      ['peaking', EQ_PEAKING, 1.4, 8],
      ['lowshelf', EQ_LOWSHELF, 0.8, -9],
    ] as const) {
      const r = await h.render({
        seconds: d.duration + 0.5,
        options: {
          generator: 'sweep',
          sweep: { f1: 20, f2: 20000, duration: 2 },
          eqType,
          chain: ['gain', 'eq', 'delay', 'comp'],
          bypass: ['gain', 'delay', 'comp'],
          params: { level: -6, 'eq.freq': 1000, 'eq.q': q, 'eq.gain': gain },
        },
      });
      const ir = harmonicResponse(deconvolveSweep(r.channels[0], d), d, 1, 8192, 4096);
      const c = new Float64Array(5);
      rbjCoefficients(code, 1000, Math.fround(q), gain, SR, c);
      let worst = 0;
      for (let f = 100; f <= 10000 * 1.001; f *= Math.pow(2, 1 / 12)) {
        const err = 20 * Math.log10(dtftMagnitude(ir, f, SR) / (dbg(-6) * biquadMagnitude(c, f, SR)));
        worst = Math.max(worst, Math.abs(err));
      }
      t.diagnostic(`${eqType} 1 kHz Q ${q} ${gain} dB: worst magnitude error ${worst.toFixed(4)} dB over 100 Hz – 10 kHz (1/12 octave)`);
      assert.ok(worst < 0.1, `${eqType}: ${worst} dB`);
    }
  });

  it('§5 automation of level, gain and frequency follows the Web Audio formulas within 1e-6, sample by sample', async (t) => {
    // The spec's curves, evaluated at t = n / sampleRate.
    const levelCurve = (s: number): number => {
      if (s < 0.1) return -20 + (14 * s) / 0.1;
      if (s < 0.2) return -6 * Math.pow(40 / 6, (s - 0.1) / 0.1);
      if (s < 0.25) return -40;
      return -10 + (-30 - -10) * Math.exp(-(s - 0.25) / 0.02);
    };
    const steps = (param: 'level' | 'gain.db') => [
      { param, method: 'setValueAtTime' as const, args: [-20, 0] },
      { param, method: 'linearRampToValueAtTime' as const, args: [-6, 0.1] },
      { param, method: 'exponentialRampToValueAtTime' as const, args: [-40, 0.2] },
      { param, method: 'setValueAtTime' as const, args: [-30, 0.25] },
      { param, method: 'setTargetAtTime' as const, args: [-10, 0.25, 0.02] },
    ];
    const worstOf = (x: Float32Array, curve: (s: number) => number) => {
      let worst = 0;
      for (let n = 0; n < x.length; n++) worst = Math.max(worst, Math.abs(x[n] - dbg(curve(n / SR))));
      return worst;
    };
    const level = await h.render({ seconds: 0.4, options: { generator: 'dc' }, automation: steps('level') });
    const gain = await h.render({
      seconds: 0.4,
      options: { generator: 'dc', bypass: ['eq', 'delay', 'comp'], params: { level: 0 } },
      automation: steps('gain.db'),
    });
    const wl = worstOf(level.channels[0], levelCurve);
    const wg = worstOf(gain.channels[0], levelCurve);

    // Frequency, through the probe output (the values process() reads), then the sine built
    // from exactly those values: the oscillator uses each sample's frequency.
    const freqCurve = (s: number): number => {
      if (s < 0.1) return 500 + (1500 * s) / 0.1;
      if (s < 0.2) return 2000 * Math.pow(400 / 2000, (s - 0.1) / 0.1);
      if (s < 0.25) return 400;
      return 1000 + (400 - 1000) * Math.exp(-(s - 0.25) / 0.03);
    };
    const freq = await h.render({
      seconds: 0.4,
      options: { generator: 'sine', probe: 'frequency', params: { level: 0 } },
      automation: [
        { param: 'frequency', method: 'setValueAtTime', args: [500, 0] },
        { param: 'frequency', method: 'linearRampToValueAtTime', args: [2000, 0.1] },
        { param: 'frequency', method: 'exponentialRampToValueAtTime', args: [400, 0.2] },
        { param: 'frequency', method: 'setTargetAtTime', args: [1000, 0.25, 0.03] },
      ],
    });
    const [sine, probe] = freq.channels;
    let wf = 0;
    for (let n = 0; n < probe.length; n++) wf = Math.max(wf, Math.abs(probe[n] / freqCurve(n / SR) - 1));
    let phase = 0;
    let ws = 0;
    for (let n = 0; n < sine.length; n++) {
      ws = Math.max(ws, Math.abs(sine[n] - Math.sin(2 * Math.PI * phase)));
      phase += probe[n] / SR;
      if (phase >= 1) phase -= 1;
    }
    // The gate: off at exactly 2400 samples, on again at 4800.
    const gate = await h.render({
      seconds: 0.15,
      options: { generator: 'dc', params: { level: 0 } },
      automation: [
        { param: 'on', method: 'setValueAtTime', args: [0, 0.05] },
        { param: 'on', method: 'setValueAtTime', args: [1, 0.1] },
      ],
    });
    const g = gate.channels[0];
    t.diagnostic(
      `level: max |out − 10^(v(t)/20)| ${wl.toExponential(2)}; gain.db: ${wg.toExponential(2)}; frequency: max relative error ${wf.toExponential(2)}; sine from the probed frequencies: max error ${ws.toExponential(2)}`,
    );
    assert.ok(wl < 1e-6, `level ${wl}`);
    assert.ok(wg < 1e-6, `gain ${wg}`);
    assert.ok(wf < 1e-6, `frequency ${wf}`);
    assert.ok(ws < 1e-6, `sine ${ws}`);
    assert.equal(g[2399], 1);
    assert.ok(g.subarray(2400, 4800).every((v) => v === 0));
    assert.equal(g[4800], 1);
  });

  it('§6 controls queued before the first block land on it, and the worklet matches the Node engine', async () => {
    const r = await h.render({
      seconds: 0.1,
      options: { generator: 'sine', params: { level: -3, frequency: 440, 'gain.db': 6, 'eq.freq': 3000 } },
      calls: [
        ['setGenerator', 'saw'],
        ['setChain', ['eq', 'gain', 'delay', 'comp'], ['delay', 'comp']],
        ['setEqType', 'highshelf'],
      ],
    });
    assert.deepEqual(r.result.stats, { type: 'stats', rejected: 0, faults: 0, dropped: 0 });
    const e = new LabEngine(SR, { ...DEFAULT_INIT, generator: GEN.saw, chainOrder: packOrder([1, 0, 2, 3]), bypass: 0b1100, eqType: 2 });
    const over: Record<string, number> = { level: -3, frequency: 440, 'gain.db': 6, 'eq.freq': 3000 };
    const p = PARAMS.map((q) => Float32Array.of(over[q.name] ?? q.defaultValue));
    const blk = new Float32Array(BLOCK);
    let worst = 0;
    const x = r.channels[0];
    for (let b = 0; b * BLOCK < x.length; b++) {
      e.process(p, null, blk, null);
      for (let i = 0; i < BLOCK && b * BLOCK + i < x.length; i++) worst = Math.max(worst, Math.abs(blk[i] - x[b * BLOCK + i]));
    }
    assert.ok(worst < 1e-6, `worklet vs Node engine: ${worst}`);
    assert.ok(
      x.some((v) => Math.abs(v) > 0.5),
      'a loud saw came out',
    );
    assert.ok(BLEP_ZC > 0);
  });

  it('§9 rejects bad options with typed codes', async () => {
    assert.equal((await h.expectError({ seconds: 0.01, options: { generator: 'nope' as 'sine' } })).code, 'DSP_BAD_CONTROL');
    assert.equal((await h.expectError({ seconds: 0.01, options: { seed: -1 } })).code, 'DSP_BAD_OPTION');
    assert.equal((await h.expectError({ seconds: 0.01, options: { chain: ['eq', 'eq', 'gain', 'comp'] } })).code, 'DSP_BAD_CONTROL');
    assert.equal((await h.expectError({ seconds: 0.01, options: { sweep: { f1: 20, f2: 30000, duration: 1 } } })).code, 'DSP_BAD_OPTION');
  });

  it('§7 live: taps reach the main thread through shared rings when isolated, through ~50 ms port batches when not', async (t) => {
    const spec = { minScope: 9600, minMeterFrames: 75, options: { generator: 'sine' as const, params: { level: -6 } } };
    const iso = await h.live(spec);
    await h.open('plain');
    const plain = await h.live(spec);
    t.diagnostic(`isolated: ${JSON.stringify(iso)}; not isolated: ${JSON.stringify(plain)}`);
    assert.equal(iso.shared, true);
    assert.equal(plain.shared, false);
    assert.equal(plain.crossOriginIsolated, false);
    for (const run of [iso, plain]) {
      assert.equal(run.state, 'running');
      assert.ok(run.scope >= 9600, `scope samples ${run.scope}`);
      assert.ok(run.meterFrames >= 75, `meter frames ${run.meterFrames}`);
      assert.ok(Math.abs(run.maxPeak - dbg(-6)) < 1e-3, `peak ${run.maxPeak}`);
    }
    // Offline renders without isolation use the fallback too, and produce the same sound.
    const r = await h.render({ seconds: 0.05, options: { generator: 'sine', params: { level: -6 } } });
    assert.equal(r.result.shared, false);
    assert.ok(Math.abs(r.channels[0][12] - dbg(-6) * Math.sin((2 * Math.PI * 1000 * 12) / SR)) < 1e-7);
    await h.open('iso');
  });
});
