// Child process of the liveset bench: the clients. Measures initial load (connect -> replica
// complete) for the original design and for Tidewire, and OSC -> client store latency: the
// bench sends parameter values that encode a sequence number (seq / 2^24, exact in float32),
// the client notes when each one reaches its replica (wall clock, shared across processes).
import { inflateRawSync } from 'node:zlib';
import { WebSocket } from 'ws';
import { TidewireClient } from '@tidewire/client';
import type { TreeSubscription } from '@tidewire/client';
import { wallNow } from '../stats.ts';
import { baselineDecodeApply } from '../tree/baseline.ts';
import { SEQ_SCALE } from './messages.ts';
import type { LoadPairReport, RunnerCommand, RunnerReport } from './messages.ts';

// Node clients inflate snapshot bodies with node:zlib (the client's `inflate` option): Node's
// DecompressionStream goes through web streams and costs several ms more than the native
// inflate a browser's DecompressionStream is. Synchronously: a snapshot body inflates in under
// a millisecond, and zlib's thread-pool round trip measured 4.3 ms against 0.8 ms for the
// 50-track set's 0.6 MB.
async function inflate(body: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  return inflateRawSync(body, { maxOutputLength: maxBytes });
}

interface Conn {
  client: TidewireClient;
  sub: TreeSubscription;
  frames: number;
  seen: number[]; // [seq, wallMs, seq, wallMs, …]
}

const conns: Conn[] = [];

interface Load {
  ms: number;
  nodes: number;
  decodeMs?: number;
}

async function loadBaseline(url: string): Promise<Load> {
  const t0 = wallNow();
  const ws = new WebSocket(url);
  const text = await new Promise<string>((resolve, reject) => {
    ws.once('message', (data: Buffer) => resolve(data.toString('utf8')));
    ws.once('error', reject);
  });
  // JSON.parse + the full rebuild of the client model, as the original client did.
  const index = baselineDecodeApply(text);
  const ms = wallNow() - t0;
  ws.terminate();
  return { ms, nodes: index.size };
}

async function loadTidewire(url: string): Promise<Load> {
  const t0 = wallNow();
  const client = new TidewireClient({ url, WebSocket, inflate, reconnect: false, clientName: 'bench-load' });
  const pending = client.tree('liveset');
  let decodeMs = 0;
  pending.on('snapshot', (e) => (decodeMs = e.decodeMs));
  const sub = await pending.ready();
  const ms = wallNow() - t0;
  const nodes = sub.tree!.size;
  await client.close();
  return { ms, nodes, decodeMs };
}

async function connect(url: string): Promise<Conn> {
  const client = new TidewireClient({ url, WebSocket, inflate, reconnect: false, clientName: 'bench-storm' });
  const conn: Conn = { client, sub: client.tree('liveset'), frames: 0, seen: [] };
  client.on('frame', () => conn.frames++);
  conn.sub.on('ops', (e) => {
    const t = wallNow();
    for (const op of e.ops) {
      if (op[0] !== 0) continue;
      const v = op[2].value;
      if (typeof v === 'number' && v > 0) conn.seen.push(Math.round(v * SEQ_SCALE), t);
    }
  });
  await conn.sub.ready();
  return conn;
}

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- the whole body is in try/catch: the handler never rejects
process.on('message', async (msg: RunnerCommand) => {
  try {
    if (msg.cmd === 'loadPair') {
      // Warm-up, the same for both systems: the first loads run partly unoptimised code (decode
      // and build loops are JIT-compiled after a few runs); the measurement is steady state.
      for (let i = 0; i < 5; i++) {
        await loadBaseline(msg.baselineUrl);
        await loadTidewire(msg.tidewireUrl);
      }
      // Interleaved A B B A …: this shared machine's speed drifts by tens of percent over
      // minutes, and measuring one system after the other put that drift into the ratio. No
      // forced GC between loads: tried, it slowed Tidewire's next decode by ~2.5 ms (and not
      // the baseline's), which says more about the forced GC than about either client.
      const report: LoadPairReport = { baseline: { ms: [], nodes: 0 }, tidewire: { ms: [], nodes: 0 } };
      const one = async (system: 'baseline' | 'tidewire') => {
        const r = system === 'baseline' ? await loadBaseline(msg.baselineUrl) : await loadTidewire(msg.tidewireUrl);
        const into = report[system];
        into.ms.push(r.ms);
        into.nodes = r.nodes;
        if (r.decodeMs !== undefined) (into.decodeMs ??= []).push(r.decodeMs);
      };
      for (let i = 0; i < msg.runs; i++) {
        const first = i % 2 === 0 ? 'baseline' : 'tidewire';
        await one(first);
        await one(first === 'baseline' ? 'tidewire' : 'baseline');
      }
      process.send!(report);
    } else if (msg.cmd === 'connect') {
      for (let i = 0; i < msg.clients; i++) conns.push(await connect(msg.url));
      process.send!({ ok: true });
    } else if (msg.cmd === 'reset') {
      for (const c of conns) {
        c.frames = 0;
        c.seen = [];
      }
      process.send!({ ok: true });
    } else if (msg.cmd === 'report') {
      const latencies: number[] = [];
      let mismatches = 0;
      for (const c of conns) {
        for (let i = 0; i < c.seen.length; i += 2) {
          const sent = msg.sendAt[c.seen[i]!];
          if (sent !== undefined && sent !== null) latencies.push(c.seen[i + 1]! - sent);
        }
        for (const [id, seq] of msg.expected ?? []) {
          const v = c.sub.tree?.get(id)?.attrs.value;
          if (typeof v !== 'number' || Math.round(v * SEQ_SCALE) !== seq) mismatches++;
        }
      }
      process.send!({ latencies, frames: conns.map((c) => c.frames), mismatches } satisfies RunnerReport);
    } else if (msg.cmd === 'exit') {
      await Promise.all(conns.map((c) => c.client.close()));
      process.exit(0);
    }
  } catch (err) {
    process.send!({ error: (err as Error).stack });
  }
});
process.send!({ ok: true, ready: true });
