// Measurement helpers for the DSP tests (checked against synthetic signals in
// dsp-analysis.test.ts before they judge the processor): windows, spectra, a 4-parameter sine
// fit, THD, non-harmonic peaks, Welch PSD, band levels, line fits, analytic-signal frequency.
import { Fft } from '../src/dsp/fft.ts';

export type WindowKind = 'rect' | 'hann' | 'bh4' | 'kaiser20';

function besselI0(x: number): number {
  let sum = 1,
    term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** Periodic-free (symmetric) windows of length n. kaiser20 has sidelobes below -180 dB. */
export function makeWindow(kind: WindowKind, n: number): Float64Array {
  const w = new Float64Array(n);
  const i0 = besselI0(20);
  for (let i = 0; i < n; i++) {
    const x = (2 * Math.PI * i) / (n - 1);
    switch (kind) {
      case 'rect':
        w[i] = 1;
        break;
      case 'hann':
        w[i] = 0.5 - 0.5 * Math.cos(x);
        break;
      case 'bh4':
        w[i] = 0.35875 - 0.48829 * Math.cos(x) + 0.14128 * Math.cos(2 * x) - 0.01168 * Math.cos(3 * x);
        break;
      case 'kaiser20': {
        const r = (2 * i) / (n - 1) - 1;
        w[i] = besselI0(20 * Math.sqrt(Math.max(0, 1 - r * r))) / i0;
        break;
      }
    }
  }
  return w;
}

/** |X[k]|² for k in [0, n/2] of the windowed segment x[start .. start+n). */
export function powerSpectrum(x: ArrayLike<number>, start: number, n: number, w: Float64Array): Float64Array {
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < n; i++) re[i] = x[start + i] * w[i];
  new Fft(n).forward(re, im);
  const p = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) p[k] = re[k] * re[k] + im[k] * im[k];
  return p;
}

export const db = (ratio: number): number => 10 * Math.log10(ratio);

/** Power of a sinusoid at f: the sum of |X|² over ±halfWidth bins (scalloping-free), 0 if out of band. */
function tonePower(p: Float64Array, n: number, sr: number, f: number, halfWidth: number): number {
  const c = Math.round((f * n) / sr);
  let s = 0;
  for (let k = Math.max(1, c - halfWidth); k <= Math.min(p.length - 1, c + halfWidth); k++) s += p[k];
  return s;
}

/** THD in dB (Σ harmonics 2.. below Nyquist over the fundamental), Kaiser β=20 window. */
export function thdDb(x: ArrayLike<number>, start: number, n: number, sr: number, f0: number): number {
  const p = powerSpectrum(x, start, n, makeWindow('kaiser20', n));
  const hw = 10;
  const fund = tonePower(p, n, sr, f0, hw);
  let harm = 0;
  for (let k = 2; k * f0 < sr / 2 - (hw * sr) / n; k++) harm += tonePower(p, n, sr, k * f0, hw);
  return db(harm / fund);
}

/**
 * The strongest spectral component that is not a harmonic of f0 (nor DC), in dB relative to the
 * fundamental's peak, harmonics masked ±maskBins. Blackman-Harris by default (-92 dB
 * sidelobes: that is its floor); kaiser20 reaches below -180 dB with a wider main lobe.
 */
export function worstNonHarmonicDb(
  x: ArrayLike<number>,
  start: number,
  n: number,
  sr: number,
  f0: number,
  maskBins = 8,
  window: WindowKind = 'bh4',
): { db: number; at: number } {
  const p = powerSpectrum(x, start, n, makeWindow(window, n));
  const binHz = sr / n;
  const c = Math.round(f0 / binHz);
  let fund = 0;
  for (let k = c - maskBins; k <= c + maskBins; k++) fund = Math.max(fund, p[k]);
  let worst = 0,
    at = 0;
  for (let k = maskBins; k < p.length; k++) {
    const f = k * binHz;
    const h = Math.round(f / f0);
    if (h >= 1 && Math.abs(f - h * f0) <= maskBins * binHz) continue;
    if (p[k] > worst) {
      worst = p[k];
      at = f;
    }
  }
  return { db: db(worst / fund), at };
}

/** Amplitude of the component at f0 (a sinusoid's peak amplitude), from a Kaiser-windowed segment. */
export function toneAmplitude(x: ArrayLike<number>, start: number, n: number, sr: number, f0: number): number {
  const w = makeWindow('kaiser20', n);
  const p = powerSpectrum(x, start, n, w);
  let w2 = 0;
  for (let i = 0; i < n; i++) w2 += w[i] * w[i];
  // Parseval: Σ_k |X|² over a tone's bins (one side) = (A²/4)·n·Σw².
  return Math.sqrt((4 * tonePower(p, n, sr, f0, 12)) / (n * w2));
}

