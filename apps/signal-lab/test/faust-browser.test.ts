// Sections (§) in test names: docs/signal-lab.md.
// The Faust effects in the PRODUCTION build, in Chromium: each precompiled effect is fetched as a
// build asset and run by the lab's `tidewire-faust` worklet (no compiler), and renders audio that
// differs from the dry signal the way the effect should. Then the live editor: the compiler
// (faustwasm, whose stringified classes a minifier must not mangle: vite.config.ts) arrives only
// when it is opened, compiles, and inserts the result.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { chromiumAvailable } from '@tidewire/testkit';
import { signalLabDist } from '../src/index.ts';
import { openLab, startRig, waitMeter, WAIT_MS, type LabRig } from './app-harness.ts';

const skip = chromiumAvailable() ? false : 'no Chromium at CHROMIUM_PATH';

interface Slot {
  key: string;
  id: string;
  params: Record<string, number>;
  bypass: boolean;
}
interface Settings {
  generator: string;
  params: Record<string, number>;
  bypass: string[];
  faust: Slot[];
}
interface Win {
  signalLab: {
    lab: { snapshot(): Settings; settings: Settings; catalog: Map<string, unknown>; faustMenu: Array<{ id: string; live: boolean }> };
    render(s: Settings, seconds?: number, channels?: number): Promise<AudioBuffer>;
  };
}

interface LiveWin {
  signalLab: {
    lab: {
      settings: { faust: Slot[] };
      setGenerator(kind: string): void;
      setParam(name: string, v: number): void;
      setFaustParam(key: string, address: string, value: number): void;
      toggleFaust(key: string): Promise<void>;
    };
  };
}

