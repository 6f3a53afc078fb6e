// The render pipeline end to end with the real espeak-ng, ffmpeg and ffprobe (docs/studio.md §5).
// Stories are short and most renders small (captions scale with the frame), one is full 1080×1920.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { StudioError } from '../src/errors.ts';
import { renderStory } from '../src/render/pipeline.ts';
import { cleanupLeftovers, liveChildPids, liveChildren } from '../src/render/process.ts';
import type { RenderOptions } from '../src/render/types.ts';
import {
  alive,
  assStarts,
  durationOf,
  ffprobeJson,
  FRAME,
  grayFrame,
  inkRows,
  meanAbsDiff,
  processesMentioning,
  scene,
  scratch,
  soundOnsets,
  story,
  topLevelBoxes,
  withBackground,
} from './render-helpers.ts';

const exec = promisify(execFile);
const W = 180;
const H = 320;
const small = { size: { width: W, height: H } };

let s: Awaited<ReturnType<typeof scratch>>;
before(async () => {
  s = await scratch();
});
after(async () => {
  await s.cleanup();
});

function opts(name: string, over: Partial<RenderOptions> = {}): RenderOptions {
  return {
    outPath: join(s.out, `${name}.mp4`),
    thumbnailPath: join(s.out, `${name}.jpg`),
    workDir: join(s.state, `work-${name}`),
    stateDir: s.state,
    assets: () => undefined,
    ...over,
  };
}

/** Every trace a render could leave: output, temp files beside it, its work folder, its ledger, its children. */
async function assertNothingLeft(name: string, pids: number[]): Promise<void> {
  const outs = (await readdir(s.out)).filter((f) => f.includes(name));
  assert.deepEqual(outs, [], 'no output and no temp file beside it');
  const state = await readdir(s.state);
  assert.ok(!state.includes(`work-${name}`), 'work folder removed');
  assert.deepEqual(await readdir(join(s.state, 'live')), [], 'ledger closed');
  assert.equal(liveChildren(), 0);
  for (const pid of pids) assert.equal(alive(pid), false, `child ${pid} is gone`);
  assert.deepEqual(await processesMentioning(join(s.out, `.${name}`)), [], 'no process writing the temp file');
}

describe('§5.3 captions are timed from the voice', () => {
  it('caption i starts when voice i starts: ASS events = WAV durations + gaps, and the audio onsets agree (±1 frame)', async () => {
    const texts = ['Hello there my friend', 'Second scene speaks now', 'Third and final words'];
    const st = story(
      texts.map((t, i) => scene(i, t)),
      { gapSeconds: 0.6 },
    );
    const o = opts('timing');
    const result = await renderStory(st, o, { ...small, keepWorkDir: true });
    // Scene starts from the trimmed scene WAVs' durations (read by ffprobe) and the gaps.
    const durations = await Promise.all(texts.map((_, i) => durationOf(join(o.workDir, `scene-${i}.wav`))));
    const expected = durations.map((_, i) => durations.slice(0, i).reduce((a, d) => a + d + st.gapSeconds, 0));
    const events = assStarts(await readFile(join(o.workDir, 'captions.ass'), 'utf8'));
    assert.equal(events.length, 3);
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(events[i]! - expected[i]!) <= FRAME, `caption ${i} at ${events[i]} vs voice at ${expected[i]}`);
      assert.ok(Math.abs(result.sceneStarts[i]! - expected[i]!) <= 1e-3);
    }
    // In the output's audio, sound starts again where each later caption starts.
    const onsets = await soundOnsets(result.outPath);
    for (let i = 1; i < 3; i++) {
      const near = onsets.find((t) => Math.abs(t - events[i]!) <= FRAME);
      assert.ok(near !== undefined, `an onset within a frame of ${events[i]} (onsets ${onsets.join(', ')})`);
    }
    // And the first voice starts at once: no silence detected at the very start.
    const { stderr } = await exec('ffmpeg', [
      '-hide_banner',
      '-nostats',
      '-t',
      '0.2',
      '-i',
      result.outPath,
      '-vn',
      '-af',
      'silencedetect=noise=-40dB:d=0.05',
      '-f',
      'null',
      '-',
    ]);
    assert.doesNotMatch(stderr, /silence_start: 0\b/);
  });
});

