// docs/cluster.md §8 (failure table): three node processes on one real Redis behind a TCP load
// balancer, 100 clients that reconnect through it, 10,000 random ops through the owner, and the
// failures of issue 13 one after another — random client disconnects, an edge killed with SIGKILL
// and restarted, the owner killed with SIGKILL, Redis restarted empty. After each, every client
// ends at the owner's root hash; the snapshots they needed are counted.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createTcpServer, connect, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TidewireClient, type TreeSubscription } from '@tidewire/client';
import { Prng, testSeed, seedHint } from '@tidewire/random';
import { startRedis, type RunningRedis } from '@tidewire/testkit';
import { WebSocket } from 'ws';
import { until } from './helpers.ts';

const SEED = testSeed();
const FIXTURE = fileURLToPath(new URL('./fixtures/node-process.ts', import.meta.url));

interface NodeState {
  role?: 'owner' | 'replica';
  position: { epoch: number; offset: number };
  hash: string;
}

/** One node process: JSON lines in, JSON lines out (fixtures/node-process.ts). */
class NodeProcess {
  port = 0;
  alive = true;
  readonly #child: ChildProcess;
  readonly #waiters: ((line: Record<string, unknown>) => boolean)[] = [];
  #stderr = '';

  constructor(redisUrl: string) {
    this.#child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, redisUrl, String(SEED)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#child.stderr!.on('data', (d: Buffer) => (this.#stderr = (this.#stderr + d.toString()).slice(-4000)));
    this.#child.once('exit', () => (this.alive = false));
    createInterface({ input: this.#child.stdout! }).on('line', (text) => {
      if (!text.startsWith('{')) return;
      const line = JSON.parse(text) as Record<string, unknown>;
      const i = this.#waiters.findIndex((w) => w(line));
      if (i >= 0) this.#waiters.splice(i, 1);
    });
  }

  /** The next reply with `op`, within `ms`. */
  reply(op: string, ms = 20_000): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node process: no '${op}' reply within ${ms} ms; stderr: ${this.#stderr}`)), ms);
      this.#waiters.push((line) => {
        if (line.op !== op) return false;
        clearTimeout(timer);
        resolve(line);
        return true;
      });
    });
  }

  async ready(): Promise<this> {
    const r = await this.reply('ready');
    this.port = r.port as number;
    return this;
  }

  async state(): Promise<NodeState> {
    const reply = this.reply('state');
    this.#child.stdin!.write(`${JSON.stringify({ op: 'state' })}\n`);
    return (await reply) as unknown as NodeState;
  }

  async storm(batches: number, ops: number): Promise<number> {
    const reply = this.reply('storm');
    this.#child.stdin!.write(`${JSON.stringify({ op: 'storm', batches, ops })}\n`);
    return (await reply).applied as number;
  }

  kill(): void {
    this.alive = false;
    this.#child.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((r) => this.#child.once('exit', r));
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A TCP load balancer: each new connection goes to the next live node, round robin. */
function loadBalancer(nodes: () => NodeProcess[]): Promise<{ port: number; server: Server; sockets: Set<Socket> }> {
  let next = 0;
  const sockets = new Set<Socket>();
  const server = createTcpServer((down) => {
    const live = nodes().filter((n) => n.alive && n.port !== 0);
    if (live.length === 0) return down.destroy();
    const target = live[next++ % live.length]!;
    const up = connect(target.port, '127.0.0.1');
    for (const s of [down, up]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    down.pipe(up).pipe(down);
    down.once('close', () => up.destroy());
    up.once('close', () => down.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as { port: number }).port, server, sockets })));
}

let redis: RunningRedis;
const processes: NodeProcess[] = [];
let lb: Awaited<ReturnType<typeof loadBalancer>>;

before(async () => {
  redis = await startRedis();
  lb = await loadBalancer(() => processes);
});
after(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  for (const s of lb.sockets) s.destroy();
  lb.server.close();
  await redis.stop();
});

