// docs/studio.md §1.3 jobs and library, §1.5 the live job channel, §1.8 metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { TidewireClient } from '@tidewire/client';
import { WebSocket } from 'ws';
import type { JobStatus } from '../src/model.ts';
import { sampleStory, startStudio } from './server-helpers.ts';
import type { StudioFixture } from './server-helpers.ts';

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

async function renderOne(f: StudioFixture, id = 'tide'): Promise<JobStatus> {
  await fetch(`${f.api}/stories/${id}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(sampleStory(id, 'Tides: "in" & out/back')),
  });
  const res = await fetch(`${f.api}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storyId: id }) });
  assert.equal(res.status, 202);
  const job = (await res.json()) as JobStatus;
  for (let i = 0; i < 300; i++) {
    const s = await f.queue.get(job.id);
    if (s && ['completed', 'failed', 'cancelled'].includes(s.state)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the job did not finish');
}

test('§1.3 a submitted story renders into the library; the MP4 answers range requests with the exact bytes', async (t) => {
  const f = await startStudio(t);
  const done = await renderOne(f);
  assert.equal(done.state, 'completed', JSON.stringify(done.error));
  const lib = (await (await fetch(`${f.api}/library`)).json()) as { total: number; entries: { id: string; title: string; bytes: number }[] };
  assert.equal(lib.total, 1);
  const entry = lib.entries[0]!;
  assert.equal(entry.id, done.outputId);
  const full = await get(`${f.api}/library/${entry.id}/video`, { 'accept-encoding': 'gzip, br' });
  assert.equal(full.status, 200);
  assert.equal(full.headers['accept-ranges'], 'bytes');
  assert.equal(full.headers['content-type'], 'video/mp4');
  assert.equal(full.headers['content-encoding'], undefined, 'media is not compressed');
  assert.equal(full.body.length, entry.bytes);
  assert.equal(full.body.subarray(4, 8).toString(), 'ftyp');
  const size = full.body.length;
  for (const [range, start, end] of [
    ['bytes=0-99', 0, 99],
    ['bytes=1000-', 1000, size - 1],
    ['bytes=-500', size - 500, size - 1],
    [`bytes=${size - 10}-${size + 1000}`, size - 10, size - 1],
  ] as const) {
    const part = await get(`${f.api}/library/${entry.id}/video`, { range, 'accept-encoding': 'gzip, br' });
    assert.equal(part.status, 206, range);
    assert.equal(part.headers['content-range'], `bytes ${start}-${end}/${size}`, range);
    assert.equal(Number(part.headers['content-length']), end - start + 1);
    assert.deepEqual(part.body, full.body.subarray(start, end + 1), range);
  }
  const past = await get(`${f.api}/library/${entry.id}/video`, { range: `bytes=${size}-` });
  assert.equal(past.status, 416);
  assert.equal(past.headers['content-range'], `bytes */${size}`);
  const stale = await get(`${f.api}/library/${entry.id}/video`, { range: 'bytes=0-9', 'if-range': '"not-it"' });
  assert.equal(stale.status, 200, 'a stale If-Range gets the whole file');

  const dl = await get(`${f.api}/library/${entry.id}/download`);
  assert.equal(dl.status, 200);
  assert.equal(
    dl.headers['content-disposition'],
    `attachment; filename="Tides_ _in_ _ out_back.mp4"; filename*=UTF-8''Tides%3A%20%22in%22%20%26%20out%2Fback.mp4`,
  );
  const thumb = await get(`${f.api}/library/${entry.id}/thumbnail`);
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers['content-type'], 'image/jpeg');
  assert.match(String(thumb.headers['cache-control']), /max-age=\d+/);
  const again = await get(`${f.api}/library/${entry.id}/thumbnail`, { 'if-none-match': String(thumb.headers.etag) });
  assert.equal(again.status, 304, 'thumbnails revalidate by ETag');
});

test('§1.3 a library thumbnail missing on disk is made lazily from the MP4', async (t) => {
  const f = await startStudio(t);
  const done = await renderOne(f);
  const { rmSync } = await import('node:fs');
  rmSync(`${f.dataDir}/renders/${done.outputId}.jpg`);
  const thumb = await get(`${f.api}/library/${done.outputId}/thumbnail`);
  assert.equal(thumb.status, 200);
  assert.ok(thumb.body.length > 0 && thumb.body.length <= 30 * 1024);
});

