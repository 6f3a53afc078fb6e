// Machine-wide CPU from /proc/stat (Linux), to tell how much of a window's CPU went to
// processes outside the benchmark: on a shared 2-core machine, someone else's test run is
// the most likely reason a rung misses its deadlines. null where /proc/stat is not readable.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export interface CpuTicks {
  busy: number;
  total: number;
}

export function machineTicks(): CpuTicks | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (v.length < 8 || !v.every(Number.isFinite)) return null;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = v;
    // Interrupt time is left out of busy: loopback TCP work of our own sockets lands there, not
    // in any process's usage. Steal counts: the hypervisor gave our cores to someone else.
    return { busy: user! + nice! + system! + steal!, total: user! + nice! + system! + idle! + iowait! + irq! + softirq! + steal! };
  } catch {
    return null;
  }
}

/** Busy CPU between two readings, in % of one core (as process CPU % is). */
export function machineBusyPct(a: CpuTicks | null, b: CpuTicks | null): number | null {
  if (a === null || b === null || b.total <= a.total) return null;
  return ((b.busy - a.busy) / (b.total - a.total)) * availableParallelism() * 100;
}
