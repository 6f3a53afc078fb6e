// A render worker as `tidewire studio worker` runs one, for the benchmark: jobs from the Redis
// queue rendered with renderStory into the studio's library (`<dataDir>/renders`), scratch under
// `<dataDir>/work`. Before taking jobs it kills the process groups and removes the temp files a
// killed predecessor recorded in the work folder's ledger (cleanupLeftovers).
//   node --import tsx bench/src/studio/worker-entry.ts <dataDir> <redisUrl> <queueName> <concurrency> <lockMs>
// Sends { ready: true, cleanup } over IPC once it takes jobs; SIGTERM stops it gracefully.
import { join } from 'node:path';
import { openRedisQueue } from '@tidewire/studio/queue';
import { createRenderWorker } from '@tidewire/studio/queue';
import { cleanupLeftovers } from '@tidewire/studio/render';
import { renderStory } from '@tidewire/studio/render';
import { Library } from '@tidewire/studio';
import { renderJobHandler } from '@tidewire/studio';

const [dataDir, redisUrl, queueName, concurrency, lockMs] = process.argv.slice(2);
if (!dataDir || !redisUrl || !queueName || !concurrency || !lockMs)
  throw new Error('usage: worker-entry.ts <dataDir> <redisUrl> <queueName> <concurrency> <lockMs>');

const workRoot = join(dataDir, 'work');
// One ledger per worker process (docs/studio.md §4.4): a new worker kills what a killed one left.
const stateDir = join(dataDir, 'state', 'worker');
const cleanup = cleanupLeftovers(stateDir);
const library = new Library(dataDir);
await library.init();
const handler = renderJobHandler({ library, assets: () => undefined, render: renderStory, workRoot, stateDir, cacheDir: join(workRoot, 'cache') });
const lock = Number(lockMs);
const queue = await openRedisQueue({ url: redisUrl, name: queueName, lockDurationMs: lock, stalledIntervalMs: Math.max(100, Math.floor(lock / 2)) });
const worker = createRenderWorker(queue, handler, { concurrency: Number(concurrency), log: (line) => process.stderr.write(`${line}\n`) });
process.send?.({ ready: true, cleanup });
await worker.stopped;
process.disconnect?.();
