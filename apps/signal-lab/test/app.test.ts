// Sections (§) in test names: docs/signal-lab.md.
// Signal Lab's measurement and export code in Node: the WAV encoder (byte layout by hand, then
// round trips), the FFT against a direct DFT, THD/THD+N of synthetic tones with known
// distortion and noise, and loopback delay estimation. The page runs the same modules.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { forSeeds, Prng, testSeed, withSeed } from '@tidewire/random';
import { LAB_ERROR_CODES } from '../src/app/errors.ts';
import { blackmanHarris, fftOf, nextPowerOfTwo, powerSpectrum } from '../src/app/fft.ts';
import { analyzeTone } from '../src/app/thd.ts';
import { analysisDue, SpectrumAnalyser } from '../src/app/spectrum.ts';
import { findDelay } from '../src/app/correlate.ts';
import { judgeLoopback } from '../src/app/loopback.ts';
import { frequencyResponse } from '../src/app/response.ts';
import { biquadMagnitude, rbjCoefficients } from '../src/dsp/biquad.ts';
import { designSweep, renderSweep } from '../src/dsp/sweep.ts';
import { decodeWav, encodeWav } from '../src/app/wav.ts';

function expectCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: { code?: string }) => e.code === code);
}

const hex = (b: Uint8Array, from: number, to: number) => Buffer.from(b.subarray(from, to)).toString('hex');

describe('§4.4 WAV export', () => {
  it('writes a 16-bit PCM file byte for byte (RIFF header, fmt, data)', () => {
    const wav = encodeWav([new Float32Array([0, 1, -1]), new Float32Array([0.5, -0.5, 2])], 48000, 'pcm16');
    assert.equal(wav.length, 44 + 12);
    assert.equal(hex(wav, 0, 12), /* RIFF */ '52494646' + /* 4+24+8+12 */ '30000000' + /* WAVE */ '57415645');
    assert.equal(
      hex(wav, 12, 36),
      /* fmt  */ '666d7420' +
        /* 16 */ '10000000' +
        /* PCM */ '0100' +
        /* 2 ch */ '0200' +
        /* 48000 */ '80bb0000' +
        /* byte rate 192000 */ '00ee0200' +
        /* align 4 */ '0400' +
        /* 16 bit */ '1000',
    );
    assert.equal(hex(wav, 36, 44), /* data */ '64617461' + /* 12 */ '0c000000');
    // frame 0: 0, 0.5→16384 (16383.5 rounds up) · frame 1: 1→32767, −0.5→−16383 · frame 2: −1→−32767, 2 clips to 32767
    assert.equal(hex(wav, 44, 56), '0000' + '0040' + 'ff7f' + '01c0' + '0180' + 'ff7f');
  });

  it('writes 24-bit samples as three little-endian bytes', () => {
    const wav = encodeWav([new Float32Array([1, -1, 0.25])], 44100, 'pcm24');
    assert.equal(hex(wav, 20, 22), '0100');
    assert.equal(hex(wav, 32, 36), /* align 3 */ '0300' + /* 24 bit */ '1800');
    assert.equal(hex(wav, 44, 53), 'ffff7f' + '010080' + '000020');
    // 9 data bytes: a pad byte keeps the RIFF chunk even; the RIFF size counts it
    assert.equal(wav.length, 44 + 9 + 1);
    assert.equal(new DataView(wav.buffer).getUint32(4, true), wav.length - 8);
  });

  it('writes float files with the 18-byte fmt chunk and a fact chunk', () => {
    const wav = encodeWav([new Float32Array([0.125, Number.NaN])], 96000, 'float32');
    assert.equal(hex(wav, 12, 20), '666d7420' + '12000000');
    assert.equal(hex(wav, 20, 22), /* IEEE float */ '0300');
    assert.equal(hex(wav, 36, 50), /* cbSize */ '0000' + /* fact */ '66616374' + '04000000' + /* 2 frames */ '02000000');
    const back = decodeWav(wav);
    assert.deepEqual([...back.data[0]!], [0.125, 0]);
  });

  it('round-trips every format within its quantisation step', () => {
    forSeeds(3, (rng) => {
      const frames = 1 + rng.int(3000);
      const chans = Array.from({ length: 1 + rng.int(3) }, () => Float32Array.from({ length: frames }, () => rng.next() * 2 - 1));
      for (const [format, step] of [
        ['pcm16', 1 / 32767],
        ['pcm24', 1 / 8388607],
        ['float32', 0],
      ] as const) {
        const back = decodeWav(encodeWav(chans, 48000, format));
        assert.equal(back.format, format);
        assert.equal(back.frames, frames);
        assert.equal(back.channels, chans.length);
        for (let c = 0; c < chans.length; c++) {
          for (let i = 0; i < frames; i++) assert.ok(Math.abs(back.data[c]![i]! - chans[c]![i]!) <= step / 2 + 1e-9, `${format} ch${c}[${i}]`);
        }
      }
    });
  });

  it('refuses what it cannot encode', () => {
    expectCode(() => encodeWav([], 48000), 'LAB_BAD_OPTION');
    expectCode(() => encodeWav([new Float32Array(2), new Float32Array(3)], 48000), 'LAB_BAD_OPTION');
    expectCode(() => encodeWav([new Float32Array(2)], 0), 'LAB_BAD_OPTION');
    expectCode(() => encodeWav([new Float32Array(2)], 48000, 'pcm8' as never), 'LAB_BAD_OPTION');
    expectCode(
      () =>
        encodeWav(
          Array.from({ length: 9 }, () => new Float32Array(1)),
          48000,
        ),
      'LAB_BAD_OPTION',
    );
    expectCode(() => decodeWav(new Uint8Array(8)), 'LAB_BAD_OPTION');
  });
});

