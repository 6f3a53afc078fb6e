// The server under soak: the real `tidewire serve` (every app) as a child process, started as
// `npm start` starts it (the environment from tidewire/process-env), on a free loopback port and
// the OSC port the suite picked. Resolves once it printed its start-up report.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { serverProcessEnv } from 'tidewire/process-env';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
// The tidewire command, found by its package's name (the `./bin` export).
const CLI = fileURLToPath(import.meta.resolve('tidewire/bin'));
/** The first start generates the bundled race (~4 s) and may build nothing else; be generous on a busy machine. */
const START_TIMEOUT_MS = 180_000;

export interface Served {
  url: string;
  pid: number;
  oscPort: number;
  /** The start-up report and anything the server wrote since (the last 20 KB). */
  output(): string;
  /** Apps the report lists as FAILED. */
  failedApps: string[];
  /** SIGTERM, as Ctrl+C in a terminal; resolves with the exit code (SIGKILL after 20 s). */
  stop(): Promise<number | null>;
  exited(): boolean;
}

/** A UDP port free right now on loopback (bound, read, released). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts the server; `nodeArgs` go before the script (e.g. --cpu-prof). */
export async function startServe(nodeArgs: readonly string[] = []): Promise<Served> {
  const oscPort = await freeUdpPort();
  const args = [...nodeArgs, CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--osc-port', String(oscPort)];
  // PORT and TIDEWIRE_TOKEN from the caller's shell would change the port or demand a token.
  const env = serverProcessEnv({ ...process.env, PORT: '', TIDEWIRE_TOKEN: '' });
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: string) => (out = (out + d).slice(-20_000));
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exit.then(() => (gone = true));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tidewire serve did not start in ${START_TIMEOUT_MS / 1000} s:\n${out}`));
    }, START_TIMEOUT_MS);
    const check = () => {
      // The report is printed whole once the server listens; /metrics is its last line.
      const found = /Tidewire is serving on (http:\/\/[^/\s]+)\//.exec(out)?.[1];
      if (found === undefined || !out.includes('metrics /metrics')) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(found);
    };
    child.stdout!.on('data', check);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tidewire serve exited (${code}) before serving:\n${out}`));
    });
  });
  const failedApps = [...out.matchAll(/^\s+FAILED\s+\/([^/]+)\//gm)].map((m) => m[1]!);
  return {
    url,
    pid: child.pid!,
    oscPort,
    output: () => out,
    failedApps,
    exited: () => gone,
    async stop() {
      if (gone) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
  };
}
