// Soak benchmark (issue 12): the real `tidewire serve` (every app) in its own process under a
// long mixed load, sampled every few seconds, then checked for convergence and for what it kept.
//   load     N WebSocket clients in two client processes (bench/src/soak/client-runner.ts):
//            tree mirrors of the demo, Live Set and studio channels, slow readers that stop
//            reading for seconds, churners that disconnect and reconnect, replay viewers that
//            seek the race; the demo's built-in change storm and Live Set simulator; an OSC flood
//            into the Live Set mirror over real UDP from this process
//   samples  server VmRSS and open fds (/proc), JS heap, event-loop delay, queued bytes and
//            connections (its /metrics) every S seconds
//   end      the load stops, every mirror's root hash is compared with the server's at the same
//            position, every client disconnects and the server's fds must return to the start
// Figures: RSS and heap slopes (least squares over the samples after a 20 % warm-up, MB/h),
// fds at start and end, the longest event-loop delay, errors, converged. docs/soak-bench.md.
import { setPriority } from 'node:os';
import { createSocket } from 'node:dgram';
import { encodeOsc, oscFloat, oscInt, IndexMap } from '@tidewire/liveset';
import type { NodeSnapshot } from '@tidewire/tree';
import { Prng } from '@tidewire/random';
import type { TimelineSchema } from '@tidewire/timeline';
import { Child } from '../child.ts';
import { MB, rssBytes } from '../studio/procs.ts';
import { round, sleep } from '../stats.ts';
import type { Suite } from '../suite.ts';
import type { CheckReply, ClientMix, RunnerCommand, RunnerReport, StartCommand, Target } from '../soak/messages.ts';
import { cpuMark, fdCount, httpGet, LAG_RESOLUTION_MS, scrape, slopeMbPerHour, takeSample } from '../soak/sampler.ts';
import type { Sample } from '../soak/sampler.ts';
import { startServe } from '../soak/serve.ts';
import type { Served } from '../soak/serve.ts';
import { TreeMirror } from '../soak/tree-mirror.ts';

const RUNNER = new URL('../soak/client-runner.ts', import.meta.url);
/** The client processes' nice level: below the server's, which runs at the default 0. */
const CLIENT_NICE = 10;
/** The tree channels `tidewire serve` has: the demo, the Live Set mirror, Media Studio's live state. */
const TREE_CHANNELS = ['demo', 'liveset', 'studio'];
const TIMELINE = 'race';
const RUNNERS = 2;
/** The share of each kind in the client count (the rest are plain mirrors). */
const SHARES = { slow: 0.1, churn: 0.06, replay: 0.04 };
const CONVERGE_ROUNDS = 10;
const CONVERGE_ROUND_MS = 60_000;
/** All rounds together: a client process that cannot keep up with the storms never gets there. */
const CONVERGE_BUDGET_MS = 180_000;
/** How long past its own timeout a client process may take to answer a check before it counts as stalled. */
const STALL_GRACE_MS = 30_000;
/** How long the server may take to close sockets after the clients left. */
const FDS_SETTLE_MS = 20_000;

export const TARGETS = {
  /** |slope| of RSS and of the JS heap in use, MB per hour. */
  slopeMbPerHour: 5,
  maxEventLoopLagMs: 50,
};

export interface SoakParams {
  minutes: number;
  clients: number;
  sampleSeconds: number;
  /** OSC events per second into the Live Set mirror. */
  oscRate: number;
  /** Write a CPU profile of the server process into this folder (`node --cpu-prof`). */
  cpuProfDir?: string;
}

const FULL: SoakParams = { minutes: 30, clients: 1000, sampleSeconds: 10, oscRate: 500 };
const QUICK: SoakParams = { minutes: 1, clients: 100, sampleSeconds: 10, oscRate: 200 };

function positive(flag: string, raw: string | undefined, integer: boolean): number {
  const v = Number(raw);
  if (raw === undefined || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new Error(`soak: ${flag} needs a positive ${integer ? 'integer' : 'number'}, got '${raw ?? ''}'`);
  }
  return v;
}