test('§1.5 job progress arrives through tree channel `studio`, no polling', async (t) => {
  const f = await startStudio(t);
  const client = new TidewireClient({ url: f.url, WebSocket });
  t.after(() => client.close());
  const sub = client.tree(f.studio.channel);
  const seen: string[] = [];
  sub.on('ops', () => {
    for (const c of sub.tree!.get('jobs')?.children ?? []) seen.push(`${c.attrs.state}:${c.attrs.stage ?? '-'}:${c.attrs.progress}`);
  });
  await sub.ready();
  const done = await renderOne(f);
  await sub.waitFor((s) => s.tree!.get(done.id)?.attrs.state === 'completed', { timeoutMs: 10_000 });
  const node = sub.tree!.get(done.id)!;
  assert.equal(node.attrs.state, 'completed');
  assert.equal(node.attrs.outputId, done.outputId);
  assert.ok(
    seen.some((s) => s.startsWith('active:compose')),
    seen.join(' '),
  );
  assert.ok(new Set(seen).size >= 4, `several distinct states/stages seen: ${[...new Set(seen)].join(' ')}`);
});

test('§1.3 cancel stops a job; unknown ids are STUDIO_NOT_FOUND, bad ones STUDIO_BAD_NAME', async (t) => {
  const f = await startStudio(t, { worker: false });
  await fetch(`${f.api}/stories/c`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sampleStory('c')) });
  const job = (await (
    await fetch(`${f.api}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storyId: 'c' }) })
  ).json()) as JobStatus;
  const cancel = await fetch(`${f.api}/jobs/${job.id}/cancel`, { method: 'POST' });
  assert.deepEqual(await cancel.json(), { cancelled: true });
  const list = (await (await fetch(`${f.api}/jobs`)).json()) as { jobs: JobStatus[] };
  assert.equal(list.jobs[0]!.state, 'cancelled');
  assert.equal(((await (await fetch(`${f.api}/jobs/nope/cancel`, { method: 'POST' })).json()) as { code: string }).code, 'STUDIO_NOT_FOUND');
  assert.equal(((await (await fetch(`${f.api}/jobs/a%2Fb/cancel`, { method: 'POST' })).json()) as { code: string }).code, 'STUDIO_BAD_NAME');
  assert.equal(
    (
      (await (await fetch(`${f.api}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"storyId":"missing"}' })).json()) as {
        code: string;
      }
    ).code,
    'STUDIO_NOT_FOUND',
  );
});

test('§1.8 /metrics has jobs by state, queue depth, stage durations, child processes and cache bytes', async (t) => {
  let children = 3;
  const f = await startStudio(t, { liveChildren: () => children }, { defaultMetrics: true });
  await renderOne(f);
  const text = await (await fetch(`${f.url}/metrics`)).text();
  assert.match(text, /studio_jobs\{state="completed"\} 1/);
  assert.match(text, /studio_queue_depth 0/);
  assert.match(text, /studio_stage_duration_seconds_count\{stage="compose"\} 1/);
  assert.match(text, /studio_child_processes 3/);
  assert.match(text, /studio_cache_bytes\{kind="renders"\} [1-9]\d*/);
  // The render went through the caches: its clips in memory, its intermediates (the builtin
  // background; its WAVs unless an earlier test left the clips in memory) in <dataDir>/cache/render.
  assert.match(text, /studio_cache_bytes\{kind="memory"\} [1-9]\d*/);
  assert.match(text, /studio_cache_bytes\{kind="disk"\} [1-9]\d*/);
  assert.ok(
    readdirSync(join(f.dataDir, 'cache', 'render')).some((n) => n.includes('aurora')),
    'the render cache is under the data dir',
  );
  assert.match(text, /nodejs_eventloop_lag_seconds/);
  children = 0;
  assert.match(await (await fetch(`${f.url}/metrics`)).text(), /studio_child_processes 0/);
});

test('§1.5 a failed render shows its error code and message on its job node, and leaves no scratch folder', async (t) => {
  const { StudioError } = await import('../src/errors.ts');
  const f = await startStudio(t, {
    render: async (_story, o) => {
      o.onProgress?.('voice', 0.5);
      throw new StudioError('STUDIO_TOOL_FAILED', 'espeak-ng exited with 1: no such voice');
    },
  });
  const client = new TidewireClient({ url: f.url, WebSocket });
  t.after(() => client.close());
  const sub = client.tree(f.studio.channel);
  await sub.ready();
  const done = await renderOne(f, 'failing');
  assert.equal(done.state, 'failed');
  await sub.waitFor((s) => s.tree!.get(done.id)?.attrs.state === 'failed', { timeoutMs: 10_000 });
  const a = sub.tree!.get(done.id)!.attrs;
  assert.equal(a.errorCode, 'STUDIO_TOOL_FAILED');
  assert.match(String(a.errorMessage), /no such voice/);
  assert.deepEqual(readdirSync(`${f.dataDir}/work`), []);
  assert.equal(((await (await fetch(`${f.api}/library`)).json()) as { total: number }).total, 0);
});

