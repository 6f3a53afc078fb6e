// Child process of the tree bench: connects N clients of one system to the server under test,
// measures change latency (server mutation → client store; the storm writes the mutation's
// wall-clock time as the value, and both processes share the machine's clock) and counts what
// arrives. Driven by the parent over IPC.
import { wallNow } from '../stats.ts';
import type { BenchClient, SystemName } from './system.ts';

export type RunnerCommand =
  { cmd: 'connect'; system: SystemName; url: string; clients: number } | { cmd: 'reset' } | { cmd: 'report'; attrIds?: string[] } | { cmd: 'exit' };

export interface RunnerReport {
  latencies: number[];
  messages: number;
  bytes: number;
  /** Values of `attrIds`' `value` attribute on the first client, in order. */
  values?: unknown[];
}

async function connect(system: SystemName, url: string, onChange: (id: string, attr: string, value: unknown) => void): Promise<BenchClient> {
  switch (system) {
    case 'baseline':
      return (await import('./baseline.ts')).connectBaselineClient(url, onChange);
    case 'yjs':
      return (await import('./yjs.ts')).connectYjsClient(url, onChange);
    case 'tidewire':
      return (await import('./tidewire.ts')).connectTidewireClient(url, onChange);
  }
}

const clients: BenchClient[] = [];
let latencies: number[] = [];
let base: { messages: number; bytes: number }[] = [];

function onChange(_id: string, attr: string, value: unknown) {
  if (attr === 'value' && typeof value === 'number' && value > 1e12) latencies.push(wallNow() - value);
}

function totals() {
  let messages = 0;
  let bytes = 0;
  clients.forEach((c, i) => {
    messages += c.stats.messages - (base[i]?.messages ?? 0);
    bytes += c.stats.bytes - (base[i]?.bytes ?? 0);
  });
  return { messages, bytes };
}

// eslint-disable-next-line @typescript-eslint/no-misused-promises -- the whole body is in try/catch: the handler never rejects
process.on('message', async (msg: RunnerCommand) => {
  try {
    if (msg.cmd === 'connect') {
      for (let i = 0; i < msg.clients; i++) clients.push(await connect(msg.system, msg.url, onChange));
      process.send!({ ok: true });
    } else if (msg.cmd === 'reset') {
      latencies = [];
      base = clients.map((c) => ({ ...c.stats }));
      process.send!({ ok: true });
    } else if (msg.cmd === 'report') {
      const report: RunnerReport = { latencies, ...totals() };
      if (msg.attrIds) report.values = msg.attrIds.map((id) => clients[0]!.getAttr(id, 'value'));
      process.send!(report);
    } else if (msg.cmd === 'exit') {
      for (const c of clients) c.close();
      process.exit(0);
    }
  } catch (err) {
    process.send!({ error: (err as Error).stack });
  }
});
process.send!({ ok: true, ready: true });
