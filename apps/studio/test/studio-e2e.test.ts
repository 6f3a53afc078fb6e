// Media Studio end to end (issue 10), with real processes: the server in a process of its own
// (test/fixtures/studio-server.ts: the real embedded queue or BullMQ, the real pipeline, real
// ffmpeg and espeak-ng), killed with SIGKILL mid-render and restarted on the same data dir; and
// `tidewire studio worker` (test/fixtures/studio-cli.ts) in another process on a real Redis, its progress seen in Chromium.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ensureAppBuilt, launchChromium, redisAvailable, startRedis } from '@tidewire/testkit';
import type { JobStatus, Story } from '../src/model.ts';
import { withDeadline } from './queue-contract.ts';

const SERVER_ENTRY = fileURLToPath(new URL('./fixtures/studio-server.ts', import.meta.url));
/** `tidewire studio …`: the command apps/tidewire registers, as a process of its own. */
const STUDIO_CLI = fileURLToPath(new URL('./fixtures/studio-cli.ts', import.meta.url));
const FINISHED = new Set(['completed', 'failed', 'cancelled']);

interface Proc {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

/** Polls `probe` until it gives a value; fails with `timed out after N ms waiting for <what>`, even
 *  when a probe (an HTTP call to a stuck server) never settles. */
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000, everyMs = 20): Promise<T> {
  let stop = false;
  const poll = async (): Promise<T> => {
    for (;;) {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
      if (stop) throw new Error('stopped');
      await new Promise((r) => setTimeout(r, everyMs));
    }
  };
  try {
    return await withDeadline(poll(), timeoutMs, what);
  } finally {
    stop = true;
  }
}

/** Starts the studio server process on `dataDir`; resolves with its URL once it listens. */
async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<Proc & { url: string }> {
  const p = start(['--import', 'tsx', SERVER_ENTRY], { STUDIO_DATA_DIR: dataDir, ...env });
  let exitCode: number | null | undefined;
  void p.exited.then((c) => (exitCode = c));
  const url = await until('the studio server to listen', () => {
    if (exitCode !== undefined) throw new Error(`the server exited (${exitCode}):\n${p.output()}`);
    return /listening (http:\/\/\S+)/.exec(p.output())?.[1];
  });
  return { ...p, url };
}

/** Alive and not a zombie (the container keeps killed orphans as zombies: they count as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Live ffmpeg/espeak-ng processes whose command line mentions `dir`. */
function toolsUnder(dir: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const exe = argv[0]?.split('/').at(-1) ?? '';
    if ((exe === 'ffmpeg' || exe === 'espeak-ng') && argv.some((a) => a.includes(dir)) && alive(Number(name)))
      found.push({ pid: Number(name), cmd: argv.join(' ') });
  }
  return found;
}

/** Process groups recorded in the render ledgers under `stateDir/live/`. */
function ledgerPids(stateDir: string): number[] {
  const dir = join(stateDir, 'live');
  if (!existsSync(dir)) return [];
  const pids: number[] = [];
  for (const n of readdirSync(dir)) {
    try {
      for (const g of (JSON.parse(readFileSync(join(dir, n), 'utf8')) as { groups: { pid: number }[] }).groups) pids.push(g.pid);
    } catch {
      // a torn .tmp
    }
  }
  return pids;
}

/** A story of `scenes` short scenes (full 1080×1920: about a second of rendering per 2–3 scenes). */
function story(id: string, scenes: number): Story {
  const voice = { voice: 'en', rate: 170, pitch: 50 };
  const texts = Array.from({ length: scenes }, (_, i) => `Scene ${i + 1}: the tide turns over the harbour wall.`);
  return {
    id,
    title: `Story ${id}`,
    script: texts.join('\n\n'),
    scenes: texts.map((text, i) => ({
      id: `s${i + 1}`,
      text,
      caption: text,
      voice,
      background: i === 0 ? { kind: 'builtin', name: 'aurora' } : { kind: 'color', color: '#102030' },
      zoom: i % 2 === 0,
    })),
    format: '1080x1920',
    captions: { size: 64, position: 'bottom', wordHighlight: true },
    gapSeconds: 0.3,
    createdAt: 0,
    updatedAt: 0,
  };
}

async function submit(url: string, s: Story): Promise<JobStatus> {
  const put = await fetch(`${url}/studio/api/stories/${s.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(s) });
  assert.equal(put.status, 200, await put.text());
  const res = await fetch(`${url}/studio/api/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ storyId: s.id }),
  });
  assert.equal(res.status, 202);
  return (await res.json()) as JobStatus;
}

async function job(url: string, id: string): Promise<JobStatus | undefined> {
  const { jobs } = (await (await fetch(`${url}/studio/api/jobs`)).json()) as { jobs: JobStatus[] };
  return jobs.find((j) => j.id === id);
}

