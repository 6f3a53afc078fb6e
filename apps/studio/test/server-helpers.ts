// Test fixtures for the server and browser tests.
//
// MERGE STUBS — each is one line to swap once B1/B2 are merged:
//   - MemoryQueue  → `new EmbeddedQueue({ dir })` from ../src/queue (B2)
//   - stubRender   → `renderStory` from ../src/render (B1)
// Until then these stand in for them, following the contracts in src/queue/types.ts and
// src/render/types.ts. The stub renderer still makes a real MP4 and JPEG with FFmpeg, so range
// requests and playback are tested on real media.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createServer } from '@tidewire/server';
import type { ServerOptions, TidewireServer } from '@tidewire/server';
import type { JobState, JobStatus, RenderRequest, Stage, Story } from '../src/model.ts';
import { STAGES } from '../src/model.ts';
import type { AddJobOptions, JobContext, JobHandler, JobQueue, QueueWorker } from '../src/queue/types.ts';
import type { RenderOptions, RenderOutput } from '../src/render/types.ts';
import { StudioError } from '../src/errors.ts';
import { mountStudio } from '../src/index.ts';
import type { MountedStudio, StudioOptions } from '../src/index.ts';

/** MERGE STUB for B2's EmbeddedQueue: in memory, one attempt, same status events. */
export class MemoryQueue implements JobQueue {
  private readonly jobs = new Map<string, { status: JobStatus; request: RenderRequest; abort: AbortController }>();
  private readonly listeners = new Set<(s: JobStatus) => void>();
  private readonly pending: string[] = [];
  private handler: JobHandler | undefined;
  private running = 0;
  private concurrency = 1;
  private next = 1;

  async add(request: RenderRequest, _options?: AddJobOptions): Promise<JobStatus> {
    const id = `job${this.next++}`;
    const status: JobStatus = { id, storyId: request.story.id, title: request.story.title, state: 'queued', progress: 0, attempts: 0, createdAt: Date.now() };
    this.jobs.set(id, { status, request, abort: new AbortController() });
    this.pending.push(id);
    this.emit(status);
    queueMicrotask(() => this.pump());
    return { ...status };
  }

  async cancel(id: string): Promise<boolean> {
    const j = this.jobs.get(id);
    if (!j || ['completed', 'failed', 'cancelled'].includes(j.status.state)) return false;
    j.abort.abort();
    if (j.status.state === 'queued') this.finish(id, { state: 'cancelled' });
    return true;
  }

  async get(id: string): Promise<JobStatus | undefined> {
    const j = this.jobs.get(id);
    return j && { ...j.status };
  }

  async list(): Promise<JobStatus[]> {
    return [...this.jobs.values()].map((j) => ({ ...j.status })).reverse();
  }

