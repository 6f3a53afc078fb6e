// Quick numbers for the server (not a test): lone-edit latency, frames per second in a storm,
// snapshot encode cost. Run: node --import tsx packages/server/bench/measure.ts
import { FrameType } from '@tidewire/protocol';
import { createServer } from '../src/index.ts';
import type { TreeChannelImpl } from '../src/tree-channel.ts';
import { bigTree, leaf, root } from '../test/helpers.ts';
import { RawClient } from '../test/raw-client.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const server = await createServer({ defaultMetrics: false });
const doc = server.tree('doc', root([leaf('a', { n: 0 })]));
const big = server.tree('big', bigTree(20_000, 240));
await server.listen();
const c = await RawClient.open(server.url, { retain: false });
c.subscribe('doc');
await c.until(() => c.mirror(doc.id)?.tree !== undefined);

// 1. Lone edits after a quiet period: set() → OPS applied by the client.
const lat: number[] = [];
for (let i = 0; i < 200; i++) {
  await sleep(25);
  const before = c.mirror(doc.id)!.opsApplied;
  const t0 = performance.now();
  doc.set('a', { n: i });
  await c.until(() => c.mirror(doc.id)!.opsApplied > before);
  lat.push(performance.now() - t0);
}
console.log(`lone edit → client applied: median ${pct(lat, 0.5).toFixed(3)} ms, p99 ${pct(lat, 0.99).toFixed(3)} ms`);

// 2. Storm: an edit on every turn of the event loop for 2 s.
const f0 = c.mirror(doc.id)!.opsApplied;
let edits = 0;
const start = performance.now();
while (performance.now() - start < 2000) {
  doc.set('a', { n: edits++ });
  await new Promise<void>((r) => setImmediate(r));
}
const secs = (performance.now() - start) / 1000;
doc.flush();
await c.until(() => c.mirror(doc.id)!.position!.offset === doc.position.offset);
const frames = c.mirror(doc.id)!.opsApplied - f0;
console.log(`storm: ${(edits / secs).toFixed(0)} edits/s → ${(frames / secs).toFixed(1)} OPS frames/s (tick 16 ms ⇒ ≤ 62.5)`);

// 3. Snapshot of a ~5 MB tree: encode (msgpack + deflate-raw), once per position.
const bigImpl = big as unknown as TreeChannelImpl;
big.set('n0', { touch: 1 });
let t0 = performance.now();
const snap = bigImpl.snapshot();
const blocked = performance.now() - t0;
await new Promise((r) => snap.whenSettled(r));
console.log(
  `snapshot 20k nodes: msgpack ${(snap.msgpack!.length / 1e6).toFixed(2)} MB → wire ${(snap.wireBytes / 1e6).toFixed(2)} MB in ${snap.frames!.length} frames; event loop blocked ${blocked.toFixed(1)} ms, ready after ${(performance.now() - t0).toFixed(1)} ms`,
);
t0 = performance.now();
bigImpl.snapshot();
console.log(`cached snapshot lookup: ${(performance.now() - t0).toFixed(3)} ms`);
big.set('n1', { touch: 2 });
t0 = performance.now();
const snap2 = bigImpl.snapshot();
const blocked2 = performance.now() - t0;
await new Promise((r) => snap2.whenSettled(r));
console.log(`next position (warm): event loop blocked ${blocked2.toFixed(1)} ms, ready after ${(performance.now() - t0).toFixed(1)} ms`);

// 4. A client joining the big channel and an events channel: chunks ahead of a mid-snapshot event.
const ev = server.events('beat');
const j = await RawClient.open(server.url);
j.subscribe('beat');
await j.next((f) => f.type === FrameType.SUBSCRIBED);
j.subscribe('big');
let mark = -1;
j.ws.on('message', () => {
  const m = j.mirror(big.id);
  if (mark < 0 && m && m.chunks === 5) {
    mark = j.frames.length;
    ev.publish('beat', 1);
  }
});
t0 = performance.now();
await j.until(() => j.mirror(big.id)?.tree !== undefined && j.frames.some((f) => f.type === FrameType.EVENT));
const evAt = j.frames.findIndex((f) => f.type === FrameType.EVENT);
console.log(
  `join big: snapshot received in ${(performance.now() - t0).toFixed(1)} ms; chunks between publish and event: ${j.frames.slice(mark, evAt).filter((f) => f.type === FrameType.SNAPSHOT_CHUNK).length}`,
);

await j.close();
await c.close();
await server.close();
