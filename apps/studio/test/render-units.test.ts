// The pipeline's pure parts and its process bookkeeping (docs/studio.md §5.2, §5.3, §5.5, §5.6, §6.2).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StudioError } from '../src/errors.ts';
import { assTime, buildAss, captionText, escapeAssText, karaokeDurations } from '../src/render/captions.ts';
import { assMillisOfFrame, composeArgs, firstFrameDrawnAt, mergeSegments, pictureChangeFrames, progressParser } from '../src/render/graph.ts';
import { ByteRing, cleanupLeftovers, Ledger, runTool } from '../src/render/process.ts';
import { parseWav, voicedSpan, wavHeader } from '../src/render/wav.ts';
import { splitScript, storyFromScript } from '../src/script.ts';
import { alive } from './render-helpers.ts';

describe('§5.2 the WAV header', () => {
  // A hand-built mono 16-bit 8 kHz file: RIFF header, a LIST chunk to skip, fmt, data.
  const file = Buffer.from(
    [
      '52494646',
      '00000000',
      '57415645', //          "RIFF" size(ignored) "WAVE"
      '4c495354',
      '03000000',
      'aabbcc00', //          "LIST" size 3, body, pad byte (odd size)
      '666d7420',
      '10000000', //                      "fmt " size 16
      '0100',
      '0100',
      '401f0000',
      '803e0000',
      '0200',
      '1000', // PCM, 1 ch, 8000 Hz, 16000 B/s, align 2, 16 bit
      '64617461',
      '08000000', //                      "data" size 8
      '0000',
      'ff7f',
      '0180',
      '0000', //              0, 32767, -32767, 0
    ].join(''),
    'hex',
  );

  it('reads format, data offset and duration, skipping other chunks (with their pad byte)', () => {
    const w = parseWav(file);
    assert.deepEqual({ ...w }, { sampleRate: 8000, channels: 1, bitsPerSample: 16, dataOffset: 56, dataBytes: 8, frames: 4, durationSeconds: 4 / 8000 });
  });

  it('clamps a placeholder data size (a streamed WAV) to the bytes present', () => {
    const streamed = Buffer.from(file);
    streamed.writeUInt32LE(0x7fffffff, 52);
    assert.equal(parseWav(streamed).frames, 4);
    assert.equal(parseWav(streamed.subarray(0, 59)).frames, 1, 'a half sample is not a frame');
  });

  it('reads through a view into a larger buffer, not the whole buffer', () => {
    const big = Buffer.concat([Buffer.alloc(7, 0xee), file, Buffer.alloc(9, 0xee)]);
    assert.equal(parseWav(big.subarray(7, 7 + file.length)).frames, 4);
  });

  it('rejects what it cannot read, with STUDIO_TOOL_FAILED', () => {
    const bad = (b: Buffer) =>
      assert.throws(
        () => parseWav(b),
        (e: unknown) => StudioError.is(e, 'STUDIO_TOOL_FAILED'),
      );
    bad(file.subarray(0, 11)); // shorter than RIFF/WAVE
    bad(Buffer.concat([Buffer.from('RIFX'), file.subarray(4)]));
    bad(file.subarray(0, 48)); // fmt but no data chunk
    const float = Buffer.from(file);
    float.writeUInt16LE(3, 32);
    bad(float); // IEEE float
    const eight = Buffer.from(file);
    eight.writeUInt16LE(8, 46);
    bad(eight);
    const fmtPastEnd = Buffer.from(file.subarray(0, 40));
    bad(fmtPastEnd);
    const dataFirst = Buffer.concat([file.subarray(0, 12), file.subarray(48)]);
    bad(dataFirst);
  });

  it('wavHeader writes what parseWav reads; voicedSpan finds the loud samples', () => {
    const pcm = Buffer.alloc(20);
    pcm.writeInt16LE(5000, 6);
    pcm.writeInt16LE(-5000, 12);
    const wav = Buffer.concat([wavHeader(22050, 1, pcm.length), pcm]);
    const info = parseWav(wav);
    assert.equal(info.frames, 10);
    assert.deepEqual(voicedSpan(wav, info), { first: 3, end: 7 });
    assert.deepEqual(voicedSpan(Buffer.concat([wavHeader(22050, 1, 8), Buffer.alloc(8)]), parseWav(Buffer.concat([wavHeader(22050, 1, 8), Buffer.alloc(8)]))), {
      first: 0,
      end: 0,
    });
  });
});