  onStatus(listener: (status: JobStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  process(handler: JobHandler, options?: { concurrency?: number }): QueueWorker {
    this.handler = handler;
    this.concurrency = options?.concurrency ?? 1;
    queueMicrotask(() => this.pump());
    return { close: async () => void (this.handler = undefined) };
  }

  async counts(): Promise<Record<JobState, number>> {
    const c: Record<JobState, number> = { queued: 0, active: 0, retrying: 0, completed: 0, failed: 0, cancelled: 0 };
    for (const j of this.jobs.values()) c[j.status.state]++;
    return c;
  }

  async close(): Promise<void> {
    for (const j of this.jobs.values()) j.abort.abort();
    this.handler = undefined;
  }

  private emit(s: JobStatus): void {
    for (const l of this.listeners) l({ ...s });
  }

  private finish(id: string, patch: Partial<JobStatus>): void {
    const j = this.jobs.get(id)!;
    j.status = { ...j.status, ...patch, finishedAt: Date.now() };
    this.emit(j.status);
  }

  private pump(): void {
    while (this.handler && this.running < this.concurrency && this.pending.length > 0) {
      const id = this.pending.shift()!;
      const j = this.jobs.get(id)!;
      if (j.status.state !== 'queued') continue;
      this.running++;
      j.status = { ...j.status, state: 'active', attempts: 1, startedAt: Date.now() };
      this.emit(j.status);
      const ctx: JobContext = {
        id,
        data: j.request,
        attempt: 1,
        signal: j.abort.signal,
        progress: (stage: Stage, fraction: number) => {
          const i = STAGES.indexOf(stage);
          j.status = { ...j.status, stage, progress: (i + Math.min(1, Math.max(0, fraction))) / STAGES.length };
          this.emit(j.status);
        },
      };
      this.handler(ctx)
        .then((r) => this.finish(id, { state: 'completed', progress: 1, outputId: r.outputId }))
        .catch((err: unknown) => {
          if (j.abort.signal.aborted) this.finish(id, { state: 'cancelled' });
          else this.finish(id, { state: 'failed', error: { code: (err as StudioError).code ?? 'ERROR', message: (err as Error).message } });
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}

function ffmpeg(args: string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err = (err + c).slice(-2000)));
    const kill = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', kill, { once: true });
    child.on('error', reject);
    child.on('close', (code) => {
      signal?.removeEventListener('abort', kill);
      if (signal?.aborted) reject(new StudioError('STUDIO_CANCELLED', 'cancelled'));
      else if (code === 0) resolve();
      else reject(new StudioError('STUDIO_TOOL_FAILED', err));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** MERGE STUB for B1's renderStory: a real 2-second H.264/AAC MP4 and a JPEG, with paced progress. */
export function stubRender(options: { stageMs?: number } = {}) {
  const stageMs = options.stageMs ?? 150;
  return async (story: Story, o: RenderOptions): Promise<RenderOutput> => {
    for (const stage of ['voice', 'captions'] as const) {
      for (const f of [0, 0.5, 1]) {
        o.onProgress?.(stage, f);
        await sleep(stageMs / 3);
      }
    }
    o.onProgress?.('compose', 0);
    const tmp = join(o.workDir, 'out.mp4');
    const seconds = 2;
    await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=270x480:rate=25:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '25', '-c:a', 'aac', '-shortest', '-movflags', '+faststart', '-f', 'mp4', tmp], o.signal);
    o.onProgress?.('compose', 1);
    await rename(tmp, o.outPath);
    o.onProgress?.('thumbnail', 0);
    await ffmpeg(['-ss', '0.5', '-i', o.outPath, '-frames:v', '1', '-q:v', '6', '-f', 'image2', '-c:v', 'mjpeg', o.thumbnailPath], o.signal);
    o.onProgress?.('thumbnail', 1);
    const { size } = await stat(o.outPath);
    return { outPath: o.outPath, thumbnailPath: o.thumbnailPath, durationSeconds: seconds, bytes: size, sceneStarts: story.scenes.map((_, i) => i) };
  };
}

export interface StudioFixture {
  server: TidewireServer;
  studio: MountedStudio;
  queue: MemoryQueue;
  url: string;
  api: string;
  dataDir: string;
}

/** A server on port 0 with the studio mounted on a fresh data dir, torn down with the test. */
export async function startStudio(t: Pick<TestContext, 'after'>, options: Partial<StudioOptions> = {}, serverOptions: ServerOptions = {}, setup?: (s: TidewireServer) => Promise<void>): Promise<StudioFixture> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'studio-test-'));
  const server = await createServer({ port: 0, defaultMetrics: false, ...serverOptions });
  const queue = new MemoryQueue();
  const studio = await mountStudio(server, { dataDir, queue, render: stubRender(), ...options });
  if (setup) await setup(server);
  const url = await server.listen();
  t.after(async () => {
    await studio.close();
    await server.close();
    await queue.close();
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return { server, studio, queue, url, api: `${url}/studio/api`, dataDir };
}

/** A blank story as the API creates it, with scenes. */
export function sampleStory(id: string, title = 'A short story'): Story {
  const voice = { voice: 'en', rate: 170, pitch: 50 };
  return {
    id,
    title,
    script: 'The tide comes in.\n\nThe tide goes out.',
    scenes: [
      { id: 's1', text: 'The tide comes in.', caption: 'The tide comes in.', voice, background: { kind: 'builtin', name: 'aurora' }, zoom: true },
      { id: 's2', text: 'The tide goes out.', caption: 'The tide goes out.', voice, background: { kind: 'color', color: '#102030' }, zoom: false },
    ],
    format: '1080x1920',
    captions: { size: 64, position: 'bottom', wordHighlight: true },
    gapSeconds: 0.4,
    createdAt: 0,
    updatedAt: 0,
  };
}
