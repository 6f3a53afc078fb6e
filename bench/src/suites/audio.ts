// Signal Lab benchmark (issue: Signal Lab), side by side in one run in headless Chromium:
// Tidewire's DSP (AudioWorklet, apps/signal-lab) and Tone.js (native Web Audio nodes behind its
// API) building the same chain — a 1 kHz sine at −12 dBFS plus pink noise at −24 dBFS → peaking
// EQ (1 kHz, Q 0.707, +6 dB) → delay (250 ms, feedback 0.3, mix 0.3) → compressor (−30 dB, 4:1,
// 6 dB knee, 3/100 ms). Measures:
//   offlineRenderXRealtime  an OfflineAudioContext render of 60 s at 48 kHz, audio seconds per
//                           wall second (median of runs), for each; Tidewire's chain is three
//                           lab nodes (sine, pink → a lab playing its input through eq, delay, comp)
//   initialJsGzipBytes      gzip -9 of the JavaScript a navigation loads (index.html's module
//                           script and modulepreloads), for both pages
//   audioReadyMs            Tidewire page: navigation start → the first output samples reach the
//                           page (the lab's own mark), median of cold-cache loads after a warm-up
// Both renders must produce sound (RMS checked), so nothing is measured on a silent graph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { createServer } from '@tidewire/server';
import { chromiumAvailable, launchChromium, ensureAppBuilt } from '@tidewire/testkit';
import { serveSignalLab, signalLabDist } from '@tidewire/signal-lab';
import { percentile, round } from '../stats.ts';
import type { Suite } from '../suite.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LAB_DIR = join(ROOT, 'apps/signal-lab');
const TONE_SRC = join(LAB_DIR, 'scripts/tone-bench');
const TONE_DIST = join(ROOT, '.cache/signal-lab/tone-bench');
const RENDER_SECONDS = 60;
const SAMPLE_RATE = 48000;
const AUDIO_FLAGS = ['--autoplay-policy=no-user-gesture-required'];

/** The Tone.js page: a production Vite build like Signal Lab's (minified, es2022). */
async function buildTonePage(log: (m: string) => void): Promise<void> {
  log('building the Tone.js comparison page (vite)');
  await build({
    root: TONE_SRC,
    base: '/tone-bench/',
    configFile: false,
    logLevel: 'warn',
    build: { outDir: TONE_DIST, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  });
}

/** gzip -9 bytes of the JavaScript index.html makes the browser load on navigation. */
export function initialJsGzipBytes(dist: string, base: string): { bytes: number; files: string[] } {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) files.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) files.add(m[1]!);
  let bytes = 0;
  for (const f of files) bytes += gzipSync(readFileSync(join(dist, f.startsWith(base) ? f.slice(base.length) : f)), { level: 9 }).length;
  return { bytes, files: [...files] };
}

interface RenderResult {
  wallMs: number;
  rms: number;
}