describe('§5.7 the output file', () => {
  it('full 1080×1920: H.264 + AAC, duration = sum(voice) + gaps (±1 frame), moov before mdat, thumbnail ≤ 30 KB', async () => {
    const texts = ['One small story', 'told in two scenes'];
    const st = story(
      texts.map((t, i) => scene(i, t)),
      { gapSeconds: 0.5, captions: { size: 96, position: 'bottom', wordHighlight: true } },
    );
    const o = opts('full');
    const stages: string[] = [];
    const result = await renderStory(
      st,
      {
        ...o,
        onProgress: (stage, f) => {
          if (f === 1) stages.push(stage);
        },
      },
      { keepWorkDir: true },
    );
    assert.deepEqual(stages, ['voice', 'captions', 'compose', 'thumbnail']);
    const probe = await ffprobeJson(result.outPath);
    const video = probe.streams.find((x) => x.codec_type === 'video')!;
    const audio = probe.streams.find((x) => x.codec_type === 'audio')!;
    assert.equal(video.codec_name, 'h264');
    assert.equal(audio.codec_name, 'aac');
    assert.equal(audio.channels, 1, 'the voice alone is mono');
    assert.equal(video.width, 1080);
    assert.equal(video.height, 1920);
    const voices = await Promise.all(texts.map((_, i) => durationOf(join(o.workDir, `scene-${i}.wav`))));
    const expected = voices.reduce((a, b) => a + b, 0) + st.gapSeconds * (texts.length - 1);
    assert.ok(Math.abs(Number(probe.format.duration) - expected) <= FRAME, `duration ${probe.format.duration} vs ${expected}`);
    assert.ok(Math.abs(Number(video.duration) - expected) <= FRAME, `video ${video.duration} vs ${expected}`);
    assert.ok(Math.abs(result.durationSeconds - expected) <= 1e-3);
    const boxes = await topLevelBoxes(result.outPath);
    assert.ok(boxes.indexOf('moov') !== -1 && boxes.indexOf('moov') < boxes.indexOf('mdat'), `boxes ${boxes.join(',')}`);
    const thumb = await readFile(result.thumbnailPath);
    assert.ok(thumb.length > 0 && thumb.length <= 30 * 1024);
    assert.equal(thumb.readUInt16BE(0), 0xffd8, 'a JPEG');
    assert.deepEqual(
      (await readdir(s.out)).filter((f) => f.startsWith('.')),
      [],
      'no temp file left',
    );
  });
});

