// Measures the OSC ingest alone (checks + handlers, no UDP, no tree): decoded messages per second
// through OscIngest.handle into a sink that only records, over a mix like an OSC flood (mostly
// parameter values, some track properties, transport and malformed messages).
//   node --expose-gc --import tsx apps/liveset/bench/ingest.ts [MESSAGES] [RUNS]
// Not a test: numbers depend on the machine. The run is checked for plausibility (every message
// either applied or dropped with the reason the mix expects).
import { join } from 'node:path';
import { readAls } from '../src/index.ts';
import { IndexMap } from '../src/index-map.ts';
import { OscIngest } from '../src/ingest.ts';
import type { IngestSink } from '../src/ingest.ts';
import { bool, float, int, str } from '../src/osc/codec.ts';
import type { OscMessage } from '../src/osc/codec.ts';

const count = Number(process.argv[2] ?? 2_000_000);
const runs = Number(process.argv[3] ?? 5);
const set = await readAls(join(import.meta.dirname, '..', 'fixtures', 'Michelle.als'));
const map = IndexMap.build(set.tree);
const attrs = new Map<string, Record<string, unknown>>();
(function index(n: typeof set.tree): void {
  attrs.set(n.id, n.attrs);
  for (const c of n.children) index(c);
})(set.tree);

let sets = 0;
let events = 0;
const sink: IngestSink = {
  map,
  rootId: set.tree.id,
  attrsOf: (id) => attrs.get(id),
  setAttr: () => void sets++,
  addClip: () => void sets++,
  publish: () => void events++,
  startup: () => {},
  liveError: () => {},
};

// The mix: parameter values on real (track, device, param) triples, then the rest.
const params: [number, number, number][] = [];
map.tracks.forEach((t, i) => t.devices.forEach((d, j) => d.params.forEach((_, p) => params.push([i, j, p + 1]))));
const msgs: OscMessage[] = [];
for (let n = 0; n < 1000; n++) {
  const r = n % 20;
  if (r < 12) {
    const [i, j, k] = params[(n * 7919) % params.length]!;
    const p = map.param(i, j, k)!;
    const a = attrs.get(p.id)!;
    const v = typeof a.min === 'number' && typeof a.max === 'number' ? a.min + ((a.max - a.min) * (n % 10)) / 10 : 0;
    msgs.push({ address: '/live/device/get/parameter/value', args: [int(i), int(j), int(k), float(v)] });
  } else if (r === 12) msgs.push({ address: '/live/track/get/volume', args: [int(n % map.tracks.length), float(0.5)] });
  else if (r === 13) msgs.push({ address: '/live/track/get/mute', args: [int(n % map.tracks.length), bool(n % 2 === 0)] });
  else if (r === 14) msgs.push({ address: '/live/song/get/beat', args: [int(n)] });
  else if (r === 15) msgs.push({ address: '/live/song/get/current_song_time', args: [float(n / 4)] });
  else if (r === 16) msgs.push({ address: '/live/track/get/name', args: [int(0), str(`Track ${n}`)] });
  else if (r === 17) msgs.push({ address: '/live/track/get/volume', args: [int(0), float(1.5)] });
  else if (r === 18) msgs.push({ address: '/live/track/get/mute', args: [str('zero'), bool(true)] });
  else msgs.push({ address: '/live/song/get/nope', args: [] });
}

const ingest = new OscIngest(sink);
const rates: number[] = [];
for (let run = 0; run < runs; run++) {
  (globalThis as { gc?: () => void }).gc?.();
  let dropped = 0;
  const t0 = performance.now();
  for (let n = 0; n < count; n++) if (ingest.handle(msgs[n % msgs.length]!) !== null) dropped++;
  const ms = performance.now() - t0;
  // 3 of every 20 messages are malformed (bad_value, bad_args, unknown_address).
  if (dropped !== (count / 20) * 3) throw new Error(`implausible result: ${dropped} drops of ${count}`);
  rates.push(count / (ms / 1000));
  console.log(`run ${run + 1}: ${count} messages in ${ms.toFixed(0)} ms = ${(count / (ms / 1000) / 1e6).toFixed(2)} M msg/s`);
}
rates.sort((a, b) => a - b);
console.log(
  `median ${(rates[Math.floor(rates.length / 2)]! / 1e6).toFixed(2)} M msg/s, best ${(rates[rates.length - 1]! / 1e6).toFixed(2)} M msg/s (${sets} sets, ${events} events)`,
);
