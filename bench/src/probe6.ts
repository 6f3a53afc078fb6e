import { generateProject } from '@tidewire/demo';
import { encodeSnapshotBody, decodeSnapshotBody } from '@tidewire/protocol';
import { Tree } from '@tidewire/tree';
const gc = (globalThis as any).gc;
const p = generateProject();
const json = JSON.stringify(p);
const body = encodeSnapshotBody(p);
function bench(name: string, make: () => unknown, run: (x: any) => unknown) {
  const xs = Array.from({ length: 7 }, make);
  const times = xs.map((x) => { gc(); const t = performance.now(); run(x); return performance.now() - t; }).sort((a, b) => a - b);
  console.log(name.padEnd(22), 'median', times[3]!.toFixed(1), 'min', times[0]!.toFixed(1));
}
const idx = (root: any) => { const m = new Map(); const w = (n: any) => { m.set(n.id, n); n.children.forEach(w); }; w(root); return m; };
bench('JSON.parse+index', () => json, (s) => idx(JSON.parse(s)));
bench('new Tree(json objs)', () => JSON.parse(json), (x) => new Tree(x));
bench('fromDecoded(msgpack)', () => decodeSnapshotBody(body), (x) => Tree.fromDecoded(x));
bench('unpack', () => body, (b) => decodeSnapshotBody(b));
bench('unpack+fromDecoded', () => body, (b) => Tree.fromDecoded(decodeSnapshotBody(b)));
