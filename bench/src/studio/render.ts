// Render speed, for the studio benchmark suite: one captioned story rendered by the pipeline
// (renderStory, one FFmpeg filter-graph pass) and by the naive baseline (renderStoryNaive, one
// FFmpeg run per step with lossless intermediates), over a still image and over a looping video
// uploaded-like file. Wall time of each render, one at a time, divided by the video's duration
// (the real-time factor, RTF). The script is fitted with espeak-ng itself so the voices sum to the
// target duration (gaps included), rather than trusting a words-per-second rule.
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Background, Scene, Story } from '@tidewire/studio';
import { renderStory } from '@tidewire/studio/render';
import { renderStoryNaive } from '@tidewire/studio/render';
import { synthesize } from '@tidewire/studio/render';

const exec = promisify(execFile);
const VOICE = { voice: 'en', rate: 170, pitch: 50 };
const WORDS = (
  'the harbour wakes before the sun and the boats lean on their ropes while gulls circle the masts ' +
  'a baker opens her door and the smell of bread runs down the hill to the water where old men mend nets ' +
  'children race along the wall counting ships and a ferry sounds its horn as the light turns gold over the town ' +
  'by noon the market is loud with voices and the fishermen sell what the night gave them'
).split(' ');

/** Text of `n` words, starting at word `offset` of the pool (wrapping), ending with a full stop. */
function words(n: number, offset: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(WORDS[(offset + i) % WORDS.length]!);
  const s = out.join(' ');
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
}

export interface FittedScript {
  texts: string[];
  /** Voiced seconds per scene as espeak-ng spoke them. */
  voiceSeconds: number[];
  gapSeconds: number;
  /** Voices plus gaps. */
  totalSeconds: number;
}

/** Scene texts whose voices (espeak-ng, rate 170) sum with the gaps to about `targetSeconds`. */
export async function fitScript(scenes: number, targetSeconds: number, gapSeconds: number, scratch: string): Promise<FittedScript> {
  await mkdir(scratch, { recursive: true });
  const perScene = (targetSeconds - gapSeconds * (scenes - 1)) / scenes;
  const texts: string[] = [];
  const voiceSeconds: number[] = [];
  for (let i = 0; i < scenes; i++) {
    let n = Math.max(1, Math.round(perScene * 2.8));
    let best = { text: '', seconds: 0 };
    // Measure, rescale the word count, measure again: two or three rounds land within a word.
    for (let round = 0; round < 4; round++) {
      const text = words(n, i * 23);
      const clip = await synthesize(text, VOICE, join(scratch, `fit-${i}.wav`), {});
      if (Math.abs(clip.durationSeconds - perScene) < Math.abs(best.seconds - perScene) || best.text === '') best = { text, seconds: clip.durationSeconds };
      const next = Math.max(1, Math.round((n * perScene) / clip.durationSeconds));
      if (next === n) break;
      n = next;
    }
    texts.push(best.text);
    voiceSeconds.push(best.seconds);
  }
  const totalSeconds = voiceSeconds.reduce((a, b) => a + b, 0) + gapSeconds * (scenes - 1);
  return { texts, voiceSeconds, gapSeconds, totalSeconds };
}

export function benchStory(id: string, script: FittedScript, background: Background, format: Story['format'] = '1080x1920'): Story {
  const scenes: Scene[] = script.texts.map((text, i) => ({ id: `s${i + 1}`, text, caption: text, voice: { ...VOICE }, background, zoom: false }));
  return {
    id,
    title: id,
    script: script.texts.join('\n\n'),
    scenes,
    format,
    captions: { size: 72, position: 'bottom', wordHighlight: true },
    gapSeconds: script.gapSeconds,
    createdAt: 0,
    updatedAt: 0,
  };
}

export interface RenderRun {
  wallSec: number;
  durationSec: number;
  rtf: number;
  /** What ffprobe reads back from the output. */
  probe: { formatDurationSec: number; videoCodec: string; audioCodec: string; width: number; height: number; bytes: number };
}

export async function probe(path: string): Promise<RenderRun['probe']> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,width,height:format=duration,size,format_name',
    '-of',
    'json',
    path,
  ]);
  const j = JSON.parse(stdout) as {
    streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
    format: { duration: string; size: string; format_name: string };
  };
  const v = j.streams.find((s) => s.codec_type === 'video');
  const a = j.streams.find((s) => s.codec_type === 'audio');
  if (!j.format.format_name.includes('mp4')) throw new Error(`${path} is ${j.format.format_name}, not MP4`);
  return {
    formatDurationSec: Number(j.format.duration),
    videoCodec: v?.codec_name ?? '',
    audioCodec: a?.codec_name ?? '',
    width: v?.width ?? 0,
    height: v?.height ?? 0,
    bytes: Number(j.format.size),
  };
}

/**
 * The renders compared: the pipeline with its defaults, the pipeline writing a constant frame
 * rate (every frame encoded, docs/studio.md §5.5.3; what it did before variable rate), and the
 * naive baseline.
 */
export type RenderKind = 'tidewire' | 'tidewire-constant' | 'naive';

/** Renders `story` once with the pipeline or the baseline into `dir`, timed (wall clock). */
export async function timedRender(kind: RenderKind, story: Story, dir: string, assets: Record<string, string>, name: string): Promise<RenderRun> {
  const state = join(dir, 'state');
  await mkdir(state, { recursive: true });
  const outPath = join(dir, `${name}.mp4`);
  const options = {
    outPath,
    thumbnailPath: join(dir, `${name}.jpg`),
    workDir: join(state, `work-${name}`),
    stateDir: state,
    // Cold renders, like the baseline's: no spoken clip from an earlier render, in memory or on disk.
    cacheDir: join(state, `cache-${name}`),
    clipCache: null,
    assets: (id: string) => assets[id],
  };
  const t0 = performance.now();
  const out =
    kind === 'naive'
      ? await renderStoryNaive(story, options)
      : await renderStory(story, options, kind === 'tidewire-constant' ? { frameMode: 'constant' } : {});
  const wallSec = (performance.now() - t0) / 1000;
  const p = await probe(outPath);
  await rm(options.workDir, { recursive: true, force: true });
  return { wallSec, durationSec: out.durationSeconds, rtf: wallSec / out.durationSeconds, probe: p };
}
