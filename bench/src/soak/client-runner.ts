// Client process of the soak suite: hosts its share of the soak's WebSocket clients (tree
// mirrors, slow readers, churners, replay viewers) so their CPU is not the measuring process's,
// and answers the suite's commands over IPC (bench/src/soak/messages.ts). Never writes to stdout
// (the suite's --json output shares it).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Prng } from '@tidewire/random';
import { sleep } from '../stats.ts';
import type { CheckReply, ClientKind, RunnerCommand, RunnerReport, StartCommand, Target } from './messages.ts';
import { ReplayViewer } from './replay-viewer.ts';
import { TreeMirror } from './tree-mirror.ts';

const MAX_ERROR_TEXTS = 20;
/** This process's own event-loop delay: a client process that falls behind sends HELLO late, reads late. */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
/** The same per sample window (reset at every 'lag'). */
const windowDelay = monitorEventLoopDelay({ resolution: 10 });
windowDelay.enable();

/** The load's lifecycle in this process. */
type LoadState = 'idle' | 'running' | 'stopping' | 'stopped';

let state: LoadState = 'idle';
let errors = 0;
const firstErrors: string[] = [];
const mirrors: { kind: ClientKind; m: TreeMirror }[] = [];
const viewers: ReplayViewer[] = [];
const loops: Promise<void>[] = [];
const verified = new Set<TreeMirror>();
/** The server version each mirror is being checked against. */
const watched = new Map<TreeMirror, Target>();
let pauses = 0;
const counts: Record<ClientKind, number> = { mirror: 0, slow: 0, churn: 0, replay: 0 };

function error(message: string): void {
  errors++;
  if (firstErrors.length < MAX_ERROR_TEXTS) firstErrors.push(message);
}

/** Sleeps `ms`, or less once the load stops (so loops end promptly). */
async function wait(ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (state === 'running' && performance.now() < until) await sleep(Math.min(250, until - performance.now()));
}

async function slowLoop(m: TreeMirror, rng: Prng): Promise<void> {
  while (state === 'running') {
    await wait(rng.range(2000, 8000));
    if (state !== 'running') break;
    pauses++;
    await m.pauseReading(rng.range(3000, 10_000));
  }
}

async function churnLoop(m: TreeMirror, rng: Prng): Promise<void> {
  while (state === 'running') {
    await wait(rng.range(1000, 5000));
    if (state !== 'running') break;
    await m.close(rng.bool(1 / 3));
    await sleep(rng.range(200, 1000));
    await reopen(m);
  }
  // The load is over: a churner ends connected, so it is part of the convergence check.
  if (!m.isOpen) await reopen(m);
}

async function reopen(m: TreeMirror): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await m.open();
      return;
    } catch (err) {
      error(`${m.channelName}: reconnect failed (attempt ${attempt}): ${(err as Error).message}`);
      if (attempt >= 5) return;
      await sleep(1000);
    }
  }
}

async function replayLoop(v: ReplayViewer, rng: Prng, frameCount: number): Promise<void> {
  while (state === 'running') {
    v.seek(rng.int(frameCount));
    await wait(rng.range(2000, 6000));
  }
}

async function start(c: StartCommand): Promise<void> {
  const rng = new Prng(c.seed);
  const address = (i: number) => `127.0.0.${c.firstAddress + (i % c.addresses)}`;
  const plan: ClientKind[] = [];
  for (const kind of ['mirror', 'slow', 'churn', 'replay'] as const) for (let i = 0; i < c.mix[kind]; i++) plan.push(kind);
  state = 'running';
  // Opened in batches: a thousand upgrades at once would be a connection storm, not a soak.
  for (let i = 0; i < plan.length; i += c.openBatch) {
    await Promise.all(
      plan.slice(i, i + c.openBatch).map(async (kind, j) => {
        const n = i + j;
        const clientRng = rng.fork(n);
        if (kind === 'replay') {
          let v: ReplayViewer;
          try {
            v = await ReplayViewer.open(c.url, c.replay.channel, c.replay.schema, address(n), error);
          } catch (err) {
            error(`replay: open failed: ${(err as Error).message}`);
            return;
          }
          viewers.push(v);
          counts.replay++;
          loops.push(replayLoop(v, clientRng, c.replay.frameCount));
          return;
        }
        const m = new TreeMirror(c.url, c.channels[n % c.channels.length]!, address(n), { error });
        // A refused or failed open is an error, retried as a churner's reconnect is; the mirror stays in the check.
        await m.open().catch((err: Error) => {
          error(`${m.channelName}: open failed: ${err.message}`);
          return reopen(m);
        });
        mirrors.push({ kind, m });
        counts[kind]++;
        if (kind === 'slow') loops.push(slowLoop(m, clientRng));
        if (kind === 'churn') loops.push(churnLoop(m, clientRng));
      }),
    );
  }
}