/** --minutes M, --clients N, --sample-seconds S, --osc-rate R over the quick or full defaults. */
export function parseSoakArgs(args: readonly string[], quick: boolean): SoakParams {
  const p = { ...(quick ? QUICK : FULL) };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json' || a === '--quick') continue;
    const value = args[++i];
    if (a === '--minutes') p.minutes = positive(a, value, false);
    else if (a === '--clients') p.clients = positive(a, value, true);
    else if (a === '--sample-seconds') p.sampleSeconds = positive(a, value, false);
    else if (a === '--osc-rate') p.oscRate = positive(a, value, true);
    else if (a === '--cpu-prof') {
      if (value === undefined || value === '') throw new Error('soak: --cpu-prof needs a folder');
      p.cpuProfDir = value;
    } else throw new Error(`soak: unknown option '${a}' (options: --minutes M --clients N --sample-seconds S --osc-rate R --cpu-prof DIR --quick --json)`);
  }
  if (p.clients < 4 * RUNNERS) throw new Error(`soak: --clients needs at least ${4 * RUNNERS} (every kind in every client process)`);
  return p;
}

/** Each runner's share of `clients`: at least one of every kind per runner. */
export function clientMixes(clients: number): ClientMix[] {
  const per = (n: number, r: number) => Math.floor(n / RUNNERS) + (r < n % RUNNERS ? 1 : 0);
  const kinds = Object.fromEntries(Object.entries(SHARES).map(([k, share]) => [k, Math.max(RUNNERS, Math.round(clients * share))])) as Record<
    keyof typeof SHARES,
    number
  >;
  const mirror = clients - kinds.slow - kinds.churn - kinds.replay;
  return Array.from({ length: RUNNERS }, (_, r) => ({
    mirror: per(mirror, r),
    slow: per(kinds.slow, r),
    churn: per(kinds.churn, r),
    replay: per(kinds.replay, r),
  }));
}

/** A tree channel's version now: its root hash at (epoch, offset), from the ETag of a 304. */
async function treeVersion(url: string, name: string): Promise<Target> {
  // JSON preferred so the server reads the version without encoding a snapshot; If-None-Match: *
  // matches any ETag, so no body is rendered either.
  const res = await httpGet(`${url}/api/trees/${name}`, { accept: 'application/json', 'if-none-match': '*' });
  if (res.status !== 304) throw new Error(`GET /api/trees/${name}: HTTP ${res.status} (expected 304)`);
  const etag = String(res.headers.etag ?? '');
  return { epoch: Number(res.headers['x-tidewire-epoch']), offset: Number(res.headers['x-tidewire-offset']), hash: etag.replace(/^"|"$/g, '') };
}

async function getJson<T>(url: string, path: string): Promise<T> {
  const res = await httpGet(`${url}${path}`, { accept: 'application/json' });
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  return JSON.parse(res.body) as T;
}

/** OSC parameter-value messages into the Live Set mirror at `rate` per second until stopped. */
class OscFlood {
  sent = 0;
  errors = 0;
  private running = true;
  private done: Promise<void> = Promise.resolve();
  private readonly socket = createSocket('udp4');
  private readonly rng = new Prng(2024);

  constructor(
    private readonly port: number,
    private readonly params: { i: number; j: number; k: number }[],
  ) {
    this.socket.on('error', () => this.errors++);
  }

