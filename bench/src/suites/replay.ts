// Race replay benchmark (issue: race replay). Measures:
//   generate   `tidewire replay generate` for the longest bundled race in a child process: the
//              generator's own time (from its summary line) and the child's wall time
//   file       bytes of the replay and bytes per second of race (budget 6,250 B/s)
//   firstFrame headless Chromium loading /replay/ from a real server on loopback: navigation
//              start → the first frame of cars drawn on the canvas (the page records
//              performance.now() then); median of several loads with the HTTP cache off
// The original (a notebook that downloaded telemetry for every car from a timing API) took
// minutes before the first frame; it is not simulated here, only noted (baselineNote).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from '@tidewire/server';
import { chromiumAvailable, launchChromium, ensureAppBuilt } from '@tidewire/testkit';
import { bundledRaceFile, mountReplay, readReplayInfo, replayDist } from '@tidewire/replay';
import { percentile, round } from '../stats.ts';
import type { Suite } from '../suite.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'apps/tidewire/bin/tidewire.js');
/** The longest bundled race by duration (docs/replay-generator.md §9: 5,604 s). */
const LONGEST = '2024-bahrain';

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

async function generate(
  runs: number,
  log: (m: string) => void,
): Promise<{ generateSec: number; wallSec: number; fileBytes: number; durationSec: number; frames: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-replay-'));
  try {
    const gen: number[] = [];
    const wall: number[] = [];
    let out = '';
    for (let i = 0; i < runs; i++) {
      out = join(dir, `race-${i}.twtl`);
      log(`generate ${LONGEST} (child process) ${i + 1}/${runs}`);
      const r = await run(process.execPath, [CLI, 'replay', 'generate', '--race', LONGEST, '--out', out]);
      if (r.code !== 0) throw new Error(`replay generate exited with ${r.code}: ${r.stderr.slice(-500)}`);
      const m = /generated in ([\d.]+) s/.exec(r.stdout);
      if (!m) throw new Error(`no timing in the summary line: ${r.stdout}`);
      gen.push(Number(m[1]));
      wall.push(r.ms / 1000);
    }
    const bytes = new Uint8Array(readFileSync(out));
    // What is measured must be a real replay: its metadata reads back and it covers the race.
    const info = readReplayInfo(bytes);
    if (info.frames < 1000 || info.entities.length !== 20) throw new Error(`unexpected replay: ${info.frames} frames, ${info.entities.length} cars`);
    return { generateSec: percentile(gen, 50), wallSec: percentile(wall, 50), fileBytes: bytes.length, durationSec: info.durationSec, frames: info.frames };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface FirstFrame {
  /** Median, HTTP cache disabled (every asset, the metadata and the first segment fetched). */
  coldCacheMs: number;
  /** Median, with the browser's HTTP cache warm (a reload). */
  warmCacheMs: number;
  samples: { cold: number[]; warm: number[] };
}

async function firstFrame(loads: number, log: (m: string) => void): Promise<FirstFrame> {
  const race = await bundledRaceFile({ race: LONGEST, log });
  const server = await createServer({ port: 0, logger: false, defaultMetrics: false });
  await server.serveStatic('/replay/', replayDist());
  await mountReplay(server, { file: race.bytes });
  const url = `${await server.listen()}/replay/`;
  const browser = await launchChromium({ viewport: { width: 1440, height: 900 } });
  try {
    const measure = async (cacheDisabled: boolean): Promise<number> => {
      const page = await browser.context.newPage();
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled });
      await page.goto(url);
      await page.waitForFunction(() => (window as unknown as { replay?: { firstFrameMs: number | null } }).replay?.firstFrameMs != null, null, {
        timeout: 30_000,
      });
      // performance.now() counts from the navigation's start (timeOrigin).
      const ms = await page.evaluate(() => (window as unknown as { replay: { firstFrameMs: number } }).replay.firstFrameMs);
      await page.close();
      return ms;
    };
    await measure(true); // warm-up: Chromium's own first-run costs are not the page's
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < loads; i++) {
      log(`first frame: load ${i + 1}/${loads}`);
      cold.push(await measure(true));
      warm.push(await measure(false));
    }
    if (browser.errors.length > 0) throw new Error(`page errors: ${browser.errors.join('; ')}`);
    return {
      coldCacheMs: percentile(cold, 50),
      warmCacheMs: percentile(warm, 50),
      samples: { cold: cold.map((x) => round(x, 1)), warm: warm.map((x) => round(x, 1)) },
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

export const suite: Suite = {
  async run(ctx) {
    const quick = ctx.quick;
    const p = quick ? { generateRuns: 1, loads: 2 } : { generateRuns: 3, loads: 7 };
    const out: Record<string, unknown> = { suite: 'replay', quick, race: LONGEST };

    const g = await generate(p.generateRuns, ctx.log);
    out.generateSec = round(g.generateSec, 2);
    out.generateWallSec = round(g.wallSec, 2);
    out.fileBytes = g.fileBytes;
    out.raceSec = g.durationSec;
    out.frames = g.frames;
    out.fileBytesPerRaceSec = round(g.fileBytes / g.durationSec, 1);

    if (chromiumAvailable()) {
      ensureAppBuilt('replay', { quiet: true });
      const f = await firstFrame(p.loads, ctx.log);
      out.firstFrameMs = round(f.coldCacheMs, 1);
      out.firstFrameMsWarmCache = round(f.warmCacheMs, 1);
      out.firstFrameSamples = f.samples;
    } else {
      out.firstFrameMs = null;
      out.firstFrameNote = 'no Chromium at CHROMIUM_PATH';
    }
    out.baselineNote =
      'The original replay downloaded lap and car telemetry for every driver from a timing API before it could draw: minutes to the first frame (not simulated). ' +
      'Here the race is generated locally once and cached; the page shows the track when the metadata lands and cars with the first 2 s segment.';
    out.targets = {
      firstFrameMs: typeof out.firstFrameMs === 'number' ? out.firstFrameMs <= 500 : null,
      fileBytesPerRaceSec: (out.fileBytesPerRaceSec as number) <= 6250,
    };
    return out;
  },
};