async function stop(): Promise<void> {
  state = 'stopping';
  await Promise.all(loops.splice(0));
  await Promise.all(viewers.map((v) => v.close()));
  state = 'stopped';
}

/** One pass over the mirrors not yet verified: verifies those at the target, counts the rest. */
function checkPass(): Omit<CheckReply, 'verified'> {
  let mismatched = 0;
  let missed = 0;
  let pending = 0;
  let firstMismatch: string | undefined;
  const unverified = new Set<string>();
  for (const { m } of mirrors) {
    if (verified.has(m)) continue;
    const t = watched.get(m);
    const h = m.hashAtTarget();
    if (t && h === t.hash) {
      verified.add(m);
      continue;
    }
    unverified.add(m.channelName);
    if (h === 'pending') pending++;
    else if (h === 'missed') missed++;
    else {
      mismatched++;
      firstMismatch ??= `${m.channelName} at ${t!.epoch}:${t!.offset}: mirror ${h}, server ${t!.hash}`;
    }
  }
  return { mismatched, missed, pending, unverifiedChannels: [...unverified], ...(firstMismatch ? { firstMismatch } : {}) };
}

/** Waits until every unverified mirror has reached its channel's target (or time is up). */
async function check(targets: Record<string, Target>, timeoutMs: number): Promise<CheckReply> {
  const deadline = performance.now() + timeoutMs;
  for (const { m } of mirrors) {
    const t = targets[m.channelName];
    if (verified.has(m) || !t) continue;
    watched.set(m, t);
    m.watch(t);
  }
  let pass = checkPass();
  while (pass.pending > 0 && performance.now() < deadline) {
    await sleep(50);
    pass = checkPass();
  }
  return { verified: verified.size, ...pass };
}

function report(): RunnerReport {
  let snapshots = 0;
  let opsApplied = 0;
  let slowResyncs = 0;
  let reconnects = 0;
  for (const { m } of mirrors) {
    snapshots += m.stats.snapshots;
    opsApplied += m.stats.opsApplied;
    slowResyncs += m.stats.slowResyncs;
    reconnects += m.stats.connects - 1;
  }
  let replayFrames = 0;
  let seeks = 0;
  let seeksAcked = 0;
  for (const v of viewers) {
    replayFrames += v.stats.frames;
    seeks += v.stats.seeks;
    seeksAcked += v.stats.seeksAcked;
  }
  return {
    clients: { ...counts },
    errors,
    firstErrors,
    snapshots,
    opsApplied,
    slowResyncs,
    reconnects,
    pauses,
    replayFrames,
    seeks,
    seeksAcked,
    lagMaxMs: loopDelay.max / 1e6,
  };
}

async function handle(msg: RunnerCommand): Promise<unknown> {
  switch (msg.cmd) {
    case 'start':
      await start(msg);
      return { ok: true };
    case 'stop':
      await stop();
      return { ok: true };
    case 'record':
      for (const { m } of mirrors) m.record();
      return { ok: true };
    case 'check':
      return check(msg.targets, msg.timeoutMs);
    case 'report':
      return report();
    case 'lag': {
      const lagMaxMs = windowDelay.max / 1e6;
      windowDelay.reset();
      return { lagMaxMs };
    }
    case 'close':
      await Promise.all([...mirrors.map(({ m }) => m.close()), ...viewers.map((v) => v.close())]);
      return { ok: true };
    case 'exit':
      process.exit(0);
  }
}

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- the whole body is in try/catch: the handler never rejects
process.on('message', async (msg: RunnerCommand) => {
  try {
    process.send!(await handle(msg));
  } catch (err) {
    process.send!({ error: (err as Error).stack });
  }
});
process.send!({ ok: true, ready: true });
