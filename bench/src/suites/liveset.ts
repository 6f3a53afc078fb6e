// Live Set mirror benchmark (issue: Live Set mirror). Side by side in one run:
//   parse      the .als reader on the largest fixture (Michelle): MB/s of XML, heap peak
//   load       a generated 50-track / 200-device set: the original design (JSON FULL_AST,
//              JSON.parse + rebuild; bench/src/tree/baseline.ts) vs Tidewire, from connect
//              to the client's replica being complete
//   latency    OSC packet (real UDP into the mirror's event port) -> client replica, for
//              isolated events ~100 ms apart
//   storm      2,000 OSC events/s with 10 clients: latency p99, frames per second per client,
//              and updates lost (final values at every client vs the last ones sent)
// Clients run in child processes; latency uses the wall clock, shared across processes.
import { createSocket } from 'node:dgram';
import { createServer } from '@tidewire/server';
import { LiveSetMirror, encodeOsc, oscFloat, oscInt } from '@tidewire/liveset';
import { ALS_FIXTURES } from '@tidewire/liveset/fixtures';
import { SEQ_SCALE } from '../liveset/messages.ts';
import type { LoadPairReport, RunnerCommand, RunnerReport } from '../liveset/messages.ts';
import { generateLiveSet } from '../liveset/generate.ts';
import { Child, runOnce } from '../child.ts';
import { paced, percentile, round, sleep, wallNow } from '../stats.ts';
import type { Suite } from '../suite.ts';
import { startBaselineServer } from '../tree/baseline.ts';
import { Prng } from '@tidewire/random';
import { countNodes } from '@tidewire/tree';

const MICHELLE = ALS_FIXTURES.michelle;
const CLIENT_RUNNER = new URL('../liveset/client-runner.ts', import.meta.url);
const PARSE_RUNNER = new URL('../liveset/parse-runner.ts', import.meta.url);

interface ParseResult {
  mbps: number;
  peakHeapMB: number;
  xmlBytes: number;
  nodes: number;
  gc: boolean;
}

type Runner = Child<RunnerCommand>;

/** A parameter the bench addresses: AbletonOSC indices and the node id they map to. */
interface Target {
  i: number;
  j: number;
  k: number;
  id: string;
}

function paramTargets(mirror: LiveSetMirror): Target[] {
  const out: Target[] = [];
  mirror.map.tracks.forEach((t, i) => t.devices.forEach((d, j) => d.params.forEach((id, p) => out.push({ i, j, k: p + 1, id }))));
  return out;
}

/** Sends parameter values whose value encodes a sequence number, and notes when. */
class OscSender {
  readonly sendAt: number[] = [];
  readonly last = new Map<string, number>();
  private seq = 0;
  private readonly rng = new Prng(12345);

  private constructor(
    private readonly socket: ReturnType<typeof createSocket>,
    private readonly port: number,
    private readonly params: Target[],
  ) {}

  static async open(port: number, params: Target[]): Promise<OscSender> {
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return new OscSender(socket, port, params);
  }

