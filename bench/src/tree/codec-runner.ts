// Child process of the tree bench: times one system's snapshot encode and decode+apply in a
// process of its own, so no system pays for another's garbage, and without forcing GC (a
// forced full GC shrinks V8's young generation and makes the next allocation-heavy run pay
// for extra scavenges: msgpack decode measured 2.5× slower right after gc()).
import { generateProject } from '@tidewire/demo';
import { percentile } from '../stats.ts';
import type { SystemName } from './system.ts';
import { codecFor } from './codecs.ts';

const [system, tracks, runs] = [process.argv[2] as SystemName, Number(process.argv[3]), Number(process.argv[4])];
const root = generateProject({ tracks });
const codec = await codecFor(system, root);
const message = codec.encode(root);
const time = (fn: () => void) => {
  for (let i = 0; i < 3; i++) fn(); // warm-up: JIT and heap sizes settle
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    fn();
    t.push(performance.now() - s);
  }
  return percentile(t, 50);
};
const out = {
  snapshotBytes: typeof message === 'string' ? Buffer.byteLength(message) : message.length,
  serverEncodeMs: time(() => codec.encode(root)),
  clientDecodeApplyMs: time(() => codec.decodeApply(message)),
};
process.stdout.write(JSON.stringify(out));
