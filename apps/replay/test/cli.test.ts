// docs/replay-generator.md §7: `tidewire replay generate` and `tidewire replay info`, on a
// synthetic race folder laid out like the bundled data (so `--race` runs in a fraction of a second).
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { specialTargets } from '@tidewire/testkit';
import { BUNDLED_RACES, createReplayCommand, defaultDataRoot } from '../src/index.ts';
import { syntheticRace } from './generate-helpers.ts';

let root: string;
let raceDir: string;
let circuit: string;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const cmd = createReplayCommand(
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
    root,
  );
  const code = await cmd.run(args);
  return { code, out, err };
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'replay-cli-'));
  const b = BUNDLED_RACES['2024-bahrain'];
  raceDir = join(root, b.raceDir);
  circuit = join(root, b.circuit);
  mkdirSync(raceDir, { recursive: true });
  mkdirSync(join(circuit, '..'), { recursive: true });
  const files = syntheticRace();
  writeFileSync(join(raceDir, 'race.yml'), files.race);
  writeFileSync(join(raceDir, 'race-results.yml'), files.results);
  writeFileSync(join(raceDir, 'starting-grid-positions.yml'), files.grid);
  writeFileSync(join(raceDir, 'pit-stops.yml'), files.pitStops as string);
  writeFileSync(join(raceDir, 'fastest-laps.yml'), files.fastestLaps as string);
  copyFileSync(join(defaultDataRoot(), b.circuit), circuit);
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('§7 replay generate', () => {
  it('writes a replay from --race-dir and --circuit, with progress on stderr', async () => {
    const file = join(root, 'a.tl');
    const r = await run(['generate', '--race-dir', raceDir, '--circuit', circuit, '--seed', '3', '--out', file]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^wrote .*a\.tl: 4 cars, \d+ frames/);
    assert.match(r.err, /rendering frames 100%/);
    assert.ok(existsSync(file) && !readdirSync(root).some((n) => n.startsWith('.a.tl.tmp-')));
  });

  it('--race NAME finds the bundled race under the data root, byte-identical to --race-dir for a seed', async () => {
    const a = join(root, 'b.tl');
    const b = join(root, 'c.tl');
    assert.equal((await run(['generate', '--race', '2024-bahrain', '--out', a])).code, 0);
    assert.equal((await run(['generate', `--race-dir=${raceDir}`, `--circuit=${circuit}`, '--seed=1', `--out=${b}`])).code, 0);
    assert.ok(readFileSync(a).equals(readFileSync(b)));
  });

  it('exits 1 with REPLAY_DATA_MISSING when the bundled data is not there', async () => {
    const r = await run(['generate', '--race', '2024-italy', '--out', join(root, 'x.tl')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /REPLAY_DATA_MISSING: .*16-italy/);
    const d = await run(['generate', '--race', '2024-bahrain', '--data', join(root, 'nowhere'), '--out', join(root, 'x.tl')]);
    assert.match(d.err, /REPLAY_DATA_MISSING/);
    const m = await run(['generate', '--race-dir', join(root, 'nowhere'), '--circuit', circuit, '--out', join(root, 'x.tl')]);
    assert.equal(m.code, 1);
    assert.match(m.err, /REPLAY_DATA_MISSING/);
  });

  it('exits 1 with the error code for bad data and unknown races', async () => {
    const r = await run(['generate', '--race', '2023-monaco', '--out', join(root, 'x.tl')]);
    assert.equal(r.code, 1);
    assert.match(r.err, /REPLAY_BAD_OPTION/);
    const c = await run(['generate', '--race-dir', raceDir, '--circuit', join(raceDir, 'race.yml'), '--out', join(root, 'x.tl')]);
    assert.equal(c.code, 1);
    assert.match(c.err, /REPLAY_BAD_CIRCUIT/);
    assert.ok(!existsSync(join(root, 'x.tl')));
  });

  it('exits 2 on usage errors and 0 on --help', async () => {
    for (const args of [
      ['generate'],
      ['generate', '--race', '2024-bahrain'],
      ['generate', '--race', '2024-bahrain', '--race-dir', raceDir, '--out', 'x'],
      ['generate', '--race-dir', raceDir, '--out', 'x'],
      ['generate', '--race', '2024-bahrain', '--seed', '-4', '--out', 'x'],
      ['generate', '--race', '2024-bahrain', '--frobnicate', '--out', 'x'],
      ['generate', '--race', '2024-bahrain', '--out'],
      ['info'],
      ['info', 'a', 'b'],
      ['info', 'a', '--yaml'],
      ['launch'],
      [],
    ])
      assert.equal((await run(args)).code, 2, args.join(' '));
    assert.equal((await run(['generate', '--help'])).code, 0);
    assert.equal((await run(['info', '-h'])).code, 0);
    assert.equal((await run(['--help'])).code, 0);
  });
});

describe('§7 replay info', () => {
  let file: string;
  before(async () => {
    file = join(root, 'info.tl');
    assert.equal((await run(['generate', '--race-dir', raceDir, '--circuit', circuit, '--out', file])).code, 0);
  });

  it('--json prints exactly rateHz, frames, durationSec, entities and classification', async () => {
    const r = await run(['info', file, '--json']);
    assert.equal(r.code, 0);
    assert.equal(r.err, '');
    const info = JSON.parse(r.out);
    assert.deepEqual(Object.keys(info), ['rateHz', 'frames', 'durationSec', 'entities', 'classification']);
    assert.equal(info.rateHz, 25);
    assert.equal(info.durationSec, info.frames / 25);
    assert.deepEqual(info.entities[0], { number: 1, code: 'VER', name: 'Max Verstappen', team: 'Red Bull Racing', color: '#3671C6' });
    for (const e of info.entities) assert.deepEqual(Object.keys(e), ['number', 'code', 'name', 'team', 'color']);
    assert.deepEqual(info.classification, [
      { position: 1, number: 1, laps: 5, status: 'finished', timeSec: 480 },
      { position: 2, number: 11, laps: 5, status: 'finished', timeSec: 483.5 },
      { position: 3, number: 16, laps: 4, status: 'lapped', timeSec: null },
      { position: null, number: 55, laps: 2, status: 'retired', timeSec: null },
    ]);
  });

  it('prints a readable table without --json', async () => {
    const r = await run(['info', file]);
    assert.equal(r.code, 0);
    assert.match(r.out, /frames at 25 Hz/);
    assert.match(r.out, /1\s+1\s+VER\s+Red Bull Racing\s+5\s+finished\s+8:00\.000/);
    assert.match(r.out, /-\s+55\s+SAI\s+Ferrari\s+2\s+retired/);
  });

  it('exits 1 with REPLAY_BAD_FILE for a file that is not a replay, REPLAY_DATA_MISSING for no file', async () => {
    const bad = await run(['info', join(raceDir, 'race.yml'), '--json']);
    assert.equal(bad.code, 1);
    assert.equal(bad.out, '');
    assert.match(bad.err, /REPLAY_BAD_FILE: .*race\.yml.*TL_BAD_MAGIC/);
    const none = await run(['info', join(root, 'none.tl')]);
    assert.equal(none.code, 1);
    assert.match(none.err, /REPLAY_DATA_MISSING/);
  });
});

describe('docs/cli.md §7 replay generate --out: only a new path or a regular file is written', () => {
  it('a symbolic link, a FIFO, a directory, a character device: exit 1 with CLI_OUT_NOT_REGULAR naming it, and it is left as it was', async () => {
    const dir = mkdtempSync(join(root, 'special-'));
    const targets = await specialTargets(dir, 'tl');
    const made = readdirSync(dir).sort();
    for (const target of targets) {
      const r = await run(['generate', '--race-dir', raceDir, '--circuit', circuit, '--out', target.path]);
      await target.assertUnchanged();
      assert.equal(r.code, 1, `${target.kind}: ${r.err}`);
      assert.ok(r.err.includes(`CLI_OUT_NOT_REGULAR: `) && r.err.includes(target.path) && r.err.includes(target.kind), r.err);
    }
    assert.deepEqual(readdirSync(dir).sort(), made, 'no temporary file is left behind');
  });
});