describe('§5.3.1 caption escaping', () => {
  /** What libass does with Text: `{…}` is a code block, `\{ \}` literal braces, `\N \n \h` codes. */
  function hasAssCode(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '\\') {
        const next = text[i + 1];
        if (next === '{' || next === '}') {
          i++;
          continue;
        }
        if (next === 'N' || next === 'n' || next === 'h') return true;
      } else if (text[i] === '{' || text[i] === '}') return true;
    }
    return false;
  }

  it('leaves no override block, no \\N \\n \\h and no line break in user text', () => {
    for (const t of [
      '{\\b1}bold',
      '\\N',
      'a\\nb',
      '\\h',
      '{',
      '}',
      '\\{',
      '\\\\N',
      'x\ny\r\nDialogue: 0,0:00:00.00,9:00:00.00,Caption,,0,0,0,,forged',
      '\u2028z',
      '{\\alpha&HFF&}',
    ]) {
      const e = escapeAssText(t);
      assert.equal(hasAssCode(e), false, `${JSON.stringify(t)} → ${JSON.stringify(e)}`);
      assert.doesNotMatch(e, /[\r\n\u2028]/);
    }
  });

  it('keeps the visible characters', () => {
    assert.equal(escapeAssText('a{b}c').replace(/\\([{}])/g, '$1'), 'a{b}c');
    assert.equal(escapeAssText('a\\Nb').replace(/\u2060/g, ''), 'a\\Nb');
  });

  it('karaoke text: escaped words with {\\kNN} before each', () => {
    assert.equal(captionText('Hi {there}', 1, true), '{\\k29}Hi {\\k71}\\{there\\}');
    assert.equal(captionText('  spaced\tout  ', 1, false), 'spaced out');
    assert.equal(captionText('', 1, true), '');
  });
});

describe('§5.3.2 karaoke timing', () => {
  it('splits the duration over words by length, in centiseconds that sum exactly', () => {
    assert.deepEqual(karaokeDurations(['a', 'bbb'], 1), [25, 75]);
    const ks = karaokeDurations(['one', 'two,', '—', 'three!'], 2.345);
    assert.equal(
      ks.reduce((a, b) => a + b, 0),
      235,
    );
    assert.ok(ks.every((k) => k >= 0));
  });
});

describe('§5.3.3 the ASS file', () => {
  it('PlayRes is the format; one Dialogue per event; times in centiseconds', () => {
    const ass = buildAss('1080x1920', { size: 64, position: 'top', wordHighlight: false }, [{ start: 0.004, end: 61.235, text: 'x' }]);
    assert.match(ass, /^PlayResX: 1080$/m);
    assert.match(ass, /^PlayResY: 1920$/m);
    assert.match(ass, /^Style: Caption,DejaVu Sans,64,.*,8,\d+,\d+,\d+,1$/m); // alignment 8 = top
    assert.match(ass, /^Dialogue: 0,0:00:00\.00,0:01:01\.24,Caption,,0,0,0,,x$/m);
    assert.equal(assTime(3659.999), '1:01:00.00');
  });
});