describe('§4.5 spectra', () => {
  it('puts a windowed bin-centred sine in its bin, with sidelobes under −90 dB', () => {
    const n = 1024;
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * 64 * i) / n));
    const p = powerSpectrum(x, blackmanHarris(n));
    let k0 = 0;
    for (let k = 0; k < p.length; k++) if (p[k]! > p[k0]!) k0 = k;
    assert.equal(k0, 64);
    for (let k = 0; k < p.length; k++) if (Math.abs(k - 64) > 4) assert.ok(10 * Math.log10(p[k]! / p[64]!) < -90, `bin ${k}`);
  });

  it('reads a sine between bins at its frequency and level (the analyser view)', () => {
    const sr = 48000;
    const an = new SpectrumAnalyser(8192, sr, 0);
    for (const [f, a] of [
      [1234.5, 0.25],
      [997, 1],
      [15000.3, 0.01],
    ] as const) {
      an.update(Float32Array.from({ length: 8192 }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / sr)));
      const p = an.peak()!;
      assert.ok(Math.abs(p.hz - f) < 0.5, `${f} Hz read as ${p.hz}`);
      assert.ok(Math.abs(p.db - 20 * Math.log10(a)) < 0.3, `${a} read as ${p.db} dB`);
    }
    an.reset();
    an.update(new Float32Array(8192));
    assert.equal(an.peak(), null, 'silence has no peak');
  });

  it('the view analyses again after a quarter window of new samples, or when the count went back', () => {
    assert.equal(analysisDue(1000, 1000, 8192), false, 'nothing new');
    assert.equal(analysisDue(1000 + 2047, 1000, 8192), false, 'under a quarter of 8192');
    assert.equal(analysisDue(1000 + 2048, 1000, 8192), true);
    assert.equal(analysisDue(1000 + 256, 1000, 1024), true, 'a 1024 window: every 256 samples');
    assert.equal(analysisDue(10, 5000, 8192), true, 'a new context');
  });

  it('refuses sizes that are not powers of two', () => {
    expectCode(() => fftOf(1000), 'LAB_BAD_OPTION');
    expectCode(() => new SpectrumAnalyser(1000, 48000), 'LAB_BAD_OPTION');
    expectCode(() => powerSpectrum(new Float64Array(10), blackmanHarris(16)), 'LAB_BAD_OPTION');
    assert.equal(nextPowerOfTwo(1000), 1024);
  });
});

function tone(n: number, sr: number, f: number, parts: Array<[number, number]>, noise = 0, rng?: Prng): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const [h, a] of parts) s += a * Math.sin((2 * Math.PI * f * h * i) / sr + h);
    // Gaussian noise (Box–Muller) of standard deviation `noise`
    if (noise > 0) s += noise * Math.sqrt(-2 * Math.log(1 - rng!.next())) * Math.cos(2 * Math.PI * rng!.next());
    x[i] = s;
  }
  return x;
}

