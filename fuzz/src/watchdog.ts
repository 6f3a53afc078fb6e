// The hang watchdog (docs/fuzzing.md §4): an input that never returns cannot be timed by the
// oracle, which only measures inputs that end. The fuzzing thread copies each input into shared
// memory before running it; a worker thread looks every 250 ms, and when one input has run for
// HANG_MS it saves that input to the corpus and kills the process (the parent reports the hang).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export const HANG_MS = 10_000;
/** Larger inputs are still run but only their first MAX_SAVED bytes would be saved. */
const MAX_SAVED = 4 * 1024 * 1024;

// Plain CommonJS evaluated in the worker: no TypeScript loader needed there.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { writeFileSync, writeSync, mkdirSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { join } = require('node:path');
const { sab, folder, hangMs, note } = workerData;
const head = new Float64Array(sab, 0, 2); // [generation, start time (Date.now())]
const len = new Int32Array(sab, 16, 1);
const bytes = new Uint8Array(sab, 24);
let seen = -1;
setInterval(() => {
  const gen = head[0];
  if (gen !== seen) { seen = gen; return; }
  if (gen === 0 || Date.now() - head[1] < hangMs) return;
  const input = bytes.slice(0, len[0]);
  const name = createHash('sha256').update(input).digest('hex').slice(0, 16);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, name + '.bin'), input);
  writeFileSync(join(folder, name + '.txt'), note + '\\nhang: one input ran for more than ' + hangMs + ' ms; the watchdog killed the process\\n');
  // fd 2 directly: process.stderr of a worker goes through the (busy) main thread.
  writeSync(2, 'fuzz watchdog: hang saved as ' + join(folder, name + '.bin') + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, 250);
parentPort.postMessage('ready');
`;

export interface Watchdog {
  /** Call before running each input. */
  running(input: Uint8Array): void;
  stop(): Promise<void>;
}

/**
 * Starts the watchdog thread and resolves once its timer is set. Not waiting was a bug: a worker
 * still starting when the fuzzing thread entered a busy loop never got to set its timer, and the
 * loop ran on (test/fuzz §4 caught it).
 */
export async function startWatchdog(folder: string, note: string, hangMs = HANG_MS): Promise<Watchdog> {
  const sab = new SharedArrayBuffer(24 + MAX_SAVED);
  const head = new Float64Array(sab, 0, 2);
  const len = new Int32Array(sab, 16, 1);
  const bytes = new Uint8Array(sab, 24);
  // No execArgv: the worker is plain CommonJS and needs no TypeScript loader of its own.
  const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { sab, folder, hangMs, note } });
  await once(worker, 'message'); // 'ready': its timer is set
  // Unreferenced only now: while it starts, the worker is what keeps this await alive.
  worker.unref();
  return {
    running(input) {
      const n = Math.min(input.length, MAX_SAVED);
      bytes.set(n === input.length ? input : input.subarray(0, n));
      len[0] = n;
      head[1] = Date.now();
      head[0]++;
    },
    async stop() {
      await worker.terminate();
    },
  };
}