test('§1.5 a client that reconnects mid-render resumes the job list and sees the job finish', async (t) => {
  const { stubRender } = await import('./server-helpers.ts');
  const f = await startStudio(t, { render: stubRender({ stageMs: 600 }) });
  const client = new TidewireClient({ url: f.url, WebSocket, reconnect: { minDelayMs: 10, maxDelayMs: 50 } });
  t.after(() => client.close());
  const sub = client.tree(f.studio.channel);
  await sub.ready();
  const finished = renderOne(f, 'reconnect');
  await sub.waitFor((s) => s.tree!.get('jobs')!.children.some((c) => c.attrs.state === 'active'), { timeoutMs: 10_000 });
  client.reconnect();
  const done = await finished;
  await sub.waitFor((s) => s.tree!.get(done.id)?.attrs.state === 'completed', { timeoutMs: 10_000 });
  await sub.waitFor((s) => s.rootHash === (f.server.channel(f.studio.channel) as { tree: { rootHash: string } }).tree.rootHash, { timeoutMs: 10_000 });
});

test('§1.3 past the render quota a new job is STUDIO_QUOTA', async (t) => {
  const f = await startStudio(t, { renderQuotaBytes: 1 });
  assert.equal((await renderOne(f, 'first')).state, 'completed');
  const res = await fetch(`${f.api}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storyId: 'first' }) });
  assert.equal(res.status, 507);
  assert.equal(((await res.json()) as { code: string }).code, 'STUDIO_QUOTA');
});

test('§1.3 a render finished by a worker in another process is listed in the library', async (t) => {
  const { workerProcessHandler } = await import('../src/server/worker.ts');
  const { smallRender } = await import('./server-helpers.ts');
  const f = await startStudio(t, { worker: false });
  // "Another process": the worker command's handler (its own Library and state dir on the same data dir), fed by the same queue.
  const worker = f.queue.process(await workerProcessHandler(f.dataDir, `${f.dataDir}/state/other`, smallRender));
  t.after(() => worker.close());
  const done = await renderOne(f, 'elsewhere');
  assert.equal(done.state, 'completed');
  let lib = { total: 0, entries: [] as { id: string }[] };
  for (let i = 0; i < 40 && lib.total === 0; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 50));
    lib = (await (await fetch(`${f.api}/library`)).json()) as typeof lib;
  }
  assert.equal(lib.total, 1);
  assert.equal(lib.entries[0]!.id, done.outputId);
});

test('§1.1 closing the studio mid-render kills every render child, removes the partial output and the scratch folder', async (t) => {
  const { liveChildPids } = await import('../src/render/process.ts');
  const { readdirSync, readFileSync } = await import('node:fs');
  const f = await startStudio(t);
  const story = sampleStory('closing');
  story.scenes = Array.from({ length: 6 }, (_, i) => ({
    ...story.scenes[1]!,
    id: `s${i + 1}`,
    text: `Scene ${i + 1} of the closing story.`,
    caption: `Scene ${i + 1}`,
  }));
  await fetch(`${f.api}/stories/closing`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(story) });
  await fetch(`${f.api}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storyId: 'closing' }) });
  // Close while the compose ffmpeg writes its partial output.
  let pids: number[] = [];
  for (let i = 0; i < 4000 && pids.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
    if (readdirSync(`${f.dataDir}/renders`).some((n) => n.includes('.partial.'))) pids = liveChildPids();
  }
  assert.ok(pids.length > 0, 'the compose ffmpeg ran');
  await f.studio.close();
  const alive = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  };
  assert.deepEqual([...pids, ...liveChildPids()].filter(alive), [], 'no render child outlives close()');
  assert.deepEqual(
    readdirSync(`${f.dataDir}/renders`).filter((n) => n.startsWith('.')),
    [],
    'no partial output',
  );
  assert.deepEqual(readdirSync(`${f.dataDir}/work`), [], 'no scratch folder');
});

test('§1.1 a studio whose Redis does not answer fails to start with STUDIO_QUEUE_UNREACHABLE instead of hanging', async () => {
  const { createServer } = await import('@tidewire/server');
  const { mountStudio } = await import('../src/index.ts');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dataDir = mkdtempSync(`${tmpdir()}/studio-noredis-`);
  const server = await createServer({ port: 0, defaultMetrics: false });
  try {
    const started = Date.now();
    // Port 1 on loopback: nothing listens there.
    await assert.rejects(mountStudio(server, { dataDir, redis: 'redis://127.0.0.1:1', redisTimeoutMs: 500 }), { code: 'STUDIO_QUEUE_UNREACHABLE' });
    assert.ok(Date.now() - started < 5000);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("§1.1 a second studio on the same data dir is STUDIO_DATA_DIR_BUSY (it would kill the first one's renders); after close it may start", async (t) => {
  const { createServer } = await import('@tidewire/server');
  const { mountStudio } = await import('../src/index.ts');
  const f = await startStudio(t);
  const other = await createServer({ port: 0, defaultMetrics: false });
  t.after(() => other.close());
  await assert.rejects(mountStudio(other, { dataDir: f.dataDir }), { code: 'STUDIO_DATA_DIR_BUSY' });
  await f.studio.close();
  const again = await mountStudio(other, { dataDir: f.dataDir });
  await again.close();
});
