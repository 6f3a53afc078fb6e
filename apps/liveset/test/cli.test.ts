// §7 `tidewire als-info`: the JSON summary the product checks read, the human summary, and
// exit codes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAlsInfoCommand } from '../src/cli.ts';
import { fixturePath, negativePath } from './helpers.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const cmd = createAlsInfoCommand(
    {
      write: (s) => {
        out += s;
      },
    },
    {
      write: (s) => {
        err += s;
      },
    },
  );
  const code = await cmd.run(args);
  return { code, out, err };
}

describe('§7 als-info', () => {
  it('--json prints exactly the summary keys', async () => {
    const r = await run([fixturePath('live12'), '--json']);
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    assert.deepEqual(JSON.parse(r.out), {
      creator: 'Ableton Live 12.0b16',
      majorVersion: '5',
      minorVersion: '12.0_12043',
      tempo: 120,
      timeSignature: '4/4',
      mainTrack: { element: 'MainTrack', name: 'Main', devices: 0 },
      tracks: [{ type: 'audio', name: '1-Audio', groupIndex: null, devices: 0, sessionClips: 0, arrangementClips: 0 }],
      scenes: 8,
      locators: [
        { name: 'A', time: 0 },
        { name: 'B', time: 4 },
        { name: 'D', time: 6 },
        { name: 'C', time: 8 },
        { name: 'Z', time: 10 },
        { name: 'E', time: 14 },
      ],
    });
  });
  it('--json on Foo lists returns last with their devices', async () => {
    const r = await run(['--json', fixturePath('foo')]);
    const s = JSON.parse(r.out);
    assert.deepEqual(Object.keys(s), ['creator', 'majorVersion', 'minorVersion', 'tempo', 'timeSignature', 'mainTrack', 'tracks', 'scenes', 'locators']);
    assert.deepEqual(Object.keys(s.tracks[0]), ['type', 'name', 'groupIndex', 'devices', 'sessionClips', 'arrangementClips']);
    assert.deepEqual(
      s.tracks.map((t: { type: string }) => t.type),
      ['midi', 'midi', 'audio', 'audio', 'return', 'return', 'return'],
    );
  });
  it('prints a readable summary without --json', async () => {
    const r = await run([fixturePath('michelle')]);
    assert.equal(r.code, 0);
    assert.match(r.out, /Ableton Live 11\.3\.21/);
    assert.match(r.out, /tempo 126 BPM, 4\/4/);
    assert.match(r.out, /13 tracks: 5 audio, 4 MIDI, 1 group, 3 return/);
    assert.match(r.out, /5-drb130HOE27001tribal6 .* 4 Haus/);
  });
  it('exits 1 with one line naming the file for a bad file', async () => {
    const path = negativePath('dawtool_junk.als');
    const r = await run([path, '--json']);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.equal(r.err.trimEnd().split('\n').length, 1);
    assert.ok(r.err.includes(path) && r.err.includes('ALS_NOT_GZIP'), r.err);
  });
  it('exits 2 on usage errors and 0 on --help', async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['a.als', 'b.als'])).code, 2);
    assert.equal((await run(['--yaml', 'a.als'])).code, 2);
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /usage: tidewire als-info FILE \[--json\]/);
  });
});
