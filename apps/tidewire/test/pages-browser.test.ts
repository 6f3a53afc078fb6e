// docs/cli.md §6.8: the pages `tidewire serve` serves, in headless Chromium: each renders real
// content (not a skeleton or a "waiting" placeholder) and shows the figure its HUD calls the
// load. Not a timing: how fast they load is the browser benchmark's business
// (docs/browser-bench.md).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromiumAvailable, ensureAppBuilt, launchChromium } from '@tidewire/testkit';
import type { LaunchedBrowser } from '@tidewire/testkit';
import type { Page } from 'playwright-core';
import { parseServeArgs, startAll } from '../src/serve.ts';
import type { RunningServe } from '../src/serve.ts';

const WAIT_MS = 60_000;
const skip = chromiumAvailable() ? false : 'no Chromium at CHROMIUM_PATH';

/**
 * The track names on the page once more than `atLeast` of them show real data: the name, not the
 * track's id the page shows without one.
 * Strips appear over several frames (docs/client.md §4.2): reading them at the first real name
 * found 10 of the demo's tracks in a clean run.
 */
async function realTrackNames(page: Page, atLeast: number): Promise<string[]> {
  await page.waitForFunction(
    (n) =>
      Array.from(document.querySelectorAll('[data-track] [data-testid="track-name"]')).filter(
        (el) => (el.textContent?.trim() ?? '') !== '' && el.textContent!.trim() !== el.closest('[data-track]')!.getAttribute('data-track'),
      ).length > n,
    atLeast,
    { timeout: WAIT_MS },
  );
  return page.$$eval('[data-track] [data-testid="track-name"]', (els) => els.map((e) => e.textContent!.trim()));
}

/** The HUD's `load` line, once it shows a number (ms), and the client's own figure behind it. */
async function hudLoad(page: Page): Promise<{ text: number; client: number | null }> {
  const hud = page.getByTestId('hud');
  await page.waitForFunction(() => /load\s+\d+(\.\d+)? ms/.test(document.querySelector('[data-testid="hud"]')?.textContent ?? ''), null, { timeout: WAIT_MS });
  const text = Number(/load\s+(\d+(?:\.\d+)?) ms/.exec((await hud.textContent()) ?? '')![1]);
  const client = await page.evaluate(
    () => (window as unknown as { tidewire?: { perf?: { get(): { snapshotLoadMs: number | null } } | null } }).tidewire?.perf?.get().snapshotLoadMs ?? null,
  );
  return { text, client };
}

describe('§6.8 tidewire serve: every page in Chromium', { skip, timeout: 300_000 }, () => {
  let running: RunningServe;
  let browser: LaunchedBrowser;
  let studioData: string;

  before(async () => {
    for (const app of ['liveset', 'replay', 'signal-lab', 'demo']) ensureAppBuilt(app, { quiet: true });
    studioData = mkdtempSync(join(tmpdir(), 'tidewire-pages-studio-'));
    running = await startAll({ ...parseServeArgs(['--port', '0', '--osc-port', '0', '--no-storm', '--log-level', 'silent']), studioDataDir: studioData });
    browser = await launchChromium({ extraFlags: ['--autoplay-policy=no-user-gesture-required'] });
  });

  after(async () => {
    await browser?.close();
    await running?.close();
    rmSync(studioData, { recursive: true, force: true });
  });

  it('§6.8 /liveset/ shows the bundled set’s tracks and its HUD’s load figure', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${running.url}/liveset/`);
    const names = await realTrackNames(page, 5);
    assert.ok(names.length > 5, `track names on the page: ${names.join(', ')}`);
    const load = await hudLoad(page);
    assert.ok(load.text > 0 && load.client !== null, `HUD load ${load.text} ms, client ${load.client}`);
    assert.equal(load.text, Number(load.client!.toFixed(1)), 'the HUD shows the client’s own figure');
    await page.close();
  });

  it('§6.8 /demo/ shows the project’s tracks and its HUD’s load figure', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${running.url}/demo/`);
    const names = await realTrackNames(page, 10);
    assert.ok(names.length > 10, `track names on the page: ${names.join(', ')}`);
    const load = await hudLoad(page);
    assert.ok(load.text > 0 && load.client !== null, `HUD load ${load.text} ms, client ${load.client}`);
    await page.close();
  });

  it('§6.8 /replay/ draws the race and its HUD shows the player’s figures', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${running.url}/replay/`);
    await page.waitForFunction(() => (window as unknown as { replay?: { firstFrameMs: number | null } }).replay?.firstFrameMs != null, null, {
      timeout: WAIT_MS,
    });
    assert.match((await page.getByTestId('race-name').textContent()) ?? '', /Bahrain/);
    assert.ok((await page.locator('[data-testid="leaderboard"] [data-testid="row"]').count()) >= 20, 'the leaderboard lists the cars');
    // A timeline has no snapshot: its HUD's load line stays '–', and the frames it decoded show.
    await page.waitForFunction(() => /tl\s+\d+ fr\/s/.test(document.querySelector('[data-testid="hud"]')?.textContent ?? ''), null, { timeout: WAIT_MS });
    assert.match((await page.getByTestId('hud').textContent()) ?? '', /load\s+–/);
    await page.close();
  });

  it('§6.8 /signal-lab/ runs its audio and its HUD shows when it was ready', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${running.url}/signal-lab/`);
    await page.getByTestId('vis-spectrum').waitFor({ timeout: WAIT_MS });
    await page.waitForFunction(() => /ready\s*\d+ ms after navigation/.test(document.body.textContent ?? ''), null, { timeout: WAIT_MS });
    assert.equal(await page.getByTestId('audio-status').getAttribute('data-status'), 'running');
    await page.close();
  });
});
