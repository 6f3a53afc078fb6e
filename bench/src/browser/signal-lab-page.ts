// One visit of /signal-lab/ (Tidewire only): audio ready, and the longest task while the
// visualisers run. Definitions: docs/benchmarks.md, browser suite.
import type { BrowserContext } from 'playwright-core';
import { openTab } from './tree-pages.ts';
import type { LoadProbe } from './probe.ts';

export interface SignalLabSample {
  audioReadyMs: number;
  longestTaskLoadMs: number;
  longestTaskMs: number;
  visualiserSeconds: number;
}

export async function signalLabVisit(context: BrowserContext, baseUrl: string, opts: { seconds: number }): Promise<SignalLabSample> {
  const tab = await openTab(context, { selector: '', min: 0 }, 1);
  const { page } = tab;
  const tasks = () => page.evaluate(() => (window as unknown as { __bench: { load(): LoadProbe } }).__bench.load().longTasks);
  try {
    await page.goto(`${baseUrl}/signal-lab/`, { waitUntil: 'commit' });
    await page.waitForFunction(() => (globalThis as { signalLab?: { lab: { audioReadyMs: number | null } } }).signalLab?.lab.audioReadyMs != null, null, {
      timeout: 60_000,
      polling: 50,
    });
    const audioReadyMs = await page.evaluate(() => (globalThis as unknown as { signalLab: { lab: { audioReadyMs: number } } }).signalLab.lab.audioReadyMs);
    await page.getByTestId('vis-spectrum').waitFor({ timeout: 60_000 });
    const loadTasks = await tasks();
    const from = await page.evaluate(() => performance.now());
    await page.waitForTimeout(opts.seconds * 1000);
    const running = (await tasks()).filter((t) => t.start >= from);
    return {
      audioReadyMs,
      longestTaskLoadMs: Math.max(0, ...loadTasks.map((t) => t.duration)),
      longestTaskMs: Math.max(0, ...running.map((t) => t.duration)),
      visualiserSeconds: opts.seconds,
    };
  } finally {
    await tab.close();
  }
}
