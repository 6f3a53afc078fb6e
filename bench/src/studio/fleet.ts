// The studio suite's server-side phases: the studio server in its own process (mountStudio on the
// Redis queue, bench/src/studio/server-entry.ts) and one render worker process at a time
// (bench/src/studio/worker-entry.ts, 2 renders at once). Drives N small jobs through the HTTP
// API, cancels some mid-render, kills the worker with SIGKILL mid-job several times (a new one
// cleans up after it), samples memory from /proc, then measures the page in Chromium.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '@tidewire/testkit';
import { STUDIO_DIST } from '@tidewire/studio';
import { serverProcessEnv } from 'tidewire/process-env';
import { dirBytes, MB, orphans, rssBytes, treeRssBytes } from './procs.ts';

export { STUDIO_DIST };
const ENTRIES = fileURLToPath(new URL('./', import.meta.url));
const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** Short enough that a killed worker's job is taken over within seconds. */
const LOCK_MS = 2000;

interface JobStatus {
  id: string;
  state: string;
  progress: number;
  attempts: number;
}

function forkEntry(
  file: string,
  args: string[],
  execArgv: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): { child: ChildProcess; first: Promise<Record<string, unknown>> } {
  const child = fork(join(ENTRIES, file), args, {
    execArgv: [...execArgv, '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env,
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, unknown>));
    child.once('exit', (code, sig) => reject(new Error(`${file} exited (${code ?? sig}) before it was ready: ${err}`)));
  });
  first.catch(() => {});
  return { child, first };
}

/** What the server holds at one reading (bytes). */
interface Settled {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** Committed size of V8's young generation: it grows with the work done and shrinks when the process rests. */
  newSpace: number;
}

/**
 * How long the server rests (no request from the bench, no job) before a reading. V8 grows its
 * young generation up to 16 MB semi-spaces while a process works and gives it back only when its
 * memory reducer sees a low allocation rate (it first looks ~8 s after a full GC). Without the rest
 * the reading after 100 jobs carried up to 28 MB of empty young generation that the reading after
 * 10 did not (new_space 4 → 32 MB with a flat heapUsed), which is GC sizing, not retention.
 */
const REST_MS = 15_000;

/**
 * The server's VmRSS at rest, after a full garbage collection in it: what it retains, without
 * the garbage a collection would free at some moment or the young generation it grew while busy
 * (the growth target is about leaks, not GC timing).
 */