describe('§5.5 the compose command', () => {
  const base = {
    width: 180,
    height: 320,
    fps: 30,
    voicePath: '/w/voice.wav',
    totalSeconds: 3,
    outPath: '/o/.x.partial.mp4',
    encoder: { preset: 'ultrafast' as const, crf: 23, audioBitrate: '128k' },
    captionChanges: [0.5, 1.17],
    frameMode: 'variable' as const,
  };

  it('one input for consecutive scenes on the same still; files as file: arguments, never in the graph', () => {
    const segs = [
      { source: { type: 'still' as const, path: '/a,b;[c].png' }, frames: 30, zoom: false },
      { source: { type: 'still' as const, path: '/a,b;[c].png' }, frames: 60, zoom: false },
    ];
    assert.deepEqual(
      mergeSegments(segs).map((s) => s.frames),
      [90],
    );
    const args = composeArgs({ ...base, segments: segs, captionsFile: 'captions.ass' });
    assert.equal(args.filter((a) => a === '-i').length, 2);
    assert.ok(args.includes('file:/a,b;[c].png'));
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    assert.ok(!graph.includes('/a,b'));
    assert.match(graph, /loop=loop=-1:size=1:start=0,trim=end_frame=90/);
    assert.match(graph, /ass=captions\.ass\[vout\]/);
    assert.ok(args.includes('+faststart') && args.includes('stillimage'));
  });

  it('several backgrounds are concatenated; music is ducked by the voice', () => {
    const args = composeArgs({
      ...base,
      music: { path: '/m.mp3', volume: 0.3 },
      segments: [
        { source: { type: 'color', hex: '203040' }, frames: 30, zoom: false },
        { source: { type: 'video', path: '/v.mp4' }, frames: 60, zoom: false },
      ],
    });
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    assert.match(graph, /concat=n=2:v=1:a=0/);
    assert.match(graph, /\[bed\]\[key\]sidechaincompress/);
    assert.ok(!args.includes('stillimage'));
    assert.ok(!graph.includes('ass='));
  });

  it('§5.5.3 frame n is drawn at trunc(n × (1/fps) × 1000) ms, as the ass filter computes it', () => {
    assert.equal(assMillisOfFrame(803, 25), 32119); // 803 × 0.04 × 1000 = 32119.999…
    assert.equal(assMillisOfFrame(804, 25), 32160);
    assert.equal(assMillisOfFrame(2, 30), 66);
    assert.equal(firstFrameDrawnAt(32120, 25), 804, 'frame 803 is drawn at 32119 ms, before a change at 32.12 s');
    assert.equal(firstFrameDrawnAt(32110, 25), 803);
    assert.equal(firstFrameDrawnAt(0, 25), 0);
    assert.equal(firstFrameDrawnAt(1130, 25), 29);
    assert.equal(firstFrameDrawnAt(1160, 25), 29);
  });

  it('§5.5.3 the kept frames: first, last, segment starts, and the first frame at or after each caption change', () => {
    assert.deepEqual(pictureChangeFrames([0.5, 1.17, 9], [0, 40], 25, 75), [0, 13, 30, 40, 74]);
    assert.deepEqual(pictureChangeFrames([], [0], 25, 1), [0]);
  });

  it('§5.5.3 a still picture keeps only its changing frames: variable rate by default, constant or every frame on request', () => {
    const segs = [
      { source: { type: 'color' as const, hex: '203040' }, frames: 30, zoom: false },
      { source: { type: 'color' as const, hex: 'e0e0e0' }, frames: 60, zoom: false },
    ];
    const graphOf = (args: string[]) => args[args.indexOf('-filter_complex') + 1]!;
    const variable = composeArgs({ ...base, segments: segs, captionsFile: 'captions.ass' });
    // 0.5 s → frame 15, 1.17 s → frame 36 at 30 fps; segment 2 starts at 30; the last is 89.
    assert.match(graphOf(variable), /select='\(\(eq\(n,0\)\+eq\(n,15\)\)\+\(eq\(n,30\)\+\(eq\(n,36\)\+eq\(n,89\)\)\)\)',ass=captions\.ass\[vout\]/);
    assert.deepEqual(variable.slice(variable.indexOf('-fps_mode'), variable.indexOf('-fps_mode') + 2), ['-fps_mode', 'vfr']);
    assert.ok(!variable.includes('-r'));
    const constant = composeArgs({ ...base, segments: segs, captionsFile: 'captions.ass', frameMode: 'constant' });
    assert.match(graphOf(constant), /select='[^']+',ass=captions\.ass,fps=30\[vout\]/);
    assert.deepEqual(constant.slice(constant.indexOf('-r'), constant.indexOf('-r') + 2), ['-r', '30']);
    const every = composeArgs({ ...base, segments: segs, captionsFile: 'captions.ass', frameMode: 'every-frame' });
    assert.match(graphOf(every), /\[bg\]ass=captions\.ass\[vout\]/);
    assert.ok(!graphOf(every).includes('select'));
    // No captions: the segment starts and the last frame are still all that changes.
    assert.match(graphOf(composeArgs({ ...base, segments: segs })), /\[bg\]select='\(eq\(n,0\)\+\(eq\(n,30\)\+eq\(n,89\)\)\)'\[vout\]/);
  });

  it('§5.5.4 the voice alone is one mono track; with a music bed the mix is stereo', () => {
    const segs = [{ source: { type: 'color' as const, hex: '203040' }, frames: 30, zoom: false }];
    assert.match(composeArgs({ ...base, segments: segs }).join(' '), /channel_layouts=mono\[aout\]/);
    assert.match(composeArgs({ ...base, segments: segs, music: { path: '/m.mp3', volume: 0.3 } }).join(' '), /channel_layouts=stereo,asplit/);
  });

  it('reads -progress lines', () => {
    const seen: number[] = [];
    const parse = progressParser((t) => seen.push(t));
    for (const l of ['frame=10', 'out_time_us=1500000', 'out_time_ms=2000000', 'out_time=00:00:02.000000', 'out_time_us=N/A', 'progress=continue']) parse(l);
    assert.deepEqual(seen, [1.5, 2]);
  });
});

