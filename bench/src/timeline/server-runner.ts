// Server process of the timeline suite: the system under test alone in its process, so its
// process.cpuUsage() is the server's CPU and nothing else's. argv: baseline | tidewire, the
// session file. Driven over IPC: start (→ url), cpu (→ usage + counters), exit.
import { readFileSync } from 'node:fs';
import { createServer } from '@tidewire/server';
import type { TimelineChannel } from '@tidewire/server';
import { RawTelemetry, startBaselineServer } from './baseline.ts';
import type { ServerCommand, ServerCpu, ServerStarted } from './messages.ts';
import { CHANNEL } from './session-file.ts';

const [kind, path] = process.argv.slice(2);
if (kind !== 'baseline' && kind !== 'tidewire') throw new Error(`server-runner: unknown system ${String(kind)}`);

let close: () => Promise<void> = async () => {};
let stats: () => Record<string, number> = () => ({});

async function start(): Promise<ServerStarted> {
  const t0 = performance.now();
  const file = new Uint8Array(readFileSync(path!));
  if (kind === 'baseline') {
    const server = await startBaselineServer(RawTelemetry.fromFile(file));
    close = () => server.close();
    stats = () => ({ ...server.stats });
    return { url: server.url, loadMs: performance.now() - t0 };
  }
  // Room for the largest rung's viewers (each holds one WebSocket).
  const server = await createServer({ defaultMetrics: false, limits: { maxConnections: 10_000 } });
  const ch: TimelineChannel = server.timeline(CHANNEL, { file });
  const url = await server.listen();
  close = () => server.close();
  stats = () => ({ ...ch.stats });
  return { url, loadMs: performance.now() - t0 };
}

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- the whole body is in try/catch: the handler never rejects
process.on('message', async (msg: ServerCommand) => {
  try {
    if (msg.cmd === 'start') {
      process.send!(await start());
    } else if (msg.cmd === 'cpu') {
      const cpu = process.cpuUsage();
      const r: ServerCpu = { user: cpu.user, system: cpu.system, stats: stats() };
      process.send!(r);
    } else if (msg.cmd === 'exit') {
      await close();
      process.exit(0);
    }
  } catch (err) {
    process.send!({ error: (err as Error).stack ?? String(err) });
  }
});
process.on('disconnect', () => process.exit(1));
process.send!({ ok: true, ready: true });
