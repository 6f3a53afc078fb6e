// Test fixtures for the server and browser tests: a server with the studio mounted on a fresh data
// dir and the real embedded queue. Jobs render with the real pipeline at a small size
// (`smallRender`); `stubRender` (a fixed FFmpeg test clip with paced progress, no voice) is only
// for tests that need a render of a known length and say nothing about the video's content.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createServer } from '@tidewire/server';
import type { ServerOptions, TidewireServer } from '@tidewire/server';
import type { Story } from '../src/model.ts';
import type { JobQueue } from '../src/queue/types.ts';
import { renderStory } from '../src/render/index.ts';
import type { RenderOptions, RenderOutput } from '../src/render/types.ts';
import { StudioError } from '../src/errors.ts';
import { mountStudio } from '../src/index.ts';
import type { MountedStudio, RenderFn, StudioOptions } from '../src/index.ts';

/**
 * The real pipeline at a small size (180×320, 12 fps) so a job takes about a second: what the
 * job, progress and browser tests render with.
 */
export const smallRender: RenderFn = (story, options) => renderStory(story, options, { size: { width: 180, height: 320 }, fps: 12 });

function ffmpeg(args: string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
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

/** A stand-in renderer: a real 2-second H.264/AAC MP4 and a JPEG, with paced progress. */
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
    await ffmpeg(
      [
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=270x480:rate=25:duration=${seconds}`,
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=440:duration=${seconds}`,
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-g',
        '25',
        '-c:a',
        'aac',
        '-shortest',
        '-movflags',
        '+faststart',
        '-f',
        'mp4',
        tmp,
      ],
      o.signal,
    );
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
  /** The studio's queue (the embedded one on `dataDir/queue` unless options say otherwise). */
  queue: JobQueue;
  url: string;
  api: string;
  dataDir: string;
}

/** A server on port 0 with the studio mounted on a fresh data dir, torn down with the test. */
export async function startStudio(
  t: Pick<TestContext, 'after'>,
  options: Partial<StudioOptions> = {},
  serverOptions: ServerOptions = {},
  setup?: (s: TidewireServer) => Promise<void>,
): Promise<StudioFixture> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'studio-test-'));
  const server = await createServer({ port: 0, defaultMetrics: false, ...serverOptions });
  const studio = await mountStudio(server, { dataDir, render: smallRender, ...options });
  if (setup) await setup(server);
  const url = await server.listen();
  t.after(async () => {
    await studio.close();
    await server.close();
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  return { server, studio, queue: studio.queue, url, api: `${url}/studio/api`, dataDir };
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
