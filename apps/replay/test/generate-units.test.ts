// The generator's parts on small inputs: parsing and its errors (§2, §8), the track (§3), the
// planner on a synthetic five-lap race (§4), determinism and the error registry.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildTrack, signedArea } from '../src/generate/track.ts';
import { buildPitLane, pitStopKnots } from '../src/generate/pit-lane.ts';
import { parseDuration, parseGap } from '../src/generate/time.ts';
import { defaultDataRoot, generateRace, gzip, parseCircuit, parseRaceFiles, readReplayInfo, REPLAY_ERROR_CODES, type RaceFiles } from '../src/index.ts';
import { pathArea, readFacts, syntheticRace } from './generate-helpers.ts';

const GEOJSON = join(defaultDataRoot(), 'circuits/circuits/bh-2002.geojson');
const geojson = () => JSON.parse(readFileSync(GEOJSON, 'utf8'));

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
}

async function codeAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'no error';
}

function generate(files: RaceFiles, circuitDoc: unknown = geojson(), seed = 1) {
  return generateRace({ race: parseRaceFiles(files), circuit: parseCircuit(circuitDoc), seed }, { compress: gzip });
}

describe('§2 F1DB data', () => {
  it('parses race, lap and pit-lane times and gaps', () => {
    assert.equal(parseDuration('1:31:44.742', 'x'), 5504.742);
    assert.equal(parseDuration('1:29.179', 'x'), 89.179);
    assert.equal(parseDuration('24.418', 'x'), 24.418);
    assert.deepEqual(parseGap('+1:14.887', 'x'), { kind: 'time', seconds: 74.887 });
    assert.deepEqual(parseGap('+2 laps', 'x'), { kind: 'laps', laps: 2 });
    assert.equal(
      code(() => parseDuration('1:75.000', 'x')),
      'REPLAY_BAD_DATA',
    );
    assert.equal(
      code(() => parseDuration('fast', 'x')),
      'REPLAY_BAD_DATA',
    );
  });

  it('derives statuses from position, laps and reasonRetired', () => {
    const d = parseRaceFiles(syntheticRace());
    assert.deepEqual(
      d.results.map((r) => [r.number, r.position, r.status]),
      [
        [1, 1, 'finished'],
        [11, 2, 'finished'],
        [16, 3, 'lapped'],
        [55, null, 'retired'],
      ],
    );
    assert.equal(d.grid.find((g) => g.number === 55)?.slot, null);
  });

  it('rejects broken or contradictory files with REPLAY_BAD_DATA', () => {
    const base = syntheticRace();
    const cases: Array<[string, Partial<RaceFiles>]> = [
      ['invalid YAML', { race: 'laps: [1,' }],
      ['a direction that is not CLOCKWISE/ANTI_CLOCKWISE', { race: base.race.replace('CLOCKWISE', 'SIDEWAYS') }],
      ['zero laps', { race: base.race.replace('laps: 5', 'laps: 0') }],
      ['a driver number twice', { results: base.results.replace('driverNumber: 11', 'driverNumber: 1') }],
      ['classified positions with a hole', { results: base.results.replace('position: 2', 'position: 4') }],
      ['a grid car missing from the results', { grid: `${base.grid}\n- position: 9\n  driverNumber: 99\n  driverId: nobody` }],
      ['a starter without a grid position', { grid: base.grid.split('\n- ').slice(0, 3).join('\n- ') }],
      ['a pit stop of an unknown car', { pitStops: '- driverNumber: 77\n  stop: 1\n  lap: 2\n  time: "24.000"' }],
      ['a pit-lane time out of range', { pitStops: '- driverNumber: 11\n  stop: 1\n  lap: 2\n  time: "2.000"' }],
      [
        'a driver who is not an entrant of the round',
        { entrants: '- entrantId: x\n  constructorId: red-bull\n  drivers:\n    - driverId: max-verstappen\n      rounds: 2-24' },
      ],
    ];
    for (const [what, change] of cases)
      assert.equal(
        code(() => parseRaceFiles({ ...base, ...change })),
        'REPLAY_BAD_DATA',
        what,
      );
  });

  it('accepts an entrants file that lists every driver for the round', () => {
    const entrants = [
      '- entrantId: red-bull-racing\n  constructorId: red-bull\n  drivers:\n    - driverId: max-verstappen\n      rounds: 1-24\n    - driverId: sergio-perez\n      rounds: "1,3"',
      '- entrantId: scuderia-ferrari\n  constructorId: ferrari\n  drivers:\n    - driverId: charles-leclerc\n      rounds: 1\n    - driverId: carlos-sainz-jr\n      rounds: 1-16,18-24\n    - driverId: test-driver\n      rounds:',
    ].join('\n');
    assert.equal(parseRaceFiles({ ...syntheticRace(), entrants }).entrants?.length, 5);
  });
});