  send(): void {
    const p = this.params[this.rng.int(this.params.length)]!;
    const seq = ++this.seq;
    const bytes = encodeOsc('/live/device/get/parameter/value', [oscInt(p.i), oscInt(p.j), oscInt(p.k), oscFloat(seq / SEQ_SCALE)]);
    this.last.set(p.id, seq);
    this.sendAt[seq] = wallNow();
    this.socket.send(bytes, this.port, '127.0.0.1');
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}

/** Both systems' initial loads from one client process, interleaved (see the runner). */
async function initialLoads(baselineUrl: string, tidewireUrl: string, runs: number): Promise<LoadPairReport> {
  const runner = await Child.spawn<RunnerCommand>(CLIENT_RUNNER);
  try {
    return await runner.call<LoadPairReport>({ cmd: 'loadPair', baselineUrl, tidewireUrl, runs });
  } finally {
    await runner.exit();
  }
}

/** `rate` OSC events per second for `seconds`; returns the seconds it took. */
function storm(sender: OscSender, rate: number, seconds: number): Promise<number> {
  return paced(rate, seconds, () => sender.send());
}

export const suite: Suite = {
  async run(ctx) {
    const quick = ctx.quick;
    const p = quick ? { parseRuns: 1, loadRuns: 2, isolated: 15, stormSeconds: 1 } : { parseRuns: 5, loadRuns: 31, isolated: 100, stormSeconds: 5 };
    const out: Record<string, unknown> = { suite: 'liveset', quick };

    ctx.log('parse: Michelle in a child process (--expose-gc)');
    const parse = await runOnce<ParseResult>(PARSE_RUNNER, [MICHELLE, String(p.parseRuns)], ['--expose-gc', '--import', 'tsx']);
    out.parseMBps = round(parse.mbps, 1);
    out.parsePeakHeapMB = round(parse.peakHeapMB, 1);
    out.parseFile = { xmlMB: round(parse.xmlBytes / 1e6, 1), nodes: parse.nodes, gcExposed: parse.gc };

    const set = generateLiveSet();
    out.set = { tracks: 50, devices: 200, nodes: countNodes(set), jsonBytes: Buffer.byteLength(JSON.stringify(set)) };

    // The server's default tick: one 60 Hz frame.
    const server = await createServer({ port: 0, defaultMetrics: false });
    const logs: string[] = [];
    const mirror = await LiveSetMirror.start(server, { tree: set, oscPort: 0, liveControl: false, log: (m) => logs.push(m) });
    const runners: Runner[] = [];
    let sender: OscSender | undefined;
    try {
      const url = await server.listen();
      ctx.log(`load: baseline (JSON FULL_AST) and tidewire, ${p.loadRuns} each, interleaved`);
      const baselineServer = await startBaselineServer(set);
      let loads: LoadPairReport;
      try {
        loads = await initialLoads(baselineServer.url, url, p.loadRuns);
      } finally {
        await baselineServer.close();
      }
      const { baseline: baselineLoad, tidewire: tidewireLoad } = loads;
      if (tidewireLoad.nodes !== baselineLoad.nodes) throw new Error(`replicas differ: baseline ${baselineLoad.nodes} nodes, tidewire ${tidewireLoad.nodes}`);
      out.loadMethod = { runsEach: p.loadRuns, order: 'interleaved ABBA', statistic: 'median' };
      out.baseline = { initialLoadMs: round(percentile(baselineLoad.ms, 50)) };
      out.tidewire = { initialLoadMs: round(percentile(tidewireLoad.ms, 50)), snapshotDecodeMs: round(percentile(tidewireLoad.decodeMs ?? [], 50)) };

      const params = paramTargets(mirror);
      sender = await OscSender.open(mirror.oscPort, params);

      ctx.log(`latency: ${p.isolated} isolated OSC events ~100 ms apart, 1 client`);
      const one = await Child.spawn<RunnerCommand>(CLIENT_RUNNER);
      runners.push(one);
      await one.call({ cmd: 'connect', url, clients: 1 });
      await one.call({ cmd: 'reset' });
      for (let n = 0; n < p.isolated; n++) {
        sender.send();
        await sleep(100);
      }
      await sleep(200);
      const iso = await one.call<RunnerReport>({ cmd: 'report', sendAt: sender.sendAt });
      await one.exit();
      runners.length = 0;
      if (iso.latencies.length !== p.isolated) throw new Error(`isolated: ${iso.latencies.length} of ${p.isolated} events reached the client`);

      ctx.log(`storm: 2,000 OSC events/s for ${p.stormSeconds} s, 10 clients in 2 processes`);
      for (let r = 0; r < 2; r++) runners.push(await Child.spawn<RunnerCommand>(CLIENT_RUNNER));
      for (const r of runners) await r.call({ cmd: 'connect', url, clients: 5 });
      // Warm-up (not measured): the ingest and client paths get JIT-compiled for this rate.
      await storm(sender, 2000, 1);
      await sleep(300);
      for (const r of runners) await r.call({ cmd: 'reset' });
      sender.last.clear();
      const seconds = await storm(sender, 2000, p.stormSeconds);
      await sleep(1000); // let the tail drain before counting
      const expected = [...sender.last.entries()];
      const reports = await Promise.all(runners.map((r) => r.call<RunnerReport>({ cmd: 'report', sendAt: sender!.sendAt, expected })));
      const frames = reports.flatMap((r) => r.frames);
      const serverLost = expected.filter(([id, seq]) => Math.round((mirror.channel.tree.get(id)!.attrs.value as number) * SEQ_SCALE) !== seq).length;
      const tw = out.tidewire as Record<string, number>;
      tw.oscToStoreP50Ms = round(percentile(iso.latencies, 50));
      tw.oscToStoreP99Ms = round(percentile(iso.latencies, 99));
      const stormLatencies = reports.flatMap((r) => r.latencies);
      tw.stormOscToStoreP50Ms = round(percentile(stormLatencies, 50));
      tw.stormOscToStoreP99Ms = round(percentile(stormLatencies, 99));
      tw.stormOscToStoreMaxMs = round(Math.max(...stormLatencies));
      tw.messagesPerSecPerClient = round(frames.reduce((a, b) => a + b, 0) / frames.length / seconds, 1);
      tw.maxMessagesPerSecPerClient = round(Math.max(...frames) / seconds, 1);
      tw.stormEventsSent = Math.round(2000 * p.stormSeconds);
      tw.lostUpdates = reports.reduce((n, r) => n + r.mismatches, 0) + serverLost;
      tw.oscDropped = Object.values(mirror.metrics.dropped).reduce((a, b) => a + b, 0);

      const b = out.baseline as Record<string, number>;
      out.ratios = { initialLoadVsBaseline: round(tw.initialLoadMs! / b.initialLoadMs!, 3) };
      out.targets = {
        parseMBps: parse.mbps >= 60,
        initialLoadMs: tw.initialLoadMs! <= 0.25 * b.initialLoadMs!,
        oscToStoreP99Ms: tw.oscToStoreP99Ms! <= 5,
        stormOscToStoreP99Ms: tw.stormOscToStoreP99Ms! <= 25,
        messagesPerSecPerClient: tw.messagesPerSecPerClient! <= 60,
        lostUpdates: tw.lostUpdates === 0,
      };
    } finally {
      for (const r of runners) await r.exit();
      await sender?.close();
      await mirror.close();
      await server.close();
    }
    if (logs.length > 0) out.mirrorLog = logs.slice(0, 10);
    return out;
  },
};
