// Helpers for the chaos tests (chaos-kill, chaos-disk): `tidewire replay serve --udp` in a child
// process (chaos-child.ts), a real UDP sender that paces itself on the child's own packet count
// (GET /metrics) so loopback never drops a datagram, and the frames the synthetic session must give.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { sessionPackets, CARS, type ExpectedCar } from './fixtures/f1-session.ts';
import type { DecodedTimeline } from './fixtures/timeline-frames.ts';

const CHILD = fileURLToPath(new URL('./chaos-child.ts', import.meta.url));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls an (async) condition every 25 ms; the deadline is generous, not a timing assertion. */
export async function waitFor(pred: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** A UDP port free right now (the command needs a non-zero --udp). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Recorder {
  child: ChildProcess;
  /** http://127.0.0.1:PORT of the child's server. */
  url: string;
  udpPort: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends datagrams over UDP, at most `batch` ahead of what the child has counted. */
  send(datagrams: Uint8Array[], batch?: number): Promise<void>;
  metric(name: string, labels?: string): Promise<number>;
}

/**
 * Spawns `replay serve --udp PORT …args --port 0` (optionally under a wrapper such as prlimit) and
 * waits until it listens. Warnings are asserted on stderr: TIDEWIRE_LOG_LEVEL=warn keeps them
 * there where the server log is silent in tests.
 */
export async function startRecorder(t: TestContext, args: string[], wrap: string[] = []): Promise<Recorder> {
  const udpPort = await freeUdpPort();
  const argv = ['--import', 'tsx', CHILD, '--udp', String(udpPort), '--port', '0', ...args];
  const [cmd, ...pre] = wrap.length > 0 ? [...wrap, process.execPath] : [process.execPath];
  const child = spawn(cmd!, [...pre, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TIDEWIRE_TEST: '1', TIDEWIRE_LOG_LEVEL: 'warn' } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  // 'close', not 'exit': the exit can come before the last of stdout has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('close', (code, signal) => r({ code, signal })));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  await waitFor(() => /metadata:\s+\S+/.test(out) || child.exitCode !== null, 'the recorder to listen', 30_000);
  const m = /metadata:\s+(http:\/\/[^/\s]+)/.exec(out);
  if (m === null) throw new Error(`the recorder did not start: ${err}`);
  const url = m[1]!;
  const socket = createSocket('udp4');
  t.after(() => new Promise<void>((r) => socket.close(() => r())));
  let sent = 0;
  const metric = async (name: string, labels = ''): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) if (line.startsWith(name) && line.includes(labels) && !line.startsWith('#')) sum += Number(line.split(' ').pop());
    return sum;
  };
  const received = () => metric('tidewire_replay_udp_packets_total');
  return {
    child,
    url,
    udpPort,
    stdout: () => out,
    stderr: () => err,
    exited,
    metric,
    async send(datagrams, batch = 60) {
      for (let i = 0; i < datagrams.length; i += batch) {
        for (const d of datagrams.slice(i, i + batch)) {
          await new Promise<void>((res, rej) => socket.send(d, udpPort, '127.0.0.1', (e) => (e ? rej(e) : res())));
          sent++;
        }
        // A batch (≈ 80 KB) fits the socket's receive buffer: wait until the child counted it.
        await waitFor(async () => (await received()) >= sent, `the recorder to receive ${sent} datagrams`);
      }
    },
  };
}

/** The synthetic session's steps [from, to) (3 datagrams each, 50 ms of session time apart). */
export function steps(from: number, to: number): Uint8Array[] {
  return sessionPackets(2024, from, to);
}

/** Every frame of `d` equals the expected one (the same tolerances as import-udp.test.ts). */
export function checkFramePrefix(d: DecodedTimeline, expected: ExpectedCar[][], what: string): void {
  assert.ok(d.frames.length <= expected.length, `${what}: ${d.frames.length} frames, more than the ${expected.length} sent`);
  for (let k = 0; k < d.frames.length; k++) {
    assert.equal(d.times[k], 40 * k, `${what}: frame ${k} time`);
    for (let i = 0; i < CARS; i++) {
      for (const [f, v] of Object.entries(expected[k]![i]!)) {
        const got = d.frames[k]![i * d.F + d.col[f]!]!;
        const tol = f === 'x' || f === 'y' || f === 'distance' ? 0.051 : f === 'gapToLeader' ? 0.0006 : 0;
        assert.ok(Math.abs(got - v) <= tol, `${what}: frame ${k} car ${i} ${f} = ${got}, expected ${v}`);
      }
    }
  }
}