describe('§3 track', () => {
  it('rejects GeoJSON that is not a plausible closed circuit with REPLAY_BAD_CIRCUIT', () => {
    const doc = geojson();
    const coords = doc.features[0].geometry.coordinates as number[][];
    const line = (c: unknown) => ({ type: 'LineString', coordinates: c });
    assert.equal(
      code(() => parseCircuit('{nope')),
      'REPLAY_BAD_CIRCUIT',
    );
    assert.equal(
      code(() => parseCircuit({ type: 'Point', coordinates: [0, 0] })),
      'REPLAY_BAD_CIRCUIT',
    );
    assert.equal(
      code(() => parseCircuit(line(coords.slice(0, 5)))),
      'REPLAY_BAD_CIRCUIT',
    );
    assert.equal(
      code(() => parseCircuit(line(coords.slice(0, 30)))),
      'REPLAY_BAD_CIRCUIT',
      'an open line',
    );
    // closed enough to parse, but half the official length: the wrong circuit
    assert.equal(
      code(() => buildTrack(parseCircuit(line(coords.slice(0, coords.length >> 1))), { direction: 'CLOCKWISE', lengthM: 5412 })),
      'REPLAY_BAD_CIRCUIT',
      'half a circuit',
    );
    assert.equal(
      code(() => parseCircuit(line(coords.map(([lon, lat], i) => (i === 3 ? [lon, 91] : [lon, lat]))))),
      'REPLAY_BAD_CIRCUIT',
      'bad latitude',
    );
    assert.equal(
      code(() => parseCircuit(line(coords.map(([lon, lat], i) => [lon + i * 0.01, lat])))),
      'REPLAY_BAD_CIRCUIT',
      'too large',
    );
  });

  it('orients the polyline in the race direction whichever way it is stored', () => {
    const doc = geojson();
    const reversed = structuredClone(doc);
    reversed.features[0].geometry.coordinates.reverse();
    for (const [stored, d] of [
      ['as stored', doc],
      ['reversed', reversed],
    ] as const) {
      for (const direction of ['CLOCKWISE', 'ANTI_CLOCKWISE'] as const) {
        const t = buildTrack(parseCircuit(d), { direction, lengthM: 5412 });
        assert.equal(signedArea(t.x, t.y) < 0, direction === 'CLOCKWISE', `${stored} ${direction}`);
      }
    }
  });

  it("starts a lap at the polyline's first point when it is on a straight, wherever the file starts reversed", () => {
    const doc = geojson();
    const first = parseCircuit(doc);
    const reversed = structuredClone(doc);
    reversed.features[0].geometry.coordinates.reverse();
    for (const d of [doc, reversed]) {
      const t = buildTrack(parseCircuit(d), { direction: 'CLOCKWISE', lengthM: 5412 });
      assert.equal(t.startMethod, 'first-point');
      assert.ok(Math.hypot(t.x[0] - first.x[0], t.y[0] - first.y[0]) < 15, 'the line stays where it was');
    }
  });

  it('finds a straight near the venue when the first point is in a corner', () => {
    const doc = geojson();
    const coords = doc.features[0].geometry.coordinates as number[][];
    const open = coords.slice(0, -1);
    // start the file at the Turn 1 hairpin (the northernmost point) instead of the main straight
    let k = 0;
    for (let i = 0; i < open.length; i++) if (open[i][1] > open[k][1]) k = i;
    doc.features[0].geometry.coordinates = [...open.slice(k), ...open.slice(0, k), open[k]];
    const circuit = parseCircuit(doc);
    const original = parseCircuit(geojson());
    const venue = { x: original.x[0] + 60, y: original.y[0] }; // by the pit building
    const t = buildTrack(circuit, { direction: 'CLOCKWISE', lengthM: 5412, venue });
    assert.equal(t.startMethod, 'straight-near-venue');
    assert.ok(Math.hypot(t.x[0] - original.x[0], t.y[0] - original.y[0]) < 400, 'on the main straight');
    assert.equal(buildTrack(circuit, { direction: 'CLOCKWISE', lengthM: 5412 }).startMethod, 'longest-straight');
  });

  it('scales the polyline so a lap is the official length', () => {
    const doc = geojson();
    doc.features[0].geometry.coordinates = (doc.features[0].geometry.coordinates as number[][]).map(([lon, lat]) => [
      50.51 + (lon - 50.51) * 0.96,
      26.03 + (lat - 26.03) * 0.96,
    ]);
    const t = buildTrack(parseCircuit(doc), { direction: 'CLOCKWISE', lengthM: 5412 });
    assert.ok(Math.abs(t.n * t.h - 5412) < 1e-6);
    assert.ok(t.scale > 1.03 && t.scale < 1.05, `scale ${t.scale}`);
  });

  it('a pit stop lasts exactly its pit-lane time, even one quicker than the lane at the limiter', () => {
    const t = buildTrack(parseCircuit(geojson()), { direction: 'CLOCKWISE', lengthM: 5412 });
    const lane = buildPitLane(t, 24, ['ferrari']);
    for (const d of [24, 30, 74.8, 12]) {
      const k = pitStopKnots(lane, t.h, 'ferrari', d);
      assert.ok(Math.abs(k.t[k.t.length - 1] - d) < 1e-6, `${d} s stop`);
    }
  });
});