describe('§5.6 processes', () => {
  it('ByteRing keeps the last bytes and lines', () => {
    const r = new ByteRing(16);
    r.push(Buffer.from('line one\nline two\n'));
    r.push(Buffer.from('three\n'));
    assert.equal(r.toString(), '\nline two\nthree\n');
    assert.deepEqual(r.lastLines(1), ['three']);
    r.push(Buffer.alloc(40, 0x61));
    assert.equal(r.toString(), 'a'.repeat(16));
  });

  it('runTool: STUDIO_TOOL_MISSING for an absent tool, STUDIO_TOOL_FAILED with the stderr tail for a failing one', async () => {
    await assert.rejects(runTool('/nonexistent/tool', []), (e: unknown) => StudioError.is(e, 'STUDIO_TOOL_MISSING'));
    await assert.rejects(
      runTool('ffmpeg', ['-hide_banner', '-i', '/nonexistent/in.png', '-f', 'null', '-']),
      (e: unknown) => StudioError.is(e, 'STUDIO_TOOL_FAILED') && /No such file/.test((e as Error).message),
    );
  });

  it('an abort kills the whole process group, grandchildren too, and rejects only once they are gone', async () => {
    const controller = new AbortController();
    let grandchild = 0;
    const started = performance.now();
    const p = runTool('sh', ['-c', 'sleep 30 & echo $!; wait'], {
      signal: controller.signal,
      onStdoutLine: (line) => {
        grandchild = Number(line);
        controller.abort();
      },
    });
    await assert.rejects(p, (e: unknown) => StudioError.is(e, 'STUDIO_CANCELLED'));
    assert.ok(grandchild > 0);
    assert.ok(performance.now() - started < 1000);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(grandchild), false, 'the backgrounded sleep died with its group');
  });

  it('cleanupLeftovers kills recorded process groups and removes temp files; a reused pid is spared', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'studio-ledger-'));
    try {
      // A "previous life": a detached sleep with a child of its own, and a temp file, in a ledger never closed.
      const leader = spawn('sh', ['-c', 'sleep 30 & sleep 30; wait'], { detached: true, stdio: 'ignore' });
      const spared = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
      await new Promise((r) => setTimeout(r, 100));
      const temp = join(dir, 'half.partial.mp4');
      await writeFile(temp, 'half');
      const ledger = new Ledger(dir, 'old');
      ledger.addGroup(leader.pid!, 'sh');
      ledger.addTemp(temp);
      // A record whose pid now belongs to someone else (start time does not match).
      const other = new Ledger(dir, 'reused');
      other.addGroup(spared.pid!, 'sleep');
      const file = join(dir, 'live', 'reused.json');
      const rec = JSON.parse(readFileSync(file, 'utf8'));
      rec.groups[0].start += 1;
      await writeFile(file, JSON.stringify(rec));

      const report = cleanupLeftovers(dir);
      assert.equal(report.killedGroups, 1);
      assert.equal(report.removedTemps, 1);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(alive(leader.pid!), false);
      assert.equal(existsSync(temp), false);
      assert.equal(alive(spared.pid!), true, 'the pid with another start time is not killed');
      assert.deepEqual(await readdir(join(dir, 'live')), []);
      process.kill(spared.pid!, 'SIGKILL');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('cleanupLeftovers on a folder with no ledger does nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'studio-ledger-'));
    await mkdir(join(dir, 'live'));
    assert.deepEqual(cleanupLeftovers(dir), { killedGroups: 0, removedTemps: 0 });
    assert.deepEqual(cleanupLeftovers(join(dir, 'absent')), { killedGroups: 0, removedTemps: 0 });
    await rm(dir, { recursive: true, force: true });
  });
});

