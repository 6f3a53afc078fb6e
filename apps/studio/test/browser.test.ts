// The Media Studio page in Chromium: write a story, render it, watch its progress arrive through
// tree channel `studio` (no polling), play the result in the page; a 10,000-entry library scrolls
// without a long task; a corrupt upload says what is wrong. STUDIO_SCREENSHOTS=dir saves
// screenshots at 390×844 and 1440×900.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAppBuilt, launchChromium } from '@tidewire/testkit';
import type { LaunchedBrowser } from '@tidewire/testkit';
import type { Page } from 'playwright-core';
import type { LibraryEntry } from '../src/model.ts';
import { startStudio } from './server-helpers.ts';
import type { StudioFixture } from './server-helpers.ts';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const shots = process.env.STUDIO_SCREENSHOTS;

/** Long tasks recorded from the very start of every page. */
async function recordLongTasks(browser: LaunchedBrowser): Promise<void> {
  await browser.page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
}

async function shot(page: Page, name: string): Promise<void> {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  for (const [w, h] of [
    [390, 844],
    [1440, 900],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(shots, `${name}-${w}x${h}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('§9 Media Studio page in Chromium', { timeout: 180_000 }, () => {
  let f: StudioFixture;
  let browser: LaunchedBrowser;
  const t = {
    fns: [] as (() => unknown)[],
    after(fn: () => unknown) {
      this.fns.push(fn);
    },
  };

  before(async () => {
    ensureAppBuilt('studio', { quiet: true });
    f = await startStudio(t, {}, {}, (s) => s.serveStatic('/studio/', dist));
    browser = await launchChromium();
    await recordLongTasks(browser);
  });

  after(async () => {
    await browser?.close();
    for (const fn of t.fns.reverse()) await fn();
  });

  it('§9.2 writes a story, renders it with progress from the tree channel, and plays the result', async () => {
    const { page } = browser;
    const apiCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/studio/api/')) apiCalls.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    await page.goto(`${f.url}/studio/`);
    await page.locator('[data-testid="conn"][data-state="live"]').waitFor({ timeout: 30_000 });
    await page.getByTestId('title').fill('Harbour at dawn');
    await page.getByTestId('script').fill('The boats wake up.\n\nThe gulls circle the mast.');
    await page.getByTestId('split').click();
    await page.locator('[data-scene="s2"]').waitFor();
    assert.equal(await page.locator('[data-scene]').count(), 2);
    await shot(page, 'script');

    // Voice: moving a slider previews the selected scene (debounced) as a WAV in an <audio>.
    await page.locator('[data-tab="voice"]').click();
    const rate = page.locator('input[type="range"]').first();
    await rate.waitFor();
    await rate.fill('220');
    await page.getByTestId('preview-audio').waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => (document.querySelector('[data-testid="preview-audio"]') as HTMLAudioElement).duration > 0.3);
    await shot(page, 'voice');
    await page.locator('[data-tab="export"]').click();
    await page.locator('.fmt').first().waitFor();
    await shot(page, 'export');
    await page.locator('[data-tab="script"]').click();
    await page.getByTestId('split').waitFor();

    // Progress values the page shows, sampled on every DOM change (not by the test polling the API).
    await page.evaluate(() => {
      const w = window as unknown as { __progress: string[] };
      w.__progress = [];
      new MutationObserver(() => {
        const bar = document.querySelector('[data-job] [role="progressbar"]');
        const job = bar?.closest('[data-job]') as HTMLElement | null;
        if (bar && job) w.__progress.push(`${job.dataset.state}:${bar.getAttribute('aria-valuenow')}`);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
    const before = apiCalls.length;
    await page.getByTestId('render').click();
    await page.locator('[data-job][data-state="completed"]').waitFor({ timeout: 60_000 });
    const progress = await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress);
    const active = [...new Set(progress.filter((p) => p.startsWith('active:')))];
    assert.ok(active.length >= 3, `several progress steps while active: ${[...new Set(progress)].join(' ')}`);
    const during = apiCalls.slice(before);
    assert.ok(!during.some((c) => c.startsWith('GET /studio/api/jobs')), `no polling of the job list: ${during.join(', ')}`);
    await shot(page, 'rendered');

    await page.locator('[data-job][data-state="completed"] button', { hasText: 'Play' }).click();
    const video = page.getByTestId('player');
    await video.waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-testid="player"]') as HTMLVideoElement).readyState >= 2, null, { timeout: 20_000 });
    // Seeking needs range requests: jump to 1.5 s and see the element land there.
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true;
      v.currentTime = 1.5;
    });
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-testid="player"]') as HTMLVideoElement;
      return !v.seeking && Math.abs(v.currentTime - 1.5) < 0.1 && v.readyState >= 2;
    });
    await video.evaluate((v: HTMLVideoElement) => {
      v.currentTime = 0;
      return v.play();
    });
    await page.waitForFunction(() => (document.querySelector('[data-testid="player"]') as HTMLVideoElement).currentTime > 0.3, null, { timeout: 10_000 });
    const href = await page.getByTestId('download').getAttribute('href');
    assert.match(href!, /\/studio\/api\/library\/[A-Za-z0-9_-]+\/download$/);
    await video.evaluate((v: HTMLVideoElement) => v.pause());
    await shot(page, 'library');
    assert.deepEqual(browser.errors, []);
  });

  it('§9.3 says what is wrong with a corrupt upload', async () => {
    const { page } = browser;
    await page.locator('[data-tab="background"]').click();
    const input = page.getByTestId('upload');
    await input.waitFor({ state: 'attached' });
    await input.setInputFiles({
      name: 'holiday.png',
      mimeType: 'image/png',
      buffer: Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(3000, 0x41)]),
    });
    const banner = page.getByTestId('error');
    await banner.waitFor({ timeout: 20_000 });
    const text = await banner.textContent();
    assert.match(text!, /holiday\.png/);
    assert.match(text!, /STUDIO_UNSUPPORTED_MEDIA/);
    await shot(page, 'upload-error');
  });
});

describe('§9.4 a 10,000-entry library in Chromium', { timeout: 180_000 }, () => {
  let f: StudioFixture;
  let browser: LaunchedBrowser;
  let dataDir: string;
  const t = {
    fns: [] as (() => unknown)[],
    after(fn: () => unknown) {
      this.fns.push(fn);
    },
  };

  before(async () => {
    ensureAppBuilt('studio', { quiet: true });
    dataDir = mkdtempSync(join(tmpdir(), 'studio-10k-'));
    mkdirSync(join(dataDir, 'renders'));
    const now = Date.now();
    for (let i = 0; i < 10_000; i++) {
      const e: LibraryEntry = {
        id: `r${i}`,
        jobId: `j${i}`,
        title: `Render number ${i}`,
        format: '1080x1920',
        durationSeconds: 20 + (i % 90),
        bytes: 1_000_000 + i,
        createdAt: now - i * 60_000,
      };
      writeFileSync(join(dataDir, 'renders', `r${i}.json`), JSON.stringify(e));
    }
    f = await startStudio(t, { dataDir }, {}, (s) => s.serveStatic('/studio/', dist));
    browser = await launchChromium();
    await recordLongTasks(browser);
  });

  after(async () => {
    await browser?.close();
    for (const fn of t.fns.reverse()) await fn();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('§9.4 scrolls from top to bottom with no long task over 50 ms, rendering only the visible rows', async () => {
    const { page } = browser;
    await page.goto(`${f.url}/studio/#library`);
    await page.getByTestId('library-count').filter({ hasText: '10,000 of 10,000' }).waitFor({ timeout: 30_000 });
    await page.locator('[data-entry="r0"]').waitFor();
    const rows = await page.locator('[data-entry]').count();
    assert.ok(rows > 5 && rows < 60, `rows in the DOM: ${rows}`);
    // Loading is done; from here on only scrolling counts.
    await page.waitForTimeout(300);
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
    const list = page.getByTestId('virtual-list');
    // (No named helper functions inside evaluate: tsx would wrap them in a __name() the page lacks.)
    await list.evaluate(async (el) => {
      for (let y = 0; y < el.scrollHeight; y += 1700) {
        el.scrollTop = y;
        await new Promise((r) => requestAnimationFrame(r));
      }
      el.scrollTop = el.scrollHeight;
      await new Promise((r) => requestAnimationFrame(r));
      await new Promise((r) => requestAnimationFrame(r));
    });
    await page.locator('[data-entry="r9999"]').waitFor();
    const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    assert.ok(
      longTasks.every((d) => d <= 50),
      `long tasks while scrolling: ${longTasks.map((d) => d.toFixed(0)).join(', ')} ms`,
    );
    assert.ok((await page.locator('[data-entry]').count()) < 60);
    await shot(page, 'library-10k');
  });
});
