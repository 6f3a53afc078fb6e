// `tidewire studio render` (docs/studio.md §6): a script file in, an MP4 out; exit 2 for usage
// mistakes, exit 1 with a coded error for failures.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UsageError } from '@tidewire/cli';
import { createStudioCommand, parseRenderArgs } from '../src/cli.ts';
import { ffprobeJson } from './render-helpers.ts';

function capture() {
  const out = {
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
  const err = {
    text: '',
    write(t: string) {
      this.text += t;
    },
  };
  return { out, err, cmd: createStudioCommand(out, err) };
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'studio-cli-test-'));
  process.env.XDG_CACHE_HOME = join(dir, 'cache'); // builtin backgrounds are made here, not in ~/.cache
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('§6.1 tidewire studio render', () => {
  it('renders a script file to an MP4 and a thumbnail (exit 0), progress on stderr', async () => {
    const script = join(dir, 'story.txt');
    await writeFile(script, 'A tiny story.\n\nIt has two scenes.\n');
    const { out, err, cmd } = capture();
    const code = await cmd.run([
      'render',
      script,
      '--out',
      join(dir, 'story.mp4'),
      '--format',
      '1080x1080',
      '--voice',
      'en-us',
      '--rate',
      '220',
      '--background',
      'builtin:dusk',
    ]);
    assert.equal(code, 0, err.text);
    assert.match(out.text, /wrote .*story\.mp4: 2 scenes/);
    assert.match(err.text, /compose\s+100%/);
    const probe = await ffprobeJson(join(dir, 'story.mp4'));
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    assert.equal(video.width, 1080);
    assert.equal(video.height, 1080);
    assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith('story')).sort(), ['story.jpg', 'story.mp4', 'story.txt']);
  });

  it('exit 2 for usage mistakes, with the usage', async () => {
    for (const args of [
      ['render'],
      ['render', 'x.txt'],
      ['render', 'x.txt', '--out', 'x.mov'],
      ['render', 'x.txt', '--out', 'x.mp4', '--format', '720x1280'],
      ['render', 'x.txt', '--out', 'x.mp4', '--rate', 'fast'],
      ['render', 'x.txt', '--out', 'x.mp4', '--background', 'builtin:nope'],
      ['render', 'x.txt', '--out', 'x.mp4', '--bogus'],
      ['render', 'x.txt', 'y.txt', '--out', 'x.mp4'],
      ['nope'],
      [],
    ]) {
      const { err, cmd } = capture();
      assert.equal(await cmd.run(args), 2, args.join(' '));
      assert.match(err.text, /usage: tidewire studio/);
      // One format for every tidewire command: `tidewire <cmd>: <message>` first, or the group's usage alone.
      if (args[0] === 'render') assert.match(err.text, /^tidewire studio render: \S/, args.join(' '));
    }
  });

  it('exit 1 and a code for a missing script or background', async () => {
    let { err, cmd } = capture();
    assert.equal(await cmd.run(['render', join(dir, 'missing.txt'), '--out', join(dir, 'm.mp4')]), 1);
    assert.match(err.text, /STUDIO_NOT_FOUND/);
    const script = join(dir, 'ok.txt');
    await writeFile(script, 'Hi.');
    ({ err, cmd } = capture());
    assert.equal(await cmd.run(['render', script, '--out', join(dir, 'm.mp4'), '--background', join(dir, 'nope.png')]), 1);
    assert.match(err.text, /STUDIO_NOT_FOUND/);
    ({ err, cmd } = capture());
    assert.equal(await cmd.run(['render', script, '--out', join(dir, 'm.mp4'), '--voice', 'xx-nope']), 1);
    assert.match(err.text, /STUDIO_BAD_VOICE/);
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith('m.') || f.startsWith('.m.')),
      [],
    );
  });

  it('options: the defaults, and the ranges at their edges', () => {
    assert.deepEqual(parseRenderArgs(['s.txt', '--out', 'o.mp4']), {
      script: resolve('s.txt'),
      out: resolve('o.mp4'),
      thumbnail: resolve('o.jpg'),
      voice: 'en',
      rate: 170,
      pitch: 50,
      format: '1080x1920',
      background: { kind: 'builtin', name: 'dusk' },
      music: undefined,
      musicVolume: 0.3,
      gap: 0.4,
      captionSize: 64,
      captionPosition: 'bottom',
      highlight: true,
      zoom: false,
      timeoutMs: 600_000,
    });
    const edges = parseRenderArgs([
      's.txt',
      '--out=o.MP4',
      '--rate',
      '450',
      '--pitch',
      '0',
      '--music-volume',
      '2',
      '--gap',
      '0',
      '--caption-size',
      '8',
      '--caption-position',
      'top',
      '--timeout',
      '1.5',
      '--background',
      '#A0b1C2',
      '--music',
      'm.ogg',
      '--zoom',
      '--no-highlight',
    ]);
    assert.notEqual(edges, 'help');
    assert.deepEqual(
      edges !== 'help' && [
        edges.rate,
        edges.pitch,
        edges.musicVolume,
        edges.gap,
        edges.captionSize,
        edges.captionPosition,
        edges.timeoutMs,
        edges.background,
        edges.music,
        edges.zoom,
        edges.highlight,
        edges.thumbnail,
      ],
      [450, 0, 2, 0, 8, 'top', 1500, { kind: 'color', color: '#A0b1C2' }, resolve('m.ogg'), true, false, resolve('o.jpg')],
    );
    for (const bad of [
      ['--rate', '79'],
      ['--rate', '451'],
      ['--rate', '170.5'],
      ['--pitch', '100'],
      ['--music-volume', '2.01'],
      ['--gap', '-1'],
      ['--gap', '10.5'],
      ['--caption-size', '7'],
      ['--caption-position', 'left'],
      ['--timeout', '0.5'],
      ['--timeout', '86401'],
      ['--background', '#abc'],
      ['--out', 'o2.mp4'],
      ['--zoom=yes'],
      ['--voice', ''],
    ]) {
      assert.throws(() => parseRenderArgs(['s.txt', '--out', 'o.mp4', ...bad]), UsageError, bad.join(' '));
    }
  });

  it('--help prints the usage (exit 0)', async () => {
    const { out, cmd } = capture();
    assert.equal(await cmd.run(['render', '--help']), 0);
    assert.match(out.text, /--background BG/);
    assert.equal(parseRenderArgs(['s.txt', '--out=o.mp4', '--zoom', '--no-highlight']) !== 'help', true);
  });
});

describe('§4.4 tidewire studio worker', () => {
  it('is a subcommand of `tidewire studio`, with the usage of every tidewire command', async () => {
    const { out, cmd } = capture();
    assert.equal(await cmd.run(['--help']), 0);
    assert.match(out.text, /^ +worker +run render workers/m);
    const w = capture();
    assert.equal(await w.cmd.run(['worker', '--help']), 0);
    assert.match(w.out.text, /^usage: tidewire studio worker --redis URL/);
    assert.match(w.out.text, /--data-dir DIR/);
    const bad = capture();
    assert.equal(await bad.cmd.run(['worker', '--redis', 'http://nope']), 2);
    assert.match(bad.err.text, /^tidewire studio worker: --redis needs a redis:\/\/ URL/);
  });
});
