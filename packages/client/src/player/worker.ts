// Player worker entry: `new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' })`.
// Vite bundles it with the codec; the page bundle never holds @tidewire/timeline or msgpack.
import { startEngineHost } from './host.ts';
import type { TransferPort } from './messages.ts';

// Inert anywhere but inside a worker (a stray import in Node or a page does nothing).
const WorkerScope = (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope;
if (typeof WorkerScope === 'function' && globalThis instanceof (WorkerScope as new () => object)) {
  startEngineHost(globalThis as unknown as TransferPort);
}