  start(rate: number): void {
    const t0 = performance.now();
    this.done = (async () => {
      while (this.running) {
        const due = Math.floor(((performance.now() - t0) / 1000) * rate);
        for (; this.sent < due; this.sent++) {
          const p = this.params[this.rng.int(this.params.length)]!;
          this.socket.send(
            encodeOsc('/live/device/get/parameter/value', [oscInt(p.i), oscInt(p.j), oscInt(p.k), oscFloat(this.rng.next())]),
            this.port,
            '127.0.0.1',
          );
        }
        await sleep(5);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    await new Promise<void>((r) => this.socket.close(() => r()));
  }
}

/** Every (track, device, parameter) index the mirror answers, from the Live Set tree as served. */
async function oscTargets(url: string): Promise<{ i: number; j: number; k: number }[]> {
  const root = await getJson<NodeSnapshot>(url, '/api/trees/liveset');
  const map = IndexMap.build(root);
  const out: { i: number; j: number; k: number }[] = [];
  map.tracks.forEach((t, i) => t.devices.forEach((d, j) => d.params.forEach((_id, p) => out.push({ i, j, k: p + 1 }))));
  if (out.length === 0) throw new Error('the Live Set mirror has no device parameters to flood');
  return out;
}

/** Waits until the server's open fds are back to `start` (or the time is up); the last count. */
async function settledFds(pid: number, start: number): Promise<number> {
  const deadline = performance.now() + FDS_SETTLE_MS;
  let n = fdCount(pid);
  while (n > start && performance.now() < deadline) {
    await sleep(500);
    n = fdCount(pid);
  }
  return n;
}

type Runner = Child<RunnerCommand>;

export const suite: Suite = {
  async run(ctx) {
    const p = parseSoakArgs(ctx.args, ctx.quick);
    const mixes = clientMixes(p.clients);
    const errors: string[] = [];
    const fail = (m: string) => errors.length < 1000 && errors.push(m);

    ctx.log(`starting tidewire serve (every app)`);
    const t0 = performance.now();
    const served: Served = await startServe(p.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', p.cpuProfDir]);
    const startSeconds = (performance.now() - t0) / 1000;
    const runners: Runner[] = [];
    let flood: OscFlood | undefined;
    try {
      ctx.log(`serving on ${served.url} (pid ${served.pid}, OSC ${served.oscPort}) after ${startSeconds.toFixed(1)} s`);
      for (const app of served.failedApps) fail(`app ${app} failed to start`);

      // Touch every path once before fdsStart: files and sockets a server opens lazily on first
      // use (the replay's segments, the metrics) are not a leak.
      const meta = await getJson<{ schema: TimelineSchema; frameCount: number }>(served.url, `/api/timelines/${TIMELINE}`);
      const params = await oscTargets(served.url);
      for (const name of TREE_CHANNELS) await treeVersion(served.url, name);
      for (const name of TREE_CHANNELS) {
        const m = new TreeMirror(served.url, name, '127.0.0.1', { error: fail });
        await m.open();
        await m.close();
      }
      // A quiet window before the clients: the idle sample's lag is the server with its own
      // storms only (and whatever else the machine runs), the baseline for maxEventLoopLagMs.
      await scrape(served.url);
      const mark = cpuMark(served.pid);
      await sleep(5000);
      const fdsStart = fdCount(served.pid);
      const idle = await takeSample(served.url, served.pid, 0, mark);
      ctx.log(`idle: RSS ${idle.rssMb.toFixed(1)} MB, heap ${idle.heapUsedMb.toFixed(1)} MB, ${fdsStart} fds, lag max ${idle.lagMaxMs.toFixed(1)} ms`);

      // ---- ramp up ---------------------------------------------------------------------------
      const rampStart = performance.now();
      for (let r = 0; r < RUNNERS; r++) {
        const runner = await Child.spawn<RunnerCommand>(RUNNER);
        // reason: the load generator shares the machine with the server it measures; at a lower
        // priority it cannot take a core the server is waiting for (docs/soak-bench.md §2).
        setPriority(runner.pid, CLIENT_NICE);
        runners.push(runner);
      }
      const starts = runners.map((runner, r) => {
        const cmd: StartCommand = {
          cmd: 'start',
          url: served.url,
          channels: TREE_CHANNELS,
          mix: mixes[r]!,
          seed: 1000 + r,
          // 127.0.0.2–9 and .10–17: the server caps connections per address.
          firstAddress: 2 + r * 8,
          addresses: 8,
          replay: { channel: TIMELINE, schema: meta.schema, frameCount: meta.frameCount },
          openBatch: 25,
        };
        return runner.call(cmd);
      });
      await Promise.all(starts);
      const rampSeconds = (performance.now() - rampStart) / 1000;
      ctx.log(`${p.clients} clients connected in ${rampSeconds.toFixed(1)} s; soaking for ${p.minutes} min`);

      // ---- soak ------------------------------------------------------------------------------
      flood = new OscFlood(served.oscPort, params);
      const loadStart = performance.now();
      flood.start(p.oscRate);
      const samples: Sample[] = [];
      const end = loadStart + p.minutes * 60_000;
      let next = loadStart + p.sampleSeconds * 1000;
      await scrape(served.url); // resets the event-loop window: the ramp is not the soak
      Object.assign(mark, cpuMark(served.pid));
      while (next <= end + 1) {
        await sleep(Math.max(0, next - performance.now()));
        next += p.sampleSeconds * 1000;
        try {
          const s = await takeSample(served.url, served.pid, (performance.now() - loadStart) / 1000, mark);
          samples.push(s);
          // The client processes' own delay in the same window, filled in when they answer (not
          // awaited: a client process that is behind answers late, and the sampler must not wait).
          void Promise.all(runners.map((r) => r.call<{ lagMaxMs: number }>({ cmd: 'lag' }))).then(
            (lags) => {
              s.clientLagMaxMs = Math.max(0, Math.max(...lags.map((l) => l.lagMaxMs)) - LAG_RESOLUTION_MS);
            },
            () => {},
          ); // a client process killed before it answered: the sample keeps -1
          ctx.log(
            `t=${s.t.toFixed(0)} s: RSS ${s.rssMb.toFixed(1)} MB, heap ${s.heapUsedMb.toFixed(1)} MB, ${s.fds} fds, lag max ${s.lagMaxMs.toFixed(1)} ms, queued ${(s.queuedBytes / 1024).toFixed(0)} KB, ${s.connections} connections, server CPU ${s.serverCpuPct.toFixed(0)} %, load ${s.loadAvg1.toFixed(1)}`,
          );
        } catch (err) {
          fail(`sample: ${(err as Error).message}`);
        }
        if (served.exited()) throw new Error(`the server exited during the soak:\n${served.output().slice(-4000)}`);
      }
      const loadSeconds = (performance.now() - loadStart) / 1000;

      // ---- stop and converge -----------------------------------------------------------------
      await flood.stop();
      ctx.log(`load stopped after ${loadSeconds.toFixed(0)} s (${flood.sent} OSC events sent); checking convergence`);
      let phase = performance.now();
      const lap = () => {
        const s = (performance.now() - phase) / 1000;
        phase = performance.now();
        return s.toFixed(1);
      };
      await Promise.all(runners.map((r) => r.call({ cmd: 'stop' })));
      ctx.log(`clients stopped the load in ${lap()} s`);
      await Promise.all(runners.map((r) => r.call({ cmd: 'record' })));
      let replies: CheckReply[] = [];
      let stalled = false;
      let rounds = 0;
      const convergeStart = performance.now();
      let pendingChannels = new Set(TREE_CHANNELS);
      for (; rounds < CONVERGE_ROUNDS && pendingChannels.size > 0 && performance.now() - convergeStart < CONVERGE_BUDGET_MS;) {
        const timeoutMs = Math.min(CONVERGE_ROUND_MS, CONVERGE_BUDGET_MS - (performance.now() - convergeStart));
        rounds++;
        const targets: Record<string, Target> = {};
        for (const name of pendingChannels) targets[name] = await treeVersion(served.url, name);
        const got = await answered(Promise.all(runners.map((r) => r.call<CheckReply>({ cmd: 'check', targets, timeoutMs }))), timeoutMs + STALL_GRACE_MS);
        if (!got) {
          // Behind its sockets' backlog, a client process answers nothing in time: the run reports
          // it unconverged instead of hanging, and those processes are killed below.
          stalled = true;
          fail(`client processes did not answer the convergence check within ${((timeoutMs + STALL_GRACE_MS) / 1000).toFixed(0)} s (behind the load)`);
          break;
        }
        replies = got;
        const n = (f: (c: CheckReply) => number) => replies.reduce((k, c) => k + f(c), 0);
        ctx.log(
          `round ${rounds} (${lap()} s): ${n((c) => c.verified)} verified, ${n((c) => c.missed)} past the version, ${n((c) => c.pending)} not there yet, ${n((c) => c.mismatched)} mismatched`,
        );
        if (replies.some((c) => c.mismatched > 0)) break;
        pendingChannels = new Set(replies.flatMap((c) => c.unverifiedChannels));
      }
      const convergeSeconds = (performance.now() - convergeStart) / 1000;
      const mirrors = mixes.reduce((n, m) => n + m.mirror + m.slow + m.churn, 0);
      const verified = replies.reduce((n, c) => n + c.verified, 0);
      const mismatched = replies.reduce((n, c) => n + c.mismatched, 0);
      const unreached = stalled ? mirrors - verified : replies.reduce((n, c) => n + c.pending + c.missed, 0);
      const converged = verified === mirrors && mismatched === 0;
      ctx.log(`convergence: ${verified}/${mirrors} mirrors equal to the server after ${rounds} round(s)${mismatched ? `, ${mismatched} MISMATCHED` : ''}`);

      const reports = stalled ? runners.map(emptyReport) : await Promise.all(runners.map((r) => r.call<RunnerReport>({ cmd: 'report' })));
      const sum = (f: (r: RunnerReport) => number) => reports.reduce((n, r) => n + f(r), 0);
      const clientErrors = sum((r) => r.errors);

      // ---- leave and count what the server kept --------------------------------------------------
      if (stalled) await Promise.all(runners.splice(0).map((r) => r.kill()));
      else await Promise.all(runners.map((r) => r.call({ cmd: 'close' })));
      ctx.log(`reports and disconnects in ${lap()} s`);
      const fdsEnd = await settledFds(served.pid, fdsStart);
      ctx.log(`fds ${fdsStart} → ${fdsEnd} (${lap()} s)`);
      const final = await scrape(served.url);
      const rssEndMb = rssBytes(served.pid) / MB;
      const connectionsEnd = final.get('tidewire_connections') ?? -1;
      const protocolErrors = await serverProtocolErrors(served.url);
      if (connectionsEnd !== 0) fail(`${connectionsEnd} connections still open after every client left`);
      for (const [code, n] of Object.entries(protocolErrors)) if (code !== 'TW_SLOW_CONSUMER' && n > 0) fail(`server counted ${n} protocol error(s) ${code}`);
      await Promise.all(runners.splice(0).map((r) => r.exit()));
      const exitCode = await served.stop();
      if (exitCode !== 0) fail(`tidewire serve exited with ${exitCode} on SIGTERM`);

      const rssSlope = slopeMbPerHour(samples, (s) => s.rssMb);
      const heapSlope = slopeMbPerHour(samples, (s) => s.heapUsedMb);
      const maxLag = samples.reduce((m, s) => Math.max(m, s.lagMaxMs), 0);
      // The suite's own findings (samples, server counters, exit code), the clients' and failed OSC sends.
      const errorCount = errors.length + clientErrors + flood.errors;
      const clientKinds = stalled
        ? { mirror: sum0(mixes, 'mirror'), slow: sum0(mixes, 'slow'), churn: sum0(mixes, 'churn'), replay: sum0(mixes, 'replay') }
        : {
            mirror: sum((r) => r.clients.mirror),
            slow: sum((r) => r.clients.slow),
            churn: sum((r) => r.clients.churn),
            replay: sum((r) => r.clients.replay),
          };
      return {
        suite: 'soak',
        quick: ctx.quick,
        minutes: p.minutes,
        clients: p.clients,
        rssSlopeMbPerHour: round(rssSlope, 2),
        heapSlopeMbPerHour: round(heapSlope, 2),
        fdsStart,
        fdsEnd,
        maxEventLoopLagMs: round(maxLag, 1),
        errors: errorCount,
        converged,
        clientKinds,
        convergence: {
          mirrors,
          verified,
          mismatched,
          unreached,
          rounds,
          seconds: round(convergeSeconds, 1),
          ...(replies.find((c) => c.firstMismatch) ? { firstMismatch: replies.find((c) => c.firstMismatch)!.firstMismatch } : {}),
        },
        load: {
          seconds: round(loadSeconds, 1),
          rampSeconds: round(rampSeconds, 1),
          oscRate: p.oscRate,
          oscSent: flood.sent,
          snapshots: sum((r) => r.snapshots),
          opsBatchesApplied: sum((r) => r.opsApplied),
          slowPauses: sum((r) => r.pauses),
          slowResyncs: sum((r) => r.slowResyncs),
          churnReconnects: sum((r) => r.reconnects),
          replayFrames: sum((r) => r.replayFrames),
          seeks: sum((r) => r.seeks),
          seeksAcked: sum((r) => r.seeksAcked),
          clientProcessLagMaxMs: round(Math.max(...reports.map((r) => r.lagMaxMs)), 1),
        },
        server: {
          startSeconds: round(startSeconds, 1),
          idleRssMb: round(idle.rssMb, 1),
          idleHeapMb: round(idle.heapUsedMb, 1),
          idleLagMaxMs: round(idle.lagMaxMs, 1),
          idleCpuPct: round(idle.serverCpuPct, 0),
          meanCpuPct: round(samples.reduce((n, s) => n + s.serverCpuPct, 0) / Math.max(1, samples.length), 0),
          meanLoadAvg1: round(samples.reduce((n, s) => n + s.loadAvg1, 0) / Math.max(1, samples.length), 1),
          rssMaxMb: round(
            samples.reduce((m, s) => Math.max(m, s.rssMb), 0),
            1,
          ),
          rssEndMb: round(rssEndMb, 1),
          maxQueuedBytes: samples.reduce((m, s) => Math.max(m, s.queuedBytes), 0),
          maxLagP99Ms: round(
            samples.reduce((m, s) => Math.max(m, s.lagP99Ms), 0),
            1,
          ),
          connectionsEnd,
          protocolErrors,
          exitCode,
          failedApps: served.failedApps,
        },
        firstErrors: [...errors, ...reports.flatMap((r) => r.firstErrors)].slice(0, 20),
        samples: samples.map((s) => ({
          t: round(s.t, 1),
          rssMb: round(s.rssMb, 1),
          heapUsedMb: round(s.heapUsedMb, 1),
          fds: s.fds,
          lagMaxMs: round(s.lagMaxMs, 1),
          lagP99Ms: round(s.lagP99Ms, 1),
          queuedBytes: s.queuedBytes,
          connections: s.connections,
          serverCpuPct: round(s.serverCpuPct, 0),
          clientLagMaxMs: round(s.clientLagMaxMs, 0),
          loadAvg1: round(s.loadAvg1, 1),
        })),
        targets: {
          rssSlope: Math.abs(rssSlope) <= TARGETS.slopeMbPerHour,
          heapSlope: Math.abs(heapSlope) <= TARGETS.slopeMbPerHour,
          fdsBackToStart: fdsEnd <= fdsStart,
          maxEventLoopLag: maxLag <= TARGETS.maxEventLoopLagMs,
          errors: errorCount === 0,
          converged,
        },
        notes: [
          `server: \`tidewire serve\` (every app, the demo's change storm and the Live Set simulator on) in its own process with the environment npm start gives it (tidewire/process-env); ${RUNNERS} client processes`,
          `slopes: least squares over the samples after the first 20 % (warm-up), MB per hour; heap is nodejs_heap_size_used_bytes from /metrics (includes garbage not yet collected)`,
          `maxEventLoopLagMs: the largest nodejs_eventloop_lag_max_seconds over the sample windows (prom-client's monitorEventLoopDelay, reset at every scrape) minus its ${LAG_RESOLUTION_MS} ms resolution`,
          'fdsEnd: /proc/PID/fd after every client left (waited up to 20 s for the count to return to fdsStart)',
          'converged: every tree mirror (plain, slow, churned) had the server root hash at the same (epoch, offset) after the load stopped',
        ],
      };
    } finally {
      await flood?.stop().catch(() => {});
      for (const r of runners) await r.exit().catch(() => {});
      if (!served.exited()) await served.stop();
    }
  },

  format(r) {
    const t = r.targets as Record<string, boolean>;
    const ok = (b: boolean | undefined) => (b ? 'met' : 'MISSED');
    const kinds = r.clientKinds as Record<string, number>;
    const load = r.load as Record<string, number>;
    const server = r.server as Record<string, number>;
    const conv = r.convergence as Record<string, number>;
    return [
      `Soak benchmark${r.quick ? ' (quick)' : ''}: ${String(r.minutes)} min, ${String(r.clients)} clients (${Object.entries(kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')})`,
      '',
      `  RSS slope            ${String(r.rssSlopeMbPerHour)} MB/h   (|x| ≤ 5: ${ok(t.rssSlope)})   idle ${server.idleRssMb} MB, max ${server.rssMaxMb} MB`,
      `  heap slope           ${String(r.heapSlopeMbPerHour)} MB/h   (|x| ≤ 5: ${ok(t.heapSlope)})`,
      `  fds                  ${String(r.fdsStart)} → ${String(r.fdsEnd)}   (back to start: ${ok(t.fdsBackToStart)})`,
      `  max event-loop lag   ${String(r.maxEventLoopLagMs)} ms   (≤ 50: ${ok(t.maxEventLoopLag)})`,
      `  errors               ${String(r.errors)}   (${ok(t.errors)})`,
      `  converged            ${conv.verified}/${conv.mirrors} mirrors   (${ok(t.converged)})`,
      '',
      `  load: ${load.oscSent} OSC events, ${load.opsBatchesApplied} OPS batches applied, ${load.snapshots} snapshots, ${load.slowPauses} reader pauses (${load.slowResyncs} resyncs), ${load.churnReconnects} reconnects, ${load.seeks} seeks, ${load.replayFrames} replay frames`,
    ].join('\n');
  },
};

/** Clients of one kind over the client processes' mixes. */
function sum0(mixes: ClientMix[], kind: keyof ClientMix): number {
  return mixes.reduce((n, m) => n + m[kind], 0);
}

/** `p`'s value, or undefined once `ms` have passed without it. */
async function answered<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  p.catch(() => {}); // a reply that never comes (its process killed) rejects after the race is over
  const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a stalled client process reports: nothing it could say in time. */
function emptyReport(): RunnerReport {
  return {
    clients: { mirror: 0, slow: 0, churn: 0, replay: 0 },
    errors: 0,
    firstErrors: [],
    snapshots: 0,
    opsApplied: 0,
    slowResyncs: 0,
    reconnects: 0,
    pauses: 0,
    replayFrames: 0,
    seeks: 0,
    seeksAcked: 0,
    lagMaxMs: NaN,
  };
}

/** tidewire_protocol_errors_total by code. */
async function serverProtocolErrors(url: string): Promise<Record<string, number>> {
  const res = await httpGet(`${url}/metrics`);
  const out: Record<string, number> = {};
  for (const m of res.body.matchAll(/^tidewire_protocol_errors_total\{code="([^"]+)"\}\s+(\S+)/gm)) out[m[1]!] = Number(m[2]);
  return out;
}
