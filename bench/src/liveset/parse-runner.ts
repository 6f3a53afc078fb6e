// Child process of the liveset bench (run with --expose-gc): parses one .als several times
// and reports the median MB/s of inflated XML and the largest heap rise above the baseline.
import { getHeapStatistics } from 'node:v8';
import { readAls } from '@tidewire/liveset';
import { countNodes } from '@tidewire/tree';

const [file, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 3);
const gc = (globalThis as { gc?: () => void }).gc;

const rates: number[] = [];
let peakMB = 0;
let xmlBytes = 0;
let nodes = 0;
for (let i = 0; i < runs + 1; i++) {
  gc?.();
  const base = getHeapStatistics().used_heap_size;
  let peak = base;
  // Sampled between inflated chunks: the parse yields to the event loop for each one.
  const timer = setInterval(() => (peak = Math.max(peak, getHeapStatistics().used_heap_size)), 2);
  const t0 = performance.now();
  const set = await readAls(file!);
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, getHeapStatistics().used_heap_size);
  if (set.summary.tracks.length === 0 || set.xmlBytes === 0) throw new Error('implausible parse: no tracks');
  xmlBytes = set.xmlBytes;
  nodes = countNodes(set.tree);
  if (i === 0) continue; // warm-up (JIT, file cache)
  rates.push(set.xmlBytes / 1e6 / (ms / 1000));
  peakMB = Math.max(peakMB, (peak - base) / 1e6);
}

rates.sort((a, b) => a - b);
process.send!({ mbps: rates[Math.floor(rates.length / 2)]!, peakHeapMB: peakMB, xmlBytes, nodes, gc: gc !== undefined });