async function settledRss(child: ChildProcess): Promise<Settled> {
  await new Promise((r) => setTimeout(r, REST_MS));
  const done = new Promise<NodeJS.MemoryUsage & { newSpace: number }>((r) =>
    child.once('message', (m) => r((m as { memory: NodeJS.MemoryUsage & { newSpace: number } }).memory)),
  );
  child.send({ cmd: 'gc' });
  const memory = await done;
  await new Promise((r) => setTimeout(r, 100));
  // heapUsed and external (from the server itself) tell a retained-object leak from memory the allocator keeps.
  return { rss: rssBytes(child.pid!), heapUsed: memory.heapUsed, heapTotal: memory.heapTotal, external: memory.external, newSpace: memory.newSpace };
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

class Api {
  constructor(readonly base: string) {}
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/studio/api${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }
  jobs(): Promise<Map<string, JobStatus>> {
    return this.call<{ jobs: JobStatus[] }>('GET', '/jobs').then((r) => new Map(r.jobs.map((j) => [j.id, j])));
  }
}

export interface FleetOptions {
  /** The run's temp folder (everything lives under it; orphans are looked for by it). */
  dir: string;
  redisUrl: string;
  jobs: number;
  cancel: number;
  kills: number;
  /** Page loads for the time to interactive (median). */
  loads: number;
  log(m: string): void;
}

export interface FleetResult {
  memory: {
    rssAfter10Mb: number;
    rssAfter100Mb: number;
    heapUsedAfter10Mb: number;
    heapUsedAfter100Mb: number;
    externalAfter10Mb: number;
    externalAfter100Mb: number;
    heapTotalAfter10Mb: number;
    heapTotalAfter100Mb: number;
    newSpaceAfter10Mb: number;
    newSpaceAfter100Mb: number;
    peakServerMb: number;
    peakTotalMb: number;
    orphans: number;
    tempBytesLeft: number;
  };
  jobs: {
    submitted: number;
    completed: number;
    failed: number;
    cancelled: number;
    workerKills: number;
    killedGroupsCleaned: number;
    seconds: number;
    rssAfterJobs: [number, number];
  };
  ui: {
    initialJsGzipBytes: number;
    initialJsFiles: string[];
    ttiMs: number;
    ttiSamples: number[];
    longestTaskMs: number;
    rendersObserved: number;
    renderSecondsObserved: number;
  };
  orphanList: { pid: number; cmd: string }[];
}

/**
 * The JS the page loads before it is interactive: the entry chunk index.html loads and every
 * script the page fetched before it marked itself ready (the first tab's chunk, its preloads),
 * each file from the built dist gzipped at level 9.
 */
export function initialJs(dist: string, loadedPaths: string[]): { bytes: number; files: string[] } {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = new Set<string>();
  for (const m of html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g)) files.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g)) files.add(m[1]!);
  for (const p of loadedPaths) files.add(p);
  let bytes = 0;
  const names = new Set([...files].map((f) => f.replace(/^(https?:\/\/[^/]+)?\/?(studio\/)?/, '')));
  for (const f of names) bytes += gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
  return { bytes, files: [...names].sort() };
}

