// The verdict of a loopback latency measurement (docs/signal-lab.md §4.3), from the two aligned
// channels the capture recorded: what was played and what the input heard. Pure, so the decision
// is tested on synthetic buffers with an exact delay; latency.ts does the browser part.
import { searchDelay, type DelayEstimate } from './correlate.ts';

export type LatencyResult =
  | { kind: 'no-input'; reason: string }
  // `lagsSearched` and `bestPeakRatio` say the recording was searched and how close the best
  // candidate came: a "no impulse came back" that never looked would have neither.
  | {
      kind: 'no-loopback';
      inputRms: number;
      seconds: number;
      lagsSearched: number;
      bestPeakRatio: number;
      minPeakRatio: number;
      uniqueness: number;
      minUniqueness: number;
    }
  | ({ kind: 'measured'; inputRms: number; seconds: number; lagsSearched: number } & DelayEstimate);

function rms(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** Searches `heard` for the `sent` signal: the round trip when its peak stands out, else why not. */
export function judgeLoopback(sent: ArrayLike<number>, heard: ArrayLike<number>, sampleRate: number, seconds: number): LatencyResult {
  const inputRms = rms(heard);
  const s = searchDelay(sent, heard, sampleRate);
  if (s.found && s.peak) return { kind: 'measured', inputRms, seconds, lagsSearched: s.lagsSearched, ...s.peak };
  return {
    kind: 'no-loopback',
    inputRms,
    seconds,
    lagsSearched: s.lagsSearched,
    bestPeakRatio: s.peak?.peakRatio ?? 0,
    minPeakRatio: s.minPeakRatio,
    uniqueness: s.uniqueness,
    minUniqueness: s.minUniqueness,
  };
}
