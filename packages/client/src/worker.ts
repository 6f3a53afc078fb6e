// Worker entry: `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })`.
// Vite bundles this module (and the protocol/tree code it pulls in) as the worker script.
import { startWorkerHost } from './worker-host.ts';
import type { MessagePortLike } from './worker-messages.ts';

// Inert anywhere but inside a worker (so a stray import in Node or a page does nothing).
const WorkerScope = (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope;
if (typeof WorkerScope === 'function' && globalThis instanceof (WorkerScope as new () => object)) {
  startWorkerHost(globalThis as unknown as MessagePortLike);
}