describe('§5.5 captions are burned into the picture', () => {
  it('a frame inside a caption differs from the same render without captions; one in a gap does not', async () => {
    const texts = ['Big bold words', 'More words here'];
    const st = story(
      texts.map((t, i) => scene(i, t)),
      { gapSeconds: 0.8 },
    );
    const bare = story(
      texts.map((t, i) => scene(i, t, { caption: '' })),
      { gapSeconds: 0.8 },
    );
    const a = await renderStory(st, opts('cap-on'), small);
    const b = await renderStory(bare, opts('cap-off'), small);
    const inside = a.sceneStarts[0]! + 0.3;
    const gap = a.sceneStarts[1]! - 0.4;
    const [ai, bi, ag, bg] = await Promise.all([
      grayFrame(a.outPath, inside, W, H),
      grayFrame(b.outPath, inside, W, H),
      grayFrame(a.outPath, gap, W, H),
      grayFrame(b.outPath, gap, W, H),
    ]);
    const dIn = meanAbsDiff(ai, bi);
    const dGap = meanAbsDiff(ag, bg);
    assert.ok(dIn > 2, `inside a caption the frames differ (${dIn.toFixed(2)})`);
    assert.ok(dGap < 0.5, `in the gap they do not (${dGap.toFixed(2)})`);
  });

  it('on stills, drawing only the frames that change gives the same pictures as drawing every frame (variable and constant rate)', async () => {
    const texts = ['Word by word highlight', 'Across two scenes with several words'];
    const st = story(
      withBackground(
        texts.map((t, i) => scene(i, t)),
        { kind: 'builtin', name: 'dusk' },
      ),
      { gapSeconds: 0.4, captions: { size: 96, position: 'bottom', wordHighlight: true } },
    );
    // Lossless (CRF 0) so the comparison sees the filter graph's pictures, not the encoder's choices.
    const lossless = { ...small, encoder: { crf: 0 } };
    const variable = await renderStory(st, opts('variable'), lossless);
    const constant = await renderStory(st, opts('constant'), { ...lossless, frameMode: 'constant' });
    const every = await renderStory(st, opts('every'), { ...lossless, frameMode: 'every-frame' });
    // The picture at every 1/25 s: the variable-rate file's frames last until the next one.
    const md5 = async (path: string) =>
      (await exec('ffmpeg', ['-v', 'error', '-i', path, '-map', '0:v', '-vf', 'fps=25', '-f', 'framemd5', '-'])).stdout
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => l.split(',').pop()!.trim());
    const [mv, mc, me] = await Promise.all([md5(variable.outPath), md5(constant.outPath), md5(every.outPath)]);
    assert.ok(me.length > 50);
    assert.deepEqual(mc, me, 'constant rate');
    assert.deepEqual(mv, me, 'variable rate');
    const frames = async (path: string) => Number((await ffprobeJson(path)).streams.find((x) => x.codec_type === 'video')!.nb_frames);
    const [fv, fc] = await Promise.all([frames(variable.outPath), frames(constant.outPath)]);
    assert.equal(fc, me.length);
    assert.ok(fv < fc / 2, `the variable-rate file encodes ${fv} frames of ${fc}`);
  });

  it('on stills, a scene without a caption still changes the picture where it starts', async () => {
    // Frames are kept where captions change and where a background segment starts; with no
    // caption on the second scene only the segment start shows its background in time.
    const st = story(
      [
        scene(0, 'First scene speaks here', { background: { kind: 'color', color: '#204080' } }),
        scene(1, 'Second scene is silent on screen', { caption: '', background: { kind: 'color', color: '#e0e0e0' } }),
      ],
      {
        gapSeconds: 0.4,
      },
    );
    const result = await renderStory(st, opts('uncaptioned'), small);
    const first = await grayFrame(result.outPath, 0.3, W, H);
    const atStart = await grayFrame(result.outPath, result.sceneStarts[1]! + 0.05, W, H);
    const atEnd = await grayFrame(result.outPath, result.durationSeconds - 0.1, W, H);
    assert.ok(meanAbsDiff(first, atStart) > 50, 'the second background shows from its scene start');
    assert.ok(meanAbsDiff(atStart, atEnd) < 2);
  });

  it('caption text with ASS codes ({\\alpha&HFF&}, {\\b1}, \\N, \\n, \\h, braces) shows literally', async () => {
    const captions = ['{\\alpha&HFF&}{\\b1}hidden {x}', 'ab\\Ncd\\nef\\hgh', '(abcdefghijk)'];
    const st = story(
      captions.map((c, i) => scene(i, `Scene ${i + 1} speaks`, { caption: c })),
      { gapSeconds: 0.3, captions: { size: 64, position: 'middle', wordHighlight: false } },
    );
    const bare = story(
      captions.map((c, i) => scene(i, `Scene ${i + 1} speaks`, { caption: '' })),
      { gapSeconds: 0.3 },
    );
    const a = await renderStory(st, opts('esc-on'), small);
    const b = await renderStory(bare, opts('esc-off'), small);
    const at = (i: number) => a.sceneStarts[i]! + 0.3;
    const frames = await Promise.all([0, 1, 2].flatMap((i) => [grayFrame(a.outPath, at(i), W, H), grayFrame(b.outPath, at(i), W, H)]));
    // {\alpha&HFF&} would make the text invisible: it must show.
    assert.ok(meanAbsDiff(frames[0]!, frames[1]!) > 1, 'the "hidden" caption is visible');
    // \N or \n would break the line: the caption stays one line, as tall as a one-line reference.
    const broken = inkRows(frames[2]!, frames[3]!, W);
    const reference = inkRows(frames[4]!, frames[5]!, W);
    assert.ok(reference.count > 3, 'the reference caption has ink');
    assert.ok(broken.count > 3 && broken.count <= reference.count * 1.3, `one line: ${broken.count} rows vs ${reference.count}`);
  });
});

