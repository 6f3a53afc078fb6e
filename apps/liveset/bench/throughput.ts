// Measures the .als reader: MB/s of inflated XML and peak heap while parsing.
//   node --expose-gc --import tsx apps/liveset/bench/throughput.ts [FILE] [RUNS]
// Default FILE is the largest fixture (Michelle, 16.5 MB of XML). Not a test: numbers
// depend on the machine; the result is checked only for plausibility (a parse that
// silently returned nothing would otherwise look very fast).
import { getHeapStatistics } from 'node:v8';
import { readAls } from '../src/index.ts';
import { ALS_FIXTURES } from '../src/fixtures.ts';

const file = process.argv[2] || ALS_FIXTURES.michelle;
const runs = Number(process.argv[3] ?? 5);
const gc = (globalThis as { gc?: () => void }).gc;

const results: Array<{ ms: number; mbps: number; peakHeapMB: number }> = [];
for (let i = 0; i < runs; i++) {
  gc?.();
  const base = getHeapStatistics().used_heap_size;
  let peak = base;
  // Sampled between inflated chunks (the parse yields to the event loop for each one).
  const timer = setInterval(() => {
    peak = Math.max(peak, getHeapStatistics().used_heap_size);
  }, 2);
  const t0 = performance.now();
  const set = await readAls(file);
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, getHeapStatistics().used_heap_size);
  if (set.summary.tracks.length === 0 || set.xmlBytes === 0) throw new Error('implausible result: no tracks parsed');
  results.push({ ms, mbps: set.xmlBytes / 1e6 / (ms / 1000), peakHeapMB: (peak - base) / 1e6 });
  console.log(
    `run ${i + 1}: ${(set.xmlBytes / 1e6).toFixed(1)} MB XML in ${ms.toFixed(0)} ms = ${(set.xmlBytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s, heap peak +${((peak - base) / 1e6).toFixed(1)} MB`,
  );
}
const sorted = results.map((r) => r.mbps).sort((a, b) => a - b);
console.log(
  `median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} MB/s, best ${sorted[sorted.length - 1].toFixed(1)} MB/s, max heap peak +${Math.max(...results.map((r) => r.peakHeapMB)).toFixed(1)} MB, maxRSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
);
