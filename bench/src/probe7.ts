import { generateProject } from '@tidewire/demo';
import { decodeSnapshotBody, encodeSnapshotBody } from '@tidewire/protocol';
import { Tree, parseSnapshot } from '@tidewire/tree';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
const p = generateProject();
const body = deflateRawSync(encodeSnapshotBody(p));
const json = JSON.stringify(p);
const gc = (globalThis as any).gc;
function cpu(name: string, fn: () => void) {
  const t: number[] = [];
  for (let i = 0; i < 25; i++) { gc(); const s = process.cpuUsage(); fn(); const d = process.cpuUsage(s); t.push((d.user + d.system) / 1000); }
  t.sort((a, b) => a - b); console.log(name.padEnd(28), 'cpu median', t[12]!.toFixed(1), 'min', t[0]!.toFixed(1));
}
cpu('json parse + index', () => { const m = new Map(); const w = (n: any) => { m.set(n.id, n); n.children.forEach(w); }; w(JSON.parse(json)); });
cpu('json parse + new Tree', () => new Tree(JSON.parse(json)));
cpu('inflate', () => inflateRawSync(body));
cpu('inflate+unpack', () => decodeSnapshotBody(inflateRawSync(body)));
cpu('... + parse + new Tree (old)', () => new Tree(parseSnapshot(decodeSnapshotBody(inflateRawSync(body)))));
cpu('... + fromDecoded (adopt)', () => Tree.fromDecoded(decodeSnapshotBody(inflateRawSync(body))));
