// docs/replay-generator.md §9 acceptance: every race in apps/replay/data/f1db is generated and read
// back frame by frame; the classification, gaps, grid, pit stops and direction seen in the frames
// must match the F1DB files (read here with `yaml` directly, not through the generator's parser).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { BUNDLED_RACES, defaultDataRoot, generateRaceFiles, readReplayInfo, type GenerateResult } from '../src/index.ts';
import { pathArea, readFacts, type ReplayFacts } from './generate-helpers.ts';

const DATA = defaultDataRoot();
const SEASONS = join(DATA, 'f1db/src/data/seasons');
/** Frames are 40 ms apart: a change is seen up to one period after it happens. */
const PERIOD = 1 / 25;

type Row = Record<string, unknown>;
const yml = (dir: string, name: string): Row[] => (existsSync(join(dir, name)) ? ((parse(readFileSync(join(dir, name), 'utf8')) as Row[] | null) ?? []) : []);

function seconds(text: string): number {
  const parts = text.split(':').map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/** What race-results.yml says about each car, in the generator's status vocabulary. */
function expected(results: Row[]) {
  const winnerLaps = results.find((r) => r.position === 1)?.laps as number;
  return results.map((r) => {
    const numeric = typeof r.position === 'number';
    const status = !numeric
      ? ({ DNF: 'retired', DSQ: 'disqualified', DNS: 'did-not-start', NC: 'not-classified' } as Record<string, string>)[r.position as string]
      : r.reasonRetired
        ? 'retired'
        : (r.laps as number) < winnerLaps
          ? 'lapped'
          : 'finished';
    return {
      number: r.driverNumber as number,
      position: numeric ? (r.position as number) : null,
      laps: (r.laps as number | null) ?? 0,
      status,
      timeSec: typeof r.time === 'string' && numeric ? seconds(r.time) : null,
      penalty: typeof r.timePenalty === 'string' ? Number(r.timePenalty) : 0,
      lapsDown: typeof r.gap === 'string' && /lap/.test(r.gap) ? Number(/\d+/.exec(r.gap)?.[0]) : 0,
    };
  });
}

const raceDirs: string[] = [];
for (const season of existsSync(SEASONS) ? readdirSync(SEASONS) : []) {
  const races = join(SEASONS, season, 'races');
  if (existsSync(races)) for (const r of readdirSync(races).sort()) raceDirs.push(join(races, r));
}

describe('§9 acceptance: every race in the bundled data', () => {
  it('finds the bundled data and has a bundled entry (with a circuit) for every race in it', () => {
    assert.ok(raceDirs.length >= 4, `expected the races of ${SEASONS}`);
    const bundled = new Set(Object.values(BUNDLED_RACES).map((b) => join(DATA, b.raceDir)));
    for (const dir of raceDirs) assert.ok(bundled.has(dir), `${dir} has no BUNDLED_RACES entry`);
  });

  for (const [name, b] of Object.entries(BUNDLED_RACES)) {
    describe(name, () => {
      const dir = join(DATA, b.raceDir);
      const results = yml(dir, 'race-results.yml');
      const race = parse(readFileSync(join(dir, 'race.yml'), 'utf8')) as Row;
      const want = expected(results);
      const winnerIndex = results.findIndex((r) => r.position === 1);
      let gen: GenerateResult;
      let facts: ReplayFacts;
      before(async () => {
        gen = await generateRaceFiles({ raceDir: dir, circuitFile: join(DATA, b.circuit), seed: 1 });
        facts = await readFacts(gen.file, winnerIndex, 10);
      });
      const car = (num: number) => facts.cars.find((c) => c.number === num) as ReplayFacts['cars'][number];

      it('classification seen in the frames equals race-results.yml (positions, laps, statuses, retirements at their lap)', () => {
        const excluded = new Set(want.filter((w) => w.status === 'disqualified' || w.status === 'did-not-start').map((w) => w.number));
        const seen = facts.cars
          .filter((c) => !excluded.has(c.number))
          .map((c) => {
            const w = want.find((x) => x.number === c.number);
            const penalty = w?.penalty ?? 0;
            if (c.finishSec !== null) return { number: c.number, laps: c.finishLap as number, time: c.finishSec + penalty, running: true };
            assert.notEqual(c.retiredLap, null, `car ${c.number} neither finished nor retired`);
            return { number: c.number, laps: c.retiredLap as number, time: Infinity, running: false };
          });
        const maxLaps = Math.max(...seen.map((s) => s.laps));
        const classified = seen.filter((s) => s.laps >= Math.floor(0.9 * maxLaps)).sort((a, b) => b.laps - a.laps || a.time - b.time);
        assert.deepEqual(
          classified.map((s) => s.number),
          want.filter((w) => w.position !== null).map((w) => w.number),
        );
        for (const w of want) {
          const c = car(w.number);
          if (w.status === 'did-not-start') {
            assert.equal(c.first.status, 4);
            assert.equal(c.last.status, 4);
            assert.ok(Number.isNaN(c.first.x));
            continue;
          }
          const s = seen.find((x) => x.number === w.number);
          const laps = s?.laps ?? (c.finishLap as number);
          assert.equal(laps, w.laps, `car ${w.number} laps`);
          const status = w.status === 'disqualified' ? 'disqualified' : !(s?.running ?? true) ? 'retired' : laps === maxLaps ? 'finished' : 'lapped';
          assert.equal(status, w.status, `car ${w.number} status`);
        }
      });

      it('the stored classification (what `info` prints) equals race-results.yml', () => {
        const info = readReplayInfo(gen.file);
        assert.deepEqual(
          info.classification.map((c) => [c.number, c.position, c.laps, c.status]),
          want.map((w) => [w.number, w.position, w.laps, w.status]),
        );
        for (const c of info.classification) {
          const w = want.find((x) => x.number === c.number);
          if (w?.status === 'finished') assert.ok(Math.abs((c.timeSec as number) - (w.timeSec as number)) < 1, `car ${c.number}: ${c.timeSec} vs ${w.timeSec}`);
          else assert.equal(c.timeSec, null);
        }
      });

      it("the winner's time is within 0.5 % of the real one", () => {
        const w = want[winnerIndex];
        const c = car(w.number);
        const time = (c.finishSec as number) + w.penalty;
        assert.ok(Math.abs(time - (w.timeSec as number)) <= 0.005 * (w.timeSec as number), `${time} vs ${w.timeSec}`);
      });

      it('every classified car is within 1 s of its real gap, lapped cars whole laps down after the flag', () => {
        const w = want[winnerIndex];
        const winnerTime = (car(w.number).finishSec as number) + w.penalty;
        const flag = Math.min(...facts.cars.filter((c) => c.finishSec !== null).map((c) => c.finishSec as number));
        const lapSec = flag / w.laps;
        for (const x of want.filter((r) => r.position !== null && r.status !== 'retired')) {
          const c = car(x.number);
          if (x.status === 'finished') {
            const gap = (c.finishSec as number) + x.penalty - winnerTime;
            assert.ok(Math.abs(gap - ((x.timeSec as number) - (w.timeSec as number))) <= 1, `car ${x.number}: gap ${gap.toFixed(3)}`);
          } else {
            assert.equal(w.laps - (c.finishLap as number), x.lapsDown, `car ${x.number}: laps down`);
            assert.ok(
              (c.finishSec as number) > flag && (c.finishSec as number) < flag + 1.5 * lapSec,
              `car ${x.number} finished at ${c.finishSec}, flag ${flag}`,
            );
          }
        }
      });

      it('cars start from their grid slots; pit-lane starters from the pit lane', () => {
        const grid = yml(dir, 'starting-grid-positions.yml');
        const started = new Set(want.filter((x) => x.status !== 'did-not-start').map((x) => x.number));
        const slotted = grid.filter((g) => typeof g.position === 'number' && started.has(g.driverNumber as number));
        const byDistance = facts.cars.filter((c) => c.first.status === 0).sort((a, b) => b.first.distance - a.first.distance);
        assert.deepEqual(
          byDistance.map((c) => c.number),
          slotted.map((g) => g.driverNumber),
        );
        for (const g of slotted) {
          const c = car(g.driverNumber as number);
          assert.ok(Math.abs(c.first.distance - -(4 + 8 * ((g.position as number) - 1))) <= 1.5, `car ${g.driverNumber} at ${c.first.distance} m`);
          assert.equal(c.first.speed, 0);
        }
        for (const g of grid.filter((x) => x.position === 'PL')) {
          const c = car(g.driverNumber as number);
          assert.equal(c.first.status, 1, `pit-lane starter ${g.driverNumber}`);
          assert.equal(c.first.position, started.size, 'a pit-lane starter is last until released');
          assert.equal(c.pits[0].enterSec, 0);
        }
      });

      it('pit stops happen on their real laps and last their real pit-lane time (± 2 frames)', () => {
        const stops = yml(dir, 'pit-stops.yml');
        const pl = new Set(
          yml(dir, 'starting-grid-positions.yml')
            .filter((g) => g.position === 'PL')
            .map((g) => g.driverNumber),
        );
        for (const w of want.filter((x) => x.status !== 'did-not-start')) {
          const real = stops
            .filter((s) => s.driverNumber === w.number)
            .sort((a, b) => (a.lap as number) - (b.lap as number) || (a.stop as number) - (b.stop as number));
          const seen = car(w.number).pits.filter((p, i) => !(i === 0 && pl.has(w.number) && p.enterSec === 0));
          assert.deepEqual(
            seen.map((p) => p.lap),
            real.map((s) => s.lap),
            `car ${w.number} stop laps`,
          );
          seen.forEach((p, i) => {
            const d = p.exitSec - p.enterSec;
            assert.ok(
              Math.abs(d - seconds(real[i].time as string)) <= 2 * PERIOD + 1e-9,
              `car ${w.number} stop ${i + 1}: ${d.toFixed(3)} s vs ${real[i].time}`,
            );
          });
        }
      });

      it('runs in the direction of race.yml (signed area of the driven path)', () => {
        const area = pathArea(facts.path.x, facts.path.y);
        let length = 0;
        for (let i = 1; i < facts.path.x.length; i++) length += Math.hypot(facts.path.x[i] - facts.path.x[i - 1], facts.path.y[i] - facts.path.y[i - 1]);
        assert.ok(length > 0.9 * (race.courseLength as number) * 1000, `lap 10 path ${length} m`);
        assert.equal(area < 0 ? 'CLOCKWISE' : 'ANTI_CLOCKWISE', race.direction);
      });

      it('every frame is consistent: unique positions 1..n, values in range, DRS only when allowed', () => {
        assert.deepEqual(facts.violations, []);
        assert.ok(facts.drsFrames > 0, 'nobody ever opened DRS');
        assert.equal(facts.frames, facts.reader.frameCount);
      });

      it('stays within the size budget of 6,250 bytes per second of race', () => {
        assert.ok(gen.stats.bytesPerSec <= 6250, `${gen.stats.bytesPerSec} B/s`);
        assert.equal(gen.stats.fileBytes, gen.file.length);
      });

      if (name === '2024-italy') {
        it('is deterministic: the same seed gives the same bytes', async () => {
          const again = await generateRaceFiles({ raceDir: dir, circuitFile: join(DATA, b.circuit), seed: 1 });
          assert.ok(Buffer.from(again.file).equals(Buffer.from(gen.file)));
        });
      }
    });
  }
});