export async function runFleet(o: FleetOptions): Promise<FleetResult> {
  const dataDir = join(o.dir, 'studio-data');
  const queueName = `bench-studio-${process.pid}`;
  const server = forkEntry('server-entry.ts', [dataDir, o.redisUrl, queueName, STUDIO_DIST], ['--expose-gc'], serverProcessEnv()); // what `npm start` gives the server
  const { url } = (await server.first) as { url: string };
  const serverPid = server.child.pid!;
  let worker = forkEntry('worker-entry.ts', [dataDir, o.redisUrl, queueName, '2', String(LOCK_MS)]);
  await worker.first;
  const api = new Api(url);
  const retired: ChildProcess[] = [];
  let peakServer = 0;
  let peakTotal = 0;
  const sample = () => {
    peakServer = Math.max(peakServer, rssBytes(serverPid));
    peakTotal = Math.max(peakTotal, treeRssBytes([serverPid, worker.child.pid!]));
  };
  const sampler = setInterval(sample, 200);
  try {
    // 2 scenes of a few words each: a ~3 s 1080×1920 video on the default builtin background. One
    // story per job, numbered, so every job speaks new text (the clip caches fill as in real use).
    const newStory = (n: number) =>
      api.call<{ id: string }>('POST', '/stories', { title: `Harbour ${n}`, script: `Boat ${n} wakes up before the sun.\n\nThe gulls circle the mast.` });
    const story = await newStory(0);
    const every = (n: number) => new Set(Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * o.jobs) / Math.max(n, 1))));
    const cancelAt = every(o.cancel);
    const killAt = new Set([...every(o.kills)].map((i) => (cancelAt.has(i) ? i + 1 : i)).filter((i) => i < o.jobs));
    const ids: string[] = [];
    const acted = new Set<number>();
    let kills = 0;
    let cleaned = 0;
    let after10: Settled | undefined;
    const tenMark = Math.min(10, Math.floor(o.jobs / 2));
    const t0 = performance.now();
    const deadline = Date.now() + Math.max(180_000, o.jobs * 30_000);
    let statuses = new Map<string, JobStatus>();
    let finished = 0;
    while (finished < o.jobs) {
      if (Date.now() > deadline) throw new Error(`jobs did not finish in time: ${finished}/${o.jobs}`);
      statuses = await api.jobs();
      finished = ids.filter((id) => TERMINAL.has(statuses.get(id)?.state ?? '')).length;
      // The first reading waits until the first ten jobs are done and nothing else was submitted,
      // so both readings see a server at rest after N jobs.
      if (!after10 && finished >= tenMark) after10 = await settledRss(server.child);
      // Two rendering and one waiting: the worker never idles and the queue stays short.
      while (ids.length < o.jobs && ids.length - finished < 3 && (after10 !== undefined || ids.length < tenMark)) {
        const s = await api.call<{ id: string }>('POST', '/jobs', { storyId: (await newStory(ids.length + 1)).id });
        ids.push(s.id);
        o.log(`job ${ids.length}/${o.jobs} submitted`);
      }
      for (const [i, id] of ids.entries()) {
        const s = statuses.get(id);
        if (acted.has(i) || s?.state !== 'active' || s.progress < 0.15) continue;
        if (cancelAt.has(i)) {
          acted.add(i);
          await api.call('POST', `/jobs/${id}/cancel`);
          o.log(`job ${i + 1} cancelled mid-render (${Math.round(s.progress * 100)} %)`);
        } else if (killAt.has(i)) {
          acted.add(i);
          process.kill(worker.child.pid!, 'SIGKILL');
          kills++;
          o.log(`worker ${worker.child.pid} killed with SIGKILL during job ${i + 1} (${Math.round(s.progress * 100)} %)`);
          await exited(worker.child);
          retired.push(worker.child);
          worker = forkEntry('worker-entry.ts', [dataDir, o.redisUrl, queueName, '2', String(LOCK_MS)]);
          const ready = (await worker.first) as { cleanup: { killedGroups: number } };
          cleaned += ready.cleanup.killedGroups;
        }
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    const seconds = (performance.now() - t0) / 1000;
    const after100 = await settledRss(server.child);
    const rssAfter10 = after10?.rss ?? 0;
    const rssAfter100 = after100.rss;
    const count = (state: string) => ids.filter((id) => statuses.get(id)?.state === state).length;
    o.log(`${o.jobs} jobs done in ${seconds.toFixed(0)} s; server RSS ${(rssAfter10 / MB).toFixed(1)} → ${(rssAfter100 / MB).toFixed(1)} MB`);

    const ui = await measurePage(url, api, story.id, o);
    clearInterval(sampler);

    // Shut down as an operator would, then look for what was left behind.
    server.child.send({ cmd: 'exit' });
    worker.child.kill('SIGTERM');
    await Promise.all([exited(server.child), exited(worker.child)]);
    await new Promise((r) => setTimeout(r, 300));
    const left = orphans(o.dir);
    const work = join(dataDir, 'work');
    // The render cache (spoken WAVs, builtin backgrounds; LRU under a quota, docs/studio.md §5.10) is kept on purpose; everything else under work/ is scratch.
    const tempBytesLeft = dirBytes(work, (n) => n === 'cache') + partials(join(dataDir, 'renders'));
    return {
      memory: {
        rssAfter10Mb: rssAfter10 / MB,
        rssAfter100Mb: rssAfter100 / MB,
        heapUsedAfter10Mb: (after10?.heapUsed ?? 0) / MB,
        heapUsedAfter100Mb: after100.heapUsed / MB,
        externalAfter10Mb: (after10?.external ?? 0) / MB,
        heapTotalAfter10Mb: (after10?.heapTotal ?? 0) / MB,
        heapTotalAfter100Mb: after100.heapTotal / MB,
        newSpaceAfter10Mb: (after10?.newSpace ?? 0) / MB,
        newSpaceAfter100Mb: after100.newSpace / MB,
        externalAfter100Mb: after100.external / MB,
        peakServerMb: peakServer / MB,
        peakTotalMb: peakTotal / MB,
        orphans: left.length,
        tempBytesLeft,
      },
      jobs: {
        submitted: ids.length,
        completed: count('completed'),
        failed: count('failed'),
        cancelled: count('cancelled'),
        workerKills: kills,
        killedGroupsCleaned: cleaned,
        seconds,
        rssAfterJobs: [tenMark, o.jobs],
      },
      ui,
      orphanList: left,
    };
  } finally {
    clearInterval(sampler);
    for (const c of [server.child, worker.child]) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

/** Bytes of half-written renders (`.<name>.<hex>.partial.mp4`) left in the library folder. */
function partials(dir: string): number {
  return dirBytes(dir, (n) => !n.includes('.partial'));
}

async function measurePage(url: string, api: Api, storyId: string, o: FleetOptions): Promise<FleetResult['ui']> {
  const browser = await launchChromium({ viewport: { width: 1280, height: 800 } });
  try {
    // Ready = the first tab (the script editor) is on screen: the page has its story and can be
    // typed into. Plain JS text: a function would be serialized with tsx's __name helper in it.
    const ready = `
      window.__longTasks = [];
      new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: 'longtask', buffered: true });
      new MutationObserver(() => {
        if (window.__studioReady === undefined && document.querySelector('[data-testid="script"]')) window.__studioReady = performance.now();
      }).observe(document, { subtree: true, childList: true });`;
    const load = async (cacheDisabled: boolean) => {
      const page = await browser.context.newPage();
      await page.addInitScript({ content: ready });
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled });
      await page.goto(`${url}/studio/`);
      await page.waitForFunction(() => (window as unknown as { __studioReady?: number }).__studioReady !== undefined, null, { timeout: 30_000 });
      const ms = await page.evaluate(() => (window as unknown as { __studioReady: number }).__studioReady);
      const scripts = await page.evaluate(
        (t) =>
          performance
            .getEntriesByType('resource')
            .filter((e) => e.startTime <= t && new URL(e.name).pathname.endsWith('.js'))
            .map((e) => new URL(e.name).pathname),
        ms,
      );
      return { page, ms, scripts };
    };
    (await load(true)).page.close().catch(() => {}); // warm-up: Chromium's own first-run costs
    const samples: number[] = [];
    let scripts: string[] = [];
    for (let i = 0; i < o.loads; i++) {
      const first = await load(true);
      samples.push(first.ms);
      scripts = first.scripts;
      await first.page.close();
    }
    const js = initialJs(STUDIO_DIST, scripts);
    o.log(`time to interactive: ${samples.map((s) => s.toFixed(0)).join(', ')} ms`);

    // The longest main-thread task while two renders run (their progress arrives on the page).
    const { page } = await load(false);
    await page.locator('[data-testid="conn"][data-state="live"]').waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks = []));
    const t0 = performance.now();
    const jobs = await Promise.all([0, 1].map(() => api.call<{ id: string }>('POST', '/jobs', { storyId })));
    const deadline = Date.now() + 120_000;
    for (;;) {
      const s = await api.jobs();
      if (jobs.every((j) => TERMINAL.has(s.get(j.id)?.state ?? ''))) break;
      if (Date.now() > deadline) throw new Error('the two renders observed by the page did not finish');
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.waitForTimeout(300);
    const tasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
    const renderSeconds = (performance.now() - t0) / 1000;
    o.log(`two renders observed for ${renderSeconds.toFixed(1)} s: ${tasks.length} long task(s)`);
    if (browser.errors.length > 0) throw new Error(`page errors: ${browser.errors.join('; ')}`);
    samples.sort((a, b) => a - b);
    return {
      initialJsGzipBytes: js.bytes,
      initialJsFiles: js.files,
      ttiMs: samples[Math.floor(samples.length / 2)]!,
      ttiSamples: samples.map((s) => Math.round(s)),
      longestTaskMs: tasks.length > 0 ? Math.max(...tasks) : 0,
      rendersObserved: 2,
      renderSecondsObserved: renderSeconds,
    };
  } finally {
    await browser.close();
  }
}