describe('§4.1 THD and THD+N', () => {
  it('measures a pure tone: frequency, level, THD below −120 dB', () => {
    const r = analyzeTone(tone(65536, 48000, 997, [[1, 0.5]]), 48000);
    assert.ok(Math.abs(r.fundamentalHz - 997) < 0.05, `f0 ${r.fundamentalHz}`);
    assert.ok(Math.abs(r.fundamentalDbfs - 20 * Math.log10(0.5)) < 0.05, `level ${r.fundamentalDbfs}`);
    assert.ok(r.thdDb < -120, `THD ${r.thdDb} dB`);
  });

  it('finds known harmonics: 1% second and 0.5% third → THD 1.118%', () => {
    const r = analyzeTone(
      tone(65536, 48000, 1000, [
        [1, 0.5],
        [2, 0.005],
        [3, 0.0025],
      ]),
      48000,
    );
    assert.ok(Math.abs(r.thdPercent - 100 * Math.hypot(0.01, 0.005)) < 0.002, `THD ${r.thdPercent}%`);
    assert.ok(Math.abs(r.harmonicsDbc[0]! - -40) < 0.05 && Math.abs(r.harmonicsDbc[1]! - 20 * Math.log10(0.005)) < 0.05, String(r.harmonicsDbc));
    assert.ok(r.harmonicsDbc[2]! < -120);
  });

  it('adds noise in THD+N: √(THD² + N/S) for white noise over the full band', () => {
    forSeeds(2, (rng) => {
      const a = 0.5,
        sigma = 0.001,
        sr = 48000;
      const r = analyzeTone(
        tone(
          1 << 17,
          sr,
          1000,
          [
            [1, a],
            [2, 0.005],
          ],
          sigma,
          rng,
        ),
        sr,
        { lowHz: 0, bandHz: sr / 2 },
      );
      const expected = Math.sqrt(0.01 ** 2 + sigma ** 2 / ((a * a) / 2));
      assert.ok(Math.abs(r.thdnPercent / 100 - expected) / expected < 0.03, `THD+N ${r.thdnPercent}% vs ${expected * 100}%`);
      assert.ok(Math.abs(r.thdPercent - 1) < 0.05, `THD ${r.thdPercent}%`);
    });
  });

  it('looks near a given fundamental and skips harmonics above Nyquist', () => {
    const x = tone(16384, 48000, 9000, [
      [1, 0.1],
      [2, 0.01],
    ]);
    for (let i = 0; i < x.length; i++) x[i]! += 0.5 * Math.sin((2 * Math.PI * 300 * i) / 48000);
    const r = analyzeTone(x, 48000, { fundamentalHz: 9000 });
    assert.ok(Math.abs(r.fundamentalHz - 9000) < 1);
    assert.ok(Number.isNaN(r.harmonicsDbc[1]!), '3 × 9 kHz is past Nyquist');
    expectCode(() => analyzeTone(new Float64Array(100), 48000), 'LAB_BAD_OPTION');
    expectCode(() => analyzeTone(new Float64Array(8192), 48000), 'LAB_MEASURE_FAILED');
  });
});

describe('§4.2 frequency response from a sweep', () => {
  const sr = 48000;
  const d = designSweep(20, 20000, 1, sr);
  const within = (f: number) => f > 40 && f < 16000;

  it('reads a dry chain flat at 0 dB, whatever the sweep level', () => {
    const x = renderSweep(d, d.samples + 4800);
    for (let i = 0; i < x.length; i++) x[i]! *= 0.25;
    const r = frequencyResponse(x, d, { amplitude: 0.25 });
    assert.equal(r.hz.length, 256);
    assert.ok(Math.abs(r.hz[0]! - 20) < 1e-9 && Math.abs(r.hz[255]! - 20000) < 1e-6);
    for (let i = 0; i < r.hz.length; i++) if (within(r.hz[i]!)) assert.ok(Math.abs(r.db[i]!) < 0.1, `${r.hz[i]} Hz: ${r.db[i]} dB`);
  });

  it("matches an RBJ peaking filter's analytic magnitude and sees a delay as no change in level", () => {
    const c = new Float64Array(5);
    rbjCoefficients(0, 1000, 2, 9, sr, c);
    const x = renderSweep(d, d.samples + 9600);
    const y = new Float64Array(x.length);
    let x1 = 0,
      x2 = 0,
      y1 = 0,
      y2 = 0;
    // 100 samples of pure delay in front of the filter
    for (let i = 0; i < x.length; i++) {
      const xin = i >= 100 ? x[i - 100]! : 0;
      const out = c[0]! * xin + c[1]! * x1 + c[2]! * x2 - c[3]! * y1 - c[4]! * y2;
      x2 = x1;
      x1 = xin;
      y2 = y1;
      y1 = out;
      y[i] = out;
    }
    const r = frequencyResponse(y, d, { smoothing: 0 });
    for (let i = 0; i < r.hz.length; i++) {
      if (!within(r.hz[i]!)) continue;
      const expected = 20 * Math.log10(biquadMagnitude(c, r.hz[i]!, sr));
      assert.ok(Math.abs(r.db[i]! - expected) < 0.2, `${r.hz[i]} Hz: ${r.db[i]} vs ${expected} dB`);
    }
  });

  it('refuses a recording shorter than the sweep', () => {
    expectCode(() => frequencyResponse(new Float64Array(100), d), 'LAB_BAD_OPTION');
    expectCode(() => frequencyResponse(renderSweep(d), d, { points: 1 }), 'LAB_BAD_OPTION');
  });
});

