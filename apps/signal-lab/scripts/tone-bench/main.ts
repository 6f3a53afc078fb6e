// The Tone.js side of `npm run bench -- audio` (bench/src/suites/audio.ts): the same chain as
// Signal Lab's — a 1 kHz sine at −12 dBFS plus pink noise at −24 dBFS → peaking EQ (1 kHz,
// Q 0.707, +6 dB) → feedback delay (250 ms, 0.3 feedback, 0.3 wet) → compressor (−30 dB, 4:1,
// 6 dB knee, 3 ms / 100 ms) — rendered offline with Tone.Offline. Built by the suite with Vite.
import * as Tone from 'tone';

async function render(seconds: number, sampleRate: number): Promise<{ wallMs: number; rms: number }> {
  const t0 = performance.now();
  const buffer = await Tone.Offline(
    () => {
      const osc = new Tone.Oscillator({ frequency: 1000, type: 'sine', volume: -12 }).start(0);
      const noise = new Tone.Noise({ type: 'pink', volume: -24 }).start(0);
      const eq = new Tone.Filter({ type: 'peaking', frequency: 1000, Q: Math.SQRT1_2, gain: 6 });
      const delay = new Tone.FeedbackDelay({ delayTime: 0.25, feedback: 0.3, wet: 0.3 });
      const comp = new Tone.Compressor({ threshold: -30, ratio: 4, knee: 6, attack: 0.003, release: 0.1 });
      osc.connect(eq);
      noise.connect(eq);
      eq.chain(delay, comp, Tone.getDestination());
    },
    seconds,
    1,
    sampleRate,
  );
  const wallMs = performance.now() - t0;
  const x = buffer.getChannelData(0);
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
  return { wallMs, rms: Math.sqrt(e / x.length) };
}

(globalThis as { toneBench?: unknown }).toneBench = { render, version: Tone.version };