export const suite: Suite = {
  async run(ctx) {
    const quick = ctx.quick;
    const runs = quick ? 1 : 3;
    const loads = quick ? 2 : 7;
    const seconds = quick ? 10 : RENDER_SECONDS;
    const out: Record<string, unknown> = { suite: 'audio', quick, renderSeconds: seconds, sampleRate: SAMPLE_RATE };
    if (!chromiumAvailable()) {
      out.note = 'no Chromium at CHROMIUM_PATH: nothing measured';
      out.targets = { initialJsGzipBytes: null, audioReadyMs: null, offlineRenderXRealtime: null, realtimeRenderCapacityMeanPct: null };
      return out;
    }
    ensureAppBuilt('signal-lab', { quiet: true });
    await buildTonePage(ctx.log);
    const labJs = initialJsGzipBytes(signalLabDist(), '/signal-lab/');
    const toneJs = initialJsGzipBytes(TONE_DIST, '/tone-bench/');

    const server = await createServer({ port: 0, logger: false, defaultMetrics: false });
    await serveSignalLab(server);
    await server.serveStatic('/tone-bench/', TONE_DIST);
    const base = await server.listen();
    const browser = await launchChromium({ extraFlags: AUDIO_FLAGS, viewport: { width: 1440, height: 900 } });
    try {
      // --- audio ready: navigation → first output samples, cold cache -----------------------
      const ready = async (): Promise<number> => {
        const page = await browser.context.newPage();
        const cdp = await browser.context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
        await page.goto(`${base}/signal-lab/`);
        await page.waitForFunction(() => (globalThis as { signalLab?: { lab: { audioReadyMs: number | null } } }).signalLab?.lab.audioReadyMs != null, null, {
          timeout: 30_000,
        });
        const ms = await page.evaluate(() => (globalThis as unknown as { signalLab: { lab: { audioReadyMs: number } } }).signalLab.lab.audioReadyMs);
        await page.close();
        return ms;
      };
      await ready(); // warm-up: Chromium's own first-run costs are not the page's
      const readySamples: number[] = [];
      for (let i = 0; i < loads; i++) {
        ctx.log(`audio ready: load ${i + 1}/${loads}`);
        readySamples.push(await ready());
      }

      // --- real-time render capacity: the whole chain on, every generator in turn ------------
      // The audio thread's load while the page plays in real time (DevTools Protocol
      // WebAudio.getRealtimeData: the share of one callback's period the graph took). One reading is
      // one callback, so the run is sampled every 50 ms and the mean is the figure. This target
      // (≤ 5 %, issue 6) lives here, not in apps/signal-lab/test/realtime.test.ts: it measures the
      // machine as much as the code.
      const realtimeCapacity = async (secs: number): Promise<number[]> => {
        const page = await browser.context.newPage();
        const cdp = await browser.context.newCDPSession(page);
        const contexts: Array<{ contextId: string; contextType: string }> = [];
        cdp.on('WebAudio.contextCreated', (e: { context: { contextId: string; contextType: string } }) => contexts.push(e.context));
        await cdp.send('WebAudio.enable');
        await page.goto(`${base}/signal-lab/`);
        await page.waitForFunction(() => (globalThis as { signalLab?: { lab: { audioReadyMs: number | null } } }).signalLab?.lab.audioReadyMs != null, null, {
          timeout: 30_000,
        });
        await page.evaluate(async () => {
          type LabUi = {
            faust: Promise<unknown>;
            lab: {
              settings: { bypass: string[]; faust: Array<{ key: string; bypass: boolean }> };
              toggleCore(k: string): void;
              toggleFaust(k: string): Promise<void>;
              setParam(k: string, v: number): void;
            };
          };
          const w = globalThis as unknown as { signalLab: LabUi };
          await w.signalLab.faust;
          const lab = w.signalLab.lab;
          for (const k of [...lab.settings.bypass]) lab.toggleCore(k);
          for (const f of lab.settings.faust) if (f.bypass) await lab.toggleFaust(f.key);
          lab.setParam('level', -18);
        });
        await page.waitForTimeout(500);
        const realtime = contexts.find((c) => c.contextType === 'realtime');
        if (!realtime) throw new Error('DevTools saw no real-time AudioContext');
        const kinds = ['sine', 'square', 'saw', 'triangle', 'white', 'pink', 'impulse', 'impulse-train', 'sweep', 'dc', 'silence'];
        const readings: number[] = [];
        for (const kind of kinds) {
          await page.evaluate((k) => (globalThis as unknown as { signalLab: { lab: { setGenerator(k: string): void } } }).signalLab.lab.setGenerator(k), kind);
          for (const end = Date.now() + (secs * 1000) / kinds.length; Date.now() < end;) {
            await page.waitForTimeout(50);
            const rt = (await cdp.send('WebAudio.getRealtimeData', { contextId: realtime.contextId })) as { realtimeData: { renderCapacity: number } };
            readings.push(rt.realtimeData.renderCapacity);
          }
        }
        await page.close();
        return readings;
      };
      ctx.log('real-time render capacity: the whole chain, every generator');
      const capacity = await realtimeCapacity(quick ? 3 : 10);
      const capacityMean = capacity.reduce((a, b) => a + b, 0) / capacity.length;

      // --- offline render of the same chain -------------------------------------------------
      const labPage = await browser.context.newPage();
      await labPage.goto(`${base}/signal-lab/`);
      await labPage.waitForFunction(() => (globalThis as { signalLab?: unknown }).signalLab !== undefined, null, { timeout: 30_000 });
      const tonePage = await browser.context.newPage();
      await tonePage.goto(`${base}/tone-bench/`);
      await tonePage.waitForFunction(() => (globalThis as { toneBench?: unknown }).toneBench !== undefined, null, { timeout: 30_000 });
      const toneVersion = await tonePage.evaluate(() => (globalThis as unknown as { toneBench: { version: string } }).toneBench.version);

      const renderLab = (secs: number): Promise<RenderResult> =>
        labPage.evaluate(
          async ({ secs, sr }) => {
            type Lab = { node: AudioWorkletNode };
            const w = globalThis as unknown as { signalLab: { createLab(c: BaseAudioContext, o: object): Promise<Lab> } };
            const t0 = performance.now();
            const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: Math.round(secs * sr), sampleRate: sr });
            const all = ['gain', 'eq', 'delay', 'comp'];
            const [sine, pink, chain] = await Promise.all([
              w.signalLab.createLab(ctx, { generator: 'sine', bypass: all, params: { frequency: 1000, level: -12 } }),
              w.signalLab.createLab(ctx, { generator: 'pink', bypass: all, params: { level: -24 } }),
              w.signalLab.createLab(ctx, {
                generator: 'input',
                chain: ['gain', 'eq', 'delay', 'comp'],
                bypass: ['gain'],
                eqType: 'peaking',
                detector: 'rms',
                params: {
                  level: 0,
                  'eq.freq': 1000,
                  'eq.q': Math.SQRT1_2,
                  'eq.gain': 6,
                  'delay.time': 0.25,
                  'delay.feedback': 0.3,
                  'delay.mix': 0.3,
                  'comp.threshold': -30,
                  'comp.ratio': 4,
                  'comp.knee': 6,
                  'comp.attack': 0.003,
                  'comp.release': 0.1,
                  'comp.makeup': 0,
                },
              }),
            ]);
            sine.node.connect(chain.node);
            pink.node.connect(chain.node);
            chain.node.connect(ctx.destination);
            const buf = await ctx.startRendering();
            const wallMs = performance.now() - t0;
            const x = buf.getChannelData(0);
            let e = 0;
            for (let i = 0; i < x.length; i++) e += x[i]! * x[i]!;
            return { wallMs, rms: Math.sqrt(e / x.length) };
          },
          { secs, sr: SAMPLE_RATE },
        );
      const renderTone = (secs: number): Promise<RenderResult> =>
        tonePage.evaluate(
          ({ secs, sr }) => (globalThis as unknown as { toneBench: { render(s: number, r: number): Promise<RenderResult> } }).toneBench.render(secs, sr),
          { secs, sr: SAMPLE_RATE },
        );

      // Warm-ups (JIT, worklet module load), then alternate so drift hits both alike.
      await renderLab(2);
      await renderTone(2);
      const lab: RenderResult[] = [];
      const tone: RenderResult[] = [];
      for (let i = 0; i < runs; i++) {
        ctx.log(`offline render ${seconds} s: run ${i + 1}/${runs}`);
        lab.push(await renderLab(seconds));
        tone.push(await renderTone(seconds));
      }
      for (const [name, r] of [
        ['tidewire', lab],
        ['tone', tone],
      ] as const) {
        if (r.some((x) => !(x.rms > 0.01 && x.rms < 1))) throw new Error(`${name} rendered RMS ${r.map((x) => x.rms).join(', ')}: not the chain's output`);
      }
      if (browser.errors.length > 0) throw new Error(`page errors: ${browser.errors.join('; ')}`);
      const x = (r: RenderResult[]) =>
        percentile(
          r.map((v) => (seconds * 1000) / v.wallMs),
          50,
        );

      out.tidewire = {
        offlineRenderXRealtime: round(x(lab), 1),
        renderWallMs: lab.map((r) => round(r.wallMs, 0)),
        renderRms: round(lab[0]!.rms, 4),
        initialJsGzipBytes: labJs.bytes,
        initialJsFiles: labJs.files,
        audioReadyMs: round(percentile(readySamples, 50), 1),
        audioReadySamples: readySamples.map((v) => round(v, 1)),
        realtimeRenderCapacityMeanPct: round(capacityMean * 100, 2),
        realtimeRenderCapacityP95Pct: round(percentile(capacity, 95) * 100, 2),
        realtimeRenderCapacityReadings: capacity.length,
      };
      out.tone = {
        version: toneVersion,
        offlineRenderXRealtime: round(x(tone), 1),
        renderWallMs: tone.map((r) => round(r.wallMs, 0)),
        renderRms: round(tone[0]!.rms, 4),
        initialJsGzipBytes: toneJs.bytes,
        initialJsFiles: toneJs.files,
      };
      out.ratios = {
        offlineRenderTidewireOverTone: round(x(lab) / x(tone), 2),
        initialJsTidewireOverTone: round(labJs.bytes / toneJs.bytes, 2),
      };
      out.note =
        'Tone.js renders with native nodes (C++ oscillator, biquad, delay, DynamicsCompressor; pink noise from a looped buffer); ' +
        'Tidewire renders its own DSP in three AudioWorklet nodes (JS, double precision, band-limited oscillators). ' +
        "The Tone.js page holds only this chain; Signal Lab's entry holds the whole UI.";
      out.targets = {
        initialJsGzipBytes: labJs.bytes <= 100_000,
        audioReadyMs: percentile(readySamples, 50) <= 500,
        offlineRenderXRealtime: x(lab) >= x(tone),
        realtimeRenderCapacityMeanPct: capacityMean <= 0.05,
      };
      return out;
    } finally {
      await browser.close();
      await server.close();
    }
  },
};