describe('§4 planning on a synthetic race', () => {
  it('reproduces the results: winner time, gap, a lapped car, a pit-lane starter retiring at its lap', async () => {
    const r = await generate(syntheticRace());
    assert.deepEqual(
      r.classification.map((c) => [c.position, c.number, c.laps, c.status]),
      [
        [1, 1, 5, 'finished'],
        [2, 11, 5, 'finished'],
        [3, 16, 4, 'lapped'],
        [null, 55, 2, 'retired'],
      ],
    );
    assert.equal(r.classification[0].timeSec, 480);
    assert.equal(r.classification[1].gapSec, 3.5);
    const facts = await readFacts(r.file, 0, 3);
    assert.deepEqual(facts.violations, []);
    const sainz = facts.cars.find((c) => c.number === 55);
    assert.equal(sainz?.first.status, 1);
    assert.equal(sainz?.retiredLap, 2);
    assert.deepEqual(
      facts.cars.find((c) => c.number === 11)?.pits.map((p) => p.lap),
      [2],
    );
  });

  it('drives anticlockwise when race.yml says so, whichever way the polyline is stored', async () => {
    const reversed = geojson();
    reversed.features[0].geometry.coordinates.reverse();
    for (const [direction, doc] of [
      ['ANTI_CLOCKWISE', geojson()],
      ['ANTI_CLOCKWISE', reversed],
      ['CLOCKWISE', reversed],
    ] as const) {
      const r = await generate(syntheticRace({ direction }), doc);
      const facts = await readFacts(r.file, 0, 3);
      assert.equal(pathArea(facts.path.x, facts.path.y) < 0 ? 'CLOCKWISE' : 'ANTI_CLOCKWISE', direction);
    }
  });

  it('is deterministic for a seed and varies with it', async () => {
    const a = await generate(syntheticRace(), geojson(), 7);
    const b = await generate(syntheticRace(), geojson(), 7);
    const c = await generate(syntheticRace(), geojson(), 8);
    assert.ok(Buffer.from(a.file).equals(Buffer.from(b.file)));
    assert.ok(!Buffer.from(a.file).equals(Buffer.from(c.file)));
    assert.deepEqual(readReplayInfo(c.file).classification, readReplayInfo(a.file).classification);
  });

  it('refuses results no lap schedule can reproduce with REPLAY_UNSOLVABLE', async () => {
    // 200 s behind on the lead lap is two laps down in reality
    const files = syntheticRace();
    files.results = files.results.replace('time: "0:08:03.500"\n  gap: "+3.500"', 'time: "0:11:20.000"\n  gap: "+3:20.000"');
    assert.equal(await codeAsync(() => generate(files)), 'REPLAY_UNSOLVABLE');
  });

  it('validates its options with REPLAY_BAD_OPTION', async () => {
    assert.equal(await codeAsync(() => generate(syntheticRace(), geojson(), -1)), 'REPLAY_BAD_OPTION');
    assert.equal(
      await codeAsync(() => generateRace({ race: parseRaceFiles(syntheticRace()), circuit: parseCircuit(geojson()) }, { compress: gzip, rateHz: 1000 })),
      'REPLAY_BAD_OPTION',
    );
  });
});

describe('§8 errors', () => {
  it('documents every error code in docs/replay-generator.md', () => {
    const doc = readFileSync(new URL('../../../docs/replay-generator.md', import.meta.url), 'utf8');
    for (const c of Object.keys(REPLAY_ERROR_CODES)) assert.ok(doc.includes(`\`${c}\``), `${c} is not in the doc`);
  });
});