describe('§6.2 splitting a script', () => {
  it('paragraphs become scenes; whitespace collapses', () => {
    assert.deepEqual(splitScript('One.\n\n\nTwo  lines\nof text.\r\n\r\nThree.'), ['One.', 'Two lines of text.', 'Three.']);
    assert.deepEqual(splitScript('  \n\n  '), []);
  });

  it('a long paragraph splits at sentence ends, then at spaces', () => {
    const scenes = splitScript('First sentence here. Second one! Third? "Quoted." Last.', { maxSceneChars: 25 });
    assert.deepEqual(scenes, ['First sentence here.', 'Second one! Third?', '"Quoted." Last.']);
    assert.ok(splitScript(`${'word '.repeat(100)}`, { maxSceneChars: 30 }).every((x) => x.length <= 30));
    assert.ok(splitScript('x'.repeat(95), { maxSceneChars: 30 }).every((x) => x.length <= 30));
  });

  it('caps: STUDIO_TOO_MANY_SCENES and STUDIO_TEXT_TOO_LONG', () => {
    assert.throws(
      () => splitScript('a\n\nb\n\nc', { maxScenes: 2 }),
      (e: unknown) => StudioError.is(e, 'STUDIO_TOO_MANY_SCENES'),
    );
    assert.throws(
      () => splitScript('é'.repeat(10), { maxScriptBytes: 19 }),
      (e: unknown) => StudioError.is(e, 'STUDIO_TEXT_TOO_LONG'),
    );
  });

  it('storyFromScript fills in the defaults', () => {
    const st = storyFromScript('Hello.\n\nWorld.', { now: 5, id: 'x' });
    assert.equal(st.scenes.length, 2);
    assert.equal(st.scenes[1]!.caption, 'World.');
    assert.equal(st.format, '1080x1920');
    assert.equal(st.createdAt, 5);
    assert.throws(
      () => storyFromScript('\n\n'),
      (e: unknown) => StudioError.is(e, 'STUDIO_BAD_REQUEST'),
    );
  });
});