describe('§4 Media Studio end to end', { timeout: 240_000 }, () => {
  const procs: Proc[] = [];
  const dirs: string[] = [];
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const d of dirs) {
      // a safety net for a failing test: no render child outlives it
      for (const { pid } of toolsUnder(d))
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      rmSync(d, { recursive: true, force: true });
    }
  });
  const tempDir = (prefix: string) => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };

  it('§4.2 §5.6 a server killed with SIGKILL mid-render: after a restart the job is re-queued and completes, no ffmpeg/espeak-ng is left, no partial output is listed', async () => {
    const dataDir = tempDir('studio-e2e-kill-');
    const first = await startServer(dataDir);
    procs.push(first);
    const submitted = await submit(first.url, story('killed', 6));
    // Kill while the compose ffmpeg runs and its partial output is on disk beside the library's files.
    const running = await until(
      'the compose ffmpeg and its partial output',
      () => {
        const tools = toolsUnder(dataDir);
        const partial = readdirSync(join(dataDir, 'renders')).some((n) => n.includes('.partial.'));
        return partial && tools.some((t) => t.cmd.includes('.partial.mp4')) ? tools : undefined;
      },
      60_000,
      5,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const recorded = new Set([...ledgerPids(join(dataDir, 'state', 'server')), ...running.map((t) => t.pid)]);
    assert.ok(recorded.size > 0, 'the ledger recorded the render children');

    const second = await startServer(dataDir);
    procs.push(second);
    // The restarted server killed the orphans before it listened.
    const survivors = [...recorded].filter(alive);
    assert.deepEqual(survivors, [], `orphans of the killed server still running: ${survivors.join(', ')}`);

    const done = await until(
      'the re-queued job to finish',
      async () => {
        const s = await job(second.url, submitted.id);
        return s && FINISHED.has(s.state) ? s : undefined;
      },
      120_000,
      100,
    );
    if (done.state === 'failed') assert.ok(done.error?.code, 'a failed job says why');
    else assert.equal(done.state, 'completed', JSON.stringify(done));
    assert.ok(done.attempts >= 2, `ran again after the restart (attempts ${done.attempts})`);
    assert.deepEqual(
      toolsUnder(dataDir).map((t) => t.pid),
      [],
      'no ffmpeg/espeak-ng of this data dir is left',
    );

    const renders = readdirSync(join(dataDir, 'renders'));
    assert.deepEqual(
      renders.filter((n) => n.startsWith('.') || n.includes('partial')),
      [],
      `no partial output: ${renders.join(', ')}`,
    );
    const { entries } = (await (await fetch(`${second.url}/studio/api/library`)).json()) as { entries: { id: string }[] };
    assert.deepEqual(renders.sort(), done.state === 'completed' ? [`${done.outputId}.jpg`, `${done.outputId}.json`, `${done.outputId}.mp4`] : []);
    assert.deepEqual(
      entries.map((e) => e.id),
      done.state === 'completed' ? [done.outputId] : [],
    );
    assert.deepEqual(readdirSync(join(dataDir, 'work')), [], 'no scratch folder is left');

    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.output());
  });

  it(
    '§4.3 §4.4 a `tidewire studio worker` on Redis renders a job submitted through the server; its progress reaches the page in Chromium',
    { skip: redisAvailable() ? false : 'no redis-server' },
    async () => {
      ensureAppBuilt('studio', { quiet: true });
      const redis = await startRedis();
      after(() => redis.stop());
      const dataDir = tempDir('studio-e2e-redis-');
      // The server renders nothing itself: only the worker process can finish the job.
      const server = await startServer(dataDir, { STUDIO_REDIS: redis.url, STUDIO_WORKER: 'off' });
      procs.push(server);
      const worker = start(['--import', 'tsx', STUDIO_CLI, 'worker', '--redis', redis.url, '--data-dir', dataDir, '--concurrency', '1'], {});
      procs.push(worker);
      await until('the worker to start', () => worker.output().includes('studio worker:') || undefined);

      const browser = await launchChromium();
      after(() => browser.close());
      const { page } = browser;
      await page.goto(`${server.url}/studio/`);
      await page.locator('[data-testid="conn"][data-state="live"]').waitFor({ timeout: 30_000 });
      await page.evaluate(() => {
        const w = window as unknown as { __progress: string[] };
        w.__progress = [];
        new MutationObserver(() => {
          for (const el of Array.from(document.querySelectorAll('[data-job]'))) {
            const bar = el.querySelector('[role="progressbar"]');
            w.__progress.push(`${(el as HTMLElement).dataset.job}:${(el as HTMLElement).dataset.state}:${bar?.getAttribute('aria-valuenow') ?? '-'}`);
          }
        }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
      });

      const submitted = await submit(server.url, story('elsewhere', 3));
      await page.locator(`[data-job="${submitted.id}"][data-state="completed"]`).waitFor({ timeout: 90_000 });
      const seen = (await page.evaluate(() => (window as unknown as { __progress: string[] }).__progress)).filter((p) => p.startsWith(`${submitted.id}:`));
      const active = new Set(seen.filter((p) => p.includes(':active:')));
      assert.ok(active.size >= 2, `several progress steps while active reached the page: ${[...new Set(seen)].join(' ')}`);

      const done = (await job(server.url, submitted.id))!;
      assert.equal(done.state, 'completed', JSON.stringify(done));
      assert.ok(existsSync(join(dataDir, 'renders', `${done.outputId}.mp4`)));
      const { entries } = (await (await fetch(`${server.url}/studio/api/library`)).json()) as { entries: { id: string }[] };
      assert.deepEqual(
        entries.map((e) => e.id),
        [done.outputId],
        'the server lists the render the worker made',
      );
      assert.deepEqual(browser.errors, []);

      worker.child.kill('SIGTERM');
      assert.equal(await worker.exited, 0, worker.output());
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output());
      assert.deepEqual(
        toolsUnder(dataDir).map((t) => t.pid),
        [],
      );
    },
  );
});
