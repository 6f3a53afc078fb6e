// Shared by Signal Lab's browser tests: the production build (rebuilt when stale), a real
// Tidewire server serving it cross-origin isolated, and headless Chromium with real-time audio
// allowed without a gesture (headless Chromium renders into a fake output device).
import { createServer } from '@tidewire/server';
import type { TidewireServer } from '@tidewire/server';
import { launchChromium, ensureAppBuilt } from '@tidewire/testkit';
import type { LaunchedBrowser } from '@tidewire/testkit';
import type { Page } from 'playwright-core';
import { serveSignalLab, signalLabDist } from '../src/index.ts';

export const WAIT_MS = 30_000;
export const AUDIO_FLAGS = ['--autoplay-policy=no-user-gesture-required'];
export const FAKE_MEDIA_FLAGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

export interface LabRig {
  server: TidewireServer;
  url: string;
  browser: LaunchedBrowser;
  close(): Promise<void>;
}

/** A server with the built page and a browser; `plain` serves it without the isolation headers. */
export async function startRig(options: { extraFlags?: string[]; plain?: boolean } = {}): Promise<LabRig> {
  ensureAppBuilt('signal-lab');
  const server = await createServer({ port: 0, logger: false, defaultMetrics: false });
  if (options.plain) await server.serveStatic('/signal-lab/', signalLabDist());
  else await serveSignalLab(server);
  const base = await server.listen();
  const browser = await launchChromium({ extraFlags: [...AUDIO_FLAGS, ...(options.extraFlags ?? [])], viewport: { width: 1440, height: 900 } });
  return {
    server,
    url: `${base}/signal-lab/`,
    browser,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Opens the page and waits until output samples reach it (audio is really running). */
export async function openLab(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as { signalLab?: { lab: { audioReadyMs: number | null } } }).signalLab?.lab.audioReadyMs != null, null, {
    timeout: WAIT_MS,
  });
  // The bundled Faust effects are in the catalog once this settles.
  await page.evaluate(() => (globalThis as unknown as { signalLab: { faust: Promise<unknown> } }).signalLab.faust);
}

/** Waits until the meters read `predicate` (the feed is updated every animation frame). */
export async function waitMeter(page: Page, predicate: string, arg?: unknown): Promise<void> {
  await page
    .waitForFunction(
      ({ predicate, arg }) => {
        const m = (globalThis as unknown as { signalLab: { lab: { feed: { meter: { peakDb: number; rmsDb: number } } } } }).signalLab.lab.feed.meter;
        // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the predicate is test source text evaluated in the page
        return new Function('m', 'arg', `return ${predicate}`)(m, arg) as boolean;
      },
      { predicate, arg },
      { timeout: WAIT_MS },
    )
    .catch(async (e: unknown) => {
      const m = await page.evaluate(() =>
        JSON.stringify((globalThis as unknown as { signalLab: { lab: { feed: { meter: unknown } } } }).signalLab.lab.feed.meter),
      );
      throw new Error(`timed out after ${WAIT_MS} ms waiting for the meters to read ${predicate}: last ${m}`, { cause: e });
    });
}