describe('§3.2 Faust effects in the production build', { skip }, () => {
  let rig: LabRig;
  const requests: string[] = [];
  before(async () => {
    rig = await startRig();
    rig.browser.page.on('request', (r) => requests.push(r.url()));
    await openLab(rig.browser.page, rig.url);
  });
  after(async () => {
    await rig?.close();
  });

  /** Renders `seconds` of the generator through the Faust effect `id` (null: dry) and returns RMS figures. */
  async function render(id: string | null, generator: string, params: Record<string, number>, faustParams: Record<string, number> = {}) {
    return rig.browser.page.evaluate(
      async ({ id, generator, params, faustParams }) => {
        const w = (globalThis as unknown as Win).signalLab;
        const s = w.lab.snapshot();
        s.generator = generator;
        Object.assign(s.params, { on: 1, level: -12 }, params);
        s.faust = s.faust.filter((f) => f.id === id).map((f) => ({ ...f, bypass: false, params: { ...f.params, ...faustParams } }));
        const buf = await w.render(s, 1.5, 2);
        const x = buf.getChannelData(0);
        const sr = buf.sampleRate;
        // No helper functions in here: tsx would wrap them in a __name() the page lacks.
        const out = { slots: s.faust.length, all: 0, late: 0, samples: Array.from(x.subarray(Math.round(0.5 * sr), Math.round(0.5 * sr) + 2048)) };
        for (const [key, from] of [
          ['all', Math.round(0.5 * sr)],
          ['late', Math.round(1.1 * sr)],
        ] as const) {
          let e = 0;
          for (let i = from; i < x.length; i++) e += x[i]! * x[i]!;
          out[key] = Math.sqrt(e / (x.length - from));
        }
        return out;
      },
      { id, generator, params, faustParams },
    );
  }

  it('§3.1 ships each effect as a wasm asset and lists it in the catalog', async () => {
    const assets = readdirSync(`${signalLabDist()}assets`);
    for (const id of ['reverb', 'ladder', 'phaser'])
      assert.ok(
        assets.some((a) => a.startsWith(`${id}-`) && a.endsWith('.wasm')),
        `${id} wasm in dist`,
      );
    const menu = await rig.browser.page.evaluate(() => (globalThis as unknown as Win).signalLab.lab.faustMenu.map((f) => f.id));
    assert.deepEqual(menu.sort(), ['ladder', 'phaser', 'reverb']);
  });

  it('§3.3 ladder: a 2 kHz sine through a 200 Hz cutoff loses over 40 dB; at 20 kHz it passes', async () => {
    const dry = await render(null, 'sine', { frequency: 2000 });
    const shut = await render('ladder', 'sine', { frequency: 2000 }, { '/Ladder/cutoff': 200, '/Ladder/resonance': 0.707 });
    const open = await render('ladder', 'sine', { frequency: 2000 }, { '/Ladder/cutoff': 20000, '/Ladder/resonance': 0.707 });
    assert.equal(shut.slots, 1);
    assert.ok(dry.all > 0.1, `dry RMS ${dry.all}`);
    assert.ok(20 * Math.log10(shut.all / dry.all) < -40, `closed ladder: ${20 * Math.log10(shut.all / dry.all)} dB`);
    assert.ok(Math.abs(20 * Math.log10(open.all / dry.all)) < 1.5, `open ladder: ${20 * Math.log10(open.all / dry.all)} dB`);
  });

  it('§3.3 reverb: an impulse rings on after 100 ms (dry, it is silent)', async () => {
    // A 1 Hz train: impulses at 0 s and 1 s; the second lands once the wet control has glided
    // up from 0 (si.smoo), and 1.1–1.5 s holds its tail and nothing else.
    const dry = await render(null, 'impulse-train', { level: 0, frequency: 1 });
    const wet = await render('reverb', 'impulse-train', { level: 0, frequency: 1 }, { '/Freeverb/wet': 100, '/Freeverb/room_size': 0.9 });
    assert.equal(dry.late, 0);
    assert.ok(wet.late > 1e-4, `reverb tail RMS ${wet.late}`);
  });

  it('§3.3 phaser: pink noise comes out changed but not lost', async () => {
    const dry = await render(null, 'pink', {});
    const wet = await render('phaser', 'pink', {}, { '/Phaser/depth': 1, '/Phaser/feedback': 0.7 });
    let diff = 0;
    for (let i = 0; i < dry.samples.length; i++) diff += (wet.samples[i]! - dry.samples[i]!) ** 2;
    const diffRms = Math.sqrt(diff / dry.samples.length);
    assert.ok(diffRms > 0.2 * dry.all, `difference ${diffRms} vs dry ${dry.all}`);
    assert.ok(wet.all > 0.1 * dry.all, `wet ${wet.all} vs dry ${dry.all}`);
  });

  it('§2 switches a bundled effect on in the live chain through its card', async () => {
    const page = rig.browser.page;
    await page.getByTestId('faust-ladder-bypass').click();
    await page.waitForFunction(() => (globalThis as unknown as Win).signalLab.lab.settings.faust.some((f) => f.id === 'ladder' && !f.bypass), null, {
      timeout: WAIT_MS,
    });
    assert.equal(await page.getByTestId('faust-ladder-bypass').getAttribute('aria-pressed'), 'true');
    assert.ok(
      requests.some((u) => /\/assets\/ladder-[\w-]+\.wasm$/.test(u)),
      'the ladder wasm was fetched',
    );
    await page.getByTestId('faust-ladder-bypass').click();
    assert.deepEqual(rig.browser.errors, []);
  });

  it('§2 the meters follow the Faust chain: the monitor tap measures what plays', async () => {
    const page = rig.browser.page;
    await page.evaluate(() => {
      const l = (globalThis as unknown as LiveWin).signalLab.lab;
      l.setGenerator('sine');
      l.setParam('frequency', 2000);
      l.setParam('level', -12);
      l.setParam('on', 1);
    });
    await waitMeter(page, 'Math.abs(m.peakDb + 12) < 0.5');
    // The ladder closed to 200 Hz: a 2 kHz sine loses over 40 dB, and the meters (fed by the
    // tap node after the Faust effects, not by the lab) show it.
    await page.evaluate(async () => {
      const l = (globalThis as unknown as LiveWin).signalLab.lab;
      const slot = l.settings.faust.find((f) => f.id === 'ladder')!;
      l.setFaustParam(slot.key, '/Ladder/cutoff', 200);
      l.setFaustParam(slot.key, '/Ladder/resonance', 0.707);
      if (slot.bypass) await l.toggleFaust(slot.key);
    });
    await waitMeter(page, 'm.peakDb < -45');
    await page.evaluate(async () => {
      const l = (globalThis as unknown as LiveWin).signalLab.lab;
      await l.toggleFaust(l.settings.faust.find((f) => f.id === 'ladder')!.key);
    });
    await waitMeter(page, 'Math.abs(m.peakDb + 12) < 0.5');
    assert.deepEqual(rig.browser.errors, []);
  });

  it('§3.4 the live editor loads the compiler on demand, compiles a program and inserts it', async () => {
    const page = rig.browser.page;
    assert.ok(!requests.some((u) => /libfaust-wasm/.test(u)), 'no compiler before the editor opens');
    await page.getByTestId('open-editor').click();
    await page.getByTestId('faust-editor').waitFor({ timeout: WAIT_MS });
    const compile = page.getByTestId('editor-compile');
    await page.waitForFunction(() => !(document.querySelector('[data-testid="editor-compile"]') as HTMLButtonElement | null)?.disabled, null, {
      timeout: 60_000,
    });
    assert.ok(
      requests.some((u) => /libfaust-wasm[\w-]*\.wasm$/.test(u)),
      'the compiler wasm was fetched when the editor opened',
    );
    // A broken program: the compiler's message, nothing inserted.
    await page.getByLabel('Faust source').fill('process = nosuchthing;');
    await compile.click();
    await page.waitForFunction(() => /nosuchthing/.test(document.querySelector('[data-testid="editor-status"]')?.textContent ?? ''), null, {
      timeout: WAIT_MS,
    });
    // The example (a stereo tremolo): compiled in the page, added to the chain, switched on.
    await page.getByLabel('Faust source').fill(`declare name "Halver";\nprocess = *(hslider("gain", 0.5, 0, 1, 0.01)), *(hslider("gain", 0.5, 0, 1, 0.01));`);
    await compile.click();
    await page.waitForFunction(() => /Halver compiled/.test(document.querySelector('[data-testid="editor-status"]')?.textContent ?? ''), null, {
      timeout: WAIT_MS,
    });
    const live = await page.evaluate(() =>
      (globalThis as unknown as Win).signalLab.lab.settings.faust.filter((f) => f.id.startsWith('live')).map((f) => ({ id: f.id, bypass: f.bypass })),
    );
    assert.equal(live.length, 1);
    assert.equal(live[0]!.bypass, false);
    // It processes audio: half the amplitude is −6 dB.
    const dry = await render(null, 'sine', {});
    const halved = await render(live[0]!.id, 'sine', {});
    assert.ok(Math.abs(20 * Math.log10(halved.all / dry.all) + 6.02) < 0.1, `live effect: ${20 * Math.log10(halved.all / dry.all)} dB`);
    // libfaust (emscripten) logs its C++ exception for the broken program; nothing else may fail.
    assert.deepEqual(
      rig.browser.errors.filter((e) => !/exception catching is not enabled/.test(e)),
      [],
    );
  });
});
