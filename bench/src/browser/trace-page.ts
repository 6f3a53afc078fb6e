// `node --import tsx bench/src/browser/trace-page.ts PATH [SECONDS] [OUT.json] [EXPR]`: loads one
// page of the browser bench's server (PATH such as /replay/ or /signal-lab/) in Chromium with a
// CDP trace running from before navigation — or, given EXPR (e.g. `replay.player.play()`), from
// when EXPR is evaluated in the page 2 s after navigation (`storm:liveset50` or `storm:demo17k`:
// when the bench's storm of 1,000 changes/s starts) — for SECONDS (default 3), and writes
// the trace (Chrome's
// trace-event JSON: open it in DevTools' Performance panel or Perfetto). On stderr: the main
// thread's tasks over 30 ms with the JS functions that took most self time in them (a summary to
// start from). With TRACE_FIRST_SCREEN=N in the environment the bench's probe marks
// `bench:first-screen` once N track names are on screen; TRACE_RATE=4 throttles the CPU 4×. The tool behind the page fixes of issue 14 (docs/browser-bench.md §6, §7).
import { writeFileSync } from 'node:fs';
import { launchChromium } from '@tidewire/testkit';
import { Child } from '../child.ts';
import type { ServerCommand, ServerReady, TreePage } from './messages.ts';
import { installProbe } from './probe.ts';
import { FIRST_SCREEN_SELECTOR } from './tree-pages.ts';

const FLAGS = ['--autoplay-policy=no-user-gesture-required', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const [path = '/replay/', secondsArg = '3', out = '/tmp/trace.json', expr] = process.argv.slice(2);
const seconds = Number(secondsArg);

const server = await Child.spawn<ServerCommand>(new URL('./server-entry.ts', import.meta.url));
const ready = server.ready as ServerReady;
const browser = await launchChromium({ extraFlags: FLAGS, viewport: { width: 1280, height: 800 } });
try {
  // A warm-up visit (server caches, HTTP cache is per context but the server's is not).
  const warm = await browser.context.newPage();
  await warm.goto(`${ready.url}${path}`);
  await warm.waitForTimeout(1500);
  await warm.close();
  const page = await browser.context.newPage();
  // The bench's probe, so the first screenful is a mark in the trace (tree pages only).
  const firstScreenMin = Number(process.env.TRACE_FIRST_SCREEN ?? 0);
  await page.addInitScript({
    content: `globalThis.__name = (f) => f;\n(${installProbe.toString()})(${JSON.stringify({ selector: FIRST_SCREEN_SELECTOR, min: firstScreenMin })});`,
  });
  const cdp = await browser.context.newCDPSession(page);
  // TRACE_RATE=4: the bench's 4× CPU throttling.
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: Number(process.env.TRACE_RATE ?? 1) });
  const events: unknown[] = [];
  cdp.on('Tracing.dataCollected', (e: { value: unknown[] }) => events.push(...e.value));
  const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
  const traceConfig = {
    includedCategories: [
      'devtools.timeline',
      'disabled-by-default-devtools.timeline',
      'v8.execute',
      'blink.user_timing',
      'disabled-by-default-v8.cpu_profiler',
      'toplevel',
      'loading',
    ],
  };
  if (expr === undefined) {
    await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig });
    await page.goto(`${ready.url}${path}`, { waitUntil: 'commit' });
  } else {
    await page.goto(`${ready.url}${path}`, { waitUntil: 'commit' });
    await page.waitForTimeout(2000);
    await cdp.send('Tracing.start', { transferMode: 'ReportEvents', traceConfig });
    // `storm:PAGE` runs the bench's storm on PAGE's channel (liveset50 or demo17k) for the
    // traced seconds instead of evaluating an expression.
    const storm = /^storm:(liveset50|demo17k)$/.exec(expr);
    if (storm) void server.call({ cmd: 'storm', page: storm[1] as TreePage, rate: 1000, seconds });
    else await page.evaluate(expr);
  }
  await page.waitForTimeout(seconds * 1000);
  const marks = await page.evaluate(() => performance.getEntriesByType('mark').map((m) => `${m.name}@${Math.round(m.startTime)}`));
  if (firstScreenMin > 0) {
    const load = await page.evaluate(() => (window as unknown as { __bench: { load(): { firstScreenAt: number | null; visible: number } } }).__bench.load());
    console.error(
      `first screen (${firstScreenMin} names) at ${load.firstScreenAt === null ? '–' : Math.round(load.firstScreenAt)} ms; ${load.visible} names on screen at the end`,
    );
  }
  await cdp.send('Tracing.end');
  await done;
  writeFileSync(out, JSON.stringify({ traceEvents: events }));
  console.error(`marks: ${marks.join(' ')}`);
  summarise(events as TraceEvent[]);
} finally {
  await browser.close();
  await server.exit();
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { data?: Record<string, unknown> };
}

/** Long main-thread tasks, and for each the trace's own events inside it that took longest. */
function summarise(ev: TraceEvent[]): void {
  const t0 = Math.min(...ev.filter((e) => e.name === 'navigationStart' || e.name === 'TracingStartedInBrowser').map((e) => e.ts));
  const tasks = ev.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) > 30_000);
  for (const t of tasks) {
    const inner = ev
      .filter((e) => e.pid === t.pid && e.tid === t.tid && e.ts >= t.ts && e.ts < t.ts + t.dur! && e.name !== 'RunTask' && (e.dur ?? 0) > 5_000)
      .sort((a, b) => b.dur! - a.dur!)
      .slice(0, 8)
      .map((e) => {
        const d = e.args?.data ?? {};
        const what = (d.url as string | undefined)?.split('/').pop() ?? (d.functionName as string | undefined) ?? (d.type as string | undefined) ?? '';
        return `${e.name}${what ? `(${what}${d.lineNumber !== undefined ? `:${d.lineNumber as number}` : ''})` : ''} ${(e.dur! / 1000).toFixed(1)}`;
      });
    console.error(`task @${((t.ts - t0) / 1000).toFixed(0)} ms ${(t.dur! / 1000).toFixed(1)} ms [pid ${t.pid} tid ${t.tid}]: ${inner.join(', ')}`);
  }
}
