// A throwaway Redis for tests: Debian's redis-server on a free loopback port, no persistence,
// `noeviction` (BullMQ refuses any other policy), its own temp folder. Register `stop()` with
// the test's cleanup; it sends SIGTERM, then SIGKILL after a second.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

export interface RunningRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and every command waits — Redis "unreachable". */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /** Stops the server and starts an empty one on the same port (a Redis restart that lost its data). */
  restart(): Promise<void>;
}

export function redisAvailable(): boolean {
  return existsSync(REDIS_SERVER_PATH);
}

/** Starts redis-server and resolves once it answers PING. */
export async function startRedis(): Promise<RunningRedis> {
  if (!redisAvailable()) {
    throw new Error(`${REDIS_SERVER_PATH} is missing: install Debian's redis-server (scripts/ensure-deps.mjs does when run as root)`);
  }
  // reason: another process can take the free port between our probe and redis binding it; try again
  let lastError: unknown;
  for (let tries = 0; tries < 3; tries++) {
    try {
      const port = await freePort();
      let current = await startOnce(port);
      return {
        url: current.url,
        port,
        stop: () => current.stop(),
        pause: () => current.child.kill('SIGSTOP'),
        resume: () => current.child.kill('SIGCONT'),
        restart: async () => {
          await current.stop();
          current = await startOnce(port);
        },
      };
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

interface RedisProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startOnce(port: number): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'tidewire-redis-'));
  const child = spawn(
    REDIS_SERVER_PATH,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      dir,
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.signalCode === null && child.exitCode === null) child.kill('SIGCONT'); // a paused server cannot handle SIGTERM
    await kill(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (await ping(port)) return { url: `redis://127.0.0.1:${port}`, child, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`redis-server on port ${port} did not answer PING: ${log.trim()}`);
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
