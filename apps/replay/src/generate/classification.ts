// The final classification, computed from the simulated race (not copied from the results):
// cars ranked by laps completed, then by the time they completed their last lap plus time
// penalties; classified when they covered 90 % of the winner's laps (rounded down), as the
// Sporting Regulations say. Disqualifications and non-starters come from the data: nothing on
// track shows them.
import type { ResultStatus } from './f1db.ts';
import type { CarPlan, RacePlan } from './plan.ts';

export interface ClassificationRow {
  position: number | null;
  number: number;
  laps: number;
  status: ResultStatus;
  /** Race time including penalties, for cars on the winner's lap; else null. */
  timeSec: number | null;
  /** Behind the winner: seconds for cars on the lead lap, laps for the others (classified cars). */
  gapSec: number | null;
  lapsDown: number | null;
  penaltySec: number;
  reasonRetired: string | null;
}

const ms = (x: number) => Math.round(x * 1000) / 1000;

export function classify(plan: RacePlan): ClassificationRow[] {
  const dsq = plan.cars.filter((c) => c.row.status === 'disqualified');
  const eligible = plan.cars.filter((c) => c.row.status !== 'disqualified');
  const lastTime = (c: CarPlan) => (c.endKind === 'finished' ? (c.finishSec as number) : (c.crossings[c.laps - 1] ?? c.startSec)) + c.row.penaltySec;
  const maxLaps = Math.max(0, ...eligible.map((c) => c.laps));
  const minLaps = Math.floor(0.9 * maxLaps);
  const byRank = (a: CarPlan, b: CarPlan) => b.laps - a.laps || lastTime(a) - lastTime(b);
  const classified = eligible.filter((c) => c.laps >= minLaps && c.laps > 0).sort(byRank);
  const winner = classified[0];
  const rows: ClassificationRow[] = classified.map((c, i) => {
    const running = c.endKind === 'finished';
    const lead = running && c.laps === maxLaps;
    return {
      position: i + 1,
      number: c.number,
      laps: c.laps,
      status: !running ? 'retired' : lead ? 'finished' : 'lapped',
      timeSec: lead ? ms(lastTime(c)) : null,
      gapSec: lead && c !== winner ? ms(lastTime(c) - lastTime(winner)) : null,
      lapsDown: maxLaps - c.laps,
      penaltySec: c.row.penaltySec,
      reasonRetired: c.row.reasonRetired,
    };
  });
  const others = eligible.filter((c) => !classified.includes(c)).sort(byRank);
  const unclassified = (c: CarPlan, status: ResultStatus): ClassificationRow => ({
    position: null,
    number: c.number,
    laps: c.laps,
    status,
    timeSec: null,
    gapSec: null,
    lapsDown: null,
    penaltySec: c.row.penaltySec,
    reasonRetired: c.row.reasonRetired,
  });
  for (const c of others.filter((x) => x.endKind === 'finished')) rows.push(unclassified(c, 'not-classified'));
  for (const c of others.filter((x) => x.endKind !== 'finished')) rows.push(unclassified(c, 'retired'));
  for (const c of dsq) rows.push(unclassified(c, 'disqualified'));
  for (const r of plan.absent) {
    rows.push({
      position: null,
      number: r.number,
      laps: 0,
      status: 'did-not-start',
      timeSec: null,
      gapSec: null,
      lapsDown: null,
      penaltySec: r.penaltySec,
      reasonRetired: r.reasonRetired,
    });
  }
  return rows;
}