export interface SineFit {
  freq: number;
  amplitude: number;
  offset: number;
  /** RMS of x − fit. */
  residual: number;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[piv][c])) piv = r;
    [m[c], m[piv]] = [m[piv], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** IEEE 1057 four-parameter sine fit (Gauss-Newton on the frequency) starting from fGuess. */
export function sineFit(x: ArrayLike<number>, start: number, n: number, sr: number, fGuess: number): SineFit {
  let w = (2 * Math.PI * fGuess) / sr;
  const mid = (n - 1) / 2;
  let A = 0,
    B = 0,
    C = 0;
  for (let iter = 0; iter < 30; iter++) {
    // Columns: cos, sin, 1, d/dω — time centred for conditioning.
    const ata = [
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ];
    const atb = [0, 0, 0, 0];
    const col = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const t = i - mid;
      const c = Math.cos(w * t),
        s = Math.sin(w * t);
      col[0] = c;
      col[1] = s;
      col[2] = 1;
      col[3] = iter === 0 ? 0 : t * (-A * s + B * c);
      const y = x[start + i];
      for (let r = 0; r < 4; r++) {
        atb[r] += col[r] * y;
        for (let k = 0; k < 4; k++) ata[r][k] += col[r] * col[k];
      }
    }
    if (iter === 0) {
      const s3 = solve(
        ata.slice(0, 3).map((r) => r.slice(0, 3)),
        atb.slice(0, 3),
      );
      [A, B, C] = s3;
      continue;
    }
    const sol = solve(ata, atb);
    [A, B, C] = sol;
    w += sol[3];
    if (Math.abs(sol[3]) < 1e-16) break;
  }
  let res = 0;
  for (let i = 0; i < n; i++) {
    const t = i - mid;
    const e = x[start + i] - (A * Math.cos(w * t) + B * Math.sin(w * t) + C);
    res += e * e;
  }
  return { freq: (w * sr) / (2 * Math.PI), amplitude: Math.hypot(A, B), offset: C, residual: Math.sqrt(res / n) };
}

/** 10·log10(Σ ref² / Σ (x − ref)²). */
export function snrDb(x: ArrayLike<number>, ref: ArrayLike<number>, start = 0, n = ref.length - start): number {
  let s = 0,
    e = 0;
  for (let i = start; i < start + n; i++) {
    s += ref[i] * ref[i];
    const d = x[i] - ref[i];
    e += d * d;
  }
  return db(s / e);
}

/** One-sided Welch PSD (power per bin, Hann, 50 % overlap), averaged over all segments. */
export function welch(x: ArrayLike<number>, nfft: number): Float64Array {
  const w = makeWindow('hann', nfft);
  const acc = new Float64Array(nfft / 2 + 1);
  let segs = 0;
  for (let s = 0; s + nfft <= x.length; s += nfft / 2) {
    const p = powerSpectrum(x, s, nfft, w);
    for (let k = 0; k < acc.length; k++) acc[k] += p[k];
    segs++;
  }
  for (let k = 0; k < acc.length; k++) acc[k] /= segs;
  return acc;
}

/** Mean PSD (dB) over bins whose centre lies in [lo, hi), and how many bins that was. */
export function bandLevel(psd: Float64Array, nfft: number, sr: number, lo: number, hi: number): { db: number; bins: number } {
  let s = 0,
    c = 0;
  for (let k = 1; k < psd.length; k++) {
    const f = (k * sr) / nfft;
    if (f >= lo && f < hi) {
      s += psd[k];
      c++;
    }
  }
  if (c === 0) throw new Error(`no bins in [${lo}, ${hi})`);
  return { db: db(s / c), bins: c };
}

export function bandDb(psd: Float64Array, nfft: number, sr: number, lo: number, hi: number): number {
  return bandLevel(psd, nfft, sr, lo, hi).db;
}

/** Weighted least-squares slope and intercept of y over x (weights default to 1). */
export function lineFit(xs: number[], ys: number[], ws: number[] = xs.map(() => 1)): { slope: number; intercept: number } {
  let sw = 0,
    mx = 0,
    my = 0;
  for (let i = 0; i < xs.length; i++) {
    sw += ws[i];
    mx += ws[i] * xs[i];
    my += ws[i] * ys[i];
  }
  mx /= sw;
  my /= sw;
  let sxy = 0,
    sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += ws[i] * (xs[i] - mx) * (ys[i] - my);
    sxx += ws[i] * (xs[i] - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * PSD slope in dB/octave over [lo, hi] from 1/6-octave band levels, each weighted by its bin
 * count (the inverse of its estimate's variance), so the sparse low bands do not dominate.
 */
export function psdSlopePerOctave(psd: Float64Array, nfft: number, sr: number, lo: number, hi: number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  const step = Math.pow(2, 1 / 6);
  for (let f = lo; f * step <= hi * 1.0001; f *= step) {
    const b = bandLevel(psd, nfft, sr, f, f * step);
    xs.push(Math.log2(f * Math.sqrt(step)));
    ys.push(b.db);
    ws.push(b.bins);
  }
  return lineFit(xs, ys, ws).slope;
}

/** Instantaneous frequency (Hz) per sample from the analytic signal (FFT Hilbert transform). */
export function instantaneousFrequency(x: ArrayLike<number>, sr: number): Float64Array {
  let n = 2;
  while (n < x.length) n *= 2;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let i = 0; i < x.length; i++) re[i] = x[i];
  const fft = new Fft(n);
  fft.forward(re, im);
  for (let k = 1; k < n / 2; k++) {
    re[k] *= 2;
    im[k] *= 2;
  }
  for (let k = n / 2 + 1; k < n; k++) {
    re[k] = 0;
    im[k] = 0;
  }
  fft.inverse(re, im);
  const f = new Float64Array(x.length);
  for (let i = 1; i < x.length; i++) {
    // Phase difference of consecutive analytic samples: arg(z[i]·conj(z[i−1])).
    const a = re[i] * re[i - 1] + im[i] * im[i - 1];
    const b = im[i] * re[i - 1] - re[i] * im[i - 1];
    f[i] = (Math.atan2(b, a) * sr) / (2 * Math.PI);
  }
  f[0] = f[1];
  return f;
}

/** |Σ h[n]·e^(−jωn)| at f Hz. */
export function dtftMagnitude(h: ArrayLike<number>, f: number, sr: number): number {
  const w = (2 * Math.PI * f) / sr;
  let r = 0,
    i = 0;
  for (let k = 0; k < h.length; k++) {
    r += h[k] * Math.cos(w * k);
    i -= h[k] * Math.sin(w * k);
  }
  return Math.hypot(r, i);
}