describe('§4.3 loopback delay', () => {
  it('finds the lag of an attenuated, noisy, inverted echo to the sample', () => {
    forSeeds(3, (rng) => {
      const sr = 48000;
      const ref = new Float64Array(4800);
      ref[100] = 1;
      const lag = 10 + rng.int(9000);
      const rec = new Float64Array(24000);
      for (let i = 0; i < rec.length; i++) rec[i] = (rng.next() - 0.5) * 0.002;
      // A little band-limiting: the echo is smeared over three samples.
      rec[100 + lag - 1]! += -0.05;
      rec[100 + lag]! += -0.2;
      rec[100 + lag + 1]! += -0.05;
      const d = findDelay(ref, rec, sr);
      assert.ok(d, 'found');
      assert.equal(d.lagSamples, lag);
      assert.ok(Math.abs(d.lagMs - (lag / sr) * 1000) < 1e-9);
      assert.ok(d.correlation < 0, 'inverted');
    });
  });

  it('reports no delay for input that does not contain the impulse', () =>
    withSeed(testSeed(7), (rng) => {
      const ref = new Float64Array(1000);
      ref[10] = 1;
      const rec = Float64Array.from({ length: 20000 }, () => rng.next() - 0.5);
      assert.equal(findDelay(ref, rec, 48000), null);
      assert.equal(findDelay(ref, new Float64Array(100), 48000), null, 'silence');
    }));

  /**
   * One second as the capture worklet records it: the played channel holds the impulse alone; the
   * input hears a 400 Hz square beep every 500 ms (Chromium's fake microphone beeps like this)
   * over a little noise.
   */
  function capture(rng: Prng, sr: number, impulseAt: number, beep: { amplitude: number; ms: number }) {
    const sent = new Float32Array(sr);
    sent[impulseAt] = 1;
    const heard = new Float32Array(sr);
    const beepLen = Math.round((beep.ms / 1000) * sr);
    for (let i = 0; i < sr; i++) {
      const inBeep = i % (sr / 2) < beepLen;
      const square = Math.floor((i * 2 * 400) / sr) % 2 === 0 ? 1 : -1;
      heard[i] = (inBeep ? beep.amplitude * square : 0) + (rng.next() - 0.5) * 0.002;
    }
    return { sent, heard };
  }

  it('judges a recording with a delayed impulse "measured", with the exact delay, over the beeps', () => {
    forSeeds(3, (rng) => {
      const sr = 48000;
      const at = 200 + rng.int(1000);
      const lag = 50 + rng.int(20000);
      const { sent, heard } = capture(rng, sr, at, { amplitude: 0.1, ms: 20 });
      // A cable loop: attenuated, band-limited over three samples.
      heard[at + lag - 1]! += 0.1;
      heard[at + lag]! += 0.4;
      heard[at + lag + 1]! += 0.1;
      const r = judgeLoopback(sent, heard, sr, 1);
      assert.equal(r.kind, 'measured');
      assert.ok(r.kind === 'measured');
      assert.equal(r.lagSamples, lag);
      assert.ok(Math.abs(r.lagMs - (lag / sr) * 1000) < 1e-9);
      assert.equal(r.lagsSearched, sr, 'every lag of the recording was searched');
    });
  });

  it('judges beeps alone "no-loopback" after searching every lag, however high they stand', () =>
    forSeeds(3, (rng) => {
      const sr = 48000;
      // 5-ms beeps: loud and rare enough to clear the 8× peak ratio; only the uniqueness test
      // (a second peak as high, 2.5 ms on) tells them from an echo.
      const { sent, heard } = capture(rng, sr, 200 + rng.int(1000), { amplitude: 0.3, ms: 5 });
      const r = judgeLoopback(sent, heard, sr, 1);
      assert.equal(r.kind, 'no-loopback');
      assert.ok(r.kind === 'no-loopback');
      assert.equal(r.lagsSearched, sr, 'every lag of the recording was searched');
      assert.ok(r.bestPeakRatio >= r.minPeakRatio, `the beeps clear the peak ratio (${r.bestPeakRatio})`);
      assert.ok(r.uniqueness < 1.1, `the beeps' peak is not unique (${r.uniqueness})`);
      assert.equal(r.minUniqueness, 2);
      assert.ok(r.inputRms > 0.01, 'the beeps were heard');
    }));
});

describe('§9 error codes', () => {
  it('lists every error code in docs/signal-lab.md', () => {
    const doc = readFileSync(new URL('../../../docs/signal-lab.md', import.meta.url), 'utf8');
    for (const code of Object.keys(LAB_ERROR_CODES)) assert.ok(doc.includes(`\`${code}\``), `${code} is documented`);
  });
});