describe('§5.6 cancel, timeout and tool failures leave nothing behind', () => {
  // Long enough that compose is still running when we abort (a moving background at 540×960).
  const longStory = () =>
    story(
      withBackground(
        [
          'The first of several scenes that take a while to speak aloud',
          'A second scene with more words to render',
          'And a third scene to keep the encoder busy for long enough',
        ].map((t, i) => scene(i, t)),
        { kind: 'builtin', name: 'life' },
      ),
      { gapSeconds: 0.5 },
    );
  const mid = { size: { width: 540, height: 960 } };

  it('abort mid-render: STUDIO_CANCELLED within 1 s, no child left, no output, no temp file', async () => {
    const controller = new AbortController();
    const seen = new Set<number>();
    let abortedAt = 0;
    const o = opts('cancel', {
      signal: controller.signal,
      onProgress: (stage, f) => {
        for (const pid of liveChildPids()) seen.add(pid);
        if (stage === 'compose' && f > 0.05 && !abortedAt) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    const err = await renderStory(longStory(), o, mid).then(
      () => undefined,
      (e: unknown) => e,
    );
    const took = performance.now() - abortedAt;
    assert.ok(abortedAt > 0, 'the render reached compose');
    assert.ok(StudioError.is(err, 'STUDIO_CANCELLED'), `got ${String(err)}`);
    assert.ok(took < 1000, `rejected ${took.toFixed(0)} ms after the abort`);
    assert.ok(seen.size > 0);
    await assertNothingLeft('cancel', [...seen]);
  });

  it('an abort during the voice stage kills espeak-ng too', async () => {
    const controller = new AbortController();
    const o = opts('cancel-voice', { signal: controller.signal });
    const p = renderStory(longStory(), o, mid);
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(p, (e: unknown) => StudioError.is(e, 'STUDIO_CANCELLED'));
    await assertNothingLeft('cancel-voice', []);
  });

  it('past its timeout: STUDIO_TIMEOUT, same cleanliness', async () => {
    const seen = new Set<number>();
    const o = opts('timeout', {
      timeoutMs: 1500,
      onProgress: () => {
        for (const pid of liveChildPids()) seen.add(pid);
      },
    });
    const started = performance.now();
    const err = await renderStory(longStory(), o, { size: { width: 1080, height: 1920 } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(StudioError.is(err, 'STUDIO_TIMEOUT'), `got ${String(err)}`);
    assert.ok(performance.now() - started < 2500);
    await assertNothingLeft('timeout', [...seen]);
  });

  it("an abort whose reason is a StudioError rejects with that error (the queue's own timeout)", async () => {
    const controller = new AbortController();
    controller.abort(new StudioError('STUDIO_TIMEOUT', 'queue timeout'));
    await assert.rejects(renderStory(longStory(), opts('reason', { signal: controller.signal })), (e: unknown) => StudioError.is(e, 'STUDIO_TIMEOUT'));
  });

  it('after a crash, cleanupLeftovers(stateDir) kills the orphaned ffmpeg and removes its temp files', async () => {
    const state = join(s.dir, 'crash-state');
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'render-crash-child.ts'), state, s.out], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        if (d.toString().includes('compose')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before compose`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const orphans = await processesMentioning(join(s.out, '.crash'));
    assert.ok(orphans.length > 0, 'ffmpeg outlived its parent');
    assert.ok(
      (await readdir(s.out)).some((f) => f.startsWith('.crash')),
      'its temp file is there',
    );
    const report = cleanupLeftovers(state);
    assert.ok(report.killedGroups >= 1 && report.removedTemps >= 1, JSON.stringify(report));
    await new Promise((r) => setTimeout(r, 200));
    for (const pid of orphans) assert.equal(alive(pid), false, `orphan ${pid} killed`);
    assert.deepEqual(
      (await readdir(s.out)).filter((f) => f.includes('crash')),
      [],
    );
    assert.deepEqual(await readdir(join(state, 'live')), []);
    assert.ok(!(await readdir(state)).includes('work-crash'));
  });

  it('ffmpeg failing (a corrupt background file): STUDIO_TOOL_FAILED with its stderr lines', async () => {
    const corrupt = join(s.dir, 'corrupt.png');
    await writeFile(corrupt, Buffer.from('89504e470d0a1a0a0000000d49484452deadbeef', 'hex'));
    const st = story(withBackground([scene(0, 'Broken background')], { kind: 'asset', assetId: 'bad' }));
    const err = await renderStory(st, opts('corrupt', { assets: (id) => (id === 'bad' ? corrupt : undefined) }), small).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(StudioError.is(err, 'STUDIO_TOOL_FAILED'), `got ${String(err)}`);
    const lines = (err as Error).message.split('\n');
    assert.ok(lines.length >= 2 && lines.slice(1).some((l) => l.length > 0), `stderr lines in: ${(err as Error).message}`);
    await assertNothingLeft('corrupt', []);
  });

  it('rejects before any work: a voice espeak-ng lacks (STUDIO_BAD_VOICE), an unknown asset (STUDIO_NOT_FOUND)', async () => {
    await assert.rejects(renderStory(story([scene(0, 'x', { voice: { voice: 'xx-nope', rate: 170, pitch: 50 } })]), opts('badvoice')), (e: unknown) =>
      StudioError.is(e, 'STUDIO_BAD_VOICE'),
    );
    await assert.rejects(renderStory(story([scene(0, 'x', { background: { kind: 'asset', assetId: 'missing' } })]), opts('noasset')), (e: unknown) =>
      StudioError.is(e, 'STUDIO_NOT_FOUND'),
    );
    await assertNothingLeft('badvoice', []);
  });
});

describe('§5.4 backgrounds', () => {
  it('a builtin video background, a zoomed still and a music bed render in one pass', async () => {
    const music = join(s.dir, 'music.wav');
    await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=220:duration=2', '-y', music]);
    const scenes = [
      scene(0, 'Moving background', { background: { kind: 'builtin', name: 'aurora' } }),
      scene(1, 'Zooming still', { background: { kind: 'builtin', name: 'fractal' }, zoom: true }),
    ];
    const st = story(scenes, { music: { assetId: 'm', volume: 0.5 } });
    const result = await renderStory(st, opts('bg', { assets: (id) => (id === 'm' ? music : undefined) }), small);
    const probe = await ffprobeJson(result.outPath);
    assert.equal(probe.streams.length, 2);
    assert.equal(probe.streams.find((x) => x.codec_type === 'audio')!.channels, 2, 'a music bed is stereo');
    assert.ok(Math.abs(Number(probe.format.duration) - result.durationSeconds) <= FRAME);
    // The zoom moves the picture: two frames of the zoomed scene differ.
    const z0 = await grayFrame(result.outPath, result.sceneStarts[1]! + 0.05, W, H);
    const z1 = await grayFrame(result.outPath, result.durationSeconds - 0.1, W, H);
    assert.ok(meanAbsDiff(z0, z1) > 1);
  });
});