async function owner(): Promise<NodeProcess> {
  for (;;) {
    for (const p of processes.filter((n) => n.alive)) if ((await p.state()).role === 'owner') return p;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test(
  '§8 random disconnects, SIGKILL of an edge, of the owner, and a Redis restarted empty: every client ends at the owner root hash',
  { timeout: 180_000 },
  async (t) => {
    for (let i = 0; i < 3; i++) processes.push(await new NodeProcess(redis.url).ready());
    const first = await owner();
    assert.equal(first, processes[0], 'the first node to start owns the channel');

    const clients: { client: TidewireClient; sub: TreeSubscription; snapshots: number }[] = [];
    for (let i = 0; i < 100; i++) {
      const client = new TidewireClient({ url: `http://127.0.0.1:${lb.port}`, WebSocket: WebSocket as never, reconnect: { minDelayMs: 50, maxDelayMs: 400 } });
      t.after(() => client.close());
      const sub = await client.tree('demo').ready();
      const entry = { client, sub, snapshots: 0 };
      sub.on('snapshot', () => entry.snapshots++);
      clients.push(entry);
    }
    const converged = async (what: string): Promise<NodeState> => {
      const o = await owner();
      const s = await o.state();
      await until(
        `${what}: every client at the owner position ${s.position.epoch}/${s.position.offset}`,
        () => clients.every((c) => c.sub.position?.epoch === s.position.epoch && c.sub.position.offset === s.position.offset),
        20_000,
      );
      for (const c of clients) assert.equal(c.sub.rootHash, s.hash, `${what}: ${seedHint(SEED)}`);
      return s;
    };
    const resetSnapshots = () => clients.forEach((c) => (c.snapshots = 0));

    let ops = await first.storm(300, 10);
    await converged('after 3,000 ops');

    // Random clients lose their connection (the balancer drops it): they reconnect and resume.
    resetSnapshots();
    const rng = new Prng(SEED);
    const links = [...lb.sockets];
    for (let i = 0; i < 20; i++) links[rng.int(links.length)]!.destroy();
    ops += await first.storm(100, 10);
    await converged('after random disconnects');
    assert.equal(
      clients.reduce((n, c) => n + c.snapshots, 0),
      0,
      'reconnected clients resumed by offset',
    );

    // An edge dies: its clients reconnect through the balancer to the other nodes and resume by offset.
    resetSnapshots();
    const edge = processes[1]!;
    edge.kill();
    ops += await first.storm(150, 10);
    await converged('after the edge died');
    assert.equal(
      clients.reduce((n, c) => n + c.snapshots, 0),
      0,
      'resumed by offset on another node, with no snapshot',
    );
    processes[1] = await new NodeProcess(redis.url).ready(); // restarted: joins as a replica
    ops += await first.storm(100, 10);
    await converged('after the edge restarted');

    // The owner dies: a standby takes the lease after its TTL. Every standby is at Redis's position
    // (checked first), so the one that takes over continues the history: no client needs a snapshot.
    const head = await first.state();
    for (const p of processes.filter((n) => n !== first)) {
      let s = await p.state();
      for (let tries = 0; s.position.offset !== head.position.offset && tries < 100; tries++) {
        await new Promise((r) => setTimeout(r, 50));
        s = await p.state();
      }
      assert.deepEqual(s.position, head.position, 'every standby caught up before the owner dies');
    }
    resetSnapshots();
    first.kill();
    const second = await owner();
    assert.notEqual(second, first);
    assert.deepEqual((await second.state()).position.epoch, head.position.epoch, 'the new owner continues the history');
    ops += await second.storm(250, 10);
    await converged('after the owner failover');
    assert.equal(
      clients.reduce((n, c) => n + c.snapshots, 0),
      0,
      'no client needed a snapshot in the failover',
    );

    // Redis restarts empty: a new epoch, every client gets a snapshot and converges.
    const before = (await second.state()).position.epoch;
    await redis.restart();
    let now = await (await owner()).state();
    for (let tries = 0; now.position.epoch === before && tries < 100; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await (await owner()).state();
    }
    assert.notEqual(now.position.epoch, before, 'a new epoch after Redis lost its data');
    ops += await (await owner()).storm(100, 10);
    await converged('after Redis restarted empty');
    assert.equal(ops, 10_000);
  },
);
