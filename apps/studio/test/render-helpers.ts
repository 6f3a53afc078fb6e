// What the render tests share: stories made to measure, a scratch folder per test, and probes that
// read the output with the real ffprobe/ffmpeg (never with the pipeline's own parsers).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Background, Scene, Story } from '../src/model.ts';
import { DEFAULT_FPS } from '../src/render/pipeline.ts';

const exec = promisify(execFile);

export function scene(i: number, text: string, over: Partial<Scene> = {}): Scene {
  return {
    id: `s${i}`,
    text,
    caption: text,
    voice: { voice: 'en', rate: 200, pitch: 50 },
    background: { kind: 'color', color: '#203040' },
    zoom: false,
    ...over,
  };
}

export function story(scenes: Scene[], over: Partial<Story> = {}): Story {
  return {
    id: 'test',
    title: 'test',
    script: scenes.map((s) => s.text).join('\n\n'),
    scenes,
    format: '1080x1920',
    captions: { size: 96, position: 'middle', wordHighlight: false },
    gapSeconds: 0.6,
    createdAt: 0,
    updatedAt: 0,
    ...over,
  };
}

export function withBackground(scenes: Scene[], background: Background): Scene[] {
  return scenes.map((s) => ({ ...s, background }));
}

/** A scratch folder: out/ for outputs, state/ for the ledger and caches, state/work for the render. */
export async function scratch(): Promise<{ dir: string; out: string; state: string; work: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'studio-render-test-'));
  const out = join(dir, 'out');
  const state = join(dir, 'state');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(out, { recursive: true });
  await mkdir(state, { recursive: true });
  return { dir, out, state, work: join(state, 'work'), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function ffprobeJson(path: string): Promise<{ streams: Record<string, string | number>[]; format: Record<string, string> }> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,width,height,channels,duration,nb_frames,r_frame_rate:format=duration',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(stdout);
}

export async function durationOf(path: string): Promise<number> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path]);
  return Number(stdout.trim());
}

/**
 * The picture showing at `t` seconds as 8-bit gray pixels. `fps=25` first turns a variable-rate
 * file's frames into the picture at every 1/25 s, and `-ss` after the input trims after that
 * filter: before the input, it would drop a frame that began before `t` and show the next one.
 */
export async function grayFrame(path: string, t: number, width: number, height: number): Promise<Buffer> {
  const { stdout } = await exec(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-vf', 'fps=25', '-ss', t.toFixed(3), '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', '-'],
    {
      encoding: 'buffer',
      maxBuffer: 64 << 20,
    },
  );
  if (stdout.length !== width * height) throw new Error(`frame at ${t}: ${stdout.length} bytes, ${width * height} expected`);
  return stdout;
}

export function meanAbsDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Rows in which some pixel differs by more than `threshold` (the ink of a caption): first, last, count. */
export function inkRows(a: Buffer, b: Buffer, width: number, threshold = 40): { first: number; last: number; count: number } {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let y = 0; y < a.length / width; y++) {
    for (let x = 0; x < width; x++) {
      if (Math.abs(a[y * width + x]! - b[y * width + x]!) > threshold) {
        if (first === -1) first = y;
        last = y;
        count++;
        break;
      }
    }
  }
  return { first, last, count };
}

/** ffmpeg silencedetect on the output's audio: the ends of silences (= where sound starts). */
export async function soundOnsets(path: string, noiseDb = -40, minSilence = 0.25): Promise<number[]> {
  const { stderr } = await exec('ffmpeg', [
    '-hide_banner',
    '-nostats',
    '-i',
    path,
    '-vn',
    '-af',
    `silencedetect=noise=${noiseDb}dB:d=${minSilence}`,
    '-f',
    'null',
    '-',
  ]);
  return [...stderr.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
}

/** The top-level MP4 boxes in order (to check moov comes before mdat). */
export async function topLevelBoxes(path: string): Promise<string[]> {
  const buf = await readFile(path);
  const boxes: string[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(buf.readBigUInt64BE(at + 8));
    if (size === 0) size = buf.length - at;
    if (size < 8) break;
    boxes.push(type);
    at += size;
  }
  return boxes;
}

/** The Dialogue start times of an ASS file, in seconds. */
export function assStarts(ass: string): number[] {
  return [...ass.matchAll(/^Dialogue: \d+,(\d+):(\d\d):(\d\d)\.(\d\d),/gm)].map(
    (m) => Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 100,
  );
}

/** Every process whose command line mentions `needle` (from /proc), excluding this one. */
export async function processesMentioning(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (cmd.includes(needle)) found.push(Number(name));
    } catch {
      /* exited */
    }
  }
  return found;
}

/** True while `pid` runs; a zombie (dead, waiting for a parent that may never reap it) counts as gone. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** One frame at the pipeline's default rate: the tolerance of every timing check. */
export const FRAME = 1 / DEFAULT_FPS;
